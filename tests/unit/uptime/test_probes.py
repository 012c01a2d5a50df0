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


class PulseTest(testtools.TestCase):

    def test_root_url_cuts_before_the_version(self):
        cases = [
            ('http://127.0.0.1:8774/v2.1', 'nova', 'http://127.0.0.1:8774/'),
            ('https://cloud.example/compute/v2.1/', 'nova',
             'https://cloud.example/compute/'),
            ('http://h:8776/v3/0123abcd', 'cinder', 'http://h:8776/'),
            ('http://h:9696', 'neutron', 'http://h:9696/'),
            ('http://h:5000/v3', 'keystone', 'http://h:5000/'),
            ('http://h:8080/v1/AUTH_0123', 'swift', 'http://h:8080/info'),
            ('http://h/identity/v3', 'keystone', 'http://h/identity/'),
        ]
        for base, service, expected in cases:
            self.assertEqual(expected, probes.root_url(base, service), base)

    def _http(self, answers):
        calls = []

        class Resp(object):
            def __init__(self, status):
                self.status = status

        class Http(object):
            def request(self, url, method):
                calls.append((method, url))
                answer = answers.pop(0)
                if isinstance(answer, Exception):
                    raise answer
                return Resp(answer), b''
        return Http(), calls

    def test_success_below_400_error_carries_its_status(self):
        from upgrade_tempest_plugin.common import errors
        http, calls = self._http([300, 200, 503, ConnectionRefusedError()])
        probe = probes.pulse(http, 'http://h:1/')
        self.assertEqual(300, probe())
        self.assertEqual(200, probe())
        exc = self.assertRaises(probes.PulseError, probe)
        self.assertEqual(503, errors.http_status(exc))
        self.assertEqual('HTTP 503', errors.classify(exc))
        exc = self.assertRaises(ConnectionRefusedError, probe)
        self.assertEqual(errors.CONNECTION_REFUSED, errors.classify(exc))
        self.assertEqual([('GET', 'http://h:1/')] * 4, calls)

    def test_describe(self):
        self.assertEqual('GET version document (no token)',
                         probes.describe('nova', 'pulse'))
        self.assertEqual('GET /info (no token)',
                         probes.describe('swift', 'pulse'))
