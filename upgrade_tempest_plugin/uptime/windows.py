"""Downtime windows, with bounds, from a series of probe results.

A probe *fails* when it was not answered with success within its time
limit (refused, reset, an HTTP error, or a time-out); a window is a run of
failed probes between two probes that succeeded. What each probe proves:

- a success sent at ``s`` and answered at ``a``: the API served at some
  instant in ``[s, a]``;
- a refusal, reset or HTTP error sent at ``f``, seen at ``f + latency``:
  the API failed at some instant in ``[f, f + latency]``;
- a time-out sent at ``f``: it failed from ``f`` on (the definition of the
  time limit); if it was answered late, at ``e``, the API served again at
  ``e`` (the held request needed about one median latency after that).

Hence each window carries::

    start_lo = send time of the last success before it (or series start)
    start_hi = when its first failure was seen (send + min(latency, limit))
    end_lo   = send time of its last failure
    end_hi   = answer time of the first success after it, or a late answer
    duration_lo = max(0, end_lo - start_hi) (also >= a held probe's wait
                  minus twice the p99 latency), duration_hi = end_hi -
                  start_lo

and a point estimate: start between the last success's mid-point and the
first failure; end between the last failure and the first answer after it
(minus one median latency when that answer was held up). Bounds hold
whatever kind of fault it was; the estimate is within about half a probe
interval at each end for refusals, errors and hangs alike.

*Stalls*: a probe answered with success within its limit, but far slower
than the series' median (``stall_threshold`` s more), shows an API that
answered nothing for that long (a hang shorter than the time limit): it is
reported as a stall, not downtime, so it is not hidden as latency.

Windows never overlap: a failure sent before the previous window's end
belongs to the same outage. Records are processed in send order and not
kept, so a series of any length is summarised in constant memory (apart
from the windows themselves).
"""

import collections

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.common import percentile

TIMEOUT = errors.TIMEOUT
# [upgrade] uptime_stall_threshold's default, and the summary's when a run
# recorded none
STALL_THRESHOLD = 0.25
# request ids listed per window (the first ones; the rest are counted)
REQUEST_IDS_MAX = 20


def _typical(records):
    """``(records in send order, (p50, p99))`` of the successful probes'
    latencies, nearest rank as everywhere (for callers that have no
    summary's figures to pass)."""
    records = sorted(records, key=lambda r: r['time'])
    data = sorted(r.get('latency', 0.0) for r in records if r['ok'])
    return records, (percentile.of_sorted(data, 50) or 0.0,
                     percentile.of_sorted(data, 99) or 0.0)


def _held(rec, limit):
    """A failure not seen within the time limit: held by the API; or the
    control's run of missed ticks (``late``): the prober itself was held
    from its send time to its end."""
    return rec.get('error') == TIMEOUT or rec.get('latency', 0.0) > limit \
        or bool(rec.get('late'))


class _Window(object):
    def __init__(self, first, prev_ok, series_start, limit):
        self.first = first
        self.prev_ok = prev_ok
        self.series_start = series_start
        self.limit = limit
        self.last = first
        self.failed = 0
        self.skipped = 0
        self.errors = collections.Counter()
        self.held = 0.0          # longest wait of a held (timed-out) probe
        self.late_answer = None  # earliest late answer of its last probes
        self.request_ids = []    # the first failed probes' ids
        self.answered_ids = {}   # sent id -> the id the service answered
        self.ids_left_off = 0
        self.add(first)

    def add(self, rec):
        self.failed += 1
        self.skipped += rec.get('skipped') or 0
        self.errors[rec.get('error') or 'unknown'] += 1
        self.last = rec
        sent = rec.get('request_id')
        if sent and len(self.request_ids) < REQUEST_IDS_MAX:
            self.request_ids.append(sent)
            if rec.get('response_request_id') not in (None, sent):
                self.answered_ids[sent] = rec['response_request_id']
        elif sent:
            self.ids_left_off += 1
        if _held(rec, self.limit):
            self.held = max(self.held, rec.get('latency', 0.0))
            if rec.get('answered') or rec.get('error') != TIMEOUT:
                # the API answered (or closed the connection): it ran
                answer = rec['time'] + rec.get('latency', 0.0)
                self.late_answer = answer if self.late_answer is None \
                    else min(self.late_answer, answer)

    def close(self, next_ok, end_time, median, p99):
        first, last, prev = self.first, self.last, self.prev_ok
        start_lo = prev['time'] if prev else self.series_start
        if start_lo is None:
            start_lo = first['time']
        seen = first['time'] + min(first.get('latency', 0.0), self.limit)
        start_hi = max(seen, start_lo)
        up_before = (prev['time'] + prev.get('latency', 0.0) / 2.0
                     if prev else start_lo)
        start = min(max((min(up_before, first['time']) + first['time'])
                        / 2.0, start_lo), start_hi)
        end_lo = last['time']
        ends = []
        if next_ok is not None:
            ends.append(next_ok['time'] + next_ok.get('latency', 0.0))
        if self.late_answer is not None and self.late_answer >= end_lo:
            ends.append(self.late_answer)
        is_open = not ends
        if is_open:
            end_hi = max(end_time if end_time is not None else end_lo,
                         end_lo)
            end = end_hi
        else:
            end_hi = max(min(ends), end_lo)
            if self.late_answer is not None and \
                    self.late_answer == min(ends):
                up = self.late_answer - median
            else:
                up = next_ok['time'] + max(
                    0.0, next_ok.get('latency', 0.0) - median)
            down = last['time'] + min(last.get('latency', 0.0),
                                      self.limit) / 2.0
            held_ok = (next_ok is not None and
                       next_ok.get('latency', 0.0) > max(p99, 2 * median))
            if _held(last, self.limit) or held_ok:
                down = up       # nothing served until (about) that answer
            end = min(max((down + up) / 2.0, end_lo), end_hi)
        end = max(end, start)
        if next_ok is not None:     # ticks skipped while the last was open
            self.skipped += next_ok.get('skipped') or 0
        # a held probe may have been sent up to one service time before
        # the API stopped, and is answered one service time after
        duration_lo = max(0.0, end_lo - start_hi, self.held - 2 * p99)
        return {
            'start': round(start, 6), 'end': round(end, 6),
            'duration_s': round(end - start, 6),
            'start_bounds': [round(start_lo, 6), round(start_hi, 6)],
            'end_bounds': [round(end_lo, 6), round(end_hi, 6)],
            'duration_bounds': [round(min(duration_lo, end_hi - start_lo),
                                      6),
                                round(end_hi - start_lo, 6)],
            'failed_probes': self.failed,
            'skipped_ticks': self.skipped,
            'errors': dict(self.errors),
            'request_ids': list(self.request_ids),
            'answered_request_ids': dict(self.answered_ids),
            'request_ids_left_off': self.ids_left_off,
            'open': is_open,
        }


