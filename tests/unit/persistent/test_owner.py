"""The dedicated owner: recorded before it is made, adopted on resume."""

import unittest

from tempest.lib import exceptions as lib_exc

from tests.unit.persistent import fakes
from upgrade_tempest_plugin.persistent import owner
from upgrade_tempest_plugin.persistent import state


class FakeIdentity(object):
    """domains, projects, users and roles clients in one."""

    def __init__(self, statefile):
        self.statefile = statefile
        self.projects, self.users, self.grants = {}, {}, []
        self.fail_user = False

    def list_domains(self, name):
        return {'domains': [{'id': 'default', 'name': name}]}

    def list_projects(self, params):
        return {'projects': [p for p in self.projects.values()
                             if p['name'] == params['name']]}

    def create_project(self, name, domain_id, description):
        # the intent (names, password) is on disk before the call
        recorded = self.statefile.load()['owner']
        assert recorded['project_name'] == name and recorded['password']
        self.projects[name + '-id'] = {'id': name + '-id', 'name': name}
        return {'project': self.projects[name + '-id']}

    def list_users(self, name):
        return {'users': [u for u in self.users.values()
                          if u['name'] == name]}

    def create_user(self, name, password, project_id, domain_id):
        self.users[name + '-id'] = {'id': name + '-id', 'name': name}
        if self.fail_user:
            raise KeyboardInterrupt()
        return {'user': self.users[name + '-id']}

    def list_roles(self, name):
        return {'roles': [{'id': name + '-role', 'name': name}]}

    def create_user_role_on_project(self, project_id, user_id, role_id):
        self.grants.append((project_id, user_id, role_id))

    def delete_user(self, user_id):
        if self.users.pop(user_id, None) is None:
            raise lib_exc.NotFound()

    def delete_project(self, project_id):
        if self.projects.pop(project_id, None) is None:
            raise lib_exc.NotFound()


class FakeAdmin(object):
    def __init__(self, identity):
        self.domains_client = self.projects_client = identity
        self.users_v3_client = self.roles_v3_client = identity


class OwnerTest(unittest.TestCase):

    def setUp(self):
        self.state = fakes.new_state(self)
        self.identity = FakeIdentity(self.state)
        self.provisioner = owner.Provisioner(
            FakeAdmin(self.identity), roles=('member', 'member', 'swift'),
            neutron=False)

    def test_makes_project_user_and_roles(self):
        made = self.provisioner.ensure(self.state)
        self.assertEqual(owner.CREATED, made['provisioned'])
        self.assertEqual(('pfx-user', 'pfx-project', 'pfx-project-id',
                          'pfx-user-id'),
                         (made['username'], made['project_name'],
                          made['project_id'], made['user_id']))
        self.assertTrue(owner.is_complete(made))
        self.assertEqual([('pfx-project-id', 'pfx-user-id', 'member-role'),
                          ('pfx-project-id', 'pfx-user-id', 'swift-role')],
                         self.identity.grants)
        self.assertEqual(made, self.state.load()['owner'])
        # a second ensure changes nothing
        self.assertEqual(made, self.provisioner.ensure(self.state))
        self.assertEqual(1, len(self.identity.projects))

    def test_interrupted_user_creation_is_adopted(self):
        self.identity.fail_user = True
        self.assertRaises(KeyboardInterrupt, self.provisioner.ensure,
                          self.state)
        recorded = self.state.load()['owner']
        self.assertIsNone(recorded.get('user_id'))
        self.identity.fail_user = False
        made = self.provisioner.ensure(self.state)
        self.assertEqual('pfx-user-id', made['user_id'])
        self.assertEqual(recorded['password'], made['password'])
        self.assertEqual(1, len(self.identity.users))

    def test_configured_owner_is_used_and_never_deleted(self):
        made = self.provisioner.ensure(self.state, configured={
            'username': 'op', 'password': 'pw', 'project_name': 'proj',
            'domain_name': 'Default'})
        self.assertEqual(owner.CONFIGURED, made['provisioned'])
        self.assertEqual({}, self.identity.projects)
        self.assertFalse(self.provisioner.delete(made))

    def test_delete_tolerates_already_deleted(self):
        made = self.provisioner.ensure(self.state)
        self.assertTrue(self.provisioner.delete(made))
        self.assertEqual(({}, {}), (self.identity.projects,
                                    self.identity.users))
        self.assertTrue(self.provisioner.delete(made))

    def test_credential_params(self):
        made = self.provisioner.ensure(self.state)
        self.assertEqual({'username': 'pfx-user',
                          'password': made['password'],
                          'project_name': 'pfx-project',
                          'user_domain_name': 'Default',
                          'project_domain_name': 'Default'},
                         owner.credential_params(made))


