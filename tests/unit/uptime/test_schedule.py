import threading
import time

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

    def test_held_probe_is_not_replaced_and_ticks_are_skipped(self):
        clock = fakes.FakeClock()
        calls = []

        def probe():
            calls.append(clock.monotonic())
            if len(calls) == 3:     # held 1.05 s (fake), past its limit
                until = calls[-1] + 1.05
                while clock.monotonic() < until:
                    time.sleep(0.001)
            return 200

        results = []
        sched = schedule.Scheduler(probe, 10.0, 0.5, results.append,
                                   clock=clock)
        start, _end = sched.run(lambda: False, iterations=20)
        results.sort(key=lambda r: r['seq'])
        held = results[2]
        self.assertFalse(held['ok'])
        self.assertEqual('timeout', held['error'])
        self.assertTrue(held['answered'])       # late, but answered
        self.assertEqual(200, held['status'])
        self.assertGreaterEqual(held['latency'], 1.05)
        # no new probe while it was open: the ticks were skipped, and the
        # next probe sent carries their count
        self.assertGreaterEqual(results[3]['time'] - held['time'], 1.05)
        self.assertEqual(results[3]['skipped'], sched.skipped)
        self.assertIn(sched.skipped, (10, 11))
        self.assertEqual(20, sched.sent + sched.skipped)
        self.assertEqual(sched.sent, len(results))

    def test_unanswered_probe_at_the_end_is_recorded(self):
        release = threading.Event()
        self.addCleanup(release.set)

        def probe():
            release.wait(30)
            return 200
        _s, results, _b, _e = self._run(probe, iterations=4, timeout=0.5)
        self.assertEqual(1, len(results))
        self.assertEqual('timeout', results[0]['error'])
        self.assertFalse(results[0]['answered'])

    def test_more_outstanding_when_allowed(self):
        release = threading.Event()
        self.addCleanup(release.set)

        def probe():
            release.wait(30)
        _s, results, _b, _e = self._run(probe, iterations=5, timeout=10,
                                        max_outstanding=2)
        self.assertEqual(2, len(results))

    def test_failure_is_classified(self):
        def probe():
            raise ConnectionRefusedError(111, 'refused')
        _s, results, _b, _e = self._run(probe, iterations=3)
        self.assertEqual(['connection refused'] * 3,
                         [r['error'] for r in results])
        self.assertFalse(any(r['ok'] for r in results))

    def test_phase_delays_the_grid(self):
        clock = fakes.FakeClock()
        results = []
        sched = schedule.Scheduler(lambda: 200, 10.0, 1.0, results.append,
                                   clock=clock)
        began = clock.time()
        start, end = sched.run(lambda: False, iterations=3, phase=0.5)
        self.assertAlmostEqual(began + 0.05, start, places=6)
        self.assertEqual([0.05, 0.15, 0.25], sorted(
            round(r['time'] - began, 6) for r in results))

    def test_one_grid_for_probers_started_apart(self):
        clock = fakes.FakeClock()
        epoch = clock.time() - 1.234      # the runner's, before we started
        results = []
        sched = schedule.Scheduler(lambda: 200, 10.0, 1.0, results.append,
                                   clock=clock)
        sched.run(lambda: False, iterations=2, phase=0.5, epoch=epoch)
        for r in results:       # on epoch + (k + 0.5) * 0.1
            offset = (r['time'] - epoch) / 0.1 - 0.5
            self.assertAlmostEqual(round(offset), offset, places=3)

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
        orig = sched._tick

        def tick():
            orig()
            if sched.sent == 3:     # the prober is starved for 0.35 s
                clock.now += 0.35
        sched._tick = tick
        start, _end = sched.run(lambda: False, iterations=7)
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
        recorded = []
        sched = schedule.Scheduler(probe, 10.0, 0.5, recorded.append,
                                   clock=clock)
        sched.run(lambda: False, iterations=1)     # recorded as time-out
        self.assertEqual(1, len(recorded))
        self.assertFalse(sched.join(1.0))           # still running
        release.set()
        self.assertTrue(sched.join(30.0))
        self.assertEqual([1], finished)


