import random

import testtools

from upgrade_tempest_plugin.uptime import windows
from tests.unit.uptime import fakes

SVC = 0.02          # the API's normal service time in the simulations


def simulate(kind, down, up, rate=10.0, limit=2.0, length=None, seed=0,
             offset=0.0):
    """Records a one-probe-at-a-time prober would log for a known fault.

    ``kind``: 'refused' (connections refused in [down, up)), 'error'
    (HTTP 503 answered in [down, up)), 'hang' (the API answers nothing in
    [down, up), then serves what waited). Service times jitter a little.
    ``offset``: the first probe's send time (the grid's phase).
    """
    rnd = random.Random(seed)
    length = length or up + 3.0
    records, t, skipped = [], offset, 0
    interval = 1.0 / rate
    tick = 0
    while t < length:
        svc = SVC * (0.8 + 0.4 * rnd.random())
        rec = {'time': t, 'skipped': skipped, 'status': 200,
               'answered': True, 'ok': True, 'error': None}
        if kind == 'refused' and down <= t < up:
            rec.update(ok=False, error='connection refused', latency=0.001,
                       answered=False, status=None)
        elif kind == 'error' and down <= t < up:
            rec.update(ok=False, error='HTTP 503', latency=svc, status=503)
        elif kind == 'hang' and t + svc > down and t < up:
            done = max(t, up) + svc           # served after the hang
            rec['latency'] = done - t
            if rec['latency'] > limit:
                rec.update(ok=False, error='timeout')
        else:
            rec['latency'] = svc
        records.append(rec)
        finished = t + rec['latency']
        # next tick on the grid once this probe is no longer open
        tick += 1
        skipped = 0
        while offset + tick * interval < finished:
            tick += 1
            skipped += 1
        t = offset + tick * interval
    return records


class WindowBoundsTest(testtools.TestCase):
    """Truth inside the bounds; estimate within max(0.1 s, 5 %)."""

    def _check(self, kind, down, up, **kw):
        recs = simulate(kind, down, up, **kw)
        wins = windows.find_windows(recs, limit=2.0, series_start=0.0,
                                    latency=(SVC, SVC * 1.2))
        truth = up - down
        self.assertEqual(1, len(wins), (kind, down, up, wins))
        w = wins[0]
        lo, hi = w['duration_bounds']
        self.assertLessEqual(lo, truth + 1e-9, w)
        self.assertGreaterEqual(hi, truth - 1e-9, w)
        self.assertLessEqual(w['start_bounds'][0], down + 1e-9, w)
        self.assertGreaterEqual(w['start_bounds'][1], down - 1e-9, w)
        self.assertLessEqual(w['end_bounds'][0], up + 1e-9, w)
        self.assertGreaterEqual(w['end_bounds'][1], up - 1e-9, w)
        self.assertLessEqual(abs(w['duration_s'] - truth),
                             max(0.1, 0.05 * truth), (kind, truth, w))
        self.assertFalse(w['open'])
        return w

    def test_refused(self):
        for down in (1.0, 1.03, 1.07):
            for length in (0.5, 2.0, 5.0, 10.0):
                self._check('refused', down, down + length)

    def test_http_errors(self):
        for down in (1.0, 1.05):
            for length in (0.5, 3.0, 10.0):
                w = self._check('error', down, down + length)
                self.assertEqual(['HTTP 503'], list(w['errors']))

    def test_hang_longer_than_the_limit(self):
        for down in (1.0, 1.01, 1.06):
            for length in (2.5, 3.0, 5.0, 10.0):
                w = self._check('hang', down, down + length)
                self.assertEqual({'timeout': 1}, w['errors'])
                self.assertGreater(w['skipped_ticks'], 10 * length - 3)

    def test_hang_shorter_than_the_limit_is_a_stall(self):
        for down in (1.0, 1.04, 1.09):
            for length in (0.5, 1.0, 1.5):
                recs = simulate('hang', down, down + length)
                self.assertEqual([], windows.find_windows(recs, limit=2.0))
                stalls = windows.find_stalls(recs, 0.3, (SVC, SVC * 1.2))
                self.assertEqual(1, len(stalls), stalls)
                st = stalls[0]
                lo, hi = st['duration_bounds']
                self.assertTrue(lo <= length <= hi, (length, st))
                self.assertLessEqual(abs(st['duration_s'] - length), 0.1,
                                     (length, st))

    def test_no_fault_no_window_no_stall(self):
        recs = simulate('refused', 100, 100, length=60)
        self.assertEqual([], windows.find_windows(recs, limit=2.0))
        self.assertEqual([], windows.find_stalls(recs, 0.5))


