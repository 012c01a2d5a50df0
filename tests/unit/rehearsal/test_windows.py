import testtools

from rehearsal import windows


def _svc(service, *marker_lists):
    return {'service': service, 'windows': [
        {'duration_s': 1.0, 'start': 10.0,
         'markers': [{'text': t} for t in texts]} for texts in marker_lists]}


class UnexplainedTest(testtools.TestCase):

    def test_windows_inside_their_own_steps(self):
        summary = {'services': {
            'nova': _svc('nova', ['restart nova-api']),
            'nova-keepalive': _svc('nova', ['restart neutron-server',
                                            'restart nova-api']),
            'keystone': _svc('keystone', ['keystone upgrade: swap']),
            'cinder': _svc('cinder')}}
        self.assertEqual([], windows.unexplained(summary))

    def test_window_in_another_api_s_step_or_none(self):
        summary = {'services': {
            'neutron': _svc('neutron', ['restart nova-api'], [])}}
        found = windows.unexplained(summary)
        self.assertEqual(2, len(found))
        self.assertIn('neutron: window of 1.000 s at 10.000 outside its '
                      'steps (markers: restart nova-api)', found[0])
        self.assertIn('(markers: none)', found[1])
