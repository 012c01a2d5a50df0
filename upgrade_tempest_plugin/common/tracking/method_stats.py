"""Counters of one API method: passes, failures, errors, traces, latency.

:class:`MethodStats` is what a :class:`~.trace.Trace` counts into, one per
``(client class, method)``, under a short per-method lock. The pass path
(:meth:`MethodStats.add_pass`) runs on every traced call that returns,
inside tempest's request path where each cache miss shows: it only
appends the duration to a list, and the counters take the durations in
batches, under the lock.
"""

import math
import threading
import time

from upgrade_tempest_plugin.common.tracking import histogram

DEFAULT_MAX_TRACES = 20      # distinct failure traces kept per method
FOLD_EVERY = 256             # passes held before they are counted
MAX_ERROR_KINDS = 50         # distinct error names per method
OTHER_ERRORS = 'other'       # where further error names are counted

# Module-level copies for the hot path of add_pass.
_frexp = math.frexp
_LOWEST = histogram.LOWEST
_OFFSET = histogram.OFFSET
_SUB_BUCKETS = histogram.SUB_BUCKETS
_NUM_BUCKETS = histogram.NUM_BUCKETS


class FailureTrace(object):
    """One distinct stack trace of the failures of a method."""

    __slots__ = ('error', 'exception', 'message', 'stack', 'count',
                 'first', 'last')

    def __init__(self, error, exception, message, stack, count=1,
                 first=None, last=None):
        self.error = error
        self.exception = exception
        self.message = message
        self.stack = tuple(stack)
        self.count = count
        self.first = first
        self.last = last

    @property
    def key(self):
        return (self.error, self.exception, self.stack)

    def copy(self):
        return FailureTrace(self.error, self.exception, self.message,
                            self.stack, self.count, self.first, self.last)

    def to_dict(self):
        return {'error': self.error, 'exception': self.exception,
                'message': self.message, 'stack': list(self.stack),
                'count': self.count, 'first': self.first, 'last': self.last}

    @classmethod
    def from_dict(cls, data):
        return cls(str(data['error']), str(data['exception']),
                   str(data.get('message', '')),
                   [str(line) for line in data['stack']],
                   int(data['count']), float(data['first']),
                   float(data['last']))

    def __repr__(self):
        return '<FailureTrace %s %s x%d>' % (self.error, self.exception,
                                             self.count)


