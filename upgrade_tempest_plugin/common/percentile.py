"""The plugin's one definition of a percentile: nearest rank.

The ``p``-th percentile of ``n`` values is the ``ceil(p / 100 * n)``-th
smallest of them (the smallest for ``p = 0``): always a value that was
measured, never an interpolation between two. Call tracking keeps its
latencies in a histogram, which knows ranks but not the values between
which to interpolate, so nearest rank is the definition that a histogram
and an exact list of values can share: a p95 means the same in both.
"""

import math

DEFINITION = 'nearest-rank'


def rank(percent, count):
    """Return the 1-based rank of the ``percent`` percentile of ``count``.

    At least 1; over ``count`` when ``percent`` is over 100.
    """
    return max(1, int(math.ceil(percent / 100.0 * count)))


def of_sorted(values, percent):
    """Return the ``percent`` percentile of sorted ``values`` (None: empty)."""
    if not values:
        return None
    return values[min(rank(percent, len(values)), len(values)) - 1]
