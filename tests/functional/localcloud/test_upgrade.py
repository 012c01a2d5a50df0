"""A real keystone rolling upgrade 28.1.0 -> 30.0.0 keeps identity data.

Before: create a user with a password and the member role, and issue a
token for it.  Upgrade: `python -m localcloud upgrade keystone --to
30.0.0` (expand while 28 serves, migrate, swap, contract, check).  After:
keystone runs 30.0.0, the token issued before still validates, the user
still logs in, and the cloud is still all up for the tests that follow.
"""

import uuid

from testtools.content import text_content

from localcloud import api
from localcloud import config
from tests.functional.localcloud import base


class TestKeystoneUpgrade(base.CloudTestCase):

    def test_rolling_upgrade_keeps_tokens_and_users(self):
        if self.cloud.keystone_version != config.OLD_KEYSTONE:
            self.skipTest('keystone is already at %s: `python -m localcloud '
                          'reset` replays the upgrade from %s' % (
                              self.cloud.keystone_version,
                              config.OLD_KEYSTONE))
        admin = self.admin()
        name = 'upgrade-user-' + uuid.uuid4().hex[:8]
        password = uuid.uuid4().hex
        user = admin.post('keystone', '/v3/users', {'user': {
            'name': name, 'domain_id': 'default', 'password': password}})
        user_id = user['user']['id']
        self.addCleanup(lambda: api.Session(config.Cloud()).call(
            'DELETE', 'keystone', '/v3/users/' + user_id))
        member = admin.get('keystone', '/v3/roles?name=member')['roles'][0]
        admin.call('PUT', 'keystone', '/v3/projects/%s/users/%s/roles/%s' % (
            admin.project_id, user_id, member['id']))
        token, _ = api.get_token(self.cloud, user=name, password=password,
                                 project='admin')

        code, out, err = base.cli('upgrade', 'keystone', '--to',
                                  config.MAIN_KEYSTONE)
        self.addDetail('upgrade', text_content(out + err))
        self.assertEqual(0, code, out + err)
        for step in ('--expand', '--migrate', 'swap', '--contract',
                     '--check'):
            self.assertIn(step, out)

        cloud = config.Cloud()
        self.assertEqual(config.MAIN_KEYSTONE, cloud.keystone_version)
        status = base.json_line(base.cli('status', '--json')[1])
        self.assertEqual(config.MAIN_KEYSTONE, status['keystone_version'])
        self.assertTrue(status['up'])
        admin = api.Session(cloud)
        code, _, body = api.request(
            'GET', cloud.auth_url + '/auth/tokens', token=admin.token,
            headers={'X-Subject-Token': token})
        self.assertEqual(200, code)
        self.assertEqual(user_id, body['token']['user']['id'])
        new_token, _ = api.get_token(cloud, user=name, password=password,
                                     project='admin')
        self.assertTrue(new_token)
