import shutil
import tempfile
import urllib.request

import testtools

from upgrade_tempest_plugin.uptime import control
from upgrade_tempest_plugin.uptime import probelog
from upgrade_tempest_plugin.uptime import summary
from upgrade_tempest_plugin.uptime import thresholds
from tests.unit.uptime import fakes


def _win(start, end, lo=None, hi=None, **kw):
    lo = start if lo is None else lo
    hi = end if hi is None else hi
    w = {'start': start, 'end': end, 'duration_s': end - start,
         'start_bounds': [lo, start], 'end_bounds': [end, hi],
         'duration_bounds': [max(0.0, end - start - 0.2), hi - lo],
         'failed_probes': 1, 'errors': {'timeout': 1}}
    w.update(kw)
    return w


class TroubleTest(testtools.TestCase):

    def test_outer_bounds_merged(self):
        ctl = {'windows': [_win(10.0, 13.0, 9.9, 13.1),
                           _win(13.05, 14.0, 13.0, 14.1)],
               'stalls': [_win(30.0, 30.3, 29.95, 30.4)]}
        self.assertEqual([(9.9, 14.1), (29.95, 30.4)], control.trouble(ctl))

    def test_nothing(self):
        self.assertEqual([], control.trouble({'windows': [], 'stalls': []}))


class FlagTest(testtools.TestCase):

    def _services(self):
        return {
            'control': {'kind': 'control', 'windows': [
                _win(100.0, 103.0, 99.95, 103.05)], 'stalls': []},
            'nova': {'kind': 'read', 'service': 'nova', 'windows': [
                _win(99.5, 103.2, 99.0, 104.0),     # the pause
                _win(200.0, 202.0, 199.5, 202.5)],  # a real outage
                'stalls': [_win(102.0, 102.5), _win(150.0, 150.4)]},
        }

    def test_overlapping_windows_and_stalls_flagged(self):
        services = control.flag(self._services())
        nova = services['nova']
        paused, real = nova['windows']
        self.assertTrue(paused['control'])
        self.assertEqual({'start': 99.95, 'end': 103.05},
                         paused['control_window'])
        self.assertNotIn('control', real)
        self.assertEqual([True, None], [s.get('control')
                                        for s in nova['stalls']])
        self.assertNotIn('control', services['control']['windows'][0])

    def test_totals_leave_flagged_out_but_the_upper_bound_keeps_them(self):
        nova = control.flag(self._services())['nova']
        self.assertEqual(2.0, nova['total_downtime_s'])
        self.assertEqual(2.0, nova['longest_downtime_s'])
        self.assertAlmostEqual(1.8, nova['total_downtime_bounds'][0])
        # 5.0 (the paused one's outer span) + 3.0
        self.assertAlmostEqual(8.0, nova['total_downtime_bounds'][1])
        self.assertEqual(1, nova['control_windows'])
        self.assertAlmostEqual(3.7, nova['control_downtime_s'])

    def test_without_control_nothing_flagged(self):
        services = self._services()
        del services['control']
        nova = control.flag(services)['nova']
        self.assertFalse(any(w.get('control') for w in nova['windows']))
        self.assertAlmostEqual(5.7, nova['total_downtime_s'])
        self.assertEqual(0, nova['control_windows'])

    def test_flagged_when_the_trouble_covers_half_of_it(self):
        spans = [(10.0, 11.0), (11.5, 12.0)]
        items = [_win(10.2, 10.8),     # inside
                 _win(10.5, 11.5),     # half covered
                 _win(10.9, 12.1),     # 0.1 + 0.5 of 1.2 s: half
                 _win(10.8, 14.0),     # a real outage with a blip: 0.7
                 _win(8.0, 9.99),      # apart
                 _win(11.2, 11.2),     # an instant in a gap
                 _win(11.6, 11.6)]     # an instant inside
        self.assertEqual(4, control.flag_items(items, spans))
        self.assertEqual([True, True, True, None, None, None, True],
                         [i.get('control') for i in items])
        self.assertEqual({'start': 10.0, 'end': 12.0},
                         items[2]['control_window'])
        self.assertAlmostEqual(0.6, control.covered(10.9, 12.1, spans))

    def test_failed_in(self):
        wins = [_win(10.0, 12.0, 9.9, 12.1, control=True),
                _win(20.0, 21.0)]
        records = fakes.series('..xxx..', start=9.8, interval=0.1) + [
            dict(fakes.rec(10.5, False, 'timeout'), extra=True),
            fakes.rec(20.5, False, 'HTTP 503')]
        # the three failures at 10.0..10.2; not the recovery probe, not
        # the one in the window the control did not see
        self.assertEqual(3, control.failed_in(records, wins))
        self.assertEqual(0, control.failed_in(records, wins[1:]))


