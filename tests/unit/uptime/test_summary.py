import json
import os
import shutil
import tempfile

import testtools

from upgrade_tempest_plugin.uptime import markers
from upgrade_tempest_plugin.uptime import plan
from upgrade_tempest_plugin.uptime import probelog
from upgrade_tempest_plugin.uptime import summary
from upgrade_tempest_plugin.uptime import thresholds
from tests.unit.uptime import fakes


class SummaryTest(testtools.TestCase):

    def setUp(self):
        super(SummaryTest, self).setUp()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def _log(self, series, pattern, meta=None):
        log = probelog.ProbeLog(self.dir, series)
        for r in fakes.series(pattern, start=100.0):
            log.write(r)
        log.close()
        if meta is not None:
            probelog.write_meta(self.dir, series, meta)

    def test_seed_keys_and_computed_uptime(self):
        self._log('nova', '....xx....', meta={'start_time': 100.0,
                                              'end_time': 101.0,
                                              'service': 'nova',
                                              'rate': 10.0})
        self._log('cinder', '..........')
        result = summary.build(self.dir)
        nova = result['services']['nova']
        for key in summary.SEED_KEYS:
            self.assertIn(key, nova)
        self.assertEqual(80.0, nova['uptime_pct'])
        self.assertEqual(10, nova['total_requests'])
        self.assertEqual(8, nova['successful_requests'])
        self.assertEqual(2, nova['failed_requests'])
        self.assertEqual(100.0, nova['start_time'])
        self.assertEqual(101.0, nova['end_time'])
        self.assertEqual(1, len(nova['windows']))
        # failures sent at 100.4 and 100.5, between successes sent at
        # 100.3 and 100.6 (answered 10 ms later)
        self.assertAlmostEqual(0.2, nova['total_downtime_s'])
        self.assertAlmostEqual(0.2, nova['longest_downtime_s'])
        self.assertEqual([0.09, 0.31], nova['total_downtime_bounds'])
        self.assertEqual({'connection refused': 2}, nova['errors'])
        self.assertEqual(['max', 'p50', 'p95', 'p99', 'percentiles'],
                         sorted(nova['latency']))
        self.assertEqual('nova', nova['service'])
        cinder = result['services']['cinder']
        self.assertEqual(100.0, cinder['uptime_pct'])
        self.assertEqual([], cinder['windows'])
        self.assertEqual(0.0, cinder['longest_downtime_s'])
        # killed run (no meta): the period ends with the last probe
        self.assertAlmostEqual(100.91, cinder['end_time'])

    def test_recovery_probes_date_the_end_but_are_not_ticks(self):
        recs = fakes.series('.x.', start=100.0, interval=1.0)
        # recovery probes after the refusal at 101.0: refused at 101.1,
        # answered at 101.2
        recs[2:2] = [dict(fakes.rec(101.1, False, 'connection refused'),
                          extra=True),
                     dict(fakes.rec(101.2, True), extra=True)]
        svc = summary.service_summary(recs, {'start_time': 100.0,
                                             'end_time': 103.0})
        self.assertEqual((3, 2, 1, 2),
                         (svc['total_requests'], svc['successful_requests'],
                          svc['failed_requests'], svc['recovery_probes']))
        self.assertAlmostEqual(100.0 * 2 / 3, svc['uptime_pct'], places=3)
        self.assertEqual({'connection refused': 1}, svc['errors'])
        (win,) = svc['windows']
        self.assertEqual([101.1, 101.21], win['end_bounds'])
        self.assertEqual(2, win['failed_probes'])

    def test_write_and_load(self):
        self._log('nova', '..x.')
        path = summary.write(self.dir, summary.build(self.dir))
        self.assertEqual(os.path.join(self.dir, 'summary.json'), path)
        self.assertEqual(75.0,
                         summary.load(self.dir)['services']['nova'][
                             'uptime_pct'])

    def test_only_and_torn_last_line(self):
        self._log('nova', '..x.')
        self._log('old', '....')
        with open(probelog.log_path(self.dir, 'nova'), 'a') as f:
            f.write('{"time": 1')        # kill -9 while writing
        result = summary.build(self.dir, skipped={'glance': 'absent'},
                               only={'nova'})
        self.assertEqual(['nova'], list(result['services']))
        self.assertEqual(4, result['services']['nova']['total_requests'])
        self.assertEqual({'glance': 'absent'}, result['skipped'])

    def test_probe_log_lines(self):
        self._log('nova', '.x')
        with open(probelog.log_path(self.dir, 'nova')) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(['error', 'latency', 'ok', 'status', 'time'],
                         sorted(lines[1]))
        self.assertFalse(lines[1]['ok'])

    def test_markers_overlap(self):
        markers.add(self.dir, 'upgrade start', now=99.0)
        markers.add(self.dir, 'db sync start', now=100.45)
        markers.add(self.dir, 'db sync end', now=100.48)
        markers.add(self.dir, 'restart api', now=100.75)
        self._log('nova', '....xx....')     # window 100.4 .. 100.6
        result = summary.build(self.dir)
        win = result['services']['nova']['windows'][0]
        self.assertEqual(['upgrade start', 'db sync start', 'db sync end'],
                         [m['text'] for m in win['markers']])
        self.assertEqual(4, len(result['markers']))
        self.assertEqual(3, len(result['services']['nova']['markers']))

    def test_violations_are_recorded_and_judged_in_the_summary(self):
        self._log('nova', '....xx....', meta={'start_time': 100.0,
                                              'end_time': 101.0})
        self._log('cinder', '..........')
        summary.write_plan(self.dir, {'thresholds': {'max_window': 0.1}})
        result = summary.build(self.dir)
        self.assertEqual(['nova'],
                         [v['service'] for v in result['violations']])
        self.assertEqual(1, len(result['services']['nova']['violations']))
        self.assertEqual([], result['services']['cinder']['violations'])
        # no plan recorded: nothing to judge against
        os.remove(os.path.join(self.dir, summary.PLAN_FILE))
        self.assertEqual([], summary.build(self.dir)['violations'])

    def test_a_plan_that_cannot_be_read_is_an_uptime_error(self):
        self._log('nova', '....xx....')
        path = os.path.join(self.dir, summary.PLAN_FILE)
        for text, why in (('{"thresholds": {"max_wi', 'Unterminated'),
                          ('[1, 2]', 'not a JSON object')):
            with open(path, 'w') as f:
                f.write(text)
            error = self.assertRaises(plan.UptimeError, summary.build,
                                      self.dir)
            self.assertIn("plan.json (the run's thresholds): %s" % why,
                          str(error))

    def test_marker_needs_text(self):
        self.assertRaises(ValueError, markers.add, self.dir, '  ')
        self.assertEqual([], markers.load(self.dir))


