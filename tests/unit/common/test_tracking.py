"""Unit tests of common.tracking, driving real tempest service clients."""

import inspect
import json
import logging
import math
import os
import random
import shutil
import tempfile
import threading
from unittest import mock

from oslo_config import cfg
from tempest.common import waiters
from tempest.lib import exceptions as lib_exc
from tempest.lib.services.volume.v3 import volumes_client
import testtools
import urllib3

from tests.unit import fakes
from upgrade_tempest_plugin.common import options
from upgrade_tempest_plugin.common import tracking

VOL = fakes.VOLUME_ID
SRV = fakes.SERVER_ID
VOLUME_URL = r'^volumes/%s$' % VOL
SERVER_URL = r'^servers/%s$' % SRV


class ListHandler(logging.Handler):
    def __init__(self):
        super(ListHandler, self).__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append((record.levelno, record.getMessage()))


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


class TestApiMethods(testtools.TestCase):

    def test_volume_client_api_methods(self):
        names = tracking.api_methods(volumes_client.VolumesClient)
        for name in ('show_volume', 'create_volume', 'delete_volume',
                     'list_volumes', 'is_resource_deleted',
                     'wait_for_resource_deletion'):
            self.assertIn(name, names)
        for name in ('get', 'post', 'put', 'delete', 'head', 'patch', 'copy',
                     'request', 'raw_request', 'get_headers', 'get_schema',
                     'response_checker', 'expected_success',
                     'validate_response', 'resource_type', 'get_versions',
                     '__init__', '_error_checker', 'is_absolute_limit'):
            self.assertNotIn(name, names)

    def test_plain_object(self):
        class Thing(object):
            def public(self):
                return 1

            def _private(self):
                return 2

            @property
            def prop(self):
                return 3

        self.assertEqual(['public'], tracking.api_methods(Thing))

    def test_object_storage_clients(self):
        self.assertIn('create_container',
                      tracking.api_methods(type(fakes.containers())))
        self.assertIn('create_object',
                      tracking.api_methods(type(fakes.objects())))


class TestDecorate(TrackingTestCase):

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
        plain.show_volume(VOL)
        self.assertEqual(0, self.trace.stats.totals()[0])

    def test_double_decorate_does_not_double_count(self):
        self.assertIs(self.volumes, self.trace.decorate(self.volumes))
        self.trace.decorate(self.volumes)
        self.volumes.show_volume(VOL)
        self.assertCounts('show_volume', 1, 0)

    def test_two_traces_count_separately(self):
        other = tracking.Trace()
        other.decorate(self.volumes)
        self.trace.decorate(self.volumes)
        other.decorate(self.volumes)
        self.volumes.show_volume(VOL)
        self.volumes.show_volume(VOL)
        self.assertCounts('show_volume', 2, 0)
        self.assertEqual(2, other.stats.get('VolumesClient',
                                            'show_volume').passes)

    def test_two_clients_share_method_stats(self):
        second = self.trace.decorate(fakes.volumes(self.http))
        self.volumes.show_volume(VOL)
        second.show_volume(VOL)
        self.assertCounts('show_volume', 2, 0)

    def test_mock_patch_instance_attribute(self):
        with mock.patch.object(self.volumes, 'show_volume',
                               return_value='patched') as patched:
            self.assertEqual('patched', self.volumes.show_volume(VOL))
            patched.assert_called_once_with(VOL)
        self.assertIsNone(self.trace.stats.get('VolumesClient',
                                               'show_volume'))
        # The wrapper is back after the patch.
        self.volumes.show_volume(VOL)
        self.assertCounts('show_volume', 1, 0)

    def test_mock_patch_class_attribute_is_honoured_and_counted(self):
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               return_value='patched') as patched:
            self.assertEqual('patched', self.volumes.show_volume(VOL))
            patched.assert_called_once_with(VOL)
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               autospec=True,
                               side_effect=lib_exc.NotFound()) as patched:
            self.assertRaises(lib_exc.NotFound, self.volumes.show_volume,
                              VOL)
            patched.assert_called_once_with(self.volumes, VOL)
        found = self.assertCounts('show_volume', 1, 1)
        self.assertEqual({'HTTP 404': 1}, found.errors)
        self.assertEqual([], self.http.calls)

    def test_traces_can_share_stats(self):
        shared = tracking.Stats(max_traces=5)
        first = tracking.Trace(stats=shared)
        second = tracking.Trace(stats=shared, whitelist=())
        first.decorate(fakes.volumes(self.http)).show_volume(VOL)
        second.decorate(fakes.servers(self.http)).show_server(SRV)
        self.assertIs(shared, first.stats)
        self.assertEqual((2, 0), shared.totals())
        self.assertEqual({('ServersClient', 'show_server'),
                          ('VolumesClient', 'show_volume')},
                         set(shared.methods()))

    def test_object_without_dict(self):
        self.assertRaises(TypeError, self.trace.decorate, object())


