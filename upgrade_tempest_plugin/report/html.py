"""The HTML report: one self-contained page (plotly.js embedded).

Top to bottom: the verdict and its reasons; a rehearsal's versions of
each project before and after the upgrade; a table per API (one row per
series: uptime, downtime with its bounds, longest window, failed/total
probes, p95 latency, threshold result), coloured pass/fail; the lane
chart (see :mod:`upgrade_tempest_plugin.report.chart`), with under it the
latency of each API on the same time axis; the persistent verify results
(resource, field, expected, actual); the traced API calls (a table sorted
by clicking a column heading).

The page checks itself, for people and for headless browsers alike: it
records any script error in the ``data-js-errors`` attribute of ``<body>``
and, once plotly has drawn the chart (``data-render-status`` becomes
``rendered``), the lane labels it drew (``data-lane-labels``) and how
many bars of each trace have a visible width (``data-drawn-bars``, e.g.
``{"nova windows": 1, ...}``).
"""

import html as html_escape
import json

from upgrade_tempest_plugin.report import chart
from upgrade_tempest_plugin.report import lanes as lanes_mod
from upgrade_tempest_plugin.report import style
from upgrade_tempest_plugin.report import tables
from upgrade_tempest_plugin.report import timeutil

CHART_ID = 'timeline'
figure = chart.figure      # (plotly Figure, lanes) of the timeline


def _pct(value):
    return 'n/a' if value is None else '%.2f %%' % value


def _ms(seconds):
    return 'n/a' if seconds is None else '%.0f ms' % (1000.0 * seconds)


def _cell(value, sort=None, span=None):
    attrs = ''
    if sort is not None:
        attrs += ' data-sort="%s"' % html_escape.escape(str(sort))
    if span:
        attrs += ' colspan="%d"' % span
    return '<td%s>%s</td>' % (attrs, html_escape.escape(str(value)))


def _verdict(report):
    verdict = report['verdict']
    word = 'PASSED' if verdict['passed'] else 'FAILED'
    items = ''.join('<li>%s</li>' % html_escape.escape(f)
                    for f in verdict['failures'])
    notes = []
    uptime = report.get('uptime') or {}
    if uptime.get('services') and not any(
            v is not None for v in (uptime.get('thresholds') or {}).values()):
        notes.append('No uptime thresholds were set for this run: the '
                     'downtime below is measured, not judged.')
    if verdict['passed']:
        notes.insert(0, 'Every check passed.')
    return ('<h1>Upgrade report: <span class="%s">%s</span></h1>\n'
            '<ul id="reasons">%s</ul>%s' % (
                word.lower(), word, items, ''.join(
                    '<p class="note">%s</p>' % html_escape.escape(n)
                    for n in notes)))


def _table(table_id, headings, cls=None):
    """The opening of a table and its heading row (plain-text headings)."""
    return '<table id="%s"%s><thead><tr>%s</tr></thead>' % (
        table_id, ' class="%s"' % cls if cls else '',
        ''.join('<th>%s</th>' % html_escape.escape(h) for h in headings))


def _row(cells, cls=None):
    return '<tr%s>%s</tr>' % (' class="%s"' % cls if cls is not None else '',
                              ''.join(cells))


def _passed(passed):
    return 'pass' if passed else 'fail'


def _api_table(report):
    groups = tables.api_rows(report)
    if not groups:
        return ''
    out = ['<h2>APIs</h2>' + _table('apis', (
        'API', 'series', 'uptime', 'downtime total [bounds]', 'windows',
        'longest', 'failed / total probes', 'p95 latency', 'slow answers',
        'thresholds'))]
    for group in groups:
        out.append('<tbody class="%s">' % _passed(group['passed']))
        for n, r in enumerate(group['rows']):
            bounds = r['downtime_bounds']
            head = ['<th rowspan="%d">%s</th>' % (
                len(group['rows']), html_escape.escape(group['api']))
                ] if n == 0 else []
            out.append(_row(head + [
                _cell(r['series']), _cell(_pct(r['uptime_pct'])),
                _cell('%.2f s%s' % (r['downtime_s'], ' [%.2f .. %.2f]'
                                    % tuple(bounds) if bounds
                                    and r['windows'] else '')),
                _cell('%d%s' % (r['windows'], ' (%d control)'
                                % r['control_windows']
                                if r['control_windows'] else '')),
                _cell('%.2f s' % r['longest_s']),
                _cell('%d / %d' % (r['failed'], r['total'])),
                _cell(_ms(r['p95_s'])), _cell(r['stalls']),
                _cell(r['threshold'])], _passed(r['passed'])))
        out.append('</tbody>')
    skipped = (report.get('uptime') or {}).get('skipped') or {}
    out.append('</table>')
    out += ['<p class="note">%s not probed: %s</p>' % (
        html_escape.escape(name), html_escape.escape(reason))
        for name, reason in sorted(skipped.items())]
    return '\n'.join(out)


