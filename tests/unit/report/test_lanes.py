import shutil
import tempfile

import testtools

from tests.unit.report import runs
from upgrade_tempest_plugin.report import collect
from upgrade_tempest_plugin.report import lanes
from upgrade_tempest_plugin.report import style
from upgrade_tempest_plugin.report import timeutil

ISO = timeutil.to_iso


def window(start, end, **extra):
    w = {'start': ISO(start), 'end': ISO(end), 'duration_s': end - start,
         'failed_probes': 3, 'errors': {'connection refused': 3},
         'markers': [], 'open': False}
    w.update(extra)
    return w


class TestGrouping(testtools.TestCase):

    def test_series_grouped_by_api_own_series_first(self):
        services = {'nova-keepalive': {}, 'nova': {}, 'cinder-write': {},
                    'cinder': {}, 'nova-lb': {}}
        self.assertEqual(
            [('cinder', ['cinder', 'cinder-write']),
             ('nova', ['nova', 'nova-keepalive', 'nova-lb'])],
            lanes.api_groups(services))

    def test_api_comes_from_the_summary_before_the_name(self):
        # A service whose name holds a '-': the prefix rule alone would
        # split it.
        services = {'load-balancer': {'service': 'load-balancer'},
                    'load-balancer-keepalive': {'service': 'load-balancer'}}
        self.assertEqual(
            [('load-balancer', ['load-balancer', 'load-balancer-keepalive'])],
            lanes.api_groups(services))
        # A series whose recorded service does not prefix it: by name.
        self.assertEqual('nova', lanes.api_of('nova-x', {'service': 'glance'}))

    def test_kind_of_a_series(self):
        self.assertEqual('new', lanes.kind_of('nova', 'nova'))
        self.assertEqual('keepalive', lanes.kind_of('nova-keepalive', 'nova'))
        self.assertEqual('backend-2', lanes.kind_of('nova-backend-2', 'nova'))
        self.assertEqual('new@127.0.0.1:18774',
                         lanes.kind_of('nova@127.0.0.1:18774', 'nova'))
        self.assertEqual('pulse@127.0.0.1:18774',
                         lanes.kind_of('nova-pulse@127.0.0.1:18774', 'nova'))

    def test_backends_with_their_api_control_apart(self):
        b = '127.0.0.1:18774'
        services = {'nova': {'service': 'nova'},
                    'nova-pulse': {'service': 'nova'},
                    'nova@' + b: {'service': 'nova', 'backend': b},
                    'nova-pulse@' + b: {'service': 'nova', 'backend': b},
                    'cinder@' + b: {},      # an old summary: by name
                    'control': {'service': 'control', 'kind': 'control'}}
        self.assertEqual(
            [('cinder', ['cinder@' + b]), ('control', ['control']),
             ('nova', ['nova', 'nova-pulse', 'nova-pulse@' + b,
                       'nova@' + b])],
            lanes.api_groups(services))


