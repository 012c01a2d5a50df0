"""Count passes and failures of tempest service client calls.

Wrap a tempest service client with a :class:`Trace` and every call of
every API method of that client is counted, per method, as a pass or a
failure, with the reason and the stack of each failure and the latency of
each call::

    from upgrade_tempest_plugin.common import tracking

    trace = tracking.Trace()            # or tracking.Trace.from_config()
    client = trace.decorate(self.volumes_client)   # same object, traced
    ...
    trace.stats.log(LOG)                # one line per method
    trace.stats.save('upgrade_output/stats/worker-1.json')

.. rubric:: What is counted

``decorate`` wraps the public methods that the client's class and its
service-specific parents define (``show_volume``, ``create_server``...),
plus ``is_resource_deleted`` / ``wait_for_resource_deletion`` (and
``is_resource_active`` / ``wait_for_resource_activation``) of
``RestClient``. The HTTP plumbing of ``RestClient`` (``get``, ``post``,
``request``, ``raw_request``, ``get_headers``, ``get_schema``...), private
names, properties, class and static methods are left alone.

Every call of a wrapped method counts, including calls made from inside
another wrapped method (``is_resource_deleted`` calls ``show_volume``) and
the polling of tempest's waiters. A call that returns is a pass. A call
that raises is a failure, unless one of the whitelisted names is the name
of a function in its stack: a calling frame (the NotFound that
``show_volume`` raises when ``is_resource_deleted`` calls it, or that
``show_server`` raises inside the waiter ``wait_for_server_termination``)
or a frame of the exception's traceback (a whitelisted function below the
call, or the whitelisted method itself). Such a call counts as a pass, and
also in ``whitelisted``. A whitelist entry with a dot
(``VolumesClient.is_resource_deleted``) is matched against the frame's
qualified name. The exception always propagates unchanged. Only
``Exception`` subclasses are counted; a ``KeyboardInterrupt`` or
``SystemExit`` goes through uncounted.

By default the whitelist is by name, not by error: *any* exception under
a whitelisted frame is a pass, e.g. a 503 that ``show_volume`` gets while
``wait_for_resource_deletion`` polls, or the ``TimeoutException`` of the
waiter itself. Keep the list to functions whose failures are expected, or
name the expected errors too (``whitelist_errors``, e.g. ``NotFound``):
then only an exception of such a class (or a subclass) is whitelisted,
and the 503 above is a failure.

The pass path only reads ``time.perf_counter`` twice and updates the
counters of the method under a short per-method lock; stacks are only
walked when a call raises.

.. rubric:: Stats JSON schema (version 1)

:meth:`Stats.to_dict` returns, and :meth:`Stats.save` writes, this
JSON-able dict; :meth:`Stats.from_dict` and :meth:`Stats.load` read it back
and reject another ``format``, ``version`` or histogram layout::

    {
      "format": "upgrade_tempest_plugin.tracking",
      "version": 1,
      "max_traces": 20,                 # distinct traces kept per method
      "histogram": {"min_exponent": -19, "sub_buckets": 32,
                    "size": 1057},      # latency bucket layout, see below
      "methods": [                      # sorted by (client, method)
        {
          "client": "VolumesClient",    # class name of the client
          "method": "show_volume",
          "passes": 6225,               # includes the whitelisted ones
          "failures": 3,
          "whitelisted": 41,            # failures counted as passes
          "errors": {"HTTP 503": 2, "connection refused": 1},
          "traces": [                   # distinct failure stacks
            {"error": "HTTP 503",
             "exception": "tempest.lib.exceptions.UnexpectedResponseCode",
             "message": "Unexpected response code received...",  # last
             "stack": ["tempest/lib/common/rest_client.py:956 in "
                       "_error_checker", "..."],   # outermost first
             "count": 2,
             "first": 1767225600.25,    # epoch seconds
             "last": 1767225660.5}
          ],
          "traces_dropped": 1,          # failures whose trace was not kept
          "latency": {                  # seconds, passes and failures
            "count": 6228, "sum": 81.2, "min": 0.004, "max": 2.1,
            "mean": 0.013, "p50": 0.011, "p95": 0.03, "p99": 0.05,
            "buckets": {"709": 12, "710": 40}   # index -> calls
          }
        }
      ]
    }

Invariants: ``sum(errors.values()) == failures``,
``sum(t["count"] for t in traces) + traces_dropped == failures`` and
``latency.count == passes + failures``. ``mean`` and the percentiles are
derived and ignored when loading. Merging adds counts, errors, buckets;
traces with the same ``(error, exception, stack)`` are merged (counts
added, earliest ``first``, latest ``last``), and traces beyond
``max_traces`` are only counted in ``traces_dropped``.

.. rubric:: Latency histogram

Latencies go into a fixed array of 1057 log-spaced buckets: every power of
two between 2**-20 s (0.95 us) and 2**13 s (2.3 h) is split into 32 equal
sub-buckets; faster calls share bucket 0 (reported as the exact min),
slower ones the last bucket (reported as the exact max).
Histograms of several processes merge by adding buckets. A percentile is
the midpoint of the bucket holding the nearest-rank sample, clamped to the
exact min and max: it is within 1/64 (1.6 %) of the exact nearest-rank
value for latencies inside that range. count, sum, min, max and mean are
exact.
"""

