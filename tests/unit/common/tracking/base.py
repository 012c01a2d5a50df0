"""Shared fixtures of the tracking unit tests: traced tempest clients."""

import testtools

from tests.unit import fakes
from upgrade_tempest_plugin.common import tracking

VOL = fakes.VOLUME_ID
SRV = fakes.SERVER_ID
VOLUME_URL = r'^volumes/%s$' % VOL
SERVER_URL = r'^servers/%s$' % SRV


class TrackingTestCase(testtools.TestCase):

    def setUp(self):
        super(TrackingTestCase, self).setUp()
        self.trace = tracking.Trace()
        self.http = fakes.FakeHttp()
        self.http.route('GET', VOLUME_URL, 200, fakes.volume_body())
        self.http.route('GET', SERVER_URL, 200, fakes.server_body())
        self.volumes = self.trace.decorate(fakes.volumes(self.http))
        self.servers = self.trace.decorate(fakes.servers(self.http))

    def method(self, name, client='VolumesClient', stats=None):
        found = (stats or self.trace.stats).get(client, name)
        self.assertIsNotNone(found, '%s:%s was not counted' % (client, name))
        return found

    def assertCounts(self, name, passes, failures, client='VolumesClient',
                     whitelisted=None):
        found = self.method(name, client)
        self.assertEqual((passes, failures), (found.passes, found.failures),
                         '%s:%s' % (client, name))
        if whitelisted is not None:
            self.assertEqual(whitelisted, found.whitelisted)
        self.assertEqual(found.calls, found.latency.count)
        return found