class TestCounting(TrackingTestCase):

    def test_passes(self):
        for _ in range(3):
            body = self.volumes.show_volume(VOL)
        self.assertEqual(VOL, body['volume']['id'])
        found = self.assertCounts('show_volume', 3, 0)
        self.assertEqual({}, found.errors)
        self.assertEqual([], found.traces)
        self.assertEqual(3, len(self.http.calls))
        self.assertIsNone(self.trace.stats.get('VolumesClient', 'get'))

    def _fail(self, status, exc_class, body=None):
        self.http.route('GET', VOLUME_URL, status, body or {'error': 'x'})
        exc = self.assertRaises(exc_class, self.volumes.show_volume, VOL)
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
        self.http.route('GET', VOLUME_URL, 503, {'error': 'unavailable'})
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          self.volumes.show_volume, VOL)
        found = self.assertCounts('show_volume', 0, 2)
        self.assertEqual({'HTTP 500': 1, 'HTTP 503': 1}, found.errors)
        self.assertEqual(2, len(found.traces))

    def test_schema_mismatch_failure(self):
        body = fakes.volume_body()
        del body['volume']['status']
        self.http.route('GET', VOLUME_URL, 200, body)
        self.assertRaises(lib_exc.InvalidHTTPResponseBody,
                          self.volumes.show_volume, VOL)
        found = self.assertCounts('show_volume', 0, 1)
        self.assertEqual({'InvalidHTTPResponseBody': 1}, found.errors)

    def test_exception_propagates_unchanged(self):
        error = lib_exc.ServerFault('boom')
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               side_effect=error):
            caught = self.assertRaises(lib_exc.ServerFault,
                                       self.volumes.show_volume, VOL)
        self.assertIs(error, caught)
        self.assertIsNone(caught.__cause__)
        self.assertEqual({'HTTP 500': 1},
                         self.method('show_volume').errors)

    def test_base_exception_is_not_counted(self):
        with mock.patch.object(volumes_client.VolumesClient, 'show_volume',
                               side_effect=KeyboardInterrupt):
            self.assertRaises(KeyboardInterrupt, self.volumes.show_volume,
                              VOL)
        self.assertIsNone(self.trace.stats.get('VolumesClient',
                                               'show_volume'))

    def test_nested_calls_are_counted(self):
        self.http.route('GET', VOLUME_URL, 200,
                        fakes.volume_body(status='deleting'))
        self.assertFalse(self.volumes.is_resource_deleted(VOL))
        self.assertFalse(self.volumes.is_resource_deleted(VOL))
        self.assertCounts('is_resource_deleted', 2, 0)
        self.assertCounts('show_volume', 2, 0)

    def test_server_client_and_object_storage(self):
        self.servers.show_server(SRV)
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


