"""Verify phase: the persistent resources are intact, during and after.

Before: ``persistent.create`` ran (the state file exists).
Does: as the owning user, checks every recorded resource in parallel:
exists, steady status, no drift of the snapshotted fields, object data
hashes, cross-service consistency; retries through service restarts.
Read-only: run it as often as you like. Writes
``<output_dir>/persistent/verify/<UTC timestamp>-<pid>.json``, labelled
with ``$UPGRADE_VERIFY_LABEL``.
After: one test per resource type fails, naming every difference.
"""

from upgrade_tempest_plugin.persistent import owner as owner_mod
from upgrade_tempest_plugin.persistent import verify
from upgrade_tempest_plugin.tests.persistent import base


@base.with_type_tests
class VerifyTest(base.PersistentPhase):
    phase = 'verify'

    @classmethod
    def run_phase(cls):
        ctx = cls.owner_context(owner_mod.load(cls.state_file))
        record = verify.run(ctx, base.available)
        base.LOG.info('persistent verify: %d resources checked in %.1f s, '
                      '%d differences', len(record['resources_checked']),
                      record['duration'], len(record['differences']))
        return record

    def check_type(self, name):
        if name in self.record['skipped']:
            raise self.skipException(self.record['skipped'][name])
        checked = [r for r in self.record['resources_checked']
                   if r['type'] == name]
        if not checked:
            self.skip_if_unavailable(name)
            raise self.skipException('no persistent %s recorded' % name)
        failures = verify.failures(self.record, name)
        if failures:
            self.fail(failures)
