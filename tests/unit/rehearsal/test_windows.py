import testtools

from rehearsal import windows


def _svc(service, *marker_lists):
    return {'service': service, 'windows': [
        {'duration_s': 1.0, 'start': 10.0,
         'markers': [{'text': t} for t in texts]} for texts in marker_lists]}


class StepsTest(testtools.TestCase):

    def test_each_api_only_its_own_project_s_upgrade(self):
        self.assertEqual({
            'keystone': ('upgrade keystone:',),
            'nova': ('upgrade nova:',),
            'neutron': ('upgrade neutron:',),
            'cinder': ('upgrade cinder:',),
            'glance': ('upgrade glance:',),
            'swift': ('upgrade swift:',)}, windows.STEPS)


class UnexplainedTest(testtools.TestCase):

    def test_windows_inside_their_own_steps(self):
        summary = {'services': {
            'nova': _svc('nova', ['upgrade nova: swap nova-api']),
            # spilling over into the next marker is still explained
            'nova-keepalive': _svc('nova', ['upgrade nova: swap nova-api',
                                            'checkpoint mixed-nova']),
            'keystone': _svc('keystone', ['upgrade keystone: swap keystone']),
            'swift-write': _svc('swift', ['upgrade swift: start (-> 2026.2)',
                                          'upgrade swift: swap swift-proxy']),
            'cinder': _svc('cinder')}}
        self.assertEqual([], windows.unexplained(summary))

    def test_window_in_another_project_s_upgrade_or_none(self):
        summary = {'services': {
            'neutron': _svc('neutron', ['upgrade nova: swap nova-api'], [])}}
        found = windows.unexplained(summary)
        self.assertEqual(2, len(found))
        self.assertIn('neutron: window of 1.000 s at 10.000 outside its '
                      'steps (markers: upgrade nova: swap nova-api)',
                      found[0])
        self.assertIn('(markers: none)', found[1])

    def test_window_in_a_checkpoint_or_the_mixed_phase(self):
        # The mixed state must serve: a window while resources are
        # created and verified in it fails the run.
        summary = {'services': {
            'nova-write': _svc('nova', ['checkpoint mixed-nova']),
            'cinder': _svc('cinder', ['checkpoint after-cinder'])}}
        found = windows.unexplained(summary)
        self.assertEqual(2, len(found))
        self.assertIn('cinder: window', found[0])
        self.assertIn('nova-write: window', found[1])

    def test_a_project_name_inside_another_marker_is_not_its_step(self):
        # "upgrade nova" must not explain a neutron window, nor a marker
        # merely mentioning keystone explain a keystone one.
        summary = {'services': {
            'keystone': _svc('keystone', ['checkpoint after-keystone'])}}
        self.assertEqual(1, len(windows.unexplained(summary)))


class SeenThroughEndpointTest(testtools.TestCase):

    def _w(self, texts, start=10.0, **extra):
        return dict({'duration_s': 1.5, 'start': start, 'end': start + 1.5,
                     'failed_probes': 3,
                     'errors': {'HTTP 503': 3}, 'request_ids': ['req-1'],
                     'markers': [{'text': t, 'time': 9.0 + i}
                                 for i, t in enumerate(texts)]}, **extra)

    def test_swap_markers_name_each_api_s_balanced_service(self):
        self.assertEqual('upgrade nova: swap nova-api',
                         windows.swap_marker('nova'))
        self.assertEqual('upgrade neutron: swap neutron-server',
                         windows.swap_marker('neutron'))

    def test_backend_windows_counted_endpoint_windows_named(self):
        swap = 'upgrade glance: swap glance-api'
        summary = {'services': {
            # each backend down once in the swap: what it should show
            'glance@127.0.0.1:19292': {
                'service': 'glance', 'backend': '127.0.0.1:19292',
                'windows': [self._w([swap])]},
            'glance-pulse@127.0.0.1:29292': {
                'service': 'glance', 'backend': '127.0.0.1:29292',
                'windows': [self._w([swap])]},
            # through the endpoint: users saw it
            'glance-keepalive': {'service': 'glance',
                                 'windows': [self._w([swap])]},
            # started in the step before, into the API's swap: users
            # saw errors during it all the same
            'nova-write': {'service': 'nova', 'windows': [self._w(
                ['upgrade nova: swap nova-scheduler',
                 'upgrade nova: swap nova-api'])]},
            # in another service's swap only: not the balancer's to hide
            'cinder': {'service': 'cinder', 'windows': [self._w(
                ['upgrade cinder: swap cinder-volume'])]},
            # a backend's window that starts just before its swap's
            # marker (the marker dated late) is the swap's
            'glance-pulse@127.0.0.1:19292': {
                'service': 'glance', 'backend': '127.0.0.1:19292',
                'windows': [self._w(['upgrade glance: db migrate', swap])]},
            'control': {'service': 'control', 'kind': 'control',
                        'windows': [self._w([swap])]}}}
        found, backend_windows = windows.seen_through_endpoint(summary)
        self.assertEqual(3, backend_windows)
        self.assertEqual(
            ['glance-keepalive: window of 1.500 s (3 failed: HTTP 503; '
             'request ids req-1) during upgrade glance: swap glance-api',
             'nova-write: window of 1.500 s (3 failed: HTTP 503; request '
             'ids req-1) during upgrade nova: swap nova-api',
             'cinder: no backend probed (uptime_haproxy_socket)',
             'nova: no backend probed (uptime_haproxy_socket)'],
            found)

    def test_a_backend_without_a_window_in_its_swap(self):
        swap = 'upgrade swift: swap swift-proxy'
        summary = {'services': {
            'swift-pulse@127.0.0.1:18080': {
                'service': 'swift', 'backend': '127.0.0.1:18080',
                'windows': [self._w([swap])]},
            'swift@127.0.0.1:28080': {
                'service': 'swift', 'backend': '127.0.0.1:28080',
                'windows': [self._w(['checkpoint after-all'])]}}}
        self.assertEqual(
            (['swift@127.0.0.1:28080: no window of its own during upgrade '
              'swift: swap swift-proxy (not rolled?)'], 1),
            windows.seen_through_endpoint(summary))

    def test_one_failed_write_in_a_storage_swap_is_not_the_proxy_s(self):
        # swift-write: one HTTP 503 at 10.2 s, in the 0.3 s swap of
        # swift-object; its estimated edges (1 s either side, 0.5/s)
        # run into the proxy's swap, where nothing failed
        markers = [{'text': 'upgrade swift: swap swift-object',
                    'time': 10.0},
                   {'text': 'upgrade swift: swap swift-proxy',
                    'time': 10.3}]
        one = {'duration_s': 1.6, 'start': 9.6, 'end': 11.2,
               'start_bounds': [9.0, 10.2], 'end_bounds': [10.2, 12.2],
               'failed_probes': 1, 'errors': {'HTTP 503': 1},
               'markers': markers}
        summary = {'services': {
            'swift-write': {'service': 'swift', 'windows': [one]},
            'swift@127.0.0.1:18080': {
                'service': 'swift', 'backend': '127.0.0.1:18080',
                'windows': [self._w([markers[1]['text']])]}}}
        self.assertEqual(([], 1), windows.seen_through_endpoint(summary))
        # the same failure seen in the proxy's swap is the balancer's
        late = dict(one, start_bounds=[9.0, 10.4], end_bounds=[10.4, 12.4])
        summary['services']['swift-write']['windows'] = [late]
        found, _ = windows.seen_through_endpoint(summary)
        self.assertEqual(1, len(found))
        self.assertIn('swift-write: window of 1.600 s (1 failed', found[0])
