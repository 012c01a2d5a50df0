"""Uptime thresholds: max total downtime, max single window, min uptime %.

``check`` returns one violation per broken limit and service, each naming
the window that broke it (the longest one for the downtime limits)."""


def check(summary, max_total_downtime=None, max_window=None,
          min_uptime_pct=None):
    """Return the violations of ``summary`` (a dict from ``summary.build``).

    Each is ``{service, threshold, limit, actual, window, message}``.
    """
    out = []
    for name, svc in sorted(summary.get('services', {}).items()):
        wins = svc.get('windows') or []
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
        if (min_uptime_pct is not None and pct is not None
                and pct < min_uptime_pct):
            add('uptime %', min_uptime_pct, pct, longest, 'is below')
    return out