class RecoveryProbeTest(testtools.TestCase):
    """After a refusal, probes every recovery_interval until answered."""

    def _run(self, failure, down_for, recovery_interval=0.1):
        clock = fakes.FakeClock()
        start = clock.monotonic()

        def probe():
            if clock.monotonic() - start < down_for:
                raise failure
            return 200

        results = []
        sched = schedule.Scheduler(probe, 1.0, 0.5, results.append,
                                   clock=clock,
                                   recovery_interval=recovery_interval)
        sched.run(lambda: False, iterations=3)
        return sched, sorted(results, key=lambda r: r['seq'])

    def test_refused_then_recovery_probes_until_answered(self):
        sched, results = self._run(ConnectionRefusedError(), 0.35)
        ticks = [r for r in results if not r.get('extra')]
        extra = [r for r in results if r.get('extra')]
        self.assertEqual(3, len(ticks))
        self.assertFalse(ticks[0]['ok'])
        self.assertTrue(all(r['ok'] for r in ticks[1:]))
        # refused at 0, 0.1, 0.2, 0.3; answered at 0.4; then only ticks
        self.assertEqual([False, False, False, True],
                         [r['ok'] for r in extra])
        gaps = [b['time'] - a['time'] for a, b in zip(results, results[1:])]
        for gap in gaps[:4]:
            self.assertAlmostEqual(0.1, gap, delta=0.02)
        self.assertEqual(4, sched.recovery)
        self.assertEqual(0, sched.skipped)
        self.assertTrue(all(r['skipped'] == 0 for r in extra))

    def test_no_recovery_probes_for_http_errors_or_when_off(self):
        from tempest.lib import exceptions as lib_exc
        _sched, results = self._run(
            lib_exc.ServerFault(resp={'status': 500}), 0.35)
        self.assertEqual([], [r for r in results if r.get('extra')])
        sched, results = self._run(ConnectionRefusedError(), 0.35,
                                   recovery_interval=None)
        self.assertEqual(3, len(results))
        self.assertEqual(0, sched.recovery)

    def test_recover_on_http_errors_when_asked(self):
        from tempest.lib import exceptions as lib_exc
        clock = fakes.FakeClock()
        start = clock.monotonic()

        def probe():
            if clock.monotonic() - start < 0.25:
                raise lib_exc.ServerFault(resp={'status': 503})
            return 200

        results = []
        sched = schedule.Scheduler(probe, 1.0, 0.5, results.append,
                                   clock=clock, recovery_interval=0.1,
                                   recover_on=lambda error: True)
        sched.run(lambda: False, iterations=2)
        self.assertEqual(['HTTP 503', 'HTTP 503', 'HTTP 503', None],
                         [r['error'] for r in results if r.get('extra')
                          or r['seq'] == 0][:4])
        self.assertEqual(3, sched.recovery)

    def test_a_failure_wakes_the_loop_for_recovery(self):
        # real clock, a long poll: the first recovery probe must not wait
        # for the loop's poll (5 s here) but follow the refusal at once
        start = time.monotonic()

        def probe():
            if time.monotonic() - start < 0.2:
                raise ConnectionRefusedError()
            return 200

        results = []
        sched = schedule.Scheduler(probe, 0.2, 1.0, results.append,
                                   poll=5.0, recovery_interval=0.05)
        sched.run(lambda: any(r['ok'] for r in results), duration=10)
        first, extra = results[0], [r for r in results if r.get('extra')]
        self.assertFalse(first['ok'])
        self.assertTrue(extra)
        self.assertLess(extra[0]['time'] - first['time'], 2.0)
        self.assertTrue(extra[-1]['ok'])

    def test_no_recovery_probe_waits_on_an_open_tick(self):
        # a refusal seen just before the next tick: that tick is sent
        # (its own result decides), and while it is open (held 0.8 s) the
        # loop sleeps instead of spinning on a recovery probe it cannot
        # send (the fake clock moves only when the loop sleeps: a spin
        # would never end)
        clock = fakes.FakeClock()
        calls = []

        def wait_until(until):
            while clock.monotonic() < until:
                time.sleep(0.001)

        def probe():
            calls.append(clock.monotonic())
            if len(calls) == 1:
                wait_until(calls[0] + 0.45)
                raise ConnectionRefusedError()
            if len(calls) == 2:
                wait_until(calls[1] + 0.8)
            return 200

        results = []
        sched = schedule.Scheduler(probe, 2.0, 2.5, results.append,
                                   clock=clock, recovery_interval=0.1)
        runner = threading.Thread(
            target=sched.run, args=(lambda: False,), kwargs={
                'iterations': 4}, daemon=True)
        runner.start()
        runner.join(20)
        self.assertFalse(runner.is_alive(), 'the scheduler spun')
        self.assertEqual(0, sched.recovery)
        # ticks due while the held one was open are skipped
        self.assertGreaterEqual(sched.skipped, 1)
        oks = [r['ok'] for r in sorted(results, key=lambda r: r['seq'])]
        self.assertEqual([False, True], oks[:2])
        self.assertTrue(all(oks[1:]), oks)


class RunnersTest(testtools.TestCase):
    """Probe threads are kept between ticks; a hung probe keeps its own
    and the next probe gets another."""

    def test_one_thread_for_probes_that_end(self):
        runners = schedule.Runners()
        done = []
        for n in range(5):
            finished = threading.Event()
            runners.submit(lambda n=n, f=finished: (done.append(
                threading.current_thread().ident), f.set()), 'p%d' % n)
            self.assertTrue(finished.wait(5))
            # the thread is idle again once its job is counted back
            for _ in range(500):
                if runners._idle:
                    break
                time.sleep(0.01)
        self.assertEqual(1, runners.started)
        self.assertEqual(1, len(set(done)))

    def test_a_hung_probe_does_not_hold_the_next(self):
        runners = schedule.Runners()
        release, second = threading.Event(), threading.Event()
        runners.submit(lambda: release.wait(10), 'hung')
        runners.submit(second.set, 'next')
        self.assertTrue(second.wait(5))
        self.assertEqual(2, runners.started)
        release.set()