class TestLanes(testtools.TestCase):

    def report(self):
        t = runs.T0
        return {
            'steps': [{'name': 'cloud up', 'ok': True,
                       'start_time': ISO(t - 100), 'end_time': ISO(t - 1),
                       'duration_s': 99.0},
                      {'name': 'nova upgrade', 'ok': False,
                       'start_time': ISO(t + 2), 'end_time': ISO(t + 8),
                       'duration_s': 6.0, 'detail': 'exit 1'}],
            'markers': [{'time': ISO(t + 3), 'text': 'restart nova-api'}],
            'persistent': [
                {'label': 'during', 'passed': True, 'start_time': ISO(t + 4),
                 'end_time': ISO(t + 5), 'resources_checked': [{}],
                 'differences': []},
                {'label': 'after', 'passed': False,
                 'start_time': ISO(t + 12), 'end_time': ISO(t + 13),
                 'resources_checked': [{}, {}], 'differences': [
                     {'resource_type': 'volume', 'name': 'v1',
                      'field': 'size', 'expected': 1, 'actual': 2}]}],
            'uptime': {'services': {
                'nova': {'start_time': ISO(t), 'end_time': ISO(t + 20),
                         'windows': [window(
                             t + 3, t + 4.5, start_bounds=[
                                 ISO(t + 2.9), ISO(t + 3.1)],
                             end_bounds=[ISO(t + 4.4), ISO(t + 4.6)],
                             duration_bounds=[1.3, 1.7],
                             request_ids=['req-1'], markers=[
                                 {'time': ISO(t + 3),
                                  'text': 'restart nova-api'}])],
                         'stalls': [{'start': ISO(t + 4.5),
                                     'end': ISO(t + 5.5), 'duration_s': 1.0,
                                     'latency': 0.9, 'markers': []}]},
                'nova-keepalive': {'start_time': ISO(t + 1),
                                   'end_time': ISO(t + 20), 'windows': []},
                'cinder': {'start_time': ISO(t), 'end_time': ISO(t + 20),
                           'windows': [window(t + 9, t + 10, open=True)]}}}}

    def test_lane_order_events_then_series_by_api(self):
        built = lanes.build(self.report())
        self.assertEqual(
            ['upgrade steps', 'markers', 'verify during', 'verify after',
             'cinder', 'nova', 'nova-keepalive'],
            [lane['label'] for lane in built])
        self.assertEqual(['events'] * 4 + ['cinder', 'nova', 'nova'],
                         [lane['group'] for lane in built])

    def test_every_window_and_stall_is_a_bar(self):
        nova = lanes.build(self.report())[5]
        self.assertEqual([('window', 3.0, 4.5), ('stall', 4.5, 5.5)],
                         [(b['kind'], b['start'] - runs.T0,
                           b['end'] - runs.T0) for b in nova['bars']])
        self.assertEqual((runs.T0, runs.T0 + 20), nova['span'])

    def test_window_hover_gives_bounds_errors_ids_markers(self):
        hover = lanes.build(self.report())[5]['bars'][0]['hover']
        self.assertEqual([
            'nova down',
            'start 11:06:43.000 [11:06:42.900 .. 11:06:43.100]',
            'end 11:06:44.500 [11:06:44.400 .. 11:06:44.600]',
            'duration 1.50 s [1.30 s .. 1.70 s]',
            '3 failed probe(s): connection refused x3',
            'request ids sent: req-1',
            'during: restart nova-api'], hover)

    def test_control_window_grey_with_its_times_in_the_hover(self):
        report = self.report()
        nova = report['uptime']['services']['nova']
        nova['windows'][0].update(
            control=True, target='127.0.0.1:8774',
            request_ids=['req-%d' % i for i in range(7)],
            request_ids_left_off=3, answered_request_ids={'req-0': 'req-x'},
            control_window={'start': ISO(runs.T0 + 2.95),
                            'end': ISO(runs.T0 + 4.6)})
        bar = lanes.build(report)[5]['bars'][0]
        self.assertTrue(bar['control'])
        self.assertEqual(style.CONTROL, style.bar_color(bar))
        self.assertIn('request ids sent: req-0 (answered req-x), req-1, '
                      'req-2, req-3, req-4 and 5 more', bar['hover'])
        self.assertIn('seen on 127.0.0.1:8774', bar['hover'])
        self.assertIn('control saw it too (11:06:42.950 .. 11:06:44.600): '
                      'trouble on the probing host,', bar['hover'])
        stall = lanes.build(report)[5]['bars'][1]
        self.assertFalse(stall['control'])
        self.assertEqual(style.STALL, style.bar_color(stall))

    def test_open_window_and_failed_runs_are_marked(self):
        built = {lane['key']: lane for lane in lanes.build(self.report())}
        self.assertTrue(built['cinder']['bars'][0]['open'])
        self.assertIn('still down at the end',
                      built['cinder']['bars'][0]['hover'][0])
        self.assertEqual([True, False],
                         [b['ok'] for b in built['steps']['bars']])
        after = built['verify after']['bars'][0]
        self.assertFalse(after['ok'])
        self.assertIn('volume v1: size expected 1, got 2', after['hover'])

    def test_axis_is_the_probed_period_not_the_cloud_bring_up(self):
        axis = lanes.time_range(lanes.build(self.report()))
        self.assertEqual((runs.T0 - 1.0, runs.T0 + 21.0), axis)

    def test_axis_of_a_run_with_steps_only(self):
        report = self.report()
        report.update(uptime=None, persistent=[], markers=[])
        start, end = lanes.time_range(lanes.build(report))
        self.assertLess(start, runs.T0 - 100)
        self.assertGreater(end, runs.T0 + 8)

    def test_short_bars_are_widened_and_outside_ones_dropped(self):
        axis = (0.0, 600.0)
        self.assertEqual((99.25, 100.75), lanes.drawn(100.0, 100.0, axis))
        self.assertEqual((10.0, 20.0), lanes.drawn(10.0, 20.0, axis))
        self.assertEqual((0.0, 5.0), lanes.drawn(-50.0, 5.0, axis))
        self.assertIsNone(lanes.drawn(700.0, 710.0, axis))

    def test_a_step_in_the_background_gets_its_own_lane(self):
        report = self.report()
        t = runs.T0
        report['steps'].append({'name': 'verify during upgrade', 'ok': True,
                                'start_time': ISO(t + 1),
                                'end_time': ISO(t + 15)})
        built = lanes.build(report)
        self.assertEqual(['upgrade steps', 'upgrade steps (2)'],
                         [lane['label'] for lane in built[:2]])
        self.assertEqual(['cloud up', 'nova upgrade'],
                         [b['hover'][0].split(': ')[1].split(' (')[0]
                          for b in built[0]['bars']])
        self.assertEqual(['step#2'], [b['id'] for b in built[1]['bars']])

    def test_pack_keeps_touching_bars_on_one_row(self):
        bars = [{'start': a, 'end': b} for a, b in
                ((0, 10), (10, 12), (11, 13), (0, 30))]
        self.assertEqual([[(0, 10), (10, 12)], [(11, 13)], [(0, 30)]],
                         [[(b['start'], b['end']) for b in row]
                          for row in lanes.pack(bars)])

    def test_close_markers_share_a_label(self):
        lane = {'bars': [{'start': t, 'number': n} for n, t in
                         enumerate((0.0, 0.5, 1.0, 50.0, 99.0), 1)]}
        self.assertEqual([(0.0, '1-3'), (50.0, '4'), (99.0, '5')],
                         lanes.marker_labels(lane, (0.0, 100.0)))


class TestLanesOfARun(testtools.TestCase):

    def test_forty_series_forty_lanes_every_window_a_bar(self):
        run_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, run_dir, True)
        runs.write_many_lanes(run_dir)
        report, _ = collect.collect(run_dir)
        built = lanes.build(report)
        series = [lane for lane in built if lane['kind'] == 'series']
        self.assertEqual(40, len(series))
        services = report['uptime']['services']
        for lane in series:
            self.assertEqual(
                len(services[lane['key']]['windows']),
                len([b for b in lane['bars'] if b['kind'] == 'window']))
        groups = [lane['group'] for lane in series]
        self.assertEqual(sorted(groups), groups)
        self.assertEqual(['verify during', 'verify after'],
                         [lane['label'] for lane in built
                          if lane['kind'] == 'verify'])
