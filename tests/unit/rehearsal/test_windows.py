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
