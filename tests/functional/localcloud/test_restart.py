"""`restart SERVICE --json` on every API: the reported outage (first
failing probe to first 2xx) is plausible and the API answers after."""

from testtools.content import text_content

from tests.functional.localcloud import base

APIS = ('keystone', 'placement', 'nova-api', 'neutron-server', 'glance-api',
        'cinder-api', 'swift-proxy')


class TestRestart(base.CloudTestCase):

    def _restart(self, name):
        code, out, err = base.cli('restart', name, '--json')
        self.assertEqual(0, code, out + err)
        result = base.json_line(out)
        self.addDetail('restart', text_content(out))
        self.assertEqual(name, result['service'])
        self.assertTrue(result['recovered'])
        self.assertGreater(result['outage_s'], 0)
        self.assertLess(result['outage_s'], 60)
        self.assertGreater(result['failed_probes'], 0)
        self.wait_2xx(name)


def _make(name):
    def test(self):
        self._restart(name)
    test.__name__ = 'test_restart_' + name.replace('-', '_')
    test.__doc__ = 'restart %s: outage in (0, 60) s, 2xx after' % name
    return test


for _name in APIS:
    setattr(TestRestart, 'test_restart_' + _name.replace('-', '_'),
            _make(_name))
