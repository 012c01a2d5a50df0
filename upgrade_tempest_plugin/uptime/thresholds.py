"""Uptime thresholds: max total downtime, max single window, min uptime %.

``check`` returns one violation per broken limit and service, each naming
the window that broke it (the longest one for the downtime limits).

Judged: the series through the APIs' endpoints. Not judged: the control
series (the probing host's own) and backend series (``backend``: one
backend of a balanced API may well be down, drained, while users are
served; they say which backend failed, not whether users saw it). Windows
the control saw too (``"control": true``) are left out of every limit:
``total_downtime_s`` already leaves them out, the longest window is the
longest of the others, and ``min_pct`` counts the probes on the ticks
outside them (``control_failed_requests`` left out).
"""


def check(summary, max_total_downtime=None, max_window=None,
          min_uptime_pct=None):
    """Return the violations of ``summary`` (a dict from ``summary.build``).

    Each is ``{service, threshold, limit, actual, window, message}``.
    """
    out = []
    for name, svc in sorted(summary.get('services', {}).items()):
        if svc.get('kind') == 'control' or svc.get('backend'):
            continue
        wins = [w for w in svc.get('windows') or [] if not w.get('control')]
        longest = max(wins, key=lambda w: w['duration_s']) if wins else None

        def add(threshold, limit, actual, window, verb='exceeds'):
            where = ''
            if window is not None:
                bounds = window.get('duration_bounds')
                where = ' (window %.3f s%s from %.3f to %.3f, %d failed ' \
                        'probes, errors %s)' % (
                            window['duration_s'],
                            ' [%.3f..%.3f]' % tuple(bounds) if bounds
                            else '', window['start'],
                            window['end'], window['failed_probes'],
                            window['errors'])
            out.append({'service': name, 'threshold': threshold,
                        'limit': limit, 'actual': actual, 'window': window,
                        'message': '%s: %s %s %s limit %s%s' % (
                            name, threshold, actual, verb, limit, where)})

        if (max_total_downtime is not None
                and svc['total_downtime_s'] > max_total_downtime):
            add('total downtime (s)', max_total_downtime,
                svc['total_downtime_s'], longest)
        if (max_window is not None and longest is not None
                and longest['duration_s'] > max_window):
            add('longest window (s)', max_window, longest['duration_s'],
                longest)
        pct = svc.get('uptime_pct')
        gone = svc.get('control_failed_requests') or 0
        if gone and pct is not None:
            total = svc['total_requests'] - gone
            pct = round(100.0 * svc['successful_requests'] / total, 4) \
                if total > 0 else None
        if (min_uptime_pct is not None and pct is not None
                and pct < min_uptime_pct):
            add('uptime %', min_uptime_pct, pct, longest, 'is below')
    return out
