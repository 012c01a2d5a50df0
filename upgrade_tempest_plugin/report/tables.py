"""The rows of the report's tables, shared by the HTML page and the
console summary: plain values, formatted by the renderers."""

from upgrade_tempest_plugin.report import lanes as lanes_mod
from upgrade_tempest_plugin.report import timeutil


def violation_text(v, window=False):
    """One line for a threshold violation (``thresholds.check``), and
    with ``window`` the start and length of the window that broke it."""
    if 'threshold' not in v:
        return str(v.get('message', v))
    actual = v.get('actual')
    text = '%s %s %s limit %s' % (
        v['threshold'], round(actual, 3) if isinstance(actual, float)
        else actual, 'is below' if v['threshold'] == 'uptime %'
        else 'exceeds', v.get('limit'))
    w = v.get('window')
    if window and w:
        bounds = w.get('duration_bounds')
        text += ' (window at %s UTC, %.2f s%s)' % (
            lanes_mod.clock(timeutil.to_epoch(w['start'])), w['duration_s'],
            ' [%.2f..%.2f]' % tuple(bounds) if bounds else '')
    return text


def threshold_result(entry, thresholds):
    """(passed, text) of one series against the run's thresholds (the
    control and backend series are not judged: ``uptime.thresholds``)."""
    if entry.get('kind') == 'control':
        return True, 'not judged: the probing host\'s own control'
    if entry.get('backend'):
        return True, 'not judged: one backend (the endpoint is)'
    problems = [violation_text(v) for v in entry.get('violations') or []]
    if entry.get('left_behind'):
        problems.append('probe resources left behind: %s'
                        % ', '.join(entry['left_behind']))
    if problems:
        return False, '; '.join(problems)
    if not any(v is not None for v in (thresholds or {}).values()):
        return True, 'no thresholds set'
    return True, 'within thresholds'


def series_row(name, api, entry, thresholds):
    windows = entry.get('windows') or []
    passed, result = threshold_result(entry, thresholds)
    return {
        'series': name, 'kind': lanes_mod.kind_of(name, api),
        'uptime_pct': entry.get('uptime_pct'),
        'downtime_s': entry.get('total_downtime_s') or 0.0,
        'downtime_bounds': entry.get('total_downtime_bounds'),
        'windows': len(windows),
        'control_windows': sum(1 for w in windows if w.get('control')),
        'target': entry.get('target'),
        'longest_s': entry.get('longest_downtime_s') or 0.0,
        'failed': entry.get('failed_requests', 0),
        'total': entry.get('total_requests', 0),
        'p95_s': (entry.get('latency') or {}).get('p95'),
        'stalls': len(entry.get('stalls') or []),
        'passed': passed, 'threshold': result}


def api_rows(report):
    """Return [{api, passed, rows: [series_row]}] grouped by API."""
    uptime = report.get('uptime') or {}
    services = uptime.get('services') or {}
    thresholds = uptime.get('thresholds') or {}
    out = []
    for api, names in lanes_mod.api_groups(services):
        rows = [series_row(n, api, services[n], thresholds) for n in names]
        out.append({'api': api, 'passed': all(r['passed'] for r in rows),
                    'rows': rows})
    return out


def first_windows(report, limit=5):
    """Return (the first ``limit`` downtime windows of every series by
    start time as (series, window), how many more there are)."""
    services = (report.get('uptime') or {}).get('services') or {}
    found = sorted(((timeutil.to_epoch(w['start']), name, w)
                    for name, entry in services.items()
                    for w in entry.get('windows') or []),
                   key=lambda item: (item[0], item[1]))
    return ([(name, w) for _, name, w in found[:limit]],
            max(0, len(found) - limit))


def persistent_rows(report):
    """Return [{run, passed, checked, differences: [{resource, field,
    expected, actual}]}], one per verify run."""
    out = []
    for run in report.get('persistent') or []:
        out.append({
            'run': run.get('label') or run.get('file'),
            'passed': run['passed'],
            'checked': len(run.get('resources_checked') or []),
            'failed_resources': sum(1 for r in run.get('resources_checked')
                                    or [] if not r.get('ok', True)),
            'differences': [{
                'resource': '%s %s' % (d.get('resource_type'),
                                       d.get('name')),
                'field': d.get('field'), 'expected': d.get('expected'),
                'actual': d.get('actual')}
                for d in run.get('differences') or []]})
    return out


def stats_rows(report):
    """Return the traced API calls, [{method, passes, failures,
    whitelisted, p95_s, errors}], most failures first."""
    rows = [{'method': method, 'passes': s.get('passes', 0),
             'failures': s.get('failures', 0),
             'whitelisted': s.get('whitelisted', 0),
             'p95_s': (s.get('latency') or {}).get('p95'),
             'errors': s.get('errors') or {}}
            for method, s in (report.get('stats') or {}).items()]
    return sorted(rows, key=lambda r: (-r['failures'], r['method']))