import functools
import inspect
import json
import math
import os
import sys
import threading
import time

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.common import fileutil

DEFAULT_WHITELIST = ('is_resource_deleted', 'wait_for_server_termination',
                     'wait_for_resource_deletion')
DEFAULT_MAX_TRACES = 20

FORMAT = 'upgrade_tempest_plugin.tracking'
VERSION = 1

# RestClient methods that are API calls (or poll them), not plumbing.
BASE_API_METHODS = ('is_resource_deleted', 'wait_for_resource_deletion',
                    'is_resource_active', 'wait_for_resource_activation')
# Plumbing that service-specific base classes add to RestClient's.
EXTRA_PLUMBING = frozenset(('get_schema',))

MAX_CALLING_FRAMES = 30      # calling frames kept in a failure trace
MAX_TRACEBACK_FRAMES = 30    # innermost traceback frames kept
MAX_MESSAGE_CHARS = 500      # of the exception message kept in a trace
MAX_ERROR_KINDS = 50         # distinct error names per method
OTHER_ERRORS = 'other'       # where further error names are counted

# Latency histogram layout (see the module docstring).
SUB_BUCKETS = 32
MIN_EXPONENT = -19
MAX_EXPONENT = 13
NUM_BUCKETS = 1 + (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB_BUCKETS
_LOWEST = math.ldexp(0.5, MIN_EXPONENT)
_HISTOGRAM = {'min_exponent': MIN_EXPONENT, 'sub_buckets': SUB_BUCKETS,
              'size': NUM_BUCKETS}

# Code objects of the wrappers, left out of failure traces.
_WRAPPER_CODES = set()
_DECORATE_LOCK = threading.Lock()
_TAG = '_upgrade_tracking'


class StatsError(ValueError):
    """Saved stats cannot be read: missing, corrupt or of another format."""

    def __init__(self, message, path=None):
        self.path = path
        if path is not None:
            message = '%s: %s' % (path, message)
        super(StatsError, self).__init__(message)


# bucket = 1 + (exponent - MIN_EXPONENT) * SUB_BUCKETS + sub-bucket, where
# sub-bucket = int(mantissa * 2 * SUB_BUCKETS) - SUB_BUCKETS (exact in float).
_OFFSET = 1 - SUB_BUCKETS - MIN_EXPONENT * SUB_BUCKETS
_frexp = math.frexp


def bucket_index(seconds):
    """Return the latency histogram bucket of a duration in seconds."""
    if seconds < _LOWEST:
        return 0
    mantissa, exponent = _frexp(seconds)
    index = int(mantissa * (2 * SUB_BUCKETS)) + exponent * SUB_BUCKETS \
        + _OFFSET
    return index if index < NUM_BUCKETS else NUM_BUCKETS - 1


def bucket_bounds(index):
    """Return the (lower, upper) seconds of a histogram bucket."""
    if index <= 0:
        return 0.0, _LOWEST
    k = index - 1
    exponent = k // SUB_BUCKETS + MIN_EXPONENT
    sub = k % SUB_BUCKETS
    return (math.ldexp(0.5 + sub / (2.0 * SUB_BUCKETS), exponent),
            math.ldexp(0.5 + (sub + 1) / (2.0 * SUB_BUCKETS), exponent))


class Latency(object):
    """Latency of calls: exact count/sum/min/max plus a log histogram."""

    def __init__(self):
        self.count = 0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf
        self.buckets = [0] * NUM_BUCKETS

    def add(self, seconds):
        """Record one call that took ``seconds``."""
        self.count += 1
        self.sum += seconds
        if seconds < self.min:
            self.min = seconds
        if seconds > self.max:
            self.max = seconds
        self.buckets[bucket_index(seconds)] += 1

    @property
    def mean(self):
        return self.sum / self.count if self.count else None

    def percentile(self, percent):
        """Return the nearest-rank ``percent`` percentile, None if empty."""
        if not self.count:
            return None
        rank = max(1, int(math.ceil(percent / 100.0 * self.count)))
        seen = 0
        for index, calls in enumerate(self.buckets):
            seen += calls
            if seen >= rank:
                if index == 0:                 # under 0.95 us: the min
                    return self.min
                if index == NUM_BUCKETS - 1:   # open-ended: the max
                    return self.max
                lower, upper = bucket_bounds(index)
                return min(max((lower + upper) / 2.0, self.min), self.max)
        return self.max

    @property
    def p50(self):
        return self.percentile(50)

    @property
    def p95(self):
        return self.percentile(95)

    @property
    def p99(self):
        return self.percentile(99)

    def copy(self):
        other = Latency()
        other.count, other.sum = self.count, self.sum
        other.min, other.max = self.min, self.max
        other.buckets = list(self.buckets)
        return other

    def to_dict(self):
        empty = not self.count
        return {
            'count': self.count,
            'sum': self.sum,
            'min': None if empty else self.min,
            'max': None if empty else self.max,
            'mean': self.mean,
            'p50': self.p50,
            'p95': self.p95,
            'p99': self.p99,
            'buckets': {str(i): n for i, n in enumerate(self.buckets) if n},
        }

    def merge_dict(self, data):
        """Add the calls of a dict made by :meth:`to_dict`."""
        buckets = {}
        for key, calls in data.get('buckets', {}).items():
            index = int(key)
            if not 0 <= index < NUM_BUCKETS or int(calls) < 0:
                raise ValueError('bad latency bucket %r: %r' % (key, calls))
            buckets[index] = int(calls)
        count = int(data['count'])
        if sum(buckets.values()) != count:
            raise ValueError('latency buckets do not add up to count')
        if not count:
            return
        self.count += count
        self.sum += float(data['sum'])
        self.min = min(self.min, float(data['min']))
        self.max = max(self.max, float(data['max']))
        for index, calls in buckets.items():
            self.buckets[index] += calls


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
    (:func:`errors.classify`) to its number of failures; ``traces`` lists
    the distinct :class:`FailureTrace` (at most ``max_traces``);
    ``traces_dropped`` counts failures whose trace was not kept;
    ``latency`` is a :class:`Latency` of all calls.
    """

    def __init__(self, client, method, max_traces=DEFAULT_MAX_TRACES):
        self.client = client
        self.method = method
        self.max_traces = max_traces
        self.passes = 0
        self.failures = 0
        self.whitelisted = 0
        self.errors = {}
        self.traces = []
        self.traces_dropped = 0
        self.latency = Latency()
        self._by_key = {}
        self._lock = threading.Lock()

    @property
    def calls(self):
        return self.passes + self.failures

    def add_pass(self, seconds):
        """Count a call that returned after ``seconds``."""
        # The hot path: Latency.add and bucket_index inlined.
        if seconds < _LOWEST:
            index = 0
        else:
            mantissa, exponent = _frexp(seconds)
            index = int(mantissa * (2 * SUB_BUCKETS)) \
                + exponent * SUB_BUCKETS + _OFFSET
            if index >= NUM_BUCKETS:
                index = NUM_BUCKETS - 1
        with self._lock:
            self.passes += 1
            latency = self.latency
            latency.count += 1
            latency.sum += seconds
            if seconds < latency.min:
                latency.min = seconds
            if seconds > latency.max:
                latency.max = seconds
            latency.buckets[index] += 1

    def add_whitelisted(self, seconds):
        """Count a call that raised where a failure is expected."""
        with self._lock:
            self.passes += 1
            self.whitelisted += 1
            self.latency.add(seconds)

    def add_failure(self, seconds, error, exception, message, stack,
                    when=None):
        """Count a failed call and keep its (deduplicated) trace."""
        when = time.time() if when is None else when
        with self._lock:
            self.failures += 1
            self.latency.add(seconds)
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
            other = MethodStats(self.client, self.method, self.max_traces)
            other.passes = self.passes
            other.failures = self.failures
            other.whitelisted = self.whitelisted
            other.errors = dict(self.errors)
            other.traces = [t.copy() for t in self.traces]
            other._by_key = {t.key: t for t in other.traces}
            other.traces_dropped = self.traces_dropped
            other.latency = self.latency.copy()
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
            latency = self.latency.copy()
            latency.merge_dict(data['latency'])
            self.latency = latency
            self.passes += passes
            self.failures += failures
            self.whitelisted += whitelisted
            for error, count in errs.items():
                self._count_error(error, count)
            for trace in traces:
                self._add_trace(trace)
            self.traces_dropped += dropped

    def summary(self, latency=True):
        """Return the log line of this method (see :meth:`Stats.log`)."""
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


class Stats(object):
    """Per-method counters of traced calls; thread-safe, mergeable."""

    def __init__(self, max_traces=DEFAULT_MAX_TRACES):
        self.max_traces = int(max_traces)
        self._methods = {}
        self._lock = threading.Lock()

    def method_stats(self, client, method):
        """Return the live :class:`MethodStats` of ``client:method``."""
        key = (client, method)
        found = self._methods.get(key)
        if found is None:
            with self._lock:
                found = self._methods.get(key)
                if found is None:
                    found = MethodStats(client, method, self.max_traces)
                    self._methods[key] = found
        return found

    def methods(self):
        """Return {(client, method): MethodStats snapshot} of called ones."""
        with self._lock:
            live = sorted(self._methods.items())
        snaps = ((key, ms.copy()) for key, ms in live)
        return {key: snap for key, snap in snaps if snap.calls}

    def get(self, client, method):
        """Return a snapshot of one method's counters, None if not called."""
        return self.methods().get((client, method))

    def totals(self):
        """Return (passes, failures) over all methods."""
        found = self.methods().values()
        return (sum(m.passes for m in found), sum(m.failures for m in found))

    def log(self, logger, latency=True):
        """Log one INFO line per called method, sorted; return self.

        Each line starts with ``[Client:method] N pass, M fail``; the
        latency, error names and whitelisted count follow in brackets.
        """
        for method in self.methods().values():
            logger.info('%s', method.summary(latency=latency))
        return self

    # Serialisation -------------------------------------------------------

    def to_dict(self):
        """Return the versioned JSON-able dict of the module docstring."""
        return {
            'format': FORMAT,
            'version': VERSION,
            'max_traces': self.max_traces,
            'histogram': dict(_HISTOGRAM),
            'methods': [m.to_dict() for m in self.methods().values()],
        }

    @classmethod
    def from_dict(cls, data, path=None):
        """Build Stats from :meth:`to_dict` output; StatsError if invalid."""
        stats = cls(max_traces=_max_traces_of(data, path))
        stats._merge_dict(data, path)
        return stats

    def merge(self, other):
        """Add the counts of another Stats (or its dict) in place."""
        data = other if isinstance(other, dict) else other.to_dict()
        self._merge_dict(data, None)
        return self

    @classmethod
    def merged(cls, many, max_traces=None):
        """Return a new Stats holding the sum of several Stats."""
        many = list(many)
        if max_traces is None:
            max_traces = max([s.max_traces for s in many]
                             or [DEFAULT_MAX_TRACES])
        total = cls(max_traces=max_traces)
        for stats in many:
            total.merge(stats)
        return total

    def _merge_dict(self, data, path):
        _check_header(data, path)
        try:
            # Validate every entry first, so that bad data changes nothing.
            items = []
            for item in data['methods']:
                key = (str(item['client']), str(item['method']))
                MethodStats(key[0], key[1], self.max_traces).merge_dict(item)
                items.append((key, item))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, StatsError):
                raise
            raise StatsError('invalid stats: %s: %s'
                             % (type(exc).__name__, exc), path)
        for key, item in items:
            self.method_stats(*key).merge_dict(item)

    def save(self, path):
        """Write the stats as JSON to ``path`` atomically; return path."""
        return fileutil.write_json(path, self.to_dict())

    @classmethod
    def load(cls, path):
        """Read stats saved by :meth:`save`; StatsError if that fails."""
        path = os.fspath(path)
        try:
            with open(path) as source:
                data = json.load(source)
        except OSError as exc:
            raise StatsError('cannot read stats: %s' % exc.strerror, path)
        except ValueError as exc:
            raise StatsError('corrupt stats (not JSON): %s' % exc, path)
        return cls.from_dict(data, path=path)

    def __repr__(self):
        return '<Stats %d pass, %d fail>' % self.totals()


