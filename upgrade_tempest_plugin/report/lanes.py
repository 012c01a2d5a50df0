"""The lanes of the timeline, shared by the HTML and the PNG renderers.

One time axis, one lane per row, top to bottom:

- ``steps``: the rehearsal's steps (``rehearsal.json``), one bar each,
  green or red;
- ``markers``: the phase markers (``markers.jsonl``), one point each;
- ``verify <label>``: one lane per verify label, a bar per verify run,
  green or red;
- one lane per uptime series, grouped by API (the series' ``service``
  in the summary, else the part of its name before the first ``-``): the
  API's own series first (``nova``: a new connection per probe), then
  the others by name (``nova-keepalive``, ``nova-write``, a backend's
  ``nova@127.0.0.1:18774`` and ``nova-pulse@127.0.0.1:18774``, any later
  kind); the ``control`` series (the probing host's own) is a group of
  its own. Each downtime window is a ``window`` bar, each slow answer a
  ``stall`` bar (``control``: the control saw it too), and the probed
  period the lane's ``span``.

A lane is a plain dict (``key``, ``label``, ``group``, ``kind``,
``span``, ``bars``); a bar is ``{id, kind, start, end, ok, hover}`` with
epoch times and ``hover`` a list of text lines. The renderers only draw
what this module decided.
"""

from upgrade_tempest_plugin.report import timeutil

EVENT_GROUP = 'events'
MARKER_TEXT_MAX = 64


def api_of(name, entry=None):
    """The API a series belongs to (``nova-keepalive``,
    ``nova@127.0.0.1:18774`` -> ``nova``)."""
    service = (entry or {}).get('service')
    if service and (name == service or name.startswith(service + '-')
                    or name.startswith(service + '@')):
        return service
    return name.split('@', 1)[0].split('-', 1)[0]


def api_groups(services):
    """Return [(api, [series, ...])], APIs by name, each API's own series
    first then the others by name."""
    groups = {}
    for name in services:
        groups.setdefault(api_of(name, services[name]), []).append(name)
    return [(api, sorted(names, key=lambda n: (n != api, n)))
            for api, names in sorted(groups.items())]


def kind_of(name, api):
    """The series kind shown in legends: ``new`` (a new connection per
    probe) for the API's own series, else what follows ``<api>-``
    (``keepalive``, ``write``; a backend's ``new@<host:port>``,
    ``pulse@<host:port>``)."""
    if name == api:
        return 'new'
    if name.startswith(api + '@'):
        return 'new' + name[len(api):]
    return name[len(api) + 1:] if name.startswith(api + '-') else name


def _t(value):
    return timeutil.to_epoch(value)


def clock(epoch):
    """``HH:MM:SS.mmm`` UTC of an epoch time (the axis is UTC)."""
    return timeutil.to_iso(epoch)[11:23]


def _bounds(pair, fmt):
    if not pair or None in pair:
        return ''
    return ' [%s .. %s]' % (fmt(pair[0]), fmt(pair[1]))


def _seconds(value):
    return '%.2f s' % value


def _clock_of(value):
    return clock(_t(value))


def _marker_lines(markers):
    return ['during: %s' % m['text'] for m in markers or []]


def window_hover(series, w):
    """The hover lines of one downtime window."""
    lines = ['%s down%s' % (series, ' (still down at the end)'
                            if w.get('open') else ''),
             'start %s%s' % (_clock_of(w['start']),
                             _bounds(w.get('start_bounds'), _clock_of)),
             'end %s%s' % (_clock_of(w['end']),
                           _bounds(w.get('end_bounds'), _clock_of)),
             'duration %s%s' % (_seconds(w['duration_s']),
                                _bounds(w.get('duration_bounds'),
                                        _seconds)),
             '%d failed probe(s): %s' % (w.get('failed_probes', 0), ', '.join(
                 '%s x%d' % kv for kv in sorted(
                     (w.get('errors') or {}).items())) or '-')]
    if w.get('skipped_ticks'):
        lines.append('%d probe tick(s) skipped (prober busy)'
                     % w['skipped_ticks'])
    ids = w.get('request_ids') or []
    if ids:
        more = len(ids) - 5 + (w.get('request_ids_left_off') or 0)
        answered = w.get('answered_request_ids') or {}
        lines.append('request ids sent: %s%s' % (', '.join(
            i + (' (answered %s)' % answered[i] if i in answered else '')
            for i in ids[:5]), ' and %d more' % more if more > 0 else ''))
    if w.get('target'):
        lines.append('seen on %s' % w['target'])
    return lines + _control_lines(w) + _marker_lines(w.get('markers'))