def version_rows(report):
    """One row per project of a rehearsal: its version before and after
    the upgrade (None where unknown)."""
    versions = report.get('versions') or {}
    before = versions.get('before') or {}
    after = versions.get('after') or {}
    return [{'project': p, 'before': before.get(p), 'after': after.get(p),
             'changed': before.get(p) != after.get(p)}
            for p in sorted(set(before) | set(after))]


NO_MARKER = '(no marker)'


def seen_span(window):
    """(start, end), epoch: from a window's first failed probe to its last
    (``start_bounds[1]``, ``end_bounds[0]``; one failure is a point),
    when it was seen down; without bounds, its estimated start and end
    (between the last good probe and the first failed one, and so on)."""
    first_bad = (window.get('start_bounds') or [None, None])[1]
    last_bad = (window.get('end_bounds') or [None, None])[0]
    if first_bad is not None and last_bad is not None:
        start = timeutil.to_epoch(first_bad)
        return start, max(start, timeutil.to_epoch(last_bad))
    return (timeutil.to_epoch(window['start']),
            timeutil.to_epoch(window['end']))


def phase_overlaps(window):
    """[(marker text, seconds)]: how long the window's ``seen_span``
    lies in each phase it lists (>= 0: met, a single failure in its phase
    counts 0; < 0: missed by that much)."""
    markers = window.get('markers') or []
    start, end = seen_span(window)
    out = []
    for i, marker in enumerate(markers):
        phase_end = (timeutil.to_epoch(markers[i + 1]['time'])
                     if i + 1 < len(markers) else max(end, start))
        out.append((marker['text'], min(end, phase_end) -
                    max(start, timeutil.to_epoch(marker['time']))))
    return out


def phase_of(window):
    """The one phase (marker text) a window belongs to: the one its
    ``seen_span`` spends longest in. A marker is dated when its writer
    wrote it and a window's estimated start lies anywhere between its
    last good probe and first failed one, so its estimate can begin just
    before the marker of the step that caused it, or a single failed
    write probe (0.5/s) be estimated a second either side of it."""
    found = phase_overlaps(window)
    if not found:
        return NO_MARKER
    return max(found, key=lambda item: item[1])[0]


def _cell_of(windows):
    """Windows of one place (the endpoint's series, or one backend's)
    merged where they overlap: one outage seen by two series is one."""
    spans = []
    for w in sorted(windows, key=lambda w: timeutil.to_epoch(w['start'])):
        start, end = (timeutil.to_epoch(w['start']),
                      timeutil.to_epoch(w['end']))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return {'windows': len(spans),
            'failed': sum(w.get('failed_probes', 0) for w in windows),
            'longest_s': max([e - s for s, e in spans] or [0.0])}


def backend_rows(report):
    """The endpoint beside its backends, phase by phase: for each API
    probed at its backends too (``<api>@<host:port>`` series) and each
    phase (``phase_of``) in which one of its series or the control had a
    window, ``{api, phase, endpoint, backends: [(host:port, cell)],
    control}``; a cell is ``{windows, failed, longest_s}`` over the
    endpoint's series (every kind through the catalog endpoint) or one
    backend's, overlapping windows merged, and ``control`` counts the
    control's windows in that phase. Phases come in the order of their
    first window. A drained rolling restart reads ``endpoint 0 windows``
    and one window per backend; an undrained stop shows what the
    balancer let through beside the backend that caused it."""
    services = (report.get('uptime') or {}).get('services') or {}
    control = {}
    for entry in services.values():
        if entry.get('kind') == 'control':
            for w in entry.get('windows') or []:
                phase = phase_of(w)
                control[phase] = control.get(phase, 0) + 1
    out = []
    for api, names in lanes_mod.api_groups(services):
        targets = sorted({services[n]['backend'] for n in names
                          if services[n].get('backend')})
        if not targets:
            continue
        seen, first = {}, {}
        for name in names:
            where = services[name].get('backend') or 'endpoint'
            for w in services[name].get('windows') or []:
                start, phase = timeutil.to_epoch(w['start']), phase_of(w)
                seen.setdefault(phase, {}).setdefault(where, []).append(w)
                first[phase] = min(first.get(phase, start), start)
        for phase in sorted(seen, key=lambda p: (first[p], p)):
            out.append({'api': api, 'phase': phase,
                        'endpoint': _cell_of(seen[phase].get('endpoint', [])),
                        'backends': [(t, _cell_of(seen[phase].get(t, [])))
                                     for t in targets],
                        'control': control.get(phase, 0)})
    return out


def cell_text(cell):
    """``0 windows`` or ``2 windows, 5 failed, longest 1.42 s``."""
    if not cell['windows']:
        return '0 windows'
    return '%d window%s, %d failed, longest %.2f s' % (
        cell['windows'], '' if cell['windows'] == 1 else 's',
        cell['failed'], cell['longest_s'])
