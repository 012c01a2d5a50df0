"""Open-loop, fixed-rate probe scheduler.

Probe ``k`` is sent at ``start + k / rate`` whatever happened to the probes
before it: each probe runs in its own short-lived thread, so a slow or hung
request never delays the next ones. A probe still running ``timeout`` seconds
after it was sent is recorded as failed with the error ``timeout`` (its late
answer, if any, is ignored). At most ``max_in_flight`` probe threads may be
alive at once; a tick that finds them all busy (hung requests that even the
per-request time-out did not end) is recorded as failed with the error
``not sent (too many hung probes)`` instead of piling up threads.

The clock is injectable (``Clock``: ``monotonic``, ``time``, ``sleep``) so
unit tests drive the schedule with a fake clock.

A probe is a callable returning an HTTP status (or None) and raising on
failure; ``classify`` names the failure. Each finished probe is handed to
``on_result`` as a dict ``{seq, time, latency, ok, status, error}`` where
``time`` is the wall-clock time the probe was sent (epoch seconds) and
``latency`` the seconds until it ended (``timeout`` for a time-out).
"""

import math
import threading
import time

from upgrade_tempest_plugin.common import errors

NOT_SENT = 'not sent (too many hung probes)'


class Clock(object):
    """The real clock."""

    monotonic = staticmethod(time.monotonic)
    time = staticmethod(time.time)

    @staticmethod
    def sleep(seconds):
        if seconds > 0:
            time.sleep(seconds)


class Scheduler(object):
    """Call ``probe`` ``rate`` times per second until told to stop."""

    def __init__(self, probe, rate, timeout, on_result, clock=None,
                 classify=errors.classify, max_in_flight=None,
                 poll=0.05):
        if rate <= 0 or timeout <= 0:
            raise ValueError('rate and timeout must be positive')
        self.probe = probe
        self.interval = 1.0 / rate
        self.timeout = timeout
        self.on_result = on_result
        self.clock = clock or Clock()
        self.classify = classify
        # Enough for every probe of one time-out period, no more: requests
        # abandoned at their time limit still load a struggling server.
        self.max_in_flight = max_in_flight or max(
            2, int(math.ceil(rate * timeout)) + 1)
        self.poll = poll
        self.sent = 0
        self.late_ticks = 0
        self._lock = threading.Lock()
        self._pending = {}    # seq -> (sent_mono, sent_wall)
        self._alive = 0       # probe threads not finished yet

    # -- results -----------------------------------------------------------
    def _finish(self, seq, ok, status, error, latency=None):
        with self._lock:
            started = self._pending.pop(seq, None)
            if started is None:
                return          # already recorded as a time-out
            if latency is None:
                latency = self.clock.monotonic() - started[0]
            self.on_result({'seq': seq, 'time': started[1],
                            'latency': round(latency, 6), 'ok': ok,
                            'status': status, 'error': error})

    def _expire(self, now):
        for seq, (mono, _wall) in sorted(self._pending.items()):
            if now - mono >= self.timeout:
                self._finish(seq, False, None, errors.TIMEOUT,
                             latency=self.timeout)

    def _run_probe(self, seq):
        try:
            try:
                status = self.probe()
            except Exception as exc:
                self._finish(seq, False, errors.http_status(exc),
                             self.classify(exc))
            else:
                self._finish(seq, True, status, None)
        finally:
            with self._lock:
                self._alive -= 1

    def _send(self, seq):
        mono, wall = self.clock.monotonic(), self.clock.time()
        with self._lock:
            self._pending[seq] = (mono, wall)
            busy = self._alive >= self.max_in_flight
            if not busy:
                self._alive += 1
        self.sent += 1
        if busy:
            self._finish(seq, False, None, NOT_SENT, latency=0.0)
            return
        threading.Thread(target=self._run_probe, args=(seq,),
                         name='probe-%d' % seq, daemon=True).start()

    # -- loop --------------------------------------------------------------
    def run(self, should_stop, iterations=None, duration=None):
        """Probe until ``should_stop()``, ``iterations`` or ``duration``.

        Returns ``(start, end)`` wall-clock times covered by the schedule.
        """
        start_mono, start_wall = self.clock.monotonic(), self.clock.time()
        tick = 0                # index on the fixed grid
        covered = None
        while True:
            due = start_mono + tick * self.interval
            if ((iterations is not None and self.sent >= iterations) or
                    (duration is not None and
                     tick * self.interval >= duration)):
                covered = tick * self.interval
                break
            now = self.clock.monotonic()
            self._expire(now)
            if should_stop():
                covered = now - start_mono
                break
            if now < due:
                self.clock.sleep(min(due - now, self.poll))
                continue
            if now - due >= self.interval:
                # Starved of CPU (or suspended): keep the grid, no burst.
                skipped = int((now - due) // self.interval)
                self.late_ticks += skipped
                tick += skipped
            self._send(self.sent)
            tick += 1
        self.drain()
        return start_wall, start_wall + covered

    def join(self, limit):
        """Wait up to ``limit`` s for probe threads still running.

        Their results no longer count (they were recorded as time-outs),
        but a write probe's create may still be under way; its name must
        be known before anything is swept. True if none is left.
        """
        deadline = self.clock.monotonic() + limit
        while True:
            with self._lock:
                if not self._alive:
                    return True
            if self.clock.monotonic() >= deadline:
                return False
            self.clock.sleep(self.poll)

    def drain(self):
        """Wait until every probe sent has ended or timed out."""
        while True:
            now = self.clock.monotonic()
            with self._lock:
                if not self._pending:
                    return
            self._expire(now)
            self.clock.sleep(min(self.poll, self.interval))
