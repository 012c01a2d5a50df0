"""Latency percentiles."""


def percentile(values, pct):
    """Return the ``pct`` percentile of ``values`` (linear interpolation).

    ``None`` for no values; ``pct`` is 0..100.
    """
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * pct / 100.0
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def latency_summary(values):
    """Return ``{p50, p95, p99, max}`` of ``values`` in seconds."""
    out = {}
    for name, pct in (('p50', 50), ('p95', 95), ('p99', 99), ('max', 100)):
        value = percentile(values, pct)
        out[name] = None if value is None else round(value, 6)
    return out


def counted_percentile(counts, pct):
    """``percentile`` of the values counted in ``counts`` ({value: n})."""
    total = sum(counts.values())
    if not total:
        return None
    pos = (total - 1) * pct / 100.0
    low_rank = int(pos)
    keys = sorted(counts)
    seen = 0
    low = high = None
    for key in keys:
        seen += counts[key]
        if low is None and seen > low_rank:
            low = key
        if seen > low_rank + 1 or (seen == total):
            high = key
            if low is not None:
                break
    return low + (high - low) * (pos - low_rank)


def counted_summary(counts):
    """``latency_summary`` of values counted in ``counts``."""
    out = {}
    for name, pct in (('p50', 50), ('p95', 95), ('p99', 99), ('max', 100)):
        value = counted_percentile(counts, pct)
        out[name] = None if value is None else round(value, 6)
    return out