def _max_traces_of(data, path):
    _check_header(data, path)
    try:
        return int(data.get('max_traces', DEFAULT_MAX_TRACES))
    except (TypeError, ValueError):
        raise StatsError('invalid max_traces', path)


def _check_header(data, path):
    if not isinstance(data, dict):
        raise StatsError('stats must be a JSON object', path)
    if data.get('format') != FORMAT:
        raise StatsError('not a stats file (format %r)'
                         % data.get('format'), path)
    if data.get('version') != VERSION:
        raise StatsError('unsupported stats version %r (expected %d)'
                         % (data.get('version'), VERSION), path)
    if data.get('histogram') != _HISTOGRAM:
        raise StatsError('latency histogram layout %r differs from %r'
                         % (data.get('histogram'), _HISTOGRAM), path)
    if not isinstance(data.get('methods'), list):
        raise StatsError('"methods" must be a list', path)


# Which methods to wrap --------------------------------------------------


def _rest_client_class():
    try:
        from tempest.lib.common import rest_client
    except ImportError:  # pragma: no cover - tempest is a requirement
        return None
    return rest_client.RestClient


def api_methods(client_class):
    """Return the sorted names of the API methods of a client class."""
    base = _rest_client_class()
    if base is not None and issubclass(client_class, base):
        skip_classes = set(base.__mro__)
        plumbing = set(EXTRA_PLUMBING)
        for klass in base.__mro__:
            plumbing.update(vars(klass))
        plumbing.difference_update(BASE_API_METHODS)
        extra = BASE_API_METHODS
    else:
        skip_classes = {object}
        plumbing = set()
        extra = ()
    seen = set()
    names = []
    for klass in client_class.__mro__:
        for name, value in vars(klass).items():
            if name in seen:
                continue
            seen.add(name)
            if (klass not in skip_classes and not name.startswith('_')
                    and name not in plumbing and inspect.isfunction(value)):
                names.append(name)
    for name in extra:
        if name not in names and inspect.isfunction(
                inspect.getattr_static(client_class, name, None)):
            names.append(name)
    return sorted(names)


