"""tracking.Trace: decorating clients and counting their calls."""

import inspect
import threading
from unittest import mock

from tempest.lib import exceptions as lib_exc
from tempest.lib.services.volume.v3 import volumes_client

from tests.unit import fakes
from tests.unit.common.tracking import base
from upgrade_tempest_plugin.common import tracking


class TestDecorate(base.TrackingTestCase):

    def test_returns_same_object_keeps_class_and_attributes(self):
        client = fakes.volumes(self.http)
        before = dict((k, v) for k, v in vars(client).items())
        self.assertIs(client, self.trace.decorate(client))
        self.assertIsInstance(client, volumes_client.VolumesClient)
        self.assertIs(volumes_client.VolumesClient, type(client))
        for key, value in before.items():
            self.assertIs(value, getattr(client, key))
        self.assertEqual('volume', client.service)
        self.assertEqual('show_volume', client.show_volume.__name__)
        self.assertEqual(volumes_client.VolumesClient.show_volume.__doc__,
                         client.show_volume.__doc__)
        self.assertEqual(['volume_id'],
                         list(inspect.signature(client.show_volume).
                              parameters))
        self.assertNotIn('get', vars(client))
        self.assertTrue(self.trace.is_decorating(client, 'show_volume'))

    def test_class_is_not_modified(self):
        self.assertIs(volumes_client.VolumesClient.__dict__['show_volume'],
                      inspect.getattr_static(volumes_client.VolumesClient,
                                             'show_volume'))
        plain = fakes.volumes(self.http)
        plain.show_volume(base.VOL)
        self.assertEqual(0, self.trace.stats.totals()[0])

    def test_double_decorate_does_not_double_count(self):
        self.assertIs(self.volumes, self.trace.decorate(self.volumes))
        self.trace.decorate(self.volumes)
        self.volumes.show_volume(base.VOL)
        self.assertCounts('show_volume', 1, 0)

    def test_two_traces_count_separately(self):
        other = tracking.Trace()
        other.decorate(self.volumes)
        self.trace.decorate(self.volumes)
        other.decorate(self.volumes)
        self.volumes.show_volume(base.VOL)
        self.volumes.show_volume(base.VOL)
        self.assertCounts('show_volume', 2, 0)
        self.assertEqual(2, other.stats.get('VolumesClient',
                                            'show_volume').passes)

    def test_two_clients_share_method_stats(self):
        second = self.trace.decorate(fakes.volumes(self.http))
        self.volumes.show_volume(base.VOL)
        second.show_volume(base.VOL)
        self.assertCounts('show_volume', 2, 0)

    def test_mock_patch_instance_attribute(self):
        with mock.patch.object(self.volumes, 'show_volume',
                               return_value='patched') as patched:
            self.assertEqual('patched', self.volumes.show_volume(base.VOL))
            patched.assert_called_once_with(base.VOL)
        self.assertIsNone(self.trace.stats.get('VolumesClient',
                                               'show_volume'))
        # The wrapper is back after the patch.
        self.volumes.show_volume(base.VOL)
        self.assertCounts('show_volume', 1, 0)

    def test_mock_patch_class_attribute_is_honoured_and_counted(self):
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               return_value='patched') as patched:
            self.assertEqual('patched', self.volumes.show_volume(base.VOL))
            patched.assert_called_once_with(base.VOL)
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               autospec=True,
                               side_effect=lib_exc.NotFound()) as patched:
            self.assertRaises(lib_exc.NotFound, self.volumes.show_volume,
                              base.VOL)
            patched.assert_called_once_with(self.volumes, base.VOL)
        found = self.assertCounts('show_volume', 1, 1)
        self.assertEqual({'HTTP 404': 1}, found.errors)
        self.assertEqual([], self.http.calls)

    def test_traces_can_share_stats(self):
        shared = tracking.Stats(max_traces=5)
        first = tracking.Trace(stats=shared)
        second = tracking.Trace(stats=shared, whitelist=())
        first.decorate(fakes.volumes(self.http)).show_volume(base.VOL)
        second.decorate(fakes.servers(self.http)).show_server(base.SRV)
        self.assertIs(shared, first.stats)
        self.assertEqual((2, 0), shared.totals())
        self.assertEqual({('ServersClient', 'show_server'),
                          ('VolumesClient', 'show_volume')},
                         set(shared.methods()))

    def test_object_without_dict(self):
        self.assertRaises(TypeError, self.trace.decorate, object())


