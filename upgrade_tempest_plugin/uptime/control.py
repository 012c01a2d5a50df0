"""The control series: trouble on the probing host, not the cloud.

A prober starved of CPU, paused (SIGSTOP, a VM's host stealing its CPU)
or cut off from the network sees failures and slow answers that are no
fault of the cloud. The runner serves a tiny static HTTP endpoint of its
own on 127.0.0.1 (``Server``: an ephemeral port, a thread of the runner)
and probes it like a pulse, as series ``control``, at the pulse rate; the
upgrade never touches it. Its scheduler also records a run of ticks it
missed by at least the stall threshold (``schedule``: ``prober late``),
since a paused prober sends nothing at all, and so fails no probe, while
it is paused.

A window or stall of any other series that the control's trouble (its
windows and stalls, to their outer bounds) covers for at least half of
its estimated length (``SHARE``) is flagged ``"control": true`` with the
control's times (``"control_window": {"start", "end"}``): it is listed,
but it is not counted as downtime of the cloud. Half, not any overlap: on
a busy host a prober may miss a few ticks in the middle of a real outage
(a restart of a service is a busy moment), and such a blip must not
excuse the outage; a window the host's trouble mostly made (a probe held
across a pause of the prober) is covered by it nearly whole. Totals
(``totals``):

- ``total_downtime_s``, ``longest_downtime_s`` and the lower bound of
  ``total_downtime_bounds`` leave flagged windows out;
- the upper bound keeps them: the host's trouble may have hidden a real
  outage, so the bounds still hold whatever the truth;
- ``control_downtime_s`` sums the flagged windows' estimates,
  ``control_windows`` counts them, ``control_failed_requests`` counts
  the probes on the ticks that failed inside them (``uptime_pct`` counts
  every probe; the ``min_pct`` threshold leaves these out).
"""

import http.server
import threading

KIND = 'control'
NAME = 'control'
SHARE = 0.5     # of a window's length the control's trouble must cover


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'
    body = b'ok\n'

    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_args):     # ten lines a second otherwise
        pass


class Server(object):
    """The control endpoint: ``GET /`` answers ``200 ok`` on
    ``127.0.0.1:<ephemeral port>``, from a daemon thread, until
    ``close()``."""

    def __init__(self, host='127.0.0.1'):
        self._httpd = http.server.ThreadingHTTPServer((host, 0), _Handler)
        self._httpd.daemon_threads = True
        self.url = 'http://%s:%d/' % self._httpd.server_address[:2]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={'poll_interval': 0.2},
            name='uptime-control', daemon=True)
        self._thread.start()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()
        return False


def _outer(item):
    lo = (item.get('start_bounds') or [item['start']])[0]
    hi = (item.get('end_bounds') or [None, item['end']])[1]
    return min(lo, item['start']), max(hi, item['end'])


def trouble(control):
    """``[(start, end)]`` of the control series' windows and stalls (their
    outer bounds), sorted, overlapping ones merged."""
    spans = sorted(_outer(i) for i in list(control.get('windows') or []) +
                   list(control.get('stalls') or []))
    merged = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def covered(start, end, spans):
    """Seconds of ``[start, end]`` that ``spans`` (sorted, disjoint)
    cover."""
    return sum(max(0.0, min(end, hi) - max(start, lo)) for lo, hi in spans)


def flag_items(items, spans, share=SHARE):
    """Flag each window or stall of ``items`` (changed in place) whose
    estimate ``spans`` of control trouble cover for at least ``share`` of
    its length (an instant: when inside one); return how many were."""
    count = 0
    for item in items:
        start, end = item['start'], item['end']
        hit = [(lo, hi) for lo, hi in spans if start <= hi and end >= lo]
        if end > start:
            mostly = covered(start, end, hit) >= share * (end - start)
        else:
            mostly = bool(hit)
        if hit and mostly:
            item['control'] = True
            item['control_window'] = {
                'start': round(min(lo for lo, _hi in hit), 6),
                'end': round(max(hi for _lo, hi in hit), 6)}
            count += 1
    return count


def totals(svc):
    """Recompute the downtime totals of series ``svc`` (in place), the
    flagged windows left out (see the module's docstring)."""
    wins = svc.get('windows') or []
    counted = [w for w in wins if not w.get('control')]
    flagged = [w for w in wins if w.get('control')]
    durations = [w['duration_s'] for w in counted]
    svc['total_downtime_s'] = round(sum(durations), 6)
    svc['longest_downtime_s'] = max(durations) if durations else 0.0
    svc['total_downtime_bounds'] = [
        round(sum(w['duration_bounds'][0] for w in counted), 6),
        round(sum(w['duration_bounds'][1] for w in wins), 6)]
    svc['control_windows'] = len(flagged)
    svc['control_downtime_s'] = round(sum(w['duration_s']
                                          for w in flagged), 6)
    return svc


def flag(services):
    """Flag the windows and stalls of every series of ``services`` (a
    summary's ``services``, changed in place) that the control saw too,
    and recompute their totals. Without a control series nothing is
    flagged (the totals are still recomputed, the same)."""
    spans = []
    for svc in services.values():
        if svc.get('kind') == KIND:
            spans += trouble(svc)
    spans.sort()
    for svc in services.values():
        if svc.get('kind') == KIND:
            continue
        flag_items(list(svc.get('windows') or []) +
                   list(svc.get('stalls') or []), spans)
        totals(svc)
    return services


def failed_in(records, windows):
    """Probes on the ticks (not recovery probes) of ``records`` that failed
    inside a flagged window of ``windows`` (its outer bounds)."""
    spans = [_outer(w) for w in windows if w.get('control')]
    if not spans:
        return 0
    return sum(1 for r in records if not r['ok'] and not r.get('extra')
               and any(lo <= r['time'] <= hi for lo, hi in spans))
