import threading

import testtools

from upgrade_tempest_plugin.uptime import schedule
from tests.unit.uptime import fakes


class SchedulerTest(testtools.TestCase):

    def _run(self, probe, iterations=10, rate=10.0, timeout=0.5, **kw):
        clock = fakes.FakeClock()
        results = []
        sched = schedule.Scheduler(probe, rate, timeout, results.append,
                                   clock=clock, **kw)
        start, end = sched.run(lambda: False, iterations=iterations)
        return sched, sorted(results, key=lambda r: r['seq']), start, end

    def test_fixed_rate(self):
        sched, results, start, end = self._run(lambda: 200)
        self.assertEqual(10, len(results))
        for k, r in enumerate(results):
            self.assertAlmostEqual(start + k * 0.1, r['time'], places=6)
            self.assertTrue(r['ok'])
            self.assertEqual(200, r['status'])
        self.assertAlmostEqual(start + 1.0, end, places=6)

    def test_hung_request_does_not_delay_schedule(self):
        release = threading.Event()
        self.addCleanup(release.set)
        calls = []

        def probe():
            calls.append(1)
            if len(calls) == 3:
                release.wait(30)    # hangs far past its time limit
            return 200

        sched, results, start, _end = self._run(probe)
        self.assertEqual(10, len(results))
        for k, r in enumerate(results):
            self.assertAlmostEqual(start + k * 0.1, r['time'], places=6)
        hung = results[2]
        self.assertFalse(hung['ok'])
        self.assertEqual('timeout', hung['error'])
        self.assertEqual(0.5, hung['latency'])
        self.assertEqual(9, sum(r['ok'] for r in results))

    def test_failure_is_classified(self):
        def probe():
            raise ConnectionRefusedError(111, 'refused')
        _s, results, _b, _e = self._run(probe, iterations=3)
        self.assertEqual(['connection refused'] * 3,
                         [r['error'] for r in results])
        self.assertFalse(any(r['ok'] for r in results))

    def test_too_many_hung_probes_are_not_sent(self):
        release = threading.Event()
        self.addCleanup(release.set)

        def probe():
            release.wait(30)
        _s, results, _b, _e = self._run(probe, iterations=4, timeout=10,
                                        max_in_flight=2)
        errors = [r['error'] for r in results]
        self.assertEqual(['timeout', 'timeout', schedule.NOT_SENT,
                          schedule.NOT_SENT], errors)

    def test_duration(self):
        clock = fakes.FakeClock()
        results = []
        sched = schedule.Scheduler(lambda: 200, 20.0, 1.0, results.append,
                                   clock=clock)
        start, end = sched.run(lambda: False, duration=2.0)
        self.assertEqual(40, len(results))
        self.assertAlmostEqual(2.0, end - start, places=6)

    def test_stop(self):
        clock = fakes.FakeClock()
        results = []
        sched = schedule.Scheduler(lambda: 200, 10.0, 1.0, results.append,
                                   clock=clock)
        stop_at = clock.monotonic() + 0.55
        start, end = sched.run(lambda: clock.monotonic() >= stop_at)
        self.assertEqual(6, len(results))
        self.assertAlmostEqual(0.55, end - start, delta=0.051)

    def test_late_ticks_are_skipped_not_burst(self):
        clock = fakes.FakeClock()
        results = []

        def probe():
            return 200
        sched = schedule.Scheduler(probe, 10.0, 1.0, results.append,
                                   clock=clock)
        orig = sched._send

        def send(seq):
            orig(seq)
            if seq == 2:        # the prober is starved for 0.35 s
                clock.now += 0.35
        sched._send = send
        start, _end = sched.run(lambda: False, iterations=5)
        times = sorted(round(r['time'] - start, 6) for r in results)
        self.assertEqual([0.0, 0.1, 0.2, 0.55, 0.6], times)
        self.assertEqual(2, sched.late_ticks)

    def test_bad_rate(self):
        self.assertRaises(ValueError, schedule.Scheduler, lambda: 1, 0, 1,
                          print)


class JoinTest(testtools.TestCase):
    """join() waits for probe threads that outlived their time limit."""

    def test_join_waits_for_a_hung_probe(self):
        release = threading.Event()
        self.addCleanup(release.set)
        finished = []

        def probe():
            release.wait(30)
            finished.append(1)
            return 200

        clock = fakes.FakeClock()
        sched = schedule.Scheduler(probe, 10.0, 0.5, lambda r: None,
                                   clock=clock)
        sched.run(lambda: False, iterations=1)     # recorded as time-out
        self.assertFalse(sched.join(1.0))           # still running
        release.set()
        self.assertTrue(sched.join(30.0))
        self.assertEqual([1], finished)