class ThresholdsTest(testtools.TestCase):

    def test_flagged_windows_control_and_backends_not_judged(self):
        nova = {'kind': 'read', 'windows': [
            _win(100.0, 110.0, control=True), _win(200.0, 201.0)],
            'uptime_pct': 80.0, 'total_requests': 100,
            'successful_requests': 80, 'control_failed_requests': 15}
        control.totals(nova)
        result = {'services': {
            'nova': nova,
            'nova@127.0.0.1:18774': dict(nova, backend='127.0.0.1:18774'),
            'control': dict(nova, kind='control')}}
        # 1 s counted (not 11), longest 1 s, 80 of 85 probes on the ticks
        # outside the control's windows = 94.1 %
        self.assertEqual([], thresholds.check(result, 1.0, 1.0, 94.0))
        found = thresholds.check(result, 0.5, 0.5, 95.0)
        self.assertEqual([('nova', 'total downtime (s)', 1.0),
                          ('nova', 'longest window (s)', 1.0),
                          ('nova', 'uptime %', 94.1176)],
                         [(v['service'], v['threshold'], v['actual'])
                          for v in found])
        self.assertEqual(200.0, found[0]['window']['start'])


class SummaryTest(testtools.TestCase):
    """summary.build flags what the control saw, from the probe logs."""

    def setUp(self):
        super(SummaryTest, self).setUp()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def _log(self, series, records, meta):
        log = probelog.ProbeLog(self.dir, series)
        for r in records:
            log.write(r)
        log.close()
        probelog.write_meta(self.dir, series, meta)

    def test_paused_host(self):
        meta = {'start_time': 100.0, 'end_time': 106.0, 'timeout': 2.0}
        # the control: on time until 102.0, then a run of ticks missed
        # for 3 s (the prober paused), then on time again
        ctl = [fakes.rec(100.0 + i * 0.1, True) for i in range(20)]
        ctl.append({'time': 102.0, 'ok': False, 'error': 'prober late',
                    'latency': 3.0, 'answered': False, 'late': 29})
        ctl += [fakes.rec(105.0 + i * 0.1, True) for i in range(10)]
        self._log('control', ctl, dict(meta, kind='control',
                                       service='control',
                                       target='127.0.0.1:40000'))
        # nova's probe in flight at the pause: held 3 s, a timeout
        nova = [fakes.rec(100.0, True), fakes.rec(101.0, True),
                dict(fakes.rec(101.95, False, 'timeout', latency=3.1),
                     answered=True, request_id='req-1'),
                fakes.rec(105.5, True), fakes.rec(106.0, True)]
        self._log('nova', nova, dict(meta, kind='read', service='nova',
                                     target='127.0.0.1:8774'))
        # cinder: a real outage after the pause
        cinder = fakes.series('..........xxxxx....', start=105.5)
        self._log('cinder', cinder, dict(meta, kind='read',
                                         service='cinder'))
        result = summary.build(self.dir)
        nova = result['services']['nova']
        self.assertEqual(1, len(nova['windows']))
        w = nova['windows'][0]
        self.assertTrue(w['control'], w)
        self.assertEqual(['req-1'], w['request_ids'])
        self.assertEqual('127.0.0.1:8774', w['target'])
        self.assertEqual(0.0, nova['total_downtime_s'])
        self.assertGreater(nova['total_downtime_bounds'][1], 3.0)
        self.assertEqual(1, nova['control_failed_requests'])
        cinder = result['services']['cinder']
        self.assertFalse(cinder['windows'][0].get('control'))
        self.assertGreater(cinder['total_downtime_s'], 0.4)
        self.assertEqual(1, len(result['services']['control']['windows']))


class ServerTest(testtools.TestCase):

    def test_serves_ok_on_loopback(self):
        with control.Server() as server:
            self.assertTrue(server.url.startswith('http://127.0.0.1:'))
            with urllib.request.urlopen(server.url, timeout=5) as resp:
                self.assertEqual(200, resp.status)
                self.assertEqual(b'ok\n', resp.read())
        self.assertRaises(OSError, urllib.request.urlopen, server.url,
                          timeout=5)
