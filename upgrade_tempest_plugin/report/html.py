"""The HTML report: one self-contained page (plotly.js embedded).

Top to bottom: the verdict and its reasons; a table per API (one row per
series: uptime, downtime with its bounds, longest window, failed/total
probes, p95 latency, threshold result), coloured pass/fail; the lane
chart (see :mod:`upgrade_tempest_plugin.report.lanes`), with under it the
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

from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import lanes as lanes_mod
from upgrade_tempest_plugin.report import series as series_mod
from upgrade_tempest_plugin.report import style
from upgrade_tempest_plugin.report import tables
from upgrade_tempest_plugin.report import timeutil

CHART_ID = 'timeline'
LANE_PX, LATENCY_PX, GAP_PX, TOP_PX, BOTTOM_PX = 24, 110, 46, 30, 50


def _import_plotly():
    try:
        from plotly import graph_objects
        from plotly import subplots
    except ImportError:
        raise report_mod.MissingExtra(
            'the HTML report needs plotly: pip install '
            '"upgrade-tempest-plugin[report]"')
    return graph_objects, subplots


def _when(epoch):
    return timeutil.to_datetime(epoch)


def _bar_trace(go, name, items, width, hover=True, edge=0):
    """One plotly bar trace of (lane index, (start, end), colour, hover)."""
    return go.Bar(
        name=name, orientation='h', width=width, showlegend=False,
        y=[i for i, _, _, _ in items],
        base=[_when(s) for _, (s, _), _, _ in items],
        x=[max(1.0, 1000.0 * (e - s)) for _, (s, e), _, _ in items],
        marker={'color': [c for _, _, c, _ in items],
                'line': {'width': edge, 'color': 'white'}},
        hovertext=[h for _, _, _, h in items],
        hovertemplate='%{hovertext}<extra></extra>' if hover else None,
        hoverinfo=None if hover else 'skip')


def _hover(lines):
    return '<br>'.join(html_escape.escape(line) for line in lines)


def _lane_traces(go, lanes, axis):
    spans = [(i, lanes_mod.drawn(lane['span'][0], lane['span'][1], axis),
              style.PROBED, '') for i, lane in enumerate(lanes)
             if lane['span']]
    traces = [_bar_trace(go, 'probed period',
                         [s for s in spans if s[1]], 0.8, hover=False)
              ] if spans else []
    by_trace = {}
    for i, lane in enumerate(lanes):
        for bar in lane['bars']:
            if bar['kind'] == 'marker':
                continue
            span = lanes_mod.drawn(bar['start'], bar['end'], axis)
            if span is None:
                continue
            name = ('%s %ss' % (lane['key'], bar['kind'])
                    if lane['kind'] == 'series' else lane['key'])
            by_trace.setdefault((name, lane['kind']), []).append(
                (i, span, style.bar_color(bar), _hover(bar['hover'])))
    for (name, kind), items in by_trace.items():
        # Only steps get a white edge, to part adjacent steps; on a
        # window 3 px wide an edge would wash out its colour.
        traces.append(_bar_trace(go, name, items, 0.55,
                                 edge=1 if kind == 'steps' else 0))
    for i, lane in enumerate(lanes):
        if lane['kind'] == 'markers':
            traces.append(go.Scatter(
                name='markers', x=[_when(b['start']) for b in lane['bars']],
                y=[i] * len(lane['bars']), mode='markers',
                marker={'symbol': 'triangle-down', 'size': 10,
                        'color': style.MARKER}, showlegend=False,
                hovertext=[_hover(b['hover']) for b in lane['bars']],
                hovertemplate='%{hovertext}<extra></extra>'))
    return traces


def figure(report, probe_series):
    """Return (plotly Figure, lanes) of the timeline."""
    go, subplots = _import_plotly()
    lanes = lanes_mod.build(report)
    axis = lanes_mod.time_range(lanes)
    services = (report.get('uptime') or {}).get('services') or {}
    groups = lanes_mod.api_groups(services)
    lanes_px = LANE_PX * max(1, len(lanes))
    heights = [lanes_px] + [LATENCY_PX] * len(groups)
    total = sum(heights) + GAP_PX * len(groups)
    fig = subplots.make_subplots(
        rows=len(heights), cols=1, shared_xaxes=True,
        vertical_spacing=(GAP_PX / float(total)) if groups else 0.0,
        row_heights=heights,
        subplot_titles=[''] + ['%s latency (ms)' % api for api, _ in groups])
    fig.update_annotations(font_size=13)
    if axis:
        for trace in _lane_traces(go, lanes, axis):
            fig.add_trace(trace, row=1, col=1)
    colors = style.kind_colors(lanes)
    for row, (api, names) in enumerate(groups, 2):
        for name in names:
            points = series_mod.per_second(probe_series.get(name, []))
            kind = lanes_mod.kind_of(name, api)
            fig.add_trace(go.Scatter(
                x=[_when(t) for t, _, _ in points],
                y=[None if lat is None else max(0.1, lat * 1000.0)
                   for _, _, lat in points],
                mode='lines', name='%s latency' % name,
                line={'color': colors[kind], 'width': 1.2},
                showlegend=False,
                hovertemplate='%s %%{x|%%H:%%M:%%S}: %%{y:.0f} ms'
                              '<extra></extra>' % name), row=row, col=1)
        fig.update_yaxes(type='log', dtick=1, row=row, col=1)
    _decorate(fig, report, lanes, axis)
    fig.update_layout(
        height=total + TOP_PX + BOTTOM_PX, template='plotly_white',
        hovermode='closest', barmode='overlay', bargap=0,
        margin={'l': 170, 'r': 30, 't': TOP_PX, 'b': BOTTOM_PX},
        font={'size': 12})
    return fig, lanes


def _decorate(fig, report, lanes, axis):
    """Lane labels, API group shading, marker lines, the time axis."""
    fig.update_yaxes(
        row=1, col=1, tickmode='array', tickvals=list(range(len(lanes))),
        ticktext=[lane['label'] for lane in lanes],
        range=[len(lanes) - 0.5, -0.5], showgrid=False, zeroline=False,
        fixedrange=True)
    groups = [lane['group'] for lane in lanes]
    starts = [i for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]]
    for n, first in enumerate(starts):
        last = (starts[n + 1] if n + 1 < len(starts) else len(lanes)) - 1
        fig.add_shape(type='rect', xref='x domain', yref='y', x0=0, x1=1,
                      y0=first - 0.5, y1=last + 0.5, layer='below',
                      line={'width': 1, 'color': style.GROUP_LINE},
                      fillcolor=style.GROUP_FILL[n % 2])
    for i, lane in enumerate(lanes):
        if lane['kind'] != 'markers':
            continue
        for when, text in lanes_mod.marker_labels(lane, axis or (0, 1)):
            # Annotations, not scatter text: they stand above the marker
            # lines, on a white ground.
            fig.add_annotation(x=_when(when), y=i, text=text, xref='x',
                               yref='y', showarrow=False, xanchor='left',
                               xshift=6, bgcolor='white',
                               font={'size': 10, 'color': style.MARKER})
    for marker in report.get('markers') or []:
        when = _when(timeutil.to_epoch(marker['time']))
        fig.add_shape(type='line', xref='x', yref='paper', x0=when,
                      x1=when, y0=0, y1=1, layer='above',
                      line={'color': style.MARKER_LINE, 'width': 1,
                            'dash': 'dot'})
    if axis:
        fig.update_xaxes(range=[_when(axis[0]), _when(axis[1])],
                         type='date')
    fig.update_xaxes(showticklabels=True, row=1, col=1)
    fig.update_xaxes(title_text='UTC', row=len(fig._grid_ref), col=1)


def _pct(value):
    return 'n/a' if value is None else '%.2f %%' % value


def _ms(seconds):
    return 'n/a' if seconds is None else '%.0f ms' % (1000.0 * seconds)


def _cell(value, sort=None, cls=None):
    attrs = ''
    if sort is not None:
        attrs += ' data-sort="%s"' % html_escape.escape(str(sort))
    if cls:
        attrs += ' class="%s"' % cls
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


def _api_table(report):
    groups = tables.api_rows(report)
    if not groups:
        return ''
    out = ['<h2>APIs</h2><table id="apis"><thead><tr><th>API</th>'
           '<th>series</th><th>uptime</th><th>downtime total [bounds]</th>'
           '<th>windows</th><th>longest</th><th>failed / total probes</th>'
           '<th>p95 latency</th><th>slow answers</th><th>thresholds</th>'
           '</tr></thead>']
    for group in groups:
        out.append('<tbody class="%s">' % (
            'pass' if group['passed'] else 'fail'))
        for n, r in enumerate(group['rows']):
            bounds = r['downtime_bounds']
            out.append(
                '<tr class="%s">%s<td>%s</td>%s%s%s%s%s%s%s%s</tr>' % (
                    'pass' if r['passed'] else 'fail',
                    '<th rowspan="%d">%s</th>' % (
                        len(group['rows']), html_escape.escape(group['api']))
                    if n == 0 else '',
                    html_escape.escape(r['series']),
                    _cell(_pct(r['uptime_pct'])),
                    _cell('%.2f s%s' % (r['downtime_s'], ' [%.2f .. %.2f]'
                                        % tuple(bounds) if bounds
                                        and r['windows'] else '')),
                    _cell(r['windows']),
                    _cell('%.2f s' % r['longest_s']),
                    _cell('%d / %d' % (r['failed'], r['total'])),
                    _cell(_ms(r['p95_s'])), _cell(r['stalls']),
                    _cell(r['threshold'])))
        out.append('</tbody>')
    skipped = (report.get('uptime') or {}).get('skipped') or {}
    out.append('</table>')
    out += ['<p class="note">%s not probed: %s</p>' % (
        html_escape.escape(name), html_escape.escape(reason))
        for name, reason in sorted(skipped.items())]
    return '\n'.join(out)


def _legend(lanes):
    colors = style.kind_colors(lanes)
    swatches = [(style.PROBED, 'probed, up'),
                (style.WINDOW, 'downtime window'),
                (style.OPEN_WINDOW, 'still down at the end'),
                (style.STALL, 'slow answer (stall)'),
                (style.OK, 'step / verify ok'), (style.FAILED, 'failed'),
                (style.MARKER, 'marker (numbered)')]
    kinds = [(colors[k], 'latency: %s' % k) for k in colors]
    return '<p class="legend">%s</p>' % ' '.join(
        '<span><i style="background:%s"></i>%s</span>' % (
            c, html_escape.escape(t)) for c, t in swatches + kinds)


def _marker_table(report):
    markers = report.get('markers') or []
    if not markers:
        return ''
    return ('<details open><summary>Markers</summary><table id="markers">'
            '<thead><tr><th>#</th><th>UTC</th><th>marker</th></tr></thead>'
            '<tbody>%s</tbody></table></details>' % ''.join(
                '<tr><td>%d</td>%s%s</tr>' % (
                    n, _cell(lanes_mod.clock(timeutil.to_epoch(m['time']))),
                    _cell(m['text'])) for n, m in enumerate(markers, 1)))


def _persistent_table(report):
    runs = tables.persistent_rows(report)
    if not runs:
        return ''
    out = ['<h2>Persistent resources</h2><table id="persistent"><thead><tr>'
           '<th>verify run</th><th>resource</th><th>field</th>'
           '<th>expected</th><th>actual</th></tr></thead><tbody>']
    for run in runs:
        cls = 'pass' if run['passed'] else 'fail'
        label = html_escape.escape(str(run['run']))
        if not run['differences']:
            out.append('<tr class="%s"><td>%s</td><td colspan="4">%d '
                       'resource(s) checked, %s</td></tr>' % (
                           cls, label, run['checked'], 'no differences'
                           if run['passed'] else 'FAILED (%d resource(s))'
                           % run['failed_resources']))
        for d in run['differences']:
            out.append('<tr class="fail"><td>%s</td>%s%s%s%s</tr>' % (
                label, _cell(d['resource']), _cell(d['field']),
                _cell(json.dumps(d['expected'])),
                _cell(json.dumps(d['actual']))))
    out.append('</tbody></table>')
    return '\n'.join(out)


def _stats_table(report):
    rows = tables.stats_rows(report)
    if not rows:
        return ''
    out = ['<h2>Traced API calls</h2><p class="note">Click a column heading '
           'to sort.</p><table id="calls" class="sortable"><thead><tr>'
           '<th>method</th><th>pass</th><th>fail</th><th>whitelisted</th>'
           '<th>p95</th><th>errors</th></tr></thead><tbody>']
    for r in rows:
        out.append('<tr class="%s">%s%s%s%s%s%s</tr>' % (
            'fail' if r['failures'] else '', _cell(r['method']),
            _cell(r['passes'], r['passes']),
            _cell(r['failures'], r['failures']),
            _cell(r['whitelisted'], r['whitelisted']),
            _cell(_ms(r['p95_s']), -1 if r['p95_s'] is None else r['p95_s']),
            _cell(', '.join('%s x%d' % kv for kv in sorted(
                r['errors'].items())))))
    out.append('</tbody></table>')
    return '\n'.join(out)


def render(report, probe_series):
    """Return the whole HTML page as a string."""
    fig, lanes = figure(report, probe_series)
    chart = fig.to_html(full_html=False, include_plotlyjs=True,
                        div_id=CHART_ID, config={'responsive': True,
                                                 'displaylogo': False})
    verdict = 'PASSED' if report['verdict']['passed'] else 'FAILED'
    return PAGE % {
        'title': html_escape.escape('Upgrade report: %s' % verdict),
        'verdict': _verdict(report),
        'apis': _api_table(report),
        'legend': _legend(lanes),
        'chart': chart,
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
%(apis)s
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