class WindowsTest(testtools.TestCase):

    def test_no_failure(self):
        self.assertEqual([], windows.find_windows(fakes.series('.....')))

    def test_two_windows_with_counts(self):
        recs = fakes.series('..xxx..x.')
        wins = windows.find_windows(recs)
        self.assertEqual(2, len(wins))
        self.assertEqual(3, wins[0]['failed_probes'])
        self.assertEqual({'connection refused': 3}, wins[0]['errors'])
        self.assertEqual([0.1, 0.21], wins[0]['start_bounds'])
        self.assertEqual([0.4, 0.51], wins[0]['end_bounds'])
        self.assertFalse(wins[0]['open'])

    def test_restart_backlog_success_ends_when_answered(self):
        # restarting API: a probe sent at 0.3 waits in the backlog and is
        # answered at 1.8: the API served again at about 1.8 - median.
        recs = fakes.series('.xx..')
        recs[3]['latency'] = 1.5
        recs[4]['latency'] = 1.41       # sent at 0.4, answered at 1.81
        wins = windows.find_windows(recs, latency=(0.01, 0.01))
        self.assertEqual(1.8, wins[0]['end_bounds'][1])
        self.assertAlmostEqual(1.79, wins[0]['end'], places=6)

    def test_failure_before_the_window_ended_extends_it(self):
        # a success sent at 0.3 is answered at 1.8, but a probe sent at
        # 0.4 fails: the same outage, not a second window inside it.
        recs = fakes.series('.xx.x..')
        recs[3]['latency'] = 1.5        # sent at 0.3, answered at 1.8
        recs[4]['latency'] = 0.5        # sent at 0.4, seen at 0.9
        wins = windows.find_windows(recs)
        self.assertEqual(1, len(wins))
        self.assertEqual(3, wins[0]['failed_probes'])

    def test_unsorted_records_and_error_classes(self):
        recs = fakes.series('.xx.')
        recs[2]['error'] = 'HTTP 503'
        wins = windows.find_windows(list(reversed(recs)))
        self.assertEqual({'connection refused': 1, 'HTTP 503': 1},
                         wins[0]['errors'])

    def test_open_window_ends_at_run_end(self):
        wins = windows.find_windows(fakes.series('..xx'), end_time=0.5)
        self.assertTrue(wins[0]['open'])
        self.assertEqual(0.5, wins[0]['end_bounds'][1])

    def test_open_window_without_end(self):
        wins = windows.find_windows(fakes.series('.xx'))
        self.assertTrue(wins[0]['open'])
        self.assertEqual(0.2, wins[0]['end_bounds'][1])


class RequestIdsTest(testtools.TestCase):

    def test_failed_probes_ids_bounded_and_answers_kept(self):
        records = fakes.series('.' + 'x' * 25 + '.')
        for i, r in enumerate(records):
            r['request_id'] = 'req-%d' % i
        records[1]['response_request_id'] = 'req-theirs'
        records[2]['response_request_id'] = 'req-2'     # took ours
        [w] = windows.find_windows(records)
        self.assertEqual(['req-%d' % i for i in range(1, 21)],
                         w['request_ids'])
        self.assertEqual(5, w['request_ids_left_off'])
        self.assertEqual({'req-1': 'req-theirs'}, w['answered_request_ids'])

    def test_records_without_ids(self):
        [w] = windows.find_windows(fakes.series('.xx.'))
        self.assertEqual([], w['request_ids'])
        self.assertEqual(0, w['request_ids_left_off'])

    def test_stall_names_its_probe(self):
        records = fakes.series('.....')
        records[3].update(latency=0.5, request_id='req-slow')
        [stall] = windows.find_stalls(records, 0.25)
        self.assertEqual('req-slow', stall['request_id'])


class LateTicksTest(testtools.TestCase):

    def test_missed_ticks_span_the_whole_pause(self):
        # the control at 10/s, its prober paused 1.5 s from 10.05
        records = fakes.series('.' * 11, start=9.0)
        records.append({'time': 10.1, 'ok': False, 'error': 'prober late',
                        'latency': 1.45, 'answered': False, 'late': 14})
        records += fakes.series('.' * 5, start=11.56)
        [w] = windows.find_windows(records, limit=2.0)
        lo, hi = w['duration_bounds']
        self.assertTrue(lo <= 1.5 <= hi, w)
        self.assertAlmostEqual(1.5, w['duration_s'], delta=0.1)
        self.assertAlmostEqual(11.55, w['end'], delta=0.02)
