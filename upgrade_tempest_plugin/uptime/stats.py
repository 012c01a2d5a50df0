"""Latency percentiles of the uptime probes.

Latencies are counted (``{value: n}``, 0.1 ms resolution) rather than
kept, and read with the plugin's one definition, nearest rank
(``common.percentile``): the p95 of a probe series means what the p95 of
a traced client method means.
"""

from upgrade_tempest_plugin.common import percentile as percentile_mod

NAMES = (('p50', 50), ('p95', 95), ('p99', 99), ('max', 100))


def counted_percentile(counts, pct):
    """The ``pct`` percentile (0..100) of the values counted in ``counts``;
    None when there are none."""
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
    """``{p50, p95, p99, max, percentiles}`` of the values in ``counts``."""
    out = {}
    for name, pct in NAMES:
        value = counted_percentile(counts, pct)
        out[name] = None if value is None else round(value, 6)
    out['percentiles'] = percentile_mod.DEFINITION
    return out