# Wrapping ---------------------------------------------------------------


def _bind(attr, client, cls):
    """Bind a class attribute to the client as attribute lookup would."""
    get = getattr(type(attr), '__get__', None)
    return attr if get is None else get(attr, client, cls)


def _tags(obj):
    tags = getattr(obj, _TAG, ())
    return tags if isinstance(tags, tuple) else ()


def _short_path(filename):
    marker = os.sep + 'site-packages' + os.sep
    if marker in filename:
        return filename.rsplit(marker, 1)[1]
    return filename


@functools.lru_cache(maxsize=4096)
def _frame_line(code, lineno):
    return '%s:%s in %s' % (_short_path(code.co_filename), lineno,
                            code.co_name)


def _failure_stack(frame, tb):
    """Return the stack of a failure: calling frames, then traceback."""
    calling = []
    while frame is not None and len(calling) < MAX_CALLING_FRAMES:
        if frame.f_code not in _WRAPPER_CODES:
            calling.append(_frame_line(frame.f_code, frame.f_lineno))
        frame = frame.f_back
    calling.reverse()
    inner = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if code not in _WRAPPER_CODES:
            inner.append(_frame_line(code, tb.tb_lineno))
        tb = tb.tb_next
    return tuple(calling + inner[-MAX_TRACEBACK_FRAMES:])


