"""Downtime windows from a series of probe results.

A window starts at the first failed probe (its send time) and ends when the
next successful probe completes (its send time plus latency), so its
duration estimates the outage to within one probe interval. The end is the
completion, not the send time, because an API that is restarting often
holds new connections in its listen backlog until it is ready: a probe sent
during the outage then succeeds, late, when the API is back. A window still
open when the run ends closes at the end of the run and is marked
``open``.

Because a window ends at a completion, a probe sent before that moment
can still fail afterwards (it waited too long): its failure belongs to the
same outage, so it extends that window instead of opening one that
overlaps it. Windows never overlap, and total downtime counts no second
twice.
"""


def find_windows(records, end_time=None):
    """Return the downtime windows of ``records`` (probe result dicts).

    Each window is ``{start, end, duration_s, failed_probes, errors, open}``
    with ``errors`` counting the error classes seen in it.
    """
    windows = []
    current = None
    for rec in sorted(records, key=lambda r: r['time']):
        if not rec['ok']:
            if current is None and windows and \
                    rec['time'] <= windows[-1]['end']:
                current = windows.pop()         # the same outage goes on
                del current['duration_s']
            elif current is None:
                current = {'start': rec['time'], 'end': None,
                           'failed_probes': 0, 'errors': {}, 'open': False}
            current['failed_probes'] += 1
            err = rec.get('error') or 'unknown'
            current['errors'][err] = current['errors'].get(err, 0) + 1
            current['last_failed'] = rec['time']
        elif current is not None:
            current['end'] = max(current['end'] or 0.0,
                                 rec['time'] + rec.get('latency', 0.0))
            windows.append(_close(current))
            current = None
    if current is not None:
        current['open'] = True
        end = current['last_failed'] if end_time is None else end_time
        current['end'] = max(end, current['last_failed'],
                             current['end'] or 0.0)
        windows.append(_close(current))
    return windows


def _close(window):
    window.pop('last_failed', None)
    window['duration_s'] = round(window['end'] - window['start'], 6)
    return window