class MethodStats(object):
    """Counters of one API method of one client class.

    ``passes`` includes ``whitelisted``; ``errors`` maps an error name
    (:func:`~upgrade_tempest_plugin.common.errors.classify`) to its
    number of failures; ``traces`` lists the distinct
    :class:`FailureTrace` (at most ``max_traces``); ``traces_dropped``
    counts failures whose trace was not kept; ``latency`` is a
    :class:`~.histogram.Latency` of all calls.
    """

    def __init__(self, client, method, max_traces=DEFAULT_MAX_TRACES):
        self.client = client
        self.method = method
        self.max_traces = max_traces
        self._passes = 0
        self.failures = 0
        self.whitelisted = 0
        self.errors = {}
        self.traces = []
        self.traces_dropped = 0
        self._latency = histogram.Latency()
        self._pending = []      # durations of passes not yet counted
        self._by_key = {}
        self._lock = threading.Lock()

    @property
    def passes(self):
        """Calls that returned, plus the whitelisted failures."""
        self._fold()
        return self._passes

    @property
    def latency(self):
        """The :class:`~.histogram.Latency` of all calls."""
        self._fold()
        return self._latency

    @property
    def calls(self):
        return self.passes + self.failures

    def add_pass(self, seconds):
        """Count a call that returned after ``seconds``.

        The hot path, run on every traced call that returns: one
        ``list.append`` (atomic under the GIL, so no lock), while the
        counters take the durations in batches (:meth:`_fold`), at the
        latest every :data:`FOLD_EVERY` calls or when they are read.
        """
        pending = self._pending
        pending.append(seconds)
        if len(pending) >= FOLD_EVERY:
            self._fold()

    def _fold(self):
        if self._pending:
            with self._lock:
                self._fold_locked()

    def _fold_locked(self):
        """Count the pending passes; the caller holds the lock.

        Only this pops, under the lock; ``add_pass`` may append meanwhile:
        whatever is appended before the list is empty is counted now, the
        rest next time.
        """
        pending = self._pending
        pop = pending.pop
        latency = self._latency
        buckets = latency.buckets
        low, high, total, count = latency.min, latency.max, 0.0, 0
        while pending:
            seconds = pop()
            count += 1
            total += seconds
            if seconds < low:
                low = seconds
            if seconds > high:
                high = seconds
            # histogram.bucket_index, inlined.
            if seconds < _LOWEST:
                buckets[0] += 1
                continue
            mantissa, exponent = _frexp(seconds)
            index = int(mantissa * (2 * _SUB_BUCKETS)) \
                + exponent * _SUB_BUCKETS + _OFFSET
            buckets[index if index < _NUM_BUCKETS else -1] += 1
        self._passes += count
        latency.count += count
        latency.sum += total
        latency.min, latency.max = low, high

    def add_whitelisted(self, seconds):
        """Count a call that raised where a failure is expected."""
        with self._lock:
            self._passes += 1
            self.whitelisted += 1
            self._latency.add(seconds)

    def add_failure(self, seconds, error, exception, message, stack,
                    when=None):
        """Count a failed call and keep its (deduplicated) trace."""
        when = time.time() if when is None else when
        with self._lock:
            self.failures += 1
            self._latency.add(seconds)
            self._count_error(error, 1)
            self._add_trace(FailureTrace(error, exception, message, stack,
                                         1, when, when))

    def _count_error(self, error, count):
        if error not in self.errors and len(self.errors) >= MAX_ERROR_KINDS:
            error = OTHER_ERRORS
        self.errors[error] = self.errors.get(error, 0) + count

    def _add_trace(self, trace):
        known = self._by_key.get(trace.key)
        if known is not None:
            known.count += trace.count
            if trace.last >= known.last:
                known.last = trace.last
                known.message = trace.message
            known.first = min(known.first, trace.first)
        elif len(self.traces) < self.max_traces:
            self.traces.append(trace)
            self._by_key[trace.key] = trace
        else:
            self.traces_dropped += trace.count

    def copy(self):
        """Return a consistent snapshot of these counters."""
        with self._lock:
            self._fold_locked()
            other = MethodStats(self.client, self.method, self.max_traces)
            other._passes = self._passes
            other.failures = self.failures
            other.whitelisted = self.whitelisted
            other.errors = dict(self.errors)
            other.traces = [t.copy() for t in self.traces]
            other._by_key = {t.key: t for t in other.traces}
            other.traces_dropped = self.traces_dropped
            other._latency = self._latency.copy()
        return other

    def to_dict(self):
        snap = self.copy()
        return {
            'client': snap.client,
            'method': snap.method,
            'passes': snap.passes,
            'failures': snap.failures,
            'whitelisted': snap.whitelisted,
            'errors': dict(sorted(snap.errors.items())),
            'traces': [t.to_dict() for t in snap.traces],
            'traces_dropped': snap.traces_dropped,
            'latency': snap.latency.to_dict(),
        }

    def merge_dict(self, data):
        """Add the counters of a dict made by :meth:`to_dict`."""
        passes = int(data['passes'])
        failures = int(data['failures'])
        whitelisted = int(data.get('whitelisted', 0))
        errs = {str(k): int(v) for k, v in data.get('errors', {}).items()}
        traces = [FailureTrace.from_dict(t) for t in data.get('traces', [])]
        dropped = int(data.get('traces_dropped', 0))
        if min([passes, failures, whitelisted, dropped]
               + list(errs.values())) < 0:
            raise ValueError('negative counter')
        if sum(errs.values()) != failures:
            raise ValueError('errors do not add up to failures')
        with self._lock:
            latency = self._latency.copy()
            latency.merge_dict(data['latency'])
            self._latency = latency
            self._passes += passes
            self.failures += failures
            self.whitelisted += whitelisted
            for error, count in errs.items():
                self._count_error(error, count)
            for trace in traces:
                self._add_trace(trace)
            self.traces_dropped += dropped

    def summary(self, latency=True):
        """Return the log line of this method (see :meth:`.Stats.log`)."""
        line = '[%s:%s] %d pass, %d fail' % (self.client, self.method,
                                             self.passes, self.failures)
        parts = []
        if latency and self.latency.count:
            lat = self.latency
            parts.append('latency ms: mean %s, p50 %s, p95 %s, p99 %s, '
                         'max %s' % tuple(
                             _ms(v) for v in (lat.mean, lat.p50, lat.p95,
                                              lat.p99, lat.max)))
        if self.errors:
            parts.append('errors: ' + ', '.join(
                '%s x%d' % item for item in sorted(self.errors.items())))
        if self.whitelisted:
            parts.append('whitelisted: %d' % self.whitelisted)
        if parts:
            line += ' (' + '; '.join(parts) + ')'
        return line

    def __repr__(self):
        return '<MethodStats %s:%s %d pass, %d fail>' % (
            self.client, self.method, self.passes, self.failures)


def _ms(seconds):
    """Format seconds as milliseconds with 3 significant-ish digits."""
    millis = seconds * 1000.0
    return '%.3f' % millis if millis < 10 else '%.1f' % millis
