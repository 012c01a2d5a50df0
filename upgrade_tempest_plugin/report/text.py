"""The short summary a person reads first, on the console.

The verdict and its first reasons, one line per API (each of its series:
uptime, windows, longest), the first downtime windows, one line for the
persistent resources and one for the traced calls. Everything else is in
report.html and report.json.
"""

from upgrade_tempest_plugin.report import lanes
from upgrade_tempest_plugin.report import tables
from upgrade_tempest_plugin.report import timeutil

FIRST = 5
NEAR_MAX = 60


def _pct(value):
    return 'n/a' if value is None else '%.2f %%' % value


def _api_line(group):
    rows = group['rows']
    text = ', '.join('%s %s' % (r['kind'], _pct(r['uptime_pct']))
                     for r in rows)
    windows = sum(r['windows'] for r in rows)
    if windows:
        worst = max(rows, key=lambda r: r['longest_s'])
        text += '; %d window%s, longest %.1f s (%s)' % (
            windows, '' if windows == 1 else 's', worst['longest_s'],
            worst['kind'])
    return '  %-10s %-4s %s' % (group['api'], 'pass' if group['passed']
                                else 'FAIL', text)


def _window(series, w):
    bounds = w.get('duration_bounds')
    near = ', '.join(m['text'] for m in w.get('markers') or [])
    if len(near) > NEAR_MAX:
        near = near[:NEAR_MAX - 3] + '...'
    return '  %s %-18s down %.2f s%s, %s%s%s' % (
        lanes.clock(timeutil.to_epoch(w['start'])), series,
        w['duration_s'], ' [%.2f..%.2f]' % tuple(bounds) if bounds else '',
        ', '.join('%s x%d' % kv for kv in sorted(
            (w.get('errors') or {}).items())) or 'no error recorded',
        ', during: %s' % near if near else '',
        ' [control: probing host, not counted]' if w.get('control') else '')


def _backend_lines(report, limit=2 * FIRST):
    rows = tables.backend_rows(report)
    if not rows:
        return []
    lines = ['Endpoint and backends, by phase (windows):']
    for r in rows[:limit]:
        lines.append('  %s, %s: endpoint %s; %s; control %d' % (
            r['api'], r['phase'], tables.cell_text(r['endpoint']),
            '; '.join('%s %s' % (t, tables.cell_text(c))
                      for t, c in r['backends']), r['control']))
    if len(rows) > limit:
        lines.append('  ... and %d more (report.html)' % (len(rows) - limit))
    return lines


def render(report):
    """Return the summary as a string (a few lines)."""
    verdict = report['verdict']
    lines = ['Upgrade report: %s' % ('PASSED' if verdict['passed']
                                     else 'FAILED')]
    failures = verdict['failures']
    lines += ['  - %s' % f for f in failures[:FIRST]]
    if len(failures) > FIRST:
        lines.append('  - ... and %d more (report.html)'
                     % (len(failures) - FIRST))
    uptime = report.get('uptime') or {}
    if uptime.get('services') and not any(
            v is not None for v in (uptime.get('thresholds') or {}).values()):
        lines.append('  (no uptime thresholds set: downtime is measured, '
                     'not judged)')
    steps = report.get('steps') or []
    if steps:
        bad = sum(1 for s in steps if not s.get('ok', True))
        lines.append('Rehearsal steps: %d, %s' % (
            len(steps), '%d failed' % bad if bad else 'all ok'))
    versions = tables.version_rows(report)
    if versions:
        lines.append('Versions: %s' % ', '.join(
            '%s %s -> %s' % (r['project'], r['before'], r['after'])
            if r['changed'] else '%s %s (unchanged)' % (
                r['project'], r['before']) for r in versions))
    groups = tables.api_rows(report)
    if groups:
        lines.append('APIs:')
        lines += [_api_line(group) for group in groups]
    for name, reason in sorted((uptime.get('skipped') or {}).items()):
        lines.append('  %-10s skipped: %s' % (name, reason))
    lines += _backend_lines(report)
    first, more = tables.first_windows(report, FIRST)
    if first:
        lines.append('First downtime windows (UTC):')
        lines += [_window(name, w) for name, w in first]
        if more:
            lines.append('  ... and %d more (report.html)' % more)
    runs = tables.persistent_rows(report)
    if runs:
        lines.append('Persistent resources: %s' % '; '.join(
            'verify %s %s (%d checked, %d difference%s)' % (
                r['run'], 'ok' if r['passed'] else 'FAILED', r['checked'],
                len(r['differences']),
                '' if len(r['differences']) == 1 else 's') for r in runs))
        diffs = [(r['run'], d) for r in runs for d in r['differences']]
        lines += ['  %s: %s %s expected %r, got %r' % (
            run, d['resource'], d['field'], d['expected'], d['actual'])
            for run, d in diffs[:FIRST]]
        if len(diffs) > FIRST:
            lines.append('  ... and %d more (report.html)'
                         % (len(diffs) - FIRST))
    stats = tables.stats_rows(report)
    if stats:
        failed = [r for r in stats if r['failures']]
        lines.append('Traced API calls: %d in %d method(s), %d failed%s' % (
            sum(r['passes'] + r['failures'] for r in stats), len(stats),
            sum(r['failures'] for r in stats),
            ' (most: %s x%d)' % (failed[0]['method'], failed[0]['failures'])
            if failed else ''))
    return '\n'.join(lines) + '\n'
