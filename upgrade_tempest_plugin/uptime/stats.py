"""Latency percentiles of the uptime probes.

The plugin's one definition, nearest rank (``common.percentile``): the
p95 of a probe series means what the p95 of a traced client method means.
"""

from upgrade_tempest_plugin.common import percentile as percentile_mod

NAMES = (('p50', 50), ('p95', 95), ('p99', 99), ('max', 100))


def percentile(values, pct):
    """Return the ``pct`` percentile of ``values`` (nearest rank).

    ``None`` for no values; ``pct`` is 0..100.
    """
    return percentile_mod.of_sorted(sorted(values), pct)


def latency_summary(values):
    """Return ``{p50, p95, p99, max}`` of ``values`` in seconds."""
    data = sorted(values)
    out = {}
    for name, pct in NAMES:
        value = percentile_mod.of_sorted(data, pct)
        out[name] = None if value is None else round(value, 6)
    return out


def counted_percentile(counts, pct):
    """``percentile`` of the values counted in ``counts`` ({value: n})."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = min(percentile_mod.rank(pct, total), total)
    seen = 0
    for key in sorted(counts):
        seen += counts[key]
        if seen >= wanted:
            return key


def counted_summary(counts):
    """``latency_summary`` of values counted in ``counts``."""
    out = {}
    for name, pct in NAMES:
        value = counted_percentile(counts, pct)
        out[name] = None if value is None else round(value, 6)
    out['percentiles'] = percentile_mod.DEFINITION
    return out