def _backend_table(report):
    rows = tables.backend_rows(report)
    if not rows:
        return ''
    width = max(len(r['backends']) for r in rows)
    out = ['<h2>Endpoint and backends</h2><p class="note">For each API '
           'probed at its backends too, each phase (marker) in which a '
           'series of it or the control had a window: the windows through '
           'the catalog endpoint (what users saw) beside each backend\'s '
           'own and the control\'s (trouble on the probing host). A '
           'drained rolling restart reads 0 at the endpoint and 1 per '
           'backend.</p>' + _table('backends', (
               'API', 'phase', 'endpoint') + tuple(
               'backend %d' % (i + 1) for i in range(width)) + (
               'control',))]
    out.append('<tbody>')
    for r in rows:
        cells = [_cell(r['api']), _cell(r['phase']),
                 _cell(tables.cell_text(r['endpoint']))]
        cells += [_cell('%s: %s' % (target, tables.cell_text(cell)))
                  for target, cell in r['backends']]
        cells += [_cell('')] * (width - len(r['backends']))
        cells.append(_cell('%d window%s' % (
            r['control'], '' if r['control'] == 1 else 's')))
        out.append(_row(cells, 'fail' if r['endpoint']['windows'] else
                        'pass'))
    out.append('</tbody></table>')
    return '\n'.join(out)


def _legend(lanes):
    colors = style.kind_colors(lanes)
    swatches = [(style.PROBED, 'probed, up'),
                (style.WINDOW, 'downtime window'),
                (style.OPEN_WINDOW, 'still down at the end'),
                (style.STALL, 'slow answer (stall)'),
                (style.CONTROL, 'probing host trouble (control saw it)'),
                (style.OK, 'step / verify ok'), (style.FAILED, 'failed'),
                (style.MARKER, 'marker (numbered)')]
    kinds = [(colors[k], 'latency: %s' % k) for k in colors]
    return '<p class="legend">%s</p>' % ' '.join(
        '<span><i style="background:%s"></i>%s</span>' % (
            c, html_escape.escape(t)) for c, t in swatches + kinds)


def _versions_table(report):
    rows = tables.version_rows(report)
    if not rows:
        return ''
    return ('<h2>Versions</h2><p class="note">Each project\'s release '
            'before the upgrade and after it.</p>%s<tbody>%s</tbody>'
            '</table>' % (
                _table('versions', ('project', 'before', 'after')),
                ''.join(_row([_cell(r['project']),
                              _cell(r['before'] or 'unknown'),
                              _cell(r['after'] or 'unknown')],
                             'changed' if r['changed'] else 'same')
                        for r in rows)))


def _marker_table(report):
    markers = report.get('markers') or []
    if not markers:
        return ''
    return ('<details open><summary>Markers</summary>%s<tbody>%s</tbody>'
            '</table></details>' % (
                _table('markers', ('#', 'UTC', 'marker')), ''.join(
                    _row([_cell(n), _cell(lanes_mod.clock(
                        timeutil.to_epoch(m['time']))), _cell(m['text'])])
                    for n, m in enumerate(markers, 1))))


def _persistent_table(report):
    runs = tables.persistent_rows(report)
    if not runs:
        return ''
    out = ['<h2>Persistent resources</h2>%s<tbody>' % _table(
        'persistent', ('verify run', 'resource', 'field', 'expected',
                       'actual'))]
    for run in runs:
        if not run['differences']:
            out.append(_row([_cell(run['run']), _cell(
                '%d resource(s) checked, %s' % (
                    run['checked'], 'no differences' if run['passed'] else
                    'FAILED (%d resource(s))' % run['failed_resources']),
                span=4)], _passed(run['passed'])))
        for d in run['differences']:
            out.append(_row([_cell(run['run']), _cell(d['resource']),
                             _cell(d['field']),
                             _cell(json.dumps(d['expected'])),
                             _cell(json.dumps(d['actual']))], 'fail'))
    out.append('</tbody></table>')
    return '\n'.join(out)


def _stats_table(report):
    rows = tables.stats_rows(report)
    if not rows:
        return ''
    out = ['<h2>Traced API calls</h2><p class="note">Click a column heading '
           'to sort.</p>%s<tbody>' % _table(
               'calls', ('method', 'pass', 'fail', 'whitelisted', 'p95',
                         'errors'), 'sortable')]
    for r in rows:
        out.append(_row([
            _cell(r['method']), _cell(r['passes'], r['passes']),
            _cell(r['failures'], r['failures']),
            _cell(r['whitelisted'], r['whitelisted']),
            _cell(_ms(r['p95_s']), -1 if r['p95_s'] is None else r['p95_s']),
            _cell(', '.join('%s x%d' % kv for kv in sorted(
                r['errors'].items())))], 'fail' if r['failures'] else ''))
    out.append('</tbody></table>')
    return '\n'.join(out)