class TestWhitelist(TrackingTestCase):

    def test_wait_for_resource_deletion(self):
        deleting = (200, fakes.volume_body(status='deleting'))
        self.http.route('GET', VOLUME_URL, responder=fakes.sequence(
            deleting, deleting, deleting, fakes.NOT_FOUND))
        self.http.route('DELETE', VOLUME_URL, 202, None)
        self.volumes.delete_volume(VOL)
        self.volumes.wait_for_resource_deletion(VOL)
        self.assertCounts('delete_volume', 1, 0)
        self.assertCounts('wait_for_resource_deletion', 1, 0, whitelisted=0)
        self.assertCounts('is_resource_deleted', 4, 0, whitelisted=0)
        found = self.assertCounts('show_volume', 4, 0, whitelisted=1)
        self.assertEqual({}, found.errors)
        self.assertEqual([], found.traces)
        # Outside the waiter, the same 404 is a failure.
        self.assertRaises(lib_exc.NotFound, self.volumes.show_volume, VOL)
        found = self.assertCounts('show_volume', 4, 1, whitelisted=1)
        self.assertEqual({'HTTP 404': 1}, found.errors)

    def test_waiter_in_calling_frames(self):
        self.http.route('GET', SERVER_URL, responder=fakes.sequence(
            (200, fakes.server_body(status='ACTIVE')),
            (200, fakes.server_body(status='DELETED')),
            fakes.NOT_FOUND))
        waiters.wait_for_server_termination(self.servers, SRV)
        self.assertCounts('show_server', 3, 0, client='ServersClient',
                          whitelisted=1)

    def test_waiter_timeout_is_whitelisted_by_name(self):
        self.http.route('GET', VOLUME_URL, 200,
                        fakes.volume_body(status='deleting'))
        self.volumes.build_timeout = 0
        self.assertRaises(lib_exc.TimeoutException,
                          self.volumes.wait_for_resource_deletion, VOL)
        # The waiter itself is whitelisted: its own timeout is a pass.
        self.assertCounts('wait_for_resource_deletion', 1, 0, whitelisted=1)

    def test_503_while_polling_is_a_pass_by_default(self):
        deleting = (200, fakes.volume_body(status='deleting'))
        self.http.route('GET', VOLUME_URL, responder=fakes.sequence(
            deleting, (503, {}), fakes.NOT_FOUND))
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          self.volumes.wait_for_resource_deletion, VOL)
        self.assertCounts('show_volume', 2, 0, whitelisted=1)

    def test_whitelist_errors_keep_only_the_expected_error(self):
        trace = tracking.Trace(whitelist_errors=['NotFound'])
        volumes = trace.decorate(fakes.volumes(self.http))
        deleting = (200, fakes.volume_body(status='deleting'))
        self.http.route('GET', VOLUME_URL, responder=fakes.sequence(
            deleting, (503, {}), deleting, fakes.NOT_FOUND))
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          volumes.wait_for_resource_deletion, VOL)
        volumes.wait_for_resource_deletion(VOL)
        show = trace.stats.get('VolumesClient', 'show_volume')
        # 503: a failure although under the waiter; 404: whitelisted
        # (lib_exc.NotFound is matched by its class name).
        self.assertEqual((3, 1, 1), (show.passes, show.failures,
                                     show.whitelisted))
        self.assertEqual({'HTTP 503': 1}, show.errors)
        # The waiter's own time-out is not NotFound: a failure too.
        volumes.build_timeout = 0
        self.http.route('GET', VOLUME_URL, 200,
                        fakes.volume_body(status='deleting'))
        self.assertRaises(lib_exc.TimeoutException,
                          volumes.wait_for_resource_deletion, VOL)
        wait = trace.stats.get('VolumesClient', 'wait_for_resource_deletion')
        self.assertEqual((1, 2, 0), (wait.passes, wait.failures,
                                     wait.whitelisted))

    def test_without_whitelist_the_expected_404_is_a_failure(self):
        trace = tracking.Trace(whitelist=())
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', VOLUME_URL, 404, {'itemNotFound': {}})
        self.assertTrue(client.is_resource_deleted(VOL))
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((0, 1), (show.passes, show.failures))
        self.assertEqual(1, trace.stats.get('VolumesClient',
                                            'is_resource_deleted').passes)

    def test_custom_whitelist_in_calling_frames(self):
        trace = tracking.Trace(whitelist=['my_poller'])
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', VOLUME_URL, 404, {'itemNotFound': {}})

        def my_poller():
            return client.show_volume(VOL)

        def other_poller():
            return client.show_volume(VOL)

        self.assertRaises(lib_exc.NotFound, my_poller)
        self.assertRaises(lib_exc.NotFound, other_poller)
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((1, 1, 1),
                         (show.passes, show.failures, show.whitelisted))

    def test_whitelist_in_traceback_only(self):
        # _error_checker runs below show_volume: only the traceback has it.
        trace = tracking.Trace(whitelist=('_error_checker',))
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', VOLUME_URL, 404, {'itemNotFound': {}})
        self.assertRaises(lib_exc.NotFound, client.show_volume, VOL)
        body = fakes.volume_body()
        del body['volume']['status']
        self.http.route('GET', VOLUME_URL, 200, body)
        self.assertRaises(lib_exc.InvalidHTTPResponseBody,
                          client.show_volume, VOL)
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((1, 1, 1),
                         (show.passes, show.failures, show.whitelisted))

    def test_qualified_whitelist_name(self):
        trace = tracking.Trace(
            whitelist=['TestWhitelist.test_qualified_whitelist_name.<locals>'
                       '.Poller.poll'])
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', VOLUME_URL, 404, {'itemNotFound': {}})

        class Poller(object):
            def poll(self):
                return client.show_volume(VOL)

        class Other(object):
            def poll(self):
                return client.show_volume(VOL)

        self.assertRaises(lib_exc.NotFound, Poller().poll)
        self.assertRaises(lib_exc.NotFound, Other().poll)
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((1, 1), (show.passes, show.failures))

    def test_whitelist_from_config_string_and_conf(self):
        self.assertEqual(('a', 'b'),
                         tracking.Trace(whitelist='a, b').whitelist)
        conf = cfg.ConfigOpts()
        conf.register_opts(options.OPTS, group='upgrade')
        conf([])
        conf.set_override('trace_whitelist', ['x', 'y'], group='upgrade')
        conf.set_override('trace_max_stack_traces', 3, group='upgrade')
        self.assertEqual(frozenset(),
                         tracking.Trace.from_config(conf).whitelist_errors)
        conf.set_override('trace_whitelist_errors', ['NotFound'],
                          group='upgrade')
        trace = tracking.Trace.from_config(conf)
        self.assertEqual(frozenset(['NotFound']), trace.whitelist_errors)
        self.assertEqual(('x', 'y'), trace.whitelist)
        self.assertEqual(3, trace.stats.max_traces)
        self.assertEqual(tracking.DEFAULT_WHITELIST,
                         tracking.Trace().whitelist)