def find_windows(records, end_time=None, limit=None, series_start=None,
                 latency=None):
    """Return the downtime windows of ``records`` (probe result dicts).

    ``records`` in send order (any order when ``latency`` is not given).
    ``limit``: the probes' time limit (default: no cap on a failure's
    latency); ``series_start``: when probing began (lower bound of a
    window at the very start); ``latency``: ``(median, p99)`` of the
    successful probes (computed from ``records`` when not given). Each
    window is ``{start, end, duration_s, start_bounds, end_bounds,
    duration_bounds, failed_probes, skipped_ticks, errors, request_ids,
    answered_request_ids, request_ids_left_off, open}``: ``request_ids``
    the ids the first ``REQUEST_IDS_MAX`` failed probes sent (the others
    counted in ``request_ids_left_off``), ``answered_request_ids`` maps
    those of them the service answered with another id to that id.
    """
    if latency is None:
        records, latency = _typical(records)
    median, p99 = latency
    limit = float('inf') if limit is None else limit
    windows = []
    current = None
    prev_ok = None
    for rec in records:
        if not rec['ok']:
            if current is None and windows and \
                    rec['time'] <= windows[-1]['end_bounds'][1]:
                current = windows.pop()['_state']   # the same outage
                current.add(rec)
            elif current is None:
                current = _Window(rec, prev_ok, series_start, limit)
            else:
                current.add(rec)
        else:
            if current is not None:
                win = current.close(rec, end_time, median, p99)
                win['_state'] = current
                windows.append(win)
                current = None
            prev_ok = rec
    if current is not None:
        win = current.close(None, end_time, median, p99)
        win['_state'] = current
        windows.append(win)
    for win in windows:
        del win['_state']
    return windows


def find_stalls(records, threshold, latency=None):
    """Successful probes answered ``threshold`` s slower than the median.

    Each stall is ``{start, end, duration_s, start_bounds, end_bounds,
    duration_bounds, latency[, request_id]}``:
    the API answered nothing from about ``start`` (between the previous
    answer and this probe's send time) to ``end`` (its answer minus one
    median latency), though every request was answered in the end.
    ``latency``: ``(median, p99)`` of the successful probes.
    """
    if latency is None:
        records, latency = _typical(records)
    median, p99 = latency
    out = []
    prev = None
    for r in records:
        lat = r.get('latency', 0.0)
        if r['ok'] and lat - median >= threshold:
            answered = r['time'] + lat
            since = r['time'] if prev is None else min(
                r['time'], prev['time'] + prev.get('latency', 0.0))
            start = (since + r['time']) / 2.0
            end = answered - median
            # it began after the previous probe was sent and before this
            # one would have been answered; it ended before the answer,
            # about one service time (at most the p99) before it
            out.append({'start': round(start, 6), 'end': round(end, 6),
                        'duration_s': round(end - start, 6),
                        'start_bounds': [
                            round(r['time'] if prev is None
                                  else prev['time'], 6),
                            round(r['time'] + max(p99, median), 6)],
                        'end_bounds': [round(answered - max(p99, median),
                                             6), round(answered, 6)],
                        'duration_bounds': [
                            round(max(0.0, lat - p99), 6),
                            round(answered - (since if prev is None
                                              else prev['time']), 6)],
                        'latency': lat})
            if r.get('request_id'):
                out[-1]['request_id'] = r['request_id']
        prev = r
    return out
