"""Per-method counters of traced calls, and their versioned JSON file.

:meth:`Stats.to_dict` returns, and :meth:`Stats.save` writes, this
JSON-able dict (version 1); :meth:`Stats.from_dict` and :meth:`Stats.load`
read it back and reject another ``format``, ``version`` or histogram layout
(:mod:`.histogram`)::

    {
      "format": "upgrade_tempest_plugin.tracking",
      "version": 1,
      "max_traces": 20,                 # distinct traces kept per method
      "histogram": {"min_exponent": -19, "sub_buckets": 32,
                    "size": 1057},      # histogram.LAYOUT
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
            "percentiles": "nearest-rank",  # how p50/p95/p99 are defined
            "buckets": {"709": 12, "710": 40}   # index -> calls
          }
        }
      ]
    }

Invariants: ``sum(errors.values()) == failures``,
``sum(t["count"] for t in traces) + traces_dropped == failures`` and
``latency.count == passes + failures``. ``mean``, the percentiles and
their definition (:mod:`upgrade_tempest_plugin.common.percentile`; absent
from files written before it was added) are derived and ignored when
loading. Merging adds counts, errors, buckets;
traces with the same ``(error, exception, stack)`` are merged (counts
added, earliest ``first``, latest ``last``), and traces beyond
``max_traces`` are only counted in ``traces_dropped``.
"""

import json
import os
import threading

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.common import fileutil
from upgrade_tempest_plugin.common.tracking import histogram
from upgrade_tempest_plugin.common.tracking.method_stats import (
    DEFAULT_MAX_TRACES, MethodStats)

FORMAT = 'upgrade_tempest_plugin.tracking'
VERSION = 1


class TrackingError(Exception):
    """Base of the tracking library's errors; the message says why."""


class StatsError(TrackingError, ValueError):
    """Saved stats cannot be read: missing, corrupt or of another format."""

    def __init__(self, message, path=None):
        self.path = path
        if path is not None:
            message = '%s: %s' % (path, message)
        super(StatsError, self).__init__(message)


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
            'histogram': dict(histogram.LAYOUT),
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
            raise StatsError('invalid stats: %s' % errors.describe(exc),
                             path)
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
    if data.get('histogram') != histogram.LAYOUT:
        raise StatsError('latency histogram layout %r differs from %r'
                         % (data.get('histogram'), histogram.LAYOUT),
                         path)
    if not isinstance(data.get('methods'), list):
        raise StatsError('"methods" must be a list', path)
