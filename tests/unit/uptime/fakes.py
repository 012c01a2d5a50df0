"""Test doubles for the uptime unit tests."""

import threading
import time


class FakeClock(object):
    """Time moves only when the scheduler sleeps."""

    def __init__(self, start=1000.0):
        self.now = start
        self._lock = threading.Lock()

    def monotonic(self):
        with self._lock:
            return self.now

    def time(self):
        return 1.7e9 + self.monotonic()

    def sleep(self, seconds):
        with self._lock:
            self.now += seconds
        time.sleep(0.001)       # let probe threads run


def rec(t, ok, error=None, latency=0.01, status=None):
    return {'time': t, 'ok': ok, 'error': None if ok else error,
            'latency': latency, 'status': status}


def series(pattern, start=0.0, interval=0.1, error='connection refused'):
    """Records from a pattern like '..xx.' (x = failed probe)."""
    return [rec(start + i * interval, c == '.', error)
            for i, c in enumerate(pattern)]
