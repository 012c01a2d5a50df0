"""Date the edges of a series' windows with its API's pulse series.

A read or write series at 0.5/s knows each edge of a window only to within
one probe interval: its bounds say so, and its own estimate (the middle)
may be off by half an interval at each end. The API's pulse series
(``<service>-pulse``, an unauthenticated GET five times a second) sees the
API stop answering, or answer errors, with ten times the resolution,
whenever the cause is one both probes meet: a refused or reset connection,
a hang, a proxy's 503, a restart.

The refinement never widens or moves the bounds: they come from the
series' own evidence only. It moves an estimate's edge to the pulse's
estimate of an edge of the same kind (a start to a start, an end to an
end) whose bounds meet that edge's bounds, clamped into them; where
several do, the one closest to the series' own estimate. A backend's
series (``<service>@<host:port>``) is dated by that backend's pulse
(``<service>-pulse@<host:port>``), the endpoint's by the endpoint's.
An outage the
pulse does not see (a database error behind a healthy API process) keeps
the series' own estimate. Each window and stall records where its edges
came from: ``"estimate": {"start": "pulse" | "own", "end": ...}``.
"""


def _edges(series):
    """``(starts, ends)`` of a pulse series' windows and stalls, each an
    ``(estimate, bounds)`` pair."""
    starts, ends = [], []
    for w in list(series.get('windows', [])) + list(series.get('stalls',
                                                               [])):
        starts.append((w['start'], w.get('start_bounds') or
                       (w['start'], w['start'])))
        ends.append((w['end'], w.get('end_bounds') or (w['end'], w['end'])))
    return starts, ends


def _pick(own, bounds, candidates):
    """The pulse edge whose bounds meet ``bounds`` and whose estimate is
    closest to ``own``, clamped into ``bounds``; else ``own``."""
    lo, hi = bounds
    inside = [est for est, (c_lo, c_hi) in candidates
              if c_lo <= hi and c_hi >= lo]
    if not inside:
        return own, 'own'
    best = min(inside, key=lambda est: abs(est - own))
    return min(max(best, lo), hi), 'pulse'


def refine_interval(item, starts, ends):
    """Refine one window or stall (a dict, changed in place)."""
    start, end = item['start'], item['end']
    s_from = e_from = 'own'
    if 'start_bounds' in item:
        start, s_from = _pick(start, item['start_bounds'], starts)
    if 'end_bounds' in item and not item.get('open'):
        end, e_from = _pick(end, item['end_bounds'], ends)
    item['estimate'] = {'start': s_from, 'end': e_from}
    if s_from == e_from == 'own':
        return item
    end = max(end, start)
    lo, hi = item.get('duration_bounds', (0.0, float('inf')))
    duration = min(max(end - start, lo), hi)
    item.update(start=round(start, 6), end=round(start + duration, 6),
                duration_s=round(duration, 6))
    return item


def refine(services):
    """Refine every non-pulse series of ``services`` (a summary's
    ``services`` dict, changed in place) with its API's pulse series, and
    recompute its downtime totals. Series without a pulse are marked
    ``own``."""
    pulses = {}
    for svc in services.values():
        if svc.get('kind') == 'pulse':
            pulses[(svc.get('service'), svc.get('backend'))] = _edges(svc)
    for svc in services.values():
        if svc.get('kind') == 'pulse':
            starts, ends = [], []      # its own estimates stand
        else:
            starts, ends = pulses.get(
                (svc.get('service'), svc.get('backend')), ([], []))
        for item in svc.get('windows', []) + svc.get('stalls', []):
            refine_interval(item, starts, ends)
        durations = [w['duration_s'] for w in svc.get('windows', [])]
        svc['total_downtime_s'] = round(sum(durations), 6)
        svc['longest_downtime_s'] = max(durations) if durations else 0.0
    return services