class Upgrade(object):
    """``[upgrade]``'s owner options, none set."""
    persistent_owner_username = ''
    persistent_owner_password = ''
    persistent_owner_project_name = ''
    persistent_owner_domain_name = 'Default'


class PhaseDecisionsTest(unittest.TestCase):
    """What the tempest phases decide about the owner, without tempest."""

    def setUp(self):
        self.state = fakes.new_state(self)

    def test_configured_owner_from_options(self):
        self.assertIsNone(owner.configured(Upgrade()))
        up = Upgrade()
        up.persistent_owner_username = 'op'
        up.persistent_owner_password = 'pw'
        up.persistent_owner_project_name = 'proj'
        self.assertEqual({'username': 'op', 'password': 'pw',
                          'project_name': 'proj', 'domain_name': 'Default'},
                         owner.configured(up))

    def test_load_needs_a_complete_owner(self):
        with self.assertRaises(state.StateError) as caught:
            owner.load(self.state)
        self.assertIn(self.state.path, str(caught.exception))
        self.assertIn('--regex persistent.create', str(caught.exception))
        # the intent of a dedicated owner is recorded, its ids are not yet
        self.state.set_owner(provisioned=owner.CREATED, username='u',
                             password='p', project_name='pr',
                             domain_name='Default')
        self.assertRaises(state.StateError, owner.load, self.state)
        self.state.set_owner(user_id='1', project_id='2')
        self.assertEqual('1', owner.load(self.state)['user_id'])

    def test_a_configured_owner_needs_no_ids(self):
        self.state.set_owner(provisioned=owner.CONFIGURED, username='op',
                             password='pw', project_name='proj',
                             domain_name='Default')
        self.assertEqual('op', owner.load(self.state)['username'])

    def test_unfinished_owner(self):
        self.assertTrue(owner.is_unfinished(self.state.load()))
        self.state.set_owner(provisioned=owner.CREATED, username='u',
                             password='p', project_name='pr',
                             domain_name='Default', project_id='2')
        self.assertTrue(owner.is_unfinished(self.state.load()))
        self.state.set_owner(user_id='1')
        self.assertFalse(owner.is_unfinished(self.state.load()))

    def test_resources_recorded_means_not_unfinished(self):
        # a state written by hand or by another tool: resources without
        # an owner must not be forgotten (load then says why)
        self.state.record_intent('volume', 'pfx-volume-0', index=0)
        self.assertFalse(owner.is_unfinished(self.state.load()))
        self.assertRaises(state.StateError, owner.load, self.state)

    def test_roles(self):
        self.assertEqual(['member'], owner.roles(False, 'swiftoperator'))
        self.assertEqual(['member', 'swiftoperator'],
                         owner.roles(True, 'swiftoperator'))


class ErrorsTest(unittest.TestCase):

    def test_one_base_for_the_library(self):
        from upgrade_tempest_plugin import persistent
        from upgrade_tempest_plugin.persistent import base
        from upgrade_tempest_plugin.persistent import waiting
        for cls in (state.StateError, owner.OwnerError, base.CreateError,
                    base.LoginError, waiting.WaitTimeout):
            self.assertTrue(issubclass(cls, persistent.PersistentError),
                            cls.__name__)
