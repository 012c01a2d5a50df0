"""Cleanup phase: delete the persistent resources, prove nothing leaked.

Before: ``persistent.create`` ran (the state file exists).
Does: as the owning user, deletes in dependency order, waiting for each
deletion; lists the owner's project for leftovers; then (admin) deletes
the dedicated user and project and removes the state file, only if
nothing failed or leaked.
After: the tests of the types that could not be deleted fail (their
entries stay in the state file: run cleanup again); ``test_nothing_left``
fails on leaks.
"""

from tempest.lib import decorators

from upgrade_tempest_plugin.persistent import cleanup
from upgrade_tempest_plugin.persistent import owner as owner_mod
from upgrade_tempest_plugin.tests.persistent import base


@base.with_type_tests
class CleanupTest(base.PersistentPhase):
    phase = 'cleanup'

    @classmethod
    def run_phase(cls):
        data = cls.state_file.load()
        if owner_mod.is_unfinished(data):
            return cleanup.forget_unfinished_owner(
                cls.state_file, data.get('owner'), cls.delete_owner)
        ctx = cls.owner_context(owner_mod.load(cls.state_file))
        try:  # to delete ports nova left behind (neutron: admin only)
            ctx.admin = cls.admin_manager()
        except owner_mod.OwnerError as exc:
            base.LOG.warning('persistent cleanup without admin: %s', exc)
        return cleanup.run(ctx, base.available, delete_owner=cls.delete_owner)

    @classmethod
    def delete_owner(cls, owner):
        return cls.provisioner(cls.admin_manager()).delete(owner)

    def check_type(self, name):
        failed = [f for f in self.record['failed'] if f['type'] == name]
        deleted = [d for d in self.record['deleted'] if d['type'] == name]
        if failed:
            self.fail('%d %ss not deleted (kept in %s):\n%s' % (
                len(failed), name, self.state_file.path,
                '\n'.join('%(name)s (%(id)s): %(error)s' % f
                          for f in failed)))
        if not deleted:
            self.skip_if_unavailable(name)
            raise self.skipException('no persistent %s recorded' % name)

    @decorators.attr(type='persistent-cleanup')
    @decorators.idempotent_id('5b7f9a0e-2d0c-4a51-9a8c-3c6e7b0d4f12')
    def test_nothing_left(self):
        """The owner's project is empty; owner and state file are gone."""
        if self.record['leaked']:
            self.fail('resources left in the project:\n%s' % '\n'.join(
                '%(type)s %(name)s (%(id)s)' % r
                for r in self.record['leaked']))
        if not self.record['state_removed']:
            self.fail('not finished, %s kept:\n%s' % (
                self.state_file.path, '\n'.join(
                    '%(type)s %(name)s: %(error)s' % f
                    for f in self.record['failed'])))