def render(report, probe_series):
    """Return the whole HTML page as a string."""
    fig, lanes = chart.figure(report, probe_series)
    drawn = fig.to_html(full_html=False, include_plotlyjs=True,
                        div_id=CHART_ID, config={'responsive': True,
                                                 'displaylogo': False})
    verdict = 'PASSED' if report['verdict']['passed'] else 'FAILED'
    return PAGE % {
        'title': html_escape.escape('Upgrade report: %s' % verdict),
        'verdict': _verdict(report),
        'apis': _api_table(report),
        'backends': _backend_table(report),
        'versions': _versions_table(report),
        'legend': _legend(lanes),
        'chart': drawn,
        'chart_id': CHART_ID,
        'markers': _marker_table(report),
        'persistent': _persistent_table(report),
        'calls': _stats_table(report),
        'source': html_escape.escape(report.get('source') or ''),
        'generated': html_escape.escape(report.get('generated_at') or ''),
    }


PAGE = '''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>%(title)s</title>
<script>
window.__reportErrors = [];
window.addEventListener('error', function (e) {
  window.__reportErrors.push(String(e.message));
  document.body && document.body.setAttribute(
    'data-js-errors', JSON.stringify(window.__reportErrors));
});
</script>
<style>
body { font-family: sans-serif; margin: 1.2em 1.5em; color: #222; }
h1 { margin-bottom: 0.3em; } h2 { margin: 1.2em 0 0.4em; }
.passed { color: #1e7b1e; } .failed { color: #c0201f; }
#reasons li { color: #c0201f; } .note { color: #555; margin: 0.3em 0; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
thead th { background: #eee; }
#apis td:not(:last-child) { white-space: nowrap; }
tr.pass td { background: #eef8ee; } tr.fail td { background: #fbe3e3; }
tr.same td { color: #777; }
tbody.pass > tr > th { background: #d7efd7; }
tbody.fail > tr > th { background: #f5c4c4; }
table.sortable thead th { cursor: pointer; }
table.sortable thead th:after { content: " \\2195"; color: #999; }
.legend span { margin-right: 1.2em; white-space: nowrap; font-size: 0.9em; }
.legend i { display: inline-block; width: 1.4em; height: 0.8em;
            margin-right: 0.35em; vertical-align: middle;
            border: 1px solid #bbb; }
footer { color: #777; font-size: 0.85em; margin-top: 2em; }
</style></head>
<body data-render-status="pending" data-js-errors="[]">
%(verdict)s
%(versions)s
%(apis)s
%(backends)s
<h2>Timeline (UTC)</h2>
%(legend)s
<p class="note">One lane per probe series, grouped by API; hover a bar for
its times, bounds, errors and markers; drag to zoom, double-click to reset.
Under the lanes: the slowest successful probe of each second, per API
(log scale).</p>
%(chart)s
%(markers)s
%(persistent)s
%(calls)s
<footer>Run directory %(source)s, report generated %(generated)s;
every figure is also in report.json.</footer>
<script>
(function () {
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('thead th').forEach(function (th, col) {
      th.addEventListener('click', function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var down = th.getAttribute('data-dir') !== 'down';
        th.setAttribute('data-dir', down ? 'down' : 'up');
        function key(row) {
          var cell = row.cells[col];
          var s = cell.getAttribute('data-sort');
          return s === null ? cell.textContent : parseFloat(s);
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = (typeof x === 'number') ? x - y
                                          : String(x).localeCompare(y);
          return down ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  var gd = document.getElementById('%(chart_id)s');
  function done() {
    var drawn = {};
    gd.querySelectorAll('.subplot.xy .barlayer .trace').forEach(
      function (el) {
        var data = el.__data__, name = data && data[0] && data[0].trace
          && data[0].trace.name;
        var n = 0;
        el.querySelectorAll('.point path').forEach(function (p) {
          if (p.getBBox().width > 0) { n += 1; }
        });
        drawn[name] = (drawn[name] || 0) + n;
      });
    var labels = [];
    gd.querySelectorAll('.subplot.xy .yaxislayer-above .ytick text').forEach(
      function (t) { labels.push(t.textContent); });
    document.body.setAttribute('data-drawn-bars', JSON.stringify(drawn));
    document.body.setAttribute('data-lane-labels', JSON.stringify(labels));
    document.body.setAttribute('data-js-errors',
                               JSON.stringify(window.__reportErrors));
    document.body.setAttribute('data-render-status',
                               labels.length > 0 ? 'rendered' : 'empty');
  }
  if (gd && gd._fullLayout) { done(); }
  else if (gd) { gd.addEventListener('plotly_afterplot', done); }
  window.addEventListener('load', function () {
    if (gd && gd._fullLayout) { done(); }
  });
})();
</script>
</body></html>
'''
