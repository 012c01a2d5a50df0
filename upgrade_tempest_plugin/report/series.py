"""Per-second series of the probe logs, shared by the HTML and PNG charts.

A chart of every probe would be unreadable (10 probes/s x 6 services x
hours); one point per second per service keeps every downtime visible:
availability is the share of probes sent in that second that succeeded,
latency the highest latency of a successful probe in that second.
"""

import collections

from upgrade_tempest_plugin.report import timeutil


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


def verify_spans(report):
    """Return [(label, start_epoch, end_epoch, passed)] of verify runs."""
    spans = []
    for run in report.get('persistent', []):
        start = timeutil.to_epoch(run.get('start_time'))
        end = timeutil.to_epoch(run.get('end_time')) or start
        if start is None:
            continue
        spans.append((run.get('label') or 'verify', start, end,
                      run['passed']))
    return spans
