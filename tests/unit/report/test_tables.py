import fixtures
import testtools

from tests.unit.report import runs
from upgrade_tempest_plugin.report import collect
from upgrade_tempest_plugin.report import html
from upgrade_tempest_plugin.report import png
from upgrade_tempest_plugin.report import tables
from upgrade_tempest_plugin.report import text


class TestTables(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.run_dir = self.useFixture(fixtures.TempDir()).path

    def test_threshold_result(self):
        violation = {'threshold': 'longest window (s)', 'limit': 1.0,
                     'actual': 2.0, 'message': 'long text'}
        self.assertEqual(
            (False, 'longest window (s) 2.0 exceeds limit 1.0'),
            tables.threshold_result({'violations': [violation]},
                                    {'max_window': 1.0}))
        self.assertEqual(
            (False, 'uptime % 90.0 is below limit 99.0'),
            tables.threshold_result({'violations': [{
                'threshold': 'uptime %', 'limit': 99.0, 'actual': 90.0}]},
                {'min_pct': 99.0}))
        self.assertEqual(
            (False, 'probe resources left behind: p-1'),
            tables.threshold_result({'left_behind': ['p-1']}, {}))
        self.assertEqual((True, 'within thresholds'),
                         tables.threshold_result({}, {'max_window': 1.0}))
        self.assertEqual((True, 'no thresholds set'),
                         tables.threshold_result({}, {'max_window': None}))
        # not judged (uptime.thresholds), whatever they hold
        for entry, why in (({'kind': 'control'}, 'probing host'),
                           ({'backend': '127.0.0.1:18774'}, 'one backend')):
            passed, result = tables.threshold_result(
                dict(entry, violations=[violation]), {'max_window': 1.0})
            self.assertTrue(passed)
            self.assertIn(why, result)

    def test_control_windows_counted_in_the_row(self):
        w = {'start': 1.0, 'end': 2.0, 'duration_s': 1.0}
        row = tables.series_row('nova@127.0.0.1:18774', 'nova', {
            'windows': [dict(w, control=True), w],
            'target': '127.0.0.1:18774', 'backend': '127.0.0.1:18774'}, {})
        self.assertEqual((2, 1, '127.0.0.1:18774', 'new@127.0.0.1:18774'),
                         (row['windows'], row['control_windows'],
                          row['target'], row['kind']))

    def test_backend_rows_put_the_endpoint_beside_each_backend(self):
        b1, b2 = '127.0.0.1:19292', '127.0.0.1:29292'

        def win(start, failed, phase, **extra):
            return dict({'start': start, 'end': start + 1.0 + failed / 10.0,
                         'failed_probes': failed,
                         'markers': [{'text': phase, 'time': start - 1.0}]
                         if phase else []}, **extra)
        swap, stop = 'upgrade glance: swap glance-api', 'stop glance-api-b1'
        services = {
            'glance': {'windows': [win(50.0, 3, stop)]},
            'glance-pulse': {'windows': []},
            'glance@' + b1: {'backend': b1, 'windows': [
                win(10.0, 2, swap), win(49.0, 4, stop)]},
            # the same outage seen by b1's pulse: one window of b1
            'glance-pulse@' + b1: {'backend': b1, 'windows': [
                win(10.0, 9, swap)]},
            'glance@' + b2: {'backend': b2, 'windows': [win(20.0, 1, swap)]},
            'nova': {'windows': [win(30.0, 1, None)]},   # no backends
            'control': {'kind': 'control', 'windows': [
                win(60.0, 2, stop)]},
        }
        rows = tables.backend_rows({'uptime': {'services': services}})
        self.assertEqual(
            [('glance', swap, 0, [(b1, 1, 11), (b2, 1, 1)], 0),
             ('glance', stop, 1, [(b1, 1, 4), (b2, 0, 0)], 1)],
            [(r['api'], r['phase'], r['endpoint']['windows'],
              [(t, c['windows'], c['failed']) for t, c in r['backends']],
              r['control']) for r in rows])
        self.assertEqual('1 window, 3 failed, longest 1.30 s',
                         tables.cell_text(rows[1]['endpoint']))
        self.assertEqual('0 windows', tables.cell_text(rows[0]['endpoint']))
        report = {'uptime': {'services': services}}
        self.assertEqual(
            ['Endpoint and backends, by phase (windows):',
             '  glance, %s: endpoint 0 windows; %s 1 window, 11 failed, '
             'longest 1.90 s; %s 1 window, 1 failed, longest 1.10 s; '
             'control 0' % (swap, b1, b2)],
            text._backend_lines(report)[:2])
        page = html._backend_table(report)
        self.assertIn('<h2>Endpoint and backends</h2>', page)
        self.assertIn('<td>%s: 1 window, 4 failed, longest 1.40 s</td>'
                      % b1, page)
        # no backend series: no rows (the APIs table says it all)
        del services['glance@' + b1], services['glance-pulse@' + b1]
        del services['glance@' + b2]
        self.assertEqual([], tables.backend_rows(
            {'uptime': {'services': services}}))

    def test_a_window_belongs_to_the_phase_it_spends_longest_in(self):
        markers = [{'text': 'db migrate', 'time': 0.0},
                   {'text': 'swap glance-api', 'time': 10.05}]
        # starts 0.05 s before the swap's marker (dated late), 3 s long
        self.assertEqual('swap glance-api', tables.phase_of(
            {'start': 10.0, 'end': 13.0, 'markers': markers}))
        self.assertEqual('db migrate', tables.phase_of(
            {'start': 8.0, 'end': 10.5, 'markers': markers}))
        self.assertEqual(tables.NO_MARKER, tables.phase_of(
            {'start': 8.0, 'end': 10.5, 'markers': []}))
        # one failed write probe at 10.4 s, its estimated start and end
        # 1 s either side (0.5/s): the phase it was seen down in
        self.assertEqual('swap glance-api', tables.phase_of(
            {'start': 9.4, 'end': 11.4, 'start_bounds': [8.4, 10.4],
             'end_bounds': [10.4, 12.4], 'markers': markers}))
        # without bounds, its estimated span says the phase before
        self.assertEqual('db migrate', tables.phase_of(
            {'start': 9.0, 'end': 10.5, 'markers': markers}))

    def test_api_rows_of_a_run_with_thresholds(self):
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 7.0)],
                                         'nova-keepalive': [],
                                         'cinder': []},
                          thresholds={'max_window': 1.0})
        report, _ = collect.collect(self.run_dir)
        groups = tables.api_rows(report)
        self.assertEqual([('cinder', True), ('nova', False)],
                         [(g['api'], g['passed']) for g in groups])
        nova, keepalive = groups[1]['rows']
        self.assertEqual(('nova', 'new', 90.0, 1, 20, 200, False),
                         (nova['series'], nova['kind'], nova['uptime_pct'],
                          nova['windows'], nova['failed'], nova['total'],
                          nova['passed']))
        self.assertEqual('longest window (s) 2.0 exceeds limit 1.0',
                         nova['threshold'])
        self.assertEqual(2, len(nova['downtime_bounds']))
        self.assertEqual(('keepalive', True, 'within thresholds'),
                         (keepalive['kind'], keepalive['passed'],
                          keepalive['threshold']))

    def test_first_windows_by_time(self):
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 6.0), (12.0, 13.0)],
                                         'cinder': [(8.0, 9.0)]})
        report, _ = collect.collect(self.run_dir)
        first, more = tables.first_windows(report, 2)
        self.assertEqual(['nova', 'cinder'], [name for name, _ in first])
        self.assertEqual(1, more)

    def test_persistent_and_stats_rows(self):
        runs.write_verify(self.run_dir, 'after', 1.0,
                          [('volume', 'vol-1', 'size', 1, 2)])
        runs.write_stats(self.run_dir, 'a', 3, 2)
        report, _ = collect.collect(self.run_dir)
        self.assertEqual([{'run': 'after', 'passed': False, 'checked': 3,
                           'failed_resources': 1, 'differences': [
                               {'resource': 'volume vol-1', 'field': 'size',
                                'expected': 1, 'actual': 2}]}],
                         tables.persistent_rows(report))
        row, = tables.stats_rows(report)
        self.assertEqual(('VolumesClient:show_volume', 3, 2, 0),
                         (row['method'], row['passes'], row['failures'],
                          row['whitelisted']))
        self.assertIsNotNone(row['p95_s'])


