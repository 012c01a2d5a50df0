"""The short summary a person reads first, on the console."""


def _pct(value):
    return 'n/a' if value is None else '%.2f %%' % value


def _ms(latency, key):
    if not latency or latency.get(key) is None:
        return 'n/a'
    return '%.0f ms' % (1000.0 * latency[key])


def render(report):
    """Return the summary as a string (several lines)."""
    lines = []
    verdict = report['verdict']
    lines.append('Upgrade report: %s' % ('PASSED' if verdict['passed']
                                         else 'FAILED'))
    for failure in verdict['failures']:
        lines.append('  - %s' % failure)
    if report['steps']:
        lines.append('Steps:')
        for step in report['steps']:
            lines.append('  %-4s %-45s %7.1f s' % (
                'ok' if step.get('ok', True) else 'FAIL', step['name'],
                step.get('duration_s') or 0.0))
    uptime = report.get('uptime')
    if uptime:
        lines.append('API uptime:')
        for name, entry in sorted(uptime['services'].items()):
            lines.append(
                '  %-14s %9s  %d/%d ok, %d window(s), longest %.1f s, '
                'total down %.1f s, p95 %s' % (
                    name, _pct(entry.get('uptime_pct')),
                    entry.get('successful_requests', 0),
                    entry.get('total_requests', 0),
                    len(entry.get('windows', [])),
                    entry.get('longest_downtime_s') or 0.0,
                    entry.get('total_downtime_s') or 0.0,
                    _ms(entry.get('latency'), 'p95')))
            for window in entry.get('windows', []):
                near = ', '.join(m['text'] for m in window.get('markers', []))
                bounds = window.get('duration_bounds')
                lines.append('      down %s .. %s (%.2f s%s, %s)%s' % (
                    window['start'], window['end'], window['duration_s'],
                    ' [%.2f..%.2f]' % tuple(bounds) if bounds else '',
                    ', '.join('%s x%d' % kv for kv in sorted(
                        window.get('errors', {}).items())),
                    ' during: %s' % near if near else ''))
        for name, reason in sorted(uptime.get('skipped', {}).items()):
            lines.append('  %-14s skipped: %s' % (name, reason))
    if report['persistent']:
        lines.append('Persistent resources:')
        for run in report['persistent']:
            lines.append('  verify %-12s %s: %d resource(s) checked, '
                         '%d difference(s)' % (
                             run['label'] or '-', 'ok' if run['passed']
                             else 'FAILED',
                             len(run.get('resources_checked', [])),
                             len(run.get('differences', []))))
            for diff in run.get('differences', []):
                lines.append('      %s %s: %s expected %r, got %r' % (
                    diff.get('resource_type'), diff.get('name'),
                    diff.get('field'), diff.get('expected'),
                    diff.get('actual')))
    stats = report['stats']
    if stats:
        calls = sum(s['passes'] + s['failures'] for s in stats.values())
        failed = sum(s['failures'] for s in stats.values())
        lines.append('Traced API calls: %d in %d method(s), %d failed'
                     % (calls, len(stats), failed))
    return '\n'.join(lines) + '\n'