def _control_lines(item):
    span = item.get('control_window') if item.get('control') else None
    if not span:
        return []
    return ['control saw it too (%s .. %s): trouble on the probing host,'
            % (_clock_of(span['start']), _clock_of(span['end'])),
            'not counted as downtime']


def stall_hover(series, s):
    lines = ['%s slow answer (stall)' % series,
             'start %s, end %s' % (_clock_of(s['start']), _clock_of(s['end'])),
             'duration %s%s' % (_seconds(s['duration_s']),
                                _bounds(s.get('duration_bounds'), _seconds))]
    if s.get('latency') is not None:
        lines.append('answer latency %.0f ms' % (1000.0 * s['latency']))
    return lines + _control_lines(s) + _marker_lines(s.get('markers'))


def series_lane(name, api, entry):
    bars = []
    for i, w in enumerate(entry.get('windows') or []):
        bars.append({'id': '%s#w%d' % (name, i), 'kind': 'window',
                     'start': _t(w['start']), 'end': _t(w['end']),
                     'ok': False, 'open': bool(w.get('open')),
                     'control': bool(w.get('control')),
                     'hover': window_hover(name, w)})
    for i, s in enumerate(entry.get('stalls') or []):
        bars.append({'id': '%s#s%d' % (name, i), 'kind': 'stall',
                     'start': _t(s['start']), 'end': _t(s['end']),
                     'ok': True, 'control': bool(s.get('control')),
                     'hover': stall_hover(name, s)})
    start, end = _t(entry.get('start_time')), _t(entry.get('end_time'))
    return {'key': name, 'label': name, 'group': api,
            'kind': 'series', 'series_kind': kind_of(name, api),
            'span': (start, end) if start is not None and end is not None
            else None, 'bars': bars}


def shorten(text, limit=MARKER_TEXT_MAX):
    return text if len(text) <= limit else text[:limit - 3] + '...'


def step_bar(i, s):
    end = s.get('end_time') or s['start_time']
    return {'id': 'step#%d' % i, 'kind': 'step', 'shade': step_shade(i),
            'start': _t(s['start_time']), 'end': _t(end),
            'ok': bool(s.get('ok', True)),
            'hover': ['step: %s (%s)' % (s['name'], 'ok' if s.get('ok', True)
                                         else 'FAILED'),
                      '%s .. %s, %.1f s' % (_clock_of(s['start_time']),
                                            _clock_of(end),
                                            s.get('duration_s') or 0.0)]
            + ([shorten(s['detail'])] if s.get('detail') else [])}


def pack(bars):
    """Split bars into rows where none overlaps another: a step that
    spans others (a verify run in the background of the restarts) gets a
    row of its own instead of hiding them. The shortest bars are placed
    first, so the steps in sequence stay together on the first row and
    the long ones in the background move down."""
    rows = []
    for bar in sorted(bars, key=lambda b: (b['end'] - b['start'],
                                           b['start'])):
        for row in rows:
            if all(bar['end'] <= b['start'] or bar['start'] >= b['end']
                   for b in row):
                row.append(bar)
                break
        else:
            rows.append([bar])
    return [sorted(row, key=lambda b: b['start']) for row in rows]


