"""Fixed-rate probe scheduler with a bound on outstanding requests.

Probe ``k`` is due at ``start + k / rate``. At most ``max_outstanding``
probes of a series are open at once (default 1): a tick that finds them all
open is not sent but *skipped* and counted, and the count travels with the
next probe sent (``skipped``). A probe is never abandoned at its time limit
to make room for a new one: past ``timeout`` it already counts as failed
(``timeout``, from its send time), but its connection stays open until the
API answers or ``abandon_after`` seconds have passed (the HTTP layer's own
limit). Why: an open-loop prober that gives up on a request at its time
limit and opens a new connection every tick leaves a struggling API a
backlog of requests whose client is gone; the API still accepts and serves
each of them, falls further behind, and never recovers while the probing
goes on (seen on neutron: 78 connections in CLOSE-WAIT, a user's call
waiting 6.3 s; see doc/source/uptime.rst). The late answer is evidence too:
it tells when the API served again.

Each finished probe is handed to ``on_result`` as a dict::

    {seq, time, latency, ok, status, error, answered, skipped,
     request_id[, response_request_id][, extra]}

``time``: wall-clock send time (epoch s); ``latency``: seconds until the
answer or the failure (until ``abandon_after`` or the end of the run if
neither came); ``ok``: answered with success within ``timeout``;
``answered``: the API sent an HTTP answer (late or not, success or error);
``skipped``: ticks not sent just before this probe because
``max_outstanding`` probes were open; ``request_id``: the id the probe
sent (``requestids``, made when it was due), ``response_request_id``: the
one the service answered with, when it did.

*Late ticks* (``record_late``): a prober starved of CPU or suspended
misses ticks; it skips them instead of bursting, and counts them
(``late_ticks``). The control series (``uptime.control``) also records a
run of missed ticks at least ``record_late`` s late as one failed probe,
``error: "prober late"``, ``late: <ticks missed>``, sent when the first
missed tick was due: the probing host could not run the prober, which is
what the control is there to see.

*Recovery probes* (``recovery_interval``): after a probe found the
connection refused or reset, the API's process is not there (stopped,
restarting, firewalled), and a probe costs it nothing; the scheduler then
also sends a probe every ``recovery_interval`` s between its ticks, until
one is not refused, so the end of the outage is dated to that interval by
the series' own evidence. They are flagged ``extra`` and are not ticks:
the summary counts uptime over the ticks' probes only. An API answering
nothing (a time-out) is never probed faster; one answering errors only
by a pulse series (``recover_on``), whose probe costs it ~1 ms.

The clock is injectable (``Clock``: ``monotonic``, ``time``, ``sleep``) so
unit tests drive the schedule with a fake clock. Between ticks the loop
sleeps until the next tick, at most ``poll`` s (0.5: how soon it sees the
sentinel and probes open too long), or until a finished probe asks for
recovery probes; waking every 0.01 s, the 18 probers of the defaults
spent ~0.05 of a core on waking alone.
"""

import queue
import threading
import time

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.uptime import requestids

# failures that show the API's process absent: probing them costs it nothing
_ABSENT = (errors.CONNECTION_REFUSED, errors.CONNECTION_RESET)
PROBER_LATE = 'prober late'


class Clock(object):
    """The real clock."""

    monotonic = staticmethod(time.monotonic)
    time = staticmethod(time.time)

    @staticmethod
    def sleep(seconds):
        if seconds > 0:
            time.sleep(seconds)

    @staticmethod
    def wait(event, seconds):
        """Sleep up to ``seconds``, or until ``event`` is set."""
        if seconds > 0:
            event.wait(seconds)