class TestNetworkFailures(testtools.TestCase):

    def test_connection_refused(self):
        trace = tracking.Trace()
        port = fakes.refused_port()
        client = trace.decorate(fakes.volumes(
            base_url='http://127.0.0.1:%d' % port))
        self.assertRaises(urllib3.exceptions.MaxRetryError,
                          client.show_volume, VOL)
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
                              client.show_volume, VOL)
        found = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual({'HTTP 503': 1}, found.errors)


class TestThreads(TrackingTestCase):

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
                    self.volumes.delete_volume(VOL)
                if i % 100 == 0:
                    self.volumes.show_volume(VOL)

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
            self.assertRaises(lib_exc.ServerFault, client.show_volume, VOL)
        message = trace.stats.get('VolumesClient',
                                  'show_volume').traces[0].message
        self.assertLessEqual(len(message), tracking.MAX_MESSAGE_CHARS + 3)


class TestLog(TrackingTestCase):

    def log(self, **kwargs):
        logger = logging.getLogger('test_tracking.%s' % self.id())
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        handler = ListHandler()
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        returned = self.trace.stats.log(logger, **kwargs)
        self.assertIs(self.trace.stats, returned)
        return handler.lines

    def test_exact_lines_sorted(self):
        for _ in range(3):
            self.volumes.show_volume(VOL)
        self.servers.show_server(SRV)
        self.http.route('DELETE', VOLUME_URL, 202, None)
        self.volumes.delete_volume(VOL)
        self.assertEqual(
            [(logging.INFO, '[ServersClient:show_server] 1 pass, 0 fail'),
             (logging.INFO, '[VolumesClient:delete_volume] 1 pass, 0 fail'),
             (logging.INFO, '[VolumesClient:show_volume] 3 pass, 0 fail')],
            self.log(latency=False))

    def test_line_with_latency_errors_and_whitelisted(self):
        self.volumes.show_volume(VOL)
        self.http.route('GET', VOLUME_URL, 503, {'e': 1})
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          self.volumes.show_volume, VOL)
        self.http.route('GET', VOLUME_URL, 404, {'e': 1})
        self.volumes.wait_for_resource_deletion(VOL)
        lines = [text for _, text in self.log()]
        self.assertEqual(3, len(lines))
        self.assertTrue(lines[0].startswith(
            '[VolumesClient:is_resource_deleted] 1 pass, 0 fail (latency '))
        show = lines[1]
        self.assertTrue(show.startswith(
            '[VolumesClient:show_volume] 2 pass, 1 fail (latency ms: mean '),
            show)
        self.assertRegex(
            show, r'^\[VolumesClient:show_volume\] 2 pass, 1 fail \(latency '
                  r'ms: mean [\d.]+, p50 [\d.]+, p95 [\d.]+, p99 [\d.]+, '
                  r'max [\d.]+; errors: HTTP 503 x1; whitelisted: 1\)$')

    def test_empty_stats_log_nothing(self):
        self.assertEqual([], self.log())


