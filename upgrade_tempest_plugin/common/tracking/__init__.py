"""Count passes, failures and latency of tempest service client calls.

``Trace(...).decorate(client)`` wraps every API method of a client;
``trace.stats`` counts each call per method, and logs, saves, loads and
merges the counts. doc/source/tracking.rst tells what is counted and how.
This package re-exports the public names of its modules, so
``from upgrade_tempest_plugin.common import tracking`` is all a caller
imports:

* :mod:`.trace`: ``Trace`` (the wrappers, the whitelist);
* :mod:`.methods`: ``api_methods`` (which methods are API calls);
* :mod:`.stats`: ``Stats``, ``StatsError`` (a ``TrackingError``, the
  base of the package's errors) and the JSON file format;
* :mod:`.method_stats`: ``MethodStats``, ``FailureTrace`` (one method);
* :mod:`.histogram`: ``Latency``, ``bucket_index``, ``bucket_bounds``;
* :mod:`.failure`: what a failure trace records.
"""

from upgrade_tempest_plugin.common.tracking.failure import (
    MAX_CALLING_FRAMES, MAX_MESSAGE_CHARS, MAX_TRACEBACK_FRAMES)
from upgrade_tempest_plugin.common.tracking.histogram import (
    Latency, MAX_EXPONENT, MIN_EXPONENT, NUM_BUCKETS, SUB_BUCKETS,
    bucket_bounds, bucket_index)
from upgrade_tempest_plugin.common.tracking.method_stats import (
    DEFAULT_MAX_TRACES, FailureTrace, FOLD_EVERY, MAX_ERROR_KINDS, MethodStats,
    OTHER_ERRORS)
from upgrade_tempest_plugin.common.tracking.methods import (
    BASE_API_METHODS, EXTRA_PLUMBING, api_methods)
from upgrade_tempest_plugin.common.tracking.stats import (
    FORMAT, Stats, StatsError, TrackingError, VERSION)
from upgrade_tempest_plugin.common.tracking.trace import (
    DEFAULT_WHITELIST, Trace)

__all__ = [
    'api_methods', 'BASE_API_METHODS', 'bucket_bounds', 'bucket_index',
    'DEFAULT_MAX_TRACES', 'DEFAULT_WHITELIST', 'EXTRA_PLUMBING', 'FOLD_EVERY',
    'FailureTrace', 'FORMAT', 'Latency', 'MAX_CALLING_FRAMES',
    'MAX_ERROR_KINDS', 'MAX_EXPONENT', 'MAX_MESSAGE_CHARS',
    'MAX_TRACEBACK_FRAMES', 'MethodStats', 'MIN_EXPONENT', 'NUM_BUCKETS',
    'OTHER_ERRORS', 'Stats', 'StatsError', 'SUB_BUCKETS', 'Trace',
    'TrackingError', 'VERSION',
]
