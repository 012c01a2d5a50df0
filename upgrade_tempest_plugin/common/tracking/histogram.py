"""Latency of calls in a fixed log-spaced histogram that merges by adding.

Every power of two between 2**-20 s (0.95 us) and 2**13 s (2.3 h) is split
into :data:`SUB_BUCKETS` equal sub-buckets, 1057 buckets in all; faster
calls share bucket 0, slower ones the last bucket. Histograms of several
processes merge by adding buckets, which is why the layout is fixed.

Percentiles are nearest-rank (:mod:`upgrade_tempest_plugin.common.percentile`),
never interpolated: the ``p``-th is the midpoint of the bucket holding the
``ceil(p / 100 * count)``-th smallest call, clamped to the exact min and
max (bucket 0 gives the min, the last bucket the max), within 1/64 (1.6 %)
of the exact nearest-rank value for latencies inside the range. count,
sum, min, max and mean are exact.
"""

import math

from upgrade_tempest_plugin.common import percentile

SUB_BUCKETS = 32
MIN_EXPONENT = -19
MAX_EXPONENT = 13
NUM_BUCKETS = 1 + (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB_BUCKETS
# The layout as saved with the stats: files of another layout cannot merge.
LAYOUT = {'min_exponent': MIN_EXPONENT, 'sub_buckets': SUB_BUCKETS,
          'size': NUM_BUCKETS}

# Durations under LOWEST go to bucket 0. Otherwise
# bucket = 1 + (exponent - MIN_EXPONENT) * SUB_BUCKETS + sub-bucket, where
# sub-bucket = int(mantissa * 2 * SUB_BUCKETS) - SUB_BUCKETS (exact in
# float), i.e. int(mantissa * 2 * SUB_BUCKETS) + exponent * SUB_BUCKETS
# + OFFSET. MethodStats._fold_locked inlines this for the passes.
LOWEST = math.ldexp(0.5, MIN_EXPONENT)
OFFSET = 1 - SUB_BUCKETS - MIN_EXPONENT * SUB_BUCKETS


def bucket_index(seconds):
    """Return the latency histogram bucket of a duration in seconds."""
    if seconds < LOWEST:
        return 0
    mantissa, exponent = math.frexp(seconds)
    index = int(mantissa * (2 * SUB_BUCKETS)) + exponent * SUB_BUCKETS \
        + OFFSET
    return index if index < NUM_BUCKETS else NUM_BUCKETS - 1


def bucket_bounds(index):
    """Return the (lower, upper) seconds of a histogram bucket."""
    if index <= 0:
        return 0.0, LOWEST
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
        rank = percentile.rank(percent, self.count)
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
            'percentiles': percentile.DEFINITION,
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