class TestSaveLoadMerge(TrackingTestCase):

    def setUp(self):
        super(TestSaveLoadMerge, self).setUp()
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def record(self, passes, failures, trace=None):
        trace = trace or self.trace
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', r'^volumes/bad$', 503, {'e': 1})
        for _ in range(passes):
            client.show_volume(VOL)
        for _ in range(failures):
            self.assertRaises(lib_exc.UnexpectedResponseCode,
                              client.show_volume, 'bad')
        return trace.stats

    def test_save_load_round_trip(self):
        stats = self.record(5, 2)
        path = os.path.join(self.tmp, 'a', 'b', 'stats.json')
        self.assertEqual(path, stats.save(path))
        self.assertEqual(['stats.json'], os.listdir(os.path.dirname(path)))
        loaded = tracking.Stats.load(path)
        self.assertEqual(stats.to_dict(), loaded.to_dict())
        found = loaded.get('VolumesClient', 'show_volume')
        self.assertEqual((5, 2), (found.passes, found.failures))
        with open(path) as source:
            data = json.load(source)
        self.assertEqual(1, data['version'])
        self.assertEqual('upgrade_tempest_plugin.tracking', data['format'])
        method = data['methods'][0]
        self.assertEqual({'HTTP 503': 2}, method['errors'])
        self.assertEqual(7, method['latency']['count'])
        self.assertEqual(7, sum(method['latency']['buckets'].values()))

    def test_save_replaces_atomically(self):
        path = os.path.join(self.tmp, 'stats.json')
        self.record(1, 0).save(path)
        self.record(1, 0).save(path)
        self.assertEqual(['stats.json'], os.listdir(self.tmp))
        self.assertEqual(2, tracking.Stats.load(path).totals()[0])
        with mock.patch('os.fsync', side_effect=RuntimeError('disk')):
            self.assertRaises(RuntimeError, self.trace.stats.save, path)
        self.assertEqual(['stats.json'], os.listdir(self.tmp))
        self.assertEqual(2, tracking.Stats.load(path).totals()[0])

    def test_load_missing_file(self):
        path = os.path.join(self.tmp, 'missing.json')
        error = self.assertRaises(tracking.StatsError, tracking.Stats.load,
                                  path)
        self.assertIsInstance(error, ValueError)
        self.assertEqual(path, error.path)
        self.assertIn(path, str(error))

    def test_load_corrupt_files(self):
        good = self.record(1, 1).to_dict()
        bad_version = dict(good, version=99)
        bad_counts = json.loads(json.dumps(good))
        bad_counts['methods'][0]['errors'] = {'HTTP 503': 5}
        bad_buckets = json.loads(json.dumps(good))
        bad_buckets['methods'][0]['latency']['buckets'] = {'3': 1}
        missing_key = json.loads(json.dumps(good))
        del missing_key['methods'][0]['passes']
        for name, content in [('trunc', json.dumps(good)[:40]),
                              ('empty', ''),
                              ('list', '[]'),
                              ('version', json.dumps(bad_version)),
                              ('counts', json.dumps(bad_counts)),
                              ('buckets', json.dumps(bad_buckets)),
                              ('missing', json.dumps(missing_key))]:
            path = os.path.join(self.tmp, name + '.json')
            with open(path, 'w') as out:
                out.write(content)
            error = self.assertRaises(tracking.StatsError,
                                      tracking.Stats.load, path)
            self.assertEqual(path, error.path, name)
            self.assertIn(path, str(error))

    def test_bad_merge_changes_nothing(self):
        stats = self.record(2, 0)
        good = stats.to_dict()
        bad = json.loads(json.dumps(good))
        bad['methods'].append(dict(bad['methods'][0], method='x',
                                   failures=-1))
        self.assertRaises(tracking.StatsError, stats.merge, bad)
        self.assertEqual(good, stats.to_dict())

    def test_merge_saved_stats_of_workers(self):
        paths = []
        for worker, (passes, failures) in enumerate([(3, 1), (4, 2), (0, 0)]):
            trace = tracking.Trace()
            stats = self.record(passes, failures, trace)
            paths.append(stats.save(os.path.join(
                self.tmp, 'worker-%d.json' % worker)))
        merged = tracking.Stats.merged(tracking.Stats.load(p) for p in paths)
        found = merged.get('VolumesClient', 'show_volume')
        self.assertEqual((7, 3), (found.passes, found.failures))
        self.assertEqual({'HTTP 503': 3}, found.errors)
        self.assertEqual(10, found.latency.count)
        # The same failing call site in two workers is one trace.
        self.assertEqual(1, len(found.traces))
        self.assertEqual(3, found.traces[0].count)
        firsts = [tracking.Stats.load(p).get('VolumesClient', 'show_volume')
                  for p in paths[:2]]
        self.assertEqual(min(f.traces[0].first for f in firsts),
                         found.traces[0].first)
        self.assertEqual(max(f.traces[0].last for f in firsts),
                         found.traces[0].last)

    def test_merge_in_place_and_bounds(self):
        one = tracking.Stats(max_traces=2)
        two = tracking.Stats(max_traces=2)
        for index, stats in enumerate((one, two)):
            ms = stats.method_stats('C', 'm')
            ms.add_pass(0.01)
            for site in range(3):
                for _ in range(site + 1):
                    ms.add_failure(0.02, 'HTTP 500', 'X', 'm%d' % index,
                                   ('f:%d in g' % (site + index),), 100.0)
        self.assertIs(one, one.merge(two))
        ms = one.get('C', 'm')
        self.assertEqual((2, 12), (ms.passes, ms.failures))
        self.assertEqual(2, len(ms.traces))
        self.assertEqual(ms.failures,
                         sum(t.count for t in ms.traces) + ms.traces_dropped)
        # site 1 of "one" and site 0 of "two" have the same stack.
        self.assertEqual([1, 2 + 1], [t.count for t in ms.traces])
        self.assertEqual('m1', ms.traces[1].message)

    def test_merged_empty(self):
        merged = tracking.Stats.merged([])
        self.assertEqual({}, merged.methods())
        self.assertEqual(tracking.DEFAULT_MAX_TRACES, merged.max_traces)


