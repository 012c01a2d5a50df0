import testtools

from upgrade_tempest_plugin.uptime import probes


class DescribeTest(testtools.TestCase):

    def test_names(self):
        self.assertEqual('list servers', probes.describe('nova'))
        self.assertEqual('token validate', probes.describe('keystone'))
        self.assertEqual('create+delete network',
                         probes.describe('neutron', 'write'))
        self.assertEqual(sorted(probes.SERVICES), sorted(probes._READ))
        self.assertEqual(sorted(probes.SERVICES), sorted(probes._WRITE))


class ReauthTest(testtools.TestCase):

    def test_401_clears_the_cached_token(self):
        from tempest.lib import exceptions as lib_exc

        class Provider(object):
            cleared = 0

            def clear_auth(self):
                self.cleared += 1
        provider = Provider()
        answers = [lib_exc.Unauthorized(), 200]

        def probe():
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        wrapped = probes.reauth_on_401(probe, provider)
        self.assertRaises(lib_exc.Unauthorized, wrapped)
        self.assertEqual(1, provider.cleared)
        self.assertEqual(200, wrapped())
        self.assertEqual(1, provider.cleared)
