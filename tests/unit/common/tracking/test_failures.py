"""Failures of traced calls: network errors and failure traces."""

from unittest import mock

from tempest.lib import exceptions as lib_exc
from tempest.lib.services.volume.v3 import volumes_client
import testtools
import urllib3

from tests.unit import fakes
from tests.unit.common.tracking import base
from upgrade_tempest_plugin.common import tracking


class TestNetworkFailures(testtools.TestCase):

    def test_connection_refused(self):
        trace = tracking.Trace()
        port = fakes.refused_port()
        client = trace.decorate(fakes.volumes(
            base_url='http://127.0.0.1:%d' % port))
        self.assertRaises(urllib3.exceptions.MaxRetryError,
                          client.show_volume, base.VOL)
        found = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((0, 1), (found.passes, found.failures))
        self.assertEqual({'connection refused': 1}, found.errors)
        self.assertEqual('urllib3.exceptions.MaxRetryError',
                         found.traces[0].exception)

    def test_read_timeout(self):
        trace = tracking.Trace()
        with fakes.LoopbackServer(hang=True) as server:
            client = trace.decorate(fakes.volumes(base_url=server.url,
                                                  http_timeout=0.2))
            # POST is not retried by urllib3: one time-out, one failure.
            self.assertRaises(urllib3.exceptions.HTTPError,
                              client.create_volume, size=1)
        found = trace.stats.get('VolumesClient', 'create_volume')
        self.assertEqual({'timeout': 1}, found.errors)
        self.assertGreaterEqual(found.latency.min, 0.2)

    def test_real_http_503(self):
        trace = tracking.Trace()
        with fakes.LoopbackServer(status=503, body={'e': 1}) as server:
            client = trace.decorate(fakes.volumes(base_url=server.url))
            self.assertRaises(lib_exc.UnexpectedResponseCode,
                              client.show_volume, base.VOL)
        found = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual({'HTTP 503': 1}, found.errors)


class TestTraces(testtools.TestCase):

    def test_repeated_failure_is_one_trace(self):
        trace = tracking.Trace()
        client = trace.decorate(fakes.volumes())
        for _ in range(1000):
            self.assertRaises(lib_exc.NotFound, client.show_volume, 'gone')
        found = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual(1000, found.failures)
        self.assertEqual(1, len(found.traces))
        self.assertEqual(1000, found.traces[0].count)
        self.assertLessEqual(found.traces[0].first, found.traces[0].last)

    def test_distinct_traces_are_bounded(self):
        trace = tracking.Trace(max_traces=3)
        client = trace.decorate(fakes.volumes())
        # Each lambda is a distinct call site, hence a distinct stack.
        sites = [lambda: client.show_volume('a'),
                 lambda: client.show_volume('b'),
                 lambda: client.show_volume('c'),
                 lambda: client.show_volume('d'),
                 lambda: client.show_volume('e')]
        for _ in range(4):
            for site in sites:
                self.assertRaises(lib_exc.NotFound, site)
        found = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual(20, found.failures)
        self.assertEqual(3, len(found.traces))
        self.assertEqual([4, 4, 4], [t.count for t in found.traces])
        self.assertEqual(8, found.traces_dropped)
        self.assertEqual(4, len(set(t.stack for t in found.traces)) + 1)

    def test_zero_traces(self):
        stats = tracking.Stats(max_traces=0)
        ms = stats.method_stats('C', 'm')
        ms.add_failure(0.1, 'HTTP 500', 'X', 'boom', ('a:1 in f',))
        self.assertEqual(([], 1), (ms.traces, ms.traces_dropped))

    def test_error_kinds_are_bounded(self):
        ms = tracking.MethodStats('C', 'm')
        for i in range(tracking.MAX_ERROR_KINDS + 10):
            ms.add_failure(0.1, 'E%d' % i, 'X', '', ('a:1 in f',))
        self.assertEqual(tracking.MAX_ERROR_KINDS + 1, len(ms.errors))
        self.assertEqual(10, ms.errors[tracking.OTHER_ERRORS])
        self.assertEqual(ms.failures, sum(ms.errors.values()))

    def test_long_message_is_truncated(self):
        trace = tracking.Trace()
        client = trace.decorate(fakes.volumes())
        error = lib_exc.ServerFault('x' * 5000)
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               side_effect=error):
            self.assertRaises(lib_exc.ServerFault, client.show_volume,
                              base.VOL)
        message = trace.stats.get('VolumesClient',
                                  'show_volume').traces[0].message
        self.assertLessEqual(len(message), tracking.MAX_MESSAGE_CHARS + 3)