class Runners(object):
    """Threads that run probes, kept between ticks.

    Each probe runs in a thread of its own, so one that hangs holds up
    neither the schedule nor the next probe. Starting a thread per probe
    cost a prober ~0.3 ms of CPU at 5/s (as much as the pulse's HTTP GET
    itself): a finished thread waits for the next probe instead. A new one
    is started only when none is idle (a probe still hung past its time
    limit keeps its thread).
    """

    def __init__(self):
        self._jobs = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self.started = 0

    def submit(self, job, name):
        """Run ``job`` in an idle thread, or a new one; return once it
        has been taken (as ``Thread.start`` does: the probe starts now,
        not whenever the scheduler next waits)."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                taken = threading.Event()
                self._jobs.put((job, taken))
            else:
                self.started += 1
                taken = None
        if taken is None:
            threading.Thread(target=self._serve, args=(job,), name=name,
                             daemon=True).start()
        else:
            taken.wait()

    def _serve(self, job):
        while True:
            job()
            with self._lock:
                self._idle += 1
            job, taken = self._jobs.get()
            taken.set()


class Scheduler(object):
    """Call ``probe`` ``rate`` times per second until told to stop."""

    def __init__(self, probe, rate, timeout, on_result, clock=None,
                 classify=errors.classify, max_outstanding=1,
                 abandon_after=None, poll=0.5, recovery_interval=None,
                 recover_on=None, new_request_id=requestids.new,
                 record_late=None):
        if rate <= 0 or timeout <= 0:
            raise ValueError('rate and timeout must be positive')
        if max_outstanding < 1:
            raise ValueError('max_outstanding must be at least 1')
        self.probe = probe
        self.interval = 1.0 / rate
        self.timeout = timeout
        self.on_result = on_result
        self.clock = clock or Clock()
        self.classify = classify
        self.max_outstanding = int(max_outstanding)
        # A safety net only: the HTTP layer ends a request at this limit.
        self.abandon_after = max(abandon_after or 0, timeout)
        self.poll = poll
        self.recovery_interval = (
            recovery_interval if recovery_interval and
            recovery_interval < self.interval else None)
        # which failures start recovery probes (default: the process
        # absent); a pulse probe costs so little that it recovers on
        # every failure answered at once (an HTTP error too)
        self.recover_on = recover_on or (lambda error: error in _ABSENT)
        self.recovery = 0         # recovery probes sent
        self.new_request_id = new_request_id
        self.record_late = record_late
        self._recover_at = None   # monotonic time of the next one
        self._wake = threading.Event()    # a probe asked for recovery
        self.sent = 0
        self.skipped = 0          # ticks not sent: max_outstanding open
        self.late_ticks = 0       # ticks missed: the prober was starved
        self._skipped_run = 0     # skipped since the last probe sent
        self._lock = threading.Lock()
        # seq -> (sent_mono, sent_wall, skipped, extra, request_id)
        self._pending = {}
        self._alive = 0           # probes not finished yet
        self.runners = Runners()

    # -- results -----------------------------------------------------------
    def _finish(self, seq, ok, status, error, answered, latency=None,
                response_id=None):
        with self._lock:
            started = self._pending.pop(seq, None)
            if started is None:
                return          # already recorded (abandoned)
            if latency is None:
                latency = self.clock.monotonic() - started[0]
            if ok and latency > self.timeout:
                ok, error = False, errors.TIMEOUT
            if self.recovery_interval and error is not None and \
                    error != errors.TIMEOUT and self.recover_on(error):
                self._recover_at = started[0] + latency + \
                    self.recovery_interval
                self._wake.set()
            else:
                self._recover_at = None
            result = {'seq': seq, 'time': started[1],
                      'latency': round(latency, 6), 'ok': ok,
                      'status': status, 'error': error,
                      'answered': answered, 'skipped': started[2],
                      'request_id': started[4]}
            if response_id:
                result['response_request_id'] = response_id
            if started[3]:
                result['extra'] = True
            self.on_result(result)

    def _abandon(self, now, limit):
        """Record probes open for ``limit`` s as unanswered time-outs."""
        for seq, (mono, _w, _s, _x, _r) in sorted(self._pending.items()):
            if now - mono >= limit:
                self._finish(seq, False, None, errors.TIMEOUT, False,
                             latency=now - mono)

    def _late(self, due, now, missed):
        """Record ``missed`` ticks, the first due at ``due``, as one
        failed probe (the control series: the prober could not run)."""
        with self._lock:
            self._recover_at = None
        self.on_result({'seq': None, 'time': round(
            self.clock.time() - (now - due), 6),
            'latency': round(now - due, 6), 'ok': False, 'status': None,
            'error': PROBER_LATE, 'answered': False, 'skipped': 0,
            'request_id': None, 'late': missed})

    def _run_probe(self, seq, request_id):
        try:
            with requestids.sending(request_id) as ids:
                try:
                    status = self.probe()
                except Exception as exc:
                    status = errors.http_status(exc)
                    self._finish(seq, False, status, self.classify(exc),
                                 status is not None,
                                 response_id=ids.answered)
                else:
                    self._finish(seq, True, status, None, True,
                                 response_id=ids.answered)
        finally:
            with self._lock:
                self._alive -= 1

    def _tick(self, extra=False):
        """Send a probe, or count the tick skipped if too many are open.

        ``extra``: a recovery probe, sent only when none is open.
        """
        mono, wall = self.clock.monotonic(), self.clock.time()
        with self._lock:
            if extra:
                if self._pending:
                    return
                self._recover_at = None
                self.recovery += 1
            elif len(self._pending) >= self.max_outstanding:
                self.skipped += 1
                self._skipped_run += 1
                return
            seq = self.sent
            request_id = self.new_request_id() if self.new_request_id \
                else None
            self._pending[seq] = (mono, wall,
                                  0 if extra else self._skipped_run, extra,
                                  request_id)
            if not extra:
                self._skipped_run = 0
                # its own result decides whether recovery goes on (and
                # the loop must not wait for a recovery probe it cannot
                # send while this one is open)
                self._recover_at = None
            self._alive += 1
            self.sent += 1
        self.runners.submit(lambda: self._run_probe(seq, request_id),
                            'probe-%d' % seq)

    # -- loop --------------------------------------------------------------
    def run(self, should_stop, iterations=None, duration=None, phase=0.0,
            epoch=None):
        """Probe until ``should_stop()``, ``iterations`` or ``duration``.

        ``iterations`` counts ticks (sent or skipped). The grid is
        ``epoch + (k + phase) * interval`` (wall clock; ``epoch`` defaults
        to now): probers started at different moments with one ``epoch``
        and phases 0 and 0.5 interleave exactly. Returns ``(start, end)``
        wall-clock times covered by the schedule.
        """
        now = self.clock.time()
        first = (epoch if epoch is not None else now) + \
            phase * self.interval
        delay = (first - now) % self.interval
        start_mono = self.clock.monotonic() + delay
        start_wall = self.clock.time() + delay
        tick = 0                # index on the fixed grid
        while True:
            due = start_mono + tick * self.interval
            if ((iterations is not None and tick >= iterations) or
                    (duration is not None and
                     tick * self.interval >= duration)):
                covered = tick * self.interval
                break
            now = self.clock.monotonic()
            self._abandon(now, self.abandon_after + 1.0)
            if should_stop():
                covered = now - start_mono
                break
            if now < due:
                recover = self._recover_at
                if recover is not None and now >= recover and \
                        due - now > self.recovery_interval / 2.0:
                    self._tick(extra=True)
                    continue
                wait = min(due - now, self.poll)
                if recover is not None:
                    wait = min(wait, max(recover - now, 0.001))
                self._wake.clear()
                if recover is None and self._recover_at is not None:
                    continue        # asked for while we looked
                wait_for = getattr(self.clock, 'wait', None)
                if wait_for is None:
                    self.clock.sleep(wait)
                else:
                    wait_for(self._wake, wait)
                continue
            if now - due >= self.interval:
                # Starved of CPU (or suspended): keep the grid, no burst.
                missed = int((now - due) // self.interval)
                self.late_ticks += missed
                if self.record_late is not None and \
                        now - due >= self.record_late:
                    self._late(due, now, missed)
                tick += missed
            self._tick()
            tick += 1
        self.drain()
        return start_wall, start_wall + covered

    def drain(self):
        """Wait for open probes, up to their time limit; record the rest.

        A probe still open ``timeout`` s after it was sent is recorded as
        an unanswered time-out (its thread may go on: see ``join``).
        """
        while True:
            now = self.clock.monotonic()
            with self._lock:
                if not self._pending:
                    return
            self._abandon(now, self.timeout)
            self.clock.sleep(min(self.poll, 0.05))

    def join(self, limit):
        """Wait up to ``limit`` s for probe threads still running.

        Their results are recorded, but a write probe's create may still
        be under way; its name must be known before anything is swept.
        True if none is left.
        """
        deadline = self.clock.monotonic() + limit
        while True:
            with self._lock:
                if not self._alive:
                    return True
            if self.clock.monotonic() >= deadline:
                return False
            self.clock.sleep(min(self.poll, 0.05))