class TestCounting(base.TrackingTestCase):

    def test_passes(self):
        for _ in range(3):
            body = self.volumes.show_volume(base.VOL)
        self.assertEqual(base.VOL, body['volume']['id'])
        found = self.assertCounts('show_volume', 3, 0)
        self.assertEqual({}, found.errors)
        self.assertEqual([], found.traces)
        self.assertEqual(3, len(self.http.calls))
        self.assertIsNone(self.trace.stats.get('VolumesClient', 'get'))

    def _fail(self, status, exc_class, body=None):
        self.http.route('GET', base.VOLUME_URL, status, body or {'error': 'x'})
        exc = self.assertRaises(exc_class, self.volumes.show_volume, base.VOL)
        self.assertEqual(status, exc.resp.status)
        return self.assertCounts('show_volume', 0, 1)

    def test_4xx_failure(self):
        found = self._fail(404, lib_exc.NotFound)
        self.assertEqual({'HTTP 404': 1}, found.errors)
        self.assertEqual(1, len(found.traces))
        trace = found.traces[0]
        self.assertEqual('HTTP 404', trace.error)
        self.assertEqual('tempest.lib.exceptions.NotFound', trace.exception)
        self.assertIn('not found', trace.message.lower())
        self.assertTrue(any('in show_volume' in line for line in trace.stack))
        self.assertTrue(any('in test_4xx_failure' in line
                            for line in trace.stack))
        self.assertIn('in _error_checker', trace.stack[-1])
        self.assertFalse(any(' in traced' in line for line in trace.stack))
        self.assertEqual(trace.first, trace.last)

    def test_409_failure(self):
        found = self._fail(409, lib_exc.Conflict)
        self.assertEqual({'HTTP 409': 1}, found.errors)

    def test_5xx_failures(self):
        self._fail(500, lib_exc.ServerFault,
                   {'computeFault': {'message': 'boom'}})
        self.http.route('GET', base.VOLUME_URL, 503, {'error': 'unavailable'})
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          self.volumes.show_volume, base.VOL)
        found = self.assertCounts('show_volume', 0, 2)
        self.assertEqual({'HTTP 500': 1, 'HTTP 503': 1}, found.errors)
        self.assertEqual(2, len(found.traces))

    def test_schema_mismatch_failure(self):
        body = fakes.volume_body()
        del body['volume']['status']
        self.http.route('GET', base.VOLUME_URL, 200, body)
        self.assertRaises(lib_exc.InvalidHTTPResponseBody,
                          self.volumes.show_volume, base.VOL)
        found = self.assertCounts('show_volume', 0, 1)
        self.assertEqual({'InvalidHTTPResponseBody': 1}, found.errors)

    def test_exception_propagates_unchanged(self):
        error = lib_exc.ServerFault('boom')
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               side_effect=error):
            caught = self.assertRaises(lib_exc.ServerFault,
                                       self.volumes.show_volume, base.VOL)
        self.assertIs(error, caught)
        self.assertIsNone(caught.__cause__)
        self.assertEqual({'HTTP 500': 1},
                         self.method('show_volume').errors)

    def test_base_exception_is_not_counted(self):
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               side_effect=KeyboardInterrupt):
            self.assertRaises(KeyboardInterrupt, self.volumes.show_volume,
                              base.VOL)
        self.assertIsNone(self.trace.stats.get('VolumesClient',
                                               'show_volume'))

    def test_nested_calls_are_counted(self):
        self.http.route('GET', base.VOLUME_URL, 200,
                        fakes.volume_body(status='deleting'))
        self.assertFalse(self.volumes.is_resource_deleted(base.VOL))
        self.assertFalse(self.volumes.is_resource_deleted(base.VOL))
        self.assertCounts('is_resource_deleted', 2, 0)
        self.assertCounts('show_volume', 2, 0)

    def test_server_client_and_object_storage(self):
        self.servers.show_server(base.SRV)
        self.assertCounts('show_server', 1, 0, client='ServersClient')
        containers = self.trace.decorate(fakes.containers(self.http))
        self.http.route('PUT', r'^fake-container$', 201, None)
        self.http.route('DELETE', r'^fake-container$', 409, None)
        containers.create_container('fake-container')
        self.assertRaises(lib_exc.Conflict, containers.delete_container,
                          'fake-container')
        self.assertCounts('create_container', 1, 0, client='ContainerClient')
        found = self.assertCounts('delete_container', 0, 1,
                                  client='ContainerClient')
        self.assertEqual({'HTTP 409': 1}, found.errors)