class TestLatency(testtools.TestCase):

    def exact(self, values, percent):
        ordered = sorted(values)
        rank = max(1, int(math.ceil(percent / 100.0 * len(ordered))))
        return ordered[rank - 1]

    def test_known_inputs(self):
        ms = tracking.MethodStats('C', 'm')
        for ms_value in range(1, 1001):
            ms.add_pass(ms_value / 1000.0)
        lat = ms.latency
        self.assertEqual(1000, lat.count)
        self.assertEqual(0.001, lat.min)
        self.assertEqual(1.0, lat.max)
        self.assertAlmostEqual(0.5005, lat.mean)
        bound = 1.0 / 64
        for percent, expected in ((50, 0.5), (95, 0.95), (99, 0.99),
                                  (100, 1.0)):
            got = lat.percentile(percent)
            self.assertLessEqual(abs(got - expected) / expected, bound,
                                 'p%s=%s' % (percent, got))
        self.assertEqual(0.001, lat.percentile(0))

    def test_random_inputs_within_error_bound(self):
        rnd = random.Random(42)
        values = [rnd.lognormvariate(-4, 1.5) for _ in range(20000)]
        lat = tracking.Latency()
        for value in values:
            lat.add(value)
        for percent in (1, 10, 50, 90, 95, 99, 99.9):
            expected = self.exact(values, percent)
            got = lat.percentile(percent)
            self.assertLessEqual(abs(got - expected) / expected, 1.0 / 64,
                                 'p%s: %s vs %s' % (percent, got, expected))

    def test_single_value_is_exact(self):
        lat = tracking.Latency()
        lat.add(0.0123)
        self.assertEqual((0.0123,) * 3, (lat.p50, lat.p95, lat.p99))

    def test_extremes_are_clamped(self):
        lat = tracking.Latency()
        for value in (0.0, 1e-9, 1e6):
            lat.add(value)
        self.assertEqual(0, tracking.bucket_index(0.0))
        self.assertEqual(tracking.NUM_BUCKETS - 1,
                         tracking.bucket_index(1e6))
        self.assertEqual(1e6, lat.p99)
        self.assertEqual(0.0, lat.percentile(1))

    def test_bucket_bounds_hold_values(self):
        rnd = random.Random(7)
        for _ in range(5000):
            value = math.exp(rnd.uniform(math.log(1e-6), math.log(8000)))
            index = tracking.bucket_index(value)
            lower, upper = tracking.bucket_bounds(index)
            self.assertTrue(lower <= value < upper, (value, lower, upper))
            self.assertLessEqual((upper - lower) / lower, 1.0 / 32 + 1e-12)

    def test_pass_path_buckets_like_latency_add(self):
        # MethodStats.add_pass inlines Latency.add for speed: both must put
        # every value in the same bucket, extremes included.
        rnd = random.Random(11)
        values = [0.0, 1e-9, 1e6] + [
            math.exp(rnd.uniform(math.log(1e-7), math.log(2e4)))
            for _ in range(3000)]
        method = tracking.MethodStats('C', 'm')
        reference = tracking.Latency()
        for value in values:
            method.add_pass(value)
            reference.add(value)
        self.assertEqual(reference.buckets, method.latency.buckets)
        self.assertEqual((reference.count, reference.min, reference.max),
                         (method.latency.count, method.latency.min,
                          method.latency.max))

    def test_merge_equals_union(self):
        rnd = random.Random(3)
        left = [rnd.expovariate(20) for _ in range(500)]
        right = [rnd.expovariate(5) for _ in range(700)]
        a, b, union = tracking.Latency(), tracking.Latency(), \
            tracking.Latency()
        for value in left:
            a.add(value)
            union.add(value)
        for value in right:
            b.add(value)
            union.add(value)
        a.merge_dict(json.loads(json.dumps(b.to_dict())))
        self.assertEqual(union.buckets, a.buckets)
        self.assertEqual((union.count, union.min, union.max),
                         (a.count, a.min, a.max))
        self.assertAlmostEqual(union.sum, a.sum)
        self.assertEqual(union.p95, a.p95)

    def test_calls_are_timed(self):
        ticks = [10.0, 10.25]
        clock = mock.Mock(side_effect=lambda: ticks.pop(0))
        with mock.patch('time.perf_counter', clock):
            trace = tracking.Trace()
            client = trace.decorate(fakes.volumes())
            client.http_obj.route('GET', VOLUME_URL, 200,
                                  fakes.volume_body())
            client.show_volume(VOL)
        self.assertEqual([], ticks)
        lat = trace.stats.get('VolumesClient', 'show_volume').latency
        self.assertEqual((1, 0.25, 0.25, 0.25),
                         (lat.count, lat.min, lat.max, lat.sum))

    def test_empty_latency(self):
        lat = tracking.Latency()
        self.assertEqual((None, None, None), (lat.mean, lat.p50, lat.p99))
        data = lat.to_dict()
        self.assertEqual((0, None, None, {}), (data['count'], data['min'],
                                               data['max'], data['buckets']))