def event_lanes(report):
    """The lanes of what happened: steps, markers, verify runs."""
    lanes = []
    steps = [s for s in report.get('steps') or []
             if s.get('start_time') is not None]
    bars = [step_bar(i, s) for i, s in enumerate(steps)]
    for row, packed in enumerate(pack(bars)):
        lanes.append({'key': 'steps' if not row else 'steps %d' % (row + 1),
                      'label': 'upgrade steps' if not row
                      else 'upgrade steps (%d)' % (row + 1),
                      'group': EVENT_GROUP, 'kind': 'steps', 'span': None,
                      'bars': packed})
    markers = report.get('markers') or []
    if markers:
        lanes.append({'key': 'markers', 'label': 'markers',
                      'group': EVENT_GROUP, 'kind': 'markers', 'span': None,
                      'bars': [{'id': 'marker#%d' % i, 'kind': 'marker',
                                'number': i + 1, 'start': _t(m['time']),
                                'end': _t(m['time']), 'ok': True,
                                'hover': ['%d. %s' % (i + 1, m['text']),
                                          _clock_of(m['time'])]}
                               for i, m in enumerate(markers)]})
    verify = {}
    for i, run in enumerate(report.get('persistent') or []):
        start = _t(run.get('start_time'))
        if start is None:
            continue
        end = _t(run.get('end_time')) or start
        label = 'verify %s' % (run.get('label') or 'run')
        diffs = run.get('differences') or []
        lane = verify.setdefault(label, {
            'key': label, 'label': label, 'group': EVENT_GROUP,
            'kind': 'verify', 'span': None, 'bars': []})
        lane['bars'].append({
            'id': 'verify#%d' % i, 'kind': 'verify', 'start': start,
            'end': end, 'ok': bool(run['passed']),
            'hover': ['%s: %s' % (label, 'ok' if run['passed']
                                  else 'FAILED'),
                      '%s .. %s' % (clock(start), clock(end)),
                      '%d resource(s) checked, %d difference(s)' % (
                          len(run.get('resources_checked') or []),
                          len(diffs))]
            + ['%s %s: %s expected %r, got %r' % (
                d.get('resource_type'), d.get('name'), d.get('field'),
                d.get('expected'), d.get('actual')) for d in diffs[:5]]})
    return lanes + list(verify.values())


def build(report):
    """Return the lanes of ``report``, top to bottom."""
    services = (report.get('uptime') or {}).get('services') or {}
    lanes = event_lanes(report)
    for api, names in api_groups(services):
        lanes += [series_lane(n, api, services[n]) for n in names]
    return lanes


def time_range(lanes):
    """(start, end) of the axis: the probed period with the markers and
    verify runs; the rehearsal's steps only when nothing else is there
    (bringing a cloud up before the probes start would squeeze the
    upgrade into a corner; bars outside are clipped by the renderers)."""
    times = []
    for lane in lanes:
        if lane['span']:
            times += list(lane['span'])
        if lane['kind'] != 'steps':
            times += [t for b in lane['bars'] for t in (b['start'], b['end'])]
    if not times:
        times = [t for lane in lanes for b in lane['bars']
                 for t in (b['start'], b['end'])]
    if not times:
        return None
    start, end = min(times), max(times)
    margin = max(1.0, 0.01 * (end - start))
    return start - margin, end + margin


def drawn(start, end, axis, min_fraction=1.0 / 400):
    """(start, end) of a bar as drawn: clipped to ``axis`` and at least
    ``min_fraction`` of it wide, so a 0.3 s window in an hour-long run
    stays visible (its hover and the tables give the true times);
    None when the bar is outside the axis."""
    lo, hi = axis
    if end < lo or start > hi:
        return None
    start, end = max(start, lo), min(end, hi)
    least = (hi - lo) * min_fraction
    if end - start < least:
        middle = (start + end) / 2.0
        start, end = middle - least / 2.0, middle + least / 2.0
    return start, end


def marker_labels(lane, axis, min_gap_fraction=0.015):
    """[(epoch, text)] of the numbers written in the markers lane:
    markers closer together than ``min_gap_fraction`` of the axis share
    one label (``1-3``) instead of printing over each other."""
    gap = (axis[1] - axis[0]) * min_gap_fraction
    clusters = []
    for bar in sorted(lane['bars'], key=lambda b: b['start']):
        if clusters and bar['start'] - clusters[-1][-1]['start'] < gap:
            clusters[-1].append(bar)
        else:
            clusters.append([bar])
    return [(c[0]['start'], str(c[0]['number']) if len(c) == 1 else
             '%d-%d' % (c[0]['number'], c[-1]['number'])) for c in clusters]


def step_shade(index):
    """Adjacent steps alternate between two shades (0, 1) so that each
    step of a long run of passed steps can be told from the next."""
    return index % 2