class TestThreads(base.TrackingTestCase):

    def test_exact_counts_from_many_threads(self):
        # delete_volume: a cheap call (no body schema), so many calls run.
        threads, calls = 8, 1000
        self.http.route('DELETE', r'^volumes/', 202, None)
        self.http.route('DELETE', r'^volumes/bad$', 503, {'e': 1})
        start = threading.Barrier(threads)
        failures = []

        def worker():
            start.wait()
            for i in range(calls):
                if i % 5 == 0:
                    try:
                        self.volumes.delete_volume('bad')
                    except lib_exc.UnexpectedResponseCode:
                        pass
                    else:
                        failures.append('no exception')
                else:
                    self.volumes.delete_volume(base.VOL)
                if i % 100 == 0:
                    self.volumes.show_volume(base.VOL)

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(120)
        self.assertEqual([], failures)
        self.assertEqual(threads * calls + threads * calls // 100,
                         len(self.http.calls))
        found = self.assertCounts('delete_volume', threads * calls * 4 // 5,
                                  threads * calls // 5)
        self.assertEqual({'HTTP 503': threads * calls // 5}, found.errors)
        self.assertEqual(1, len(found.traces))
        self.assertEqual(threads * calls // 5, found.traces[0].count)
        self.assertCounts('show_volume', threads * calls // 100, 0)

    def test_exact_counts_while_read_concurrently(self):
        # add_pass only appends; readers fold the pending passes under the
        # lock while writers keep appending: none may be lost or doubled.
        stats = tracking.Stats()
        method = stats.method_stats('C', 'm')
        writers, calls = 4, 20000
        done = threading.Event()
        seen, wrong = [], []

        def write():
            for i in range(calls):
                method.add_pass(0.001 * (1 + i % 7))

        def read():
            while not done.is_set():
                snap = stats.get('C', 'm')
                if snap is not None:
                    counts = (snap.passes, snap.latency.count,
                              sum(snap.latency.buckets))
                    if len(set(counts)) != 1:
                        wrong.append(counts)
                    seen.append(snap.passes)

        reader = threading.Thread(target=read)
        reader.start()
        pool = [threading.Thread(target=write) for _ in range(writers)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(120)
        done.set()
        reader.join(120)
        self.assertEqual([], wrong)
        self.assertTrue(seen)
        self.assertEqual(sorted(seen), seen)      # never goes back
        self.assertEqual(writers * calls, method.passes)
        self.assertEqual(writers * calls, method.latency.count)
        self.assertEqual(0.001, method.latency.min)
        self.assertEqual(0.007, method.latency.max)

    def test_unread_passes_are_bounded(self):
        method = tracking.MethodStats('C', 'm')
        for _ in range(tracking.FOLD_EVERY * 3 + 5):
            method.add_pass(0.01)
        self.assertEqual(5, len(method._pending))
        self.assertEqual(tracking.FOLD_EVERY * 3 + 5, method.passes)
        self.assertEqual([], method._pending)
