"""Per-second series of the probe logs, for the latency rows of the HTML
and PNG timelines.

A line through every probe would be unreadable (10 probes/s x tens of
series x hours); one point per second per series keeps every slow second
visible: latency is the highest latency of a successful probe in that
second, availability the share of the probes sent in it that succeeded.
"""

import collections


def per_second(records, bin_s=1.0):
    """Return [(t, availability_pct, max_ok_latency_s or None)] sorted."""
    bins = collections.OrderedDict()
    for rec in sorted(records, key=lambda r: r['time']):
        key = int(rec['time'] // bin_s)
        total, ok, worst = bins.get(key, (0, 0, None))
        total += 1
        if rec.get('ok'):
            ok += 1
            lat = rec.get('latency')
            if lat is not None and (worst is None or lat > worst):
                worst = lat
        bins[key] = (total, ok, worst)
    return [(key * bin_s, 100.0 * ok / total, worst)
            for key, (total, ok, worst) in bins.items()]