def _exception_name(exc):
    cls = type(exc)
    module = cls.__module__
    if module in (None, 'builtins'):
        return cls.__qualname__
    return '%s.%s' % (module, cls.__qualname__)


def _message(exc):
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not hide the failure
        text = '<unprintable %s>' % type(exc).__name__
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + '...'
    return text


class Trace(object):
    """Wrap tempest service clients and count their calls in ``stats``.

    :param whitelist: names of functions under which a failure is
        expected and counted as a pass (default :data:`DEFAULT_WHITELIST`).
    :param max_traces: distinct failure traces kept per method (default
        :data:`DEFAULT_MAX_TRACES`).
    :param stats: a :class:`Stats` to count into (default: a new one).
    :param whitelist_errors: names of exception classes; if given, only
        those (and their subclasses) are whitelisted, other failures under
        a whitelisted frame are failures (default: any exception).
    """

    def __init__(self, whitelist=None, max_traces=None, stats=None,
                 whitelist_errors=None):
        if whitelist is None:
            whitelist = DEFAULT_WHITELIST
        if isinstance(whitelist, str):
            whitelist = [w.strip() for w in whitelist.split(',')]
        self.whitelist = tuple(w for w in whitelist if w)
        self._names = frozenset(w for w in self.whitelist if '.' not in w)
        self._qualnames = frozenset(w for w in self.whitelist if '.' in w)
        if isinstance(whitelist_errors, str):
            whitelist_errors = whitelist_errors.split(',')
        self.whitelist_errors = frozenset(
            e.strip() for e in whitelist_errors or () if e.strip())
        if stats is None:
            stats = Stats(DEFAULT_MAX_TRACES if max_traces is None
                          else max_traces)
        elif max_traces is not None:
            stats.max_traces = int(max_traces)
        self._stats = stats

    @classmethod
    def from_config(cls, conf=None):
        """Build a Trace from the ``[upgrade]`` options of tempest.conf."""
        if conf is None:
            from tempest import config
            conf = config.CONF
        return cls(whitelist=conf.upgrade.trace_whitelist,
                   max_traces=conf.upgrade.trace_max_stack_traces,
                   whitelist_errors=conf.upgrade.trace_whitelist_errors)

    @property
    def stats(self):
        """The :class:`Stats` of every call this Trace has counted."""
        return self._stats

    def decorate(self, client):
        """Trace every API method of ``client``; return the same client.

        The wrappers are set on the instance, so isinstance, attributes and
        the class are untouched; a wrapper looks the method up on the class
        at each call, so ``mock.patch.object(ClientClass, name)`` keeps
        working, and ``mock.patch.object(client, name)`` simply replaces
        the wrapper until the patch ends. Decorating twice with the same
        Trace changes nothing; another Trace counts in its own stats.
        """
        if not hasattr(client, '__dict__'):
            raise TypeError('cannot trace %r: it has no instance __dict__'
                            % (client,))
        cls = type(client)
        with _DECORATE_LOCK:
            for name in api_methods(cls):
                current = vars(client).get(name)
                if current is not None:
                    if self in _tags(current) or not callable(current):
                        continue
                wrapper = self._wrap(client, cls, name, current)
                setattr(client, name, wrapper)
        return client

    def is_decorating(self, client, name):
        """Whether ``client.<name>`` is currently traced by this Trace."""
        return self in _tags(vars(client).get(name))

    def _wrap(self, client, cls, name, inner):
        stats = self._stats.method_stats(cls.__name__, name)
        add_pass = stats.add_pass
        failed = self._failed
        perf = time.perf_counter
        getframe = sys._getframe

        if inner is None:
            func = getattr(cls, name)
            wrapped = _bind(func, client, cls)

            def traced(*args, **kwargs):
                attr = getattr(cls, name)
                start = perf()
                try:
                    if attr is func:
                        result = func(client, *args, **kwargs)
                    else:  # the class attribute is patched
                        result = _bind(attr, client, cls)(*args, **kwargs)
                except Exception as exc:
                    failed(stats, perf() - start, exc, getframe())
                    raise
                add_pass(perf() - start)
                return result
        else:
            wrapped = inner

            def traced(*args, **kwargs):
                start = perf()
                try:
                    result = inner(*args, **kwargs)
                except Exception as exc:
                    failed(stats, perf() - start, exc, getframe())
                    raise
                add_pass(perf() - start)
                return result

        functools.update_wrapper(traced, wrapped)
        setattr(traced, _TAG, (self,) + _tags(inner))
        _WRAPPER_CODES.add(traced.__code__)
        return traced

    def _failed(self, stats, seconds, exc, frame):
        """Count a call that raised ``exc`` in the wrapper ``frame``."""
        tb = exc.__traceback__
        if self._error_allowed(exc) and self._is_whitelisted(frame.f_back,
                                                             tb):
            stats.add_whitelisted(seconds)
            return
        stats.add_failure(seconds, errors.classify(exc), _exception_name(exc),
                          _message(exc), _failure_stack(frame.f_back, tb))

    def _error_allowed(self, exc):
        if not self.whitelist_errors:
            return True
        return any(k.__name__ in self.whitelist_errors
                   for k in type(exc).__mro__)

    def _is_whitelisted(self, frame, tb):
        names, qualnames = self._names, self._qualnames
        if not (names or qualnames):
            return False
        while frame is not None:
            if self._matches(frame.f_code, names, qualnames):
                return True
            frame = frame.f_back
        while tb is not None:
            if self._matches(tb.tb_frame.f_code, names, qualnames):
                return True
            tb = tb.tb_next
        return False

    @staticmethod
    def _matches(code, names, qualnames):
        if code.co_name in names:
            return True
        return bool(qualnames) and getattr(
            code, 'co_qualname', code.co_name) in qualnames