class TestShortOutputs(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.run_dir = self.useFixture(fixtures.TempDir()).path
        runs.write_many_lanes(self.run_dir)
        self.report, self.probes = collect.collect(self.run_dir)

    def test_console_summary_is_one_line_per_api(self):
        lines = text.render(self.report).splitlines()
        self.assertEqual('Upgrade report: FAILED', lines[0])
        api_lines = lines[lines.index('APIs:') + 1:][:len(runs.APIS)]
        self.assertEqual(list(runs.APIS), [ln.split()[0] for ln in api_lines])
        self.assertIn('  nova       pass new 95.00 %, keepalive 95.00 %, '
                      'lb 95.00 %, write 90.00 %; 5 windows, longest 1.0 s '
                      '(new)', lines)
        self.assertLess(len(lines), 25)
        self.assertIn('  ... and 42 more (report.html)', lines)

    def test_png_of_forty_lanes_is_1600_px_wide_and_readable(self):
        layout = png.draw(self.report, self.probes,
                          self.run_dir + '/timeline.png')
        self.assertEqual(1600, layout['size'][0])
        series = [lane for lane in layout['lanes']
                  if lane['group'] != 'events']
        self.assertEqual(40, len(series))
        for lane in layout['lanes']:
            self.assertGreaterEqual(lane['bottom'] - lane['top'], 20.0,
                                    lane['label'])
        windows = [b for b in layout['bars'] if b['kind'] == 'window']
        self.assertEqual(sum(len(s['windows']) for s in self.report[
            'uptime']['services'].values()), len(windows))
        for bar in windows:
            self.assertGreaterEqual(bar['right'] - bar['left'], 2.0)
