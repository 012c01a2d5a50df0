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
from upgrade_tempest_plugin.persistent import state as state_mod
from upgrade_tempest_plugin.tests.persistent import base


@base.with_type_tests
class CleanupTest(base.PersistentPhase):
    phase = 'cleanup'

    @classmethod
    def run_phase(cls):
        data = cls.state_file.load()
        owner = data.get('owner')
        if not owner_mod.is_complete(owner) and not any(
                data['resources'].values()):
            return cls.forget_unfinished_owner(owner)
        owner = cls.load_owner()
        ctx = cls.owner_context(owner)
        try:  # to delete ports nova left behind (neutron: admin only)
            ctx.admin = cls.admin_manager()
        except owner_mod.OwnerError as exc:
            base.LOG.warning('persistent cleanup without admin: %s', exc)

        def delete_owner(owner):
            return cls.provisioner(cls.admin_manager()).delete(owner)
        return cleanup.run(ctx, base.available, delete_owner=delete_owner)

    @classmethod
    def forget_unfinished_owner(cls, owner):
        """Create stopped before the owner was complete: nothing can have
        been created as the owner; delete what was made of it (found by
        name) and the state file."""
        record = {'phase': 'cleanup', 'start_time': state_mod.utcnow(),
                  'deleted': [], 'failed': [], 'leaked': [],
                  'owner_deleted': False}
        if owner and owner.get('provisioned') == owner_mod.CREATED:
            record['owner_deleted'] = cls.provisioner(
                cls.admin_manager()).delete(owner)
        cls.state_file.remove()
        record.update(state_removed=True, end_time=state_mod.utcnow())
        return record

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
