"""tracking.Trace: failures under a whitelisted frame are passes."""


from oslo_config import cfg
from tempest.common import waiters
from tempest.lib import exceptions as lib_exc

from tests.unit import fakes
from tests.unit.common.tracking import base
from upgrade_tempest_plugin.common import options
from upgrade_tempest_plugin.common import tracking


class TestWhitelist(base.TrackingTestCase):

    def test_wait_for_resource_deletion(self):
        deleting = (200, fakes.volume_body(status='deleting'))
        self.http.route('GET', base.VOLUME_URL, responder=fakes.sequence(
            deleting, deleting, deleting, fakes.NOT_FOUND))
        self.http.route('DELETE', base.VOLUME_URL, 202, None)
        self.volumes.delete_volume(base.VOL)
        self.volumes.wait_for_resource_deletion(base.VOL)
        self.assertCounts('delete_volume', 1, 0)
        self.assertCounts('wait_for_resource_deletion', 1, 0, whitelisted=0)
        self.assertCounts('is_resource_deleted', 4, 0, whitelisted=0)
        found = self.assertCounts('show_volume', 4, 0, whitelisted=1)
        self.assertEqual({}, found.errors)
        self.assertEqual([], found.traces)
        # Outside the waiter, the same 404 is a failure.
        self.assertRaises(lib_exc.NotFound, self.volumes.show_volume, base.VOL)
        found = self.assertCounts('show_volume', 4, 1, whitelisted=1)
        self.assertEqual({'HTTP 404': 1}, found.errors)

    def test_waiter_in_calling_frames(self):
        self.http.route('GET', base.SERVER_URL, responder=fakes.sequence(
            (200, fakes.server_body(status='ACTIVE')),
            (200, fakes.server_body(status='DELETED')),
            fakes.NOT_FOUND))
        waiters.wait_for_server_termination(self.servers, base.SRV)
        self.assertCounts('show_server', 3, 0, client='ServersClient',
                          whitelisted=1)

    def test_waiter_timeout_is_whitelisted_by_name(self):
        self.http.route('GET', base.VOLUME_URL, 200,
                        fakes.volume_body(status='deleting'))
        self.volumes.build_timeout = 0
        self.assertRaises(lib_exc.TimeoutException,
                          self.volumes.wait_for_resource_deletion, base.VOL)
        # The waiter itself is whitelisted: its own timeout is a pass.
        self.assertCounts('wait_for_resource_deletion', 1, 0, whitelisted=1)

    def test_503_while_polling_is_a_pass_by_default(self):
        deleting = (200, fakes.volume_body(status='deleting'))
        self.http.route('GET', base.VOLUME_URL, responder=fakes.sequence(
            deleting, (503, {}), fakes.NOT_FOUND))
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          self.volumes.wait_for_resource_deletion, base.VOL)
        self.assertCounts('show_volume', 2, 0, whitelisted=1)

    def test_whitelist_errors_keep_only_the_expected_error(self):
        trace = tracking.Trace(whitelist_errors=['NotFound'])
        volumes = trace.decorate(fakes.volumes(self.http))
        deleting = (200, fakes.volume_body(status='deleting'))
        self.http.route('GET', base.VOLUME_URL, responder=fakes.sequence(
            deleting, (503, {}), deleting, fakes.NOT_FOUND))
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          volumes.wait_for_resource_deletion, base.VOL)
        volumes.wait_for_resource_deletion(base.VOL)
        show = trace.stats.get('VolumesClient', 'show_volume')
        # 503: a failure although under the waiter; 404: whitelisted
        # (lib_exc.NotFound is matched by its class name).
        self.assertEqual((3, 1, 1), (show.passes, show.failures,
                                     show.whitelisted))
        self.assertEqual({'HTTP 503': 1}, show.errors)
        # The waiter's own time-out is not NotFound: a failure too.
        volumes.build_timeout = 0
        self.http.route('GET', base.VOLUME_URL, 200,
                        fakes.volume_body(status='deleting'))
        self.assertRaises(lib_exc.TimeoutException,
                          volumes.wait_for_resource_deletion, base.VOL)
        wait = trace.stats.get('VolumesClient', 'wait_for_resource_deletion')
        self.assertEqual((1, 2, 0), (wait.passes, wait.failures,
                                     wait.whitelisted))

    def test_without_whitelist_the_expected_404_is_a_failure(self):
        trace = tracking.Trace(whitelist=())
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', base.VOLUME_URL, 404, {'itemNotFound': {}})
        self.assertTrue(client.is_resource_deleted(base.VOL))
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((0, 1), (show.passes, show.failures))
        self.assertEqual(1, trace.stats.get('VolumesClient',
                                            'is_resource_deleted').passes)

    def test_custom_whitelist_in_calling_frames(self):
        trace = tracking.Trace(whitelist=['my_poller'])
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', base.VOLUME_URL, 404, {'itemNotFound': {}})

        def my_poller():
            return client.show_volume(base.VOL)

        def other_poller():
            return client.show_volume(base.VOL)

        self.assertRaises(lib_exc.NotFound, my_poller)
        self.assertRaises(lib_exc.NotFound, other_poller)
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((1, 1, 1),
                         (show.passes, show.failures, show.whitelisted))

    def test_whitelist_in_traceback_only(self):
        # _error_checker runs below show_volume: only the traceback has it.
        trace = tracking.Trace(whitelist=('_error_checker',))
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', base.VOLUME_URL, 404, {'itemNotFound': {}})
        self.assertRaises(lib_exc.NotFound, client.show_volume, base.VOL)
        body = fakes.volume_body()
        del body['volume']['status']
        self.http.route('GET', base.VOLUME_URL, 200, body)
        self.assertRaises(lib_exc.InvalidHTTPResponseBody,
                          client.show_volume, base.VOL)
        show = trace.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((1, 1, 1),
                         (show.passes, show.failures, show.whitelisted))

    def test_qualified_whitelist_name(self):
        trace = tracking.Trace(
            whitelist=['TestWhitelist.test_qualified_whitelist_name.<locals>'
                       '.Poller.poll'])
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', base.VOLUME_URL, 404, {'itemNotFound': {}})

        class Poller(object):
            def poll(self):
                return client.show_volume(base.VOL)

        class Other(object):
            def poll(self):
                return client.show_volume(base.VOL)

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

    def test_option_defaults_are_the_tracking_defaults(self):
        # common/options.py spells them out so as not to import tracking.
        conf = cfg.ConfigOpts()
        conf.register_opts(options.OPTS, group='upgrade')
        conf([])
        trace = tracking.Trace.from_config(conf)
        self.assertEqual(tracking.DEFAULT_WHITELIST, trace.whitelist)
        self.assertEqual(tracking.DEFAULT_MAX_TRACES, trace.stats.max_traces)
        self.assertEqual(frozenset(), trace.whitelist_errors)