class ThresholdsTest(testtools.TestCase):

    def _summary(self):
        svc = summary.service_summary(fakes.series('..xx...xxxx.'))
        ok = summary.service_summary(fakes.series('....'))
        return {'services': {'nova': svc, 'cinder': ok}}

    def test_no_thresholds(self):
        self.assertEqual([], thresholds.check(self._summary()))

    def test_within(self):
        self.assertEqual([], thresholds.check(self._summary(), 1.0, 0.5,
                                              50.0))

    def test_violations_name_the_window(self):
        found = thresholds.check(self._summary(), max_total_downtime=0.5,
                                 max_window=0.3, min_uptime_pct=90)
        self.assertEqual(['nova'] * 3, [v['service'] for v in found])
        self.assertEqual(['total downtime (s)', 'longest window (s)',
                          'uptime %'], [v['threshold'] for v in found])
        for v in found:
            # the longest window: failures sent at 0.7..1.0
            self.assertEqual([0.6, 0.71], v['window']['start_bounds'])
            self.assertIn('window 0.400 s [0.290..0.510]', v['message'])
        self.assertIn('is below', found[2]['message'])


class LeftBehindTest(testtools.TestCase):

    def test_only_series_with_names_left(self):
        result = {'services': {
            'nova-write': {'left_behind': ['uptime-probe-1',
                                           'uptime-probe-2']},
            'cinder-write': {'left_behind': []},
            'nova': {}}}
        self.assertEqual({'nova-write': ['uptime-probe-1', 'uptime-probe-2']},
                         summary.left_behind(result))
        self.assertEqual(['nova-write: probe resources left behind (delete '
                          'by hand): uptime-probe-1, uptime-probe-2'],
                         summary.left_behind_messages(result))
        self.assertEqual([], summary.left_behind_messages({}))
