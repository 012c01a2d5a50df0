"""Create phase: make the persistent resources before the upgrade.

Before: nothing, or a state file from an interrupted create (it resumes).
Does: with the configured admin credentials, makes a dedicated project and
user (or takes ``[upgrade] persistent_owner_*``), records them in the state
file, then as that user creates ``persistent_<type>_count`` resources of
each type, recording each name before and its id after the create call,
and a snapshot of what must not change once it is ready.
After: the state file lists every resource; ``persistent.verify`` checks
them.
"""

import secrets

from upgrade_tempest_plugin.persistent import create
from upgrade_tempest_plugin.persistent import owner as owner_mod
from upgrade_tempest_plugin.tests.persistent import base

CONF = base.CONF


@base.with_type_tests
class CreateTest(base.PersistentPhase):
    phase = 'create'

    @classmethod
    def run_phase(cls):
        cls.state_file.create('upgrade-persistent-%s' % secrets.token_hex(3))
        configured = owner_mod.configured(CONF.upgrade)
        admin = None if configured else cls.admin_manager()
        owner = cls.provisioner(admin).ensure(
            cls.state_file, configured=configured,
            domain_name=CONF.auth.default_credentials_domain_name)
        return create.run(cls.owner_context(owner), base.available)

    def check_type(self, name):
        summary = self.record['types'][name]
        if summary['skipped']:
            raise self.skipException(summary['skipped'])
        if not summary['wanted']:
            raise self.skipException(
                '[upgrade] persistent_%s_count is 0' % name)
        if summary['errors']:
            self.fail('%d of %d %ss not created:\n%s' % (
                len(summary['errors']), summary['wanted'], name,
                '\n'.join('%(name)s: %(error)s' % e
                          for e in summary['errors'])))
        self.assertEqual(summary['wanted'], summary['ready'])
