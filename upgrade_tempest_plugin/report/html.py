"""A self-contained HTML page with the timeline chart (plotly).

The page embeds plotly.js, so it opens offline and can be attached to a
ticket. Top row: availability per service (share of probes that succeeded,
per second) with each downtime window shaded; bottom row: latency of
successful probes. Phase markers are vertical lines across both rows and
verify runs are shaded bands labelled with their outcome. The chart's div
has id ``timeline`` and every series a stable name
(``<service> availability``, ``<service> downtime``, ``<service>
latency``, ``markers``, ``verify runs``).

The page checks itself, for people and for headless browsers alike: it
records any script error in the ``data-js-errors`` attribute of ``<body>``
and, once plotly has drawn the chart, the names of the drawn series in
``data-rendered-series`` (``render-status`` becomes ``rendered``).
"""

import html as html_escape
import json

from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import series as series_mod
from upgrade_tempest_plugin.report import text as text_mod
from upgrade_tempest_plugin.report import timeutil

CHART_ID = 'timeline'
COLORS = ('#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2',
          '#17becf', '#bcbd22', '#7f7f7f', '#d62728')


def _import_plotly():
    try:
        from plotly import graph_objects
        from plotly import subplots
    except ImportError:
        raise report_mod.MissingExtra(
            'the HTML report needs plotly: pip install '
            '"upgrade-tempest-plugin[report]"')
    return graph_objects, subplots


def figure(report, probe_series):
    """Return the plotly Figure of the timeline."""
    go, subplots = _import_plotly()
    fig = subplots.make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
        row_heights=[0.55, 0.45],
        subplot_titles=('Availability (% of probes ok, per second)',
                        'Latency of successful probes (max per second)'))
    services = (report.get('uptime') or {}).get('services', {})
    for i, name in enumerate(sorted(services)):
        color = COLORS[i % len(COLORS)]
        points = series_mod.per_second(probe_series.get(name, []))
        times = [timeutil.to_datetime(t) for t, _, _ in points]
        fig.add_trace(go.Scatter(
            x=times, y=[a for _, a, _ in points], mode='lines',
            name='%s availability' % name, legendgroup=name,
            line={'color': color, 'shape': 'hv'}), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=times, y=[None if lat is None else lat * 1000.0
                        for _, _, lat in points],
            mode='lines', name='%s latency' % name, legendgroup=name,
            line={'color': color, 'width': 1}), row=2, col=1)
        xs, ys, texts = [], [], []
        for w in services[name].get('windows', []):
            start = timeutil.to_datetime(timeutil.to_epoch(w['start']))
            end = timeutil.to_datetime(timeutil.to_epoch(w['end']))
            label = '%s down %.2f s: %s' % (name, w['duration_s'], ', '.join(
                '%s x%d' % kv for kv in sorted(w.get('errors', {}).items())))
            xs += [start, start, end, end, start, None]
            ys += [0, 100, 100, 0, 0, None]
            texts += [label] * 5 + [None]
        if xs:
            fig.add_trace(go.Scatter(
                x=xs, y=ys, fill='toself', mode='lines',
                name='%s downtime' % name, legendgroup=name,
                line={'color': color, 'width': 0}, opacity=0.3,
                text=texts, hoverinfo='text'), row=1, col=1)
    marker_x, marker_text = [], []
    for marker in report.get('markers', []):
        when = timeutil.to_datetime(timeutil.to_epoch(marker['time']))
        fig.add_vline(x=when, line={'color': 'gray', 'dash': 'dot',
                                    'width': 1})
        marker_x.append(when)
        marker_text.append(marker['text'])
    if marker_x:
        fig.add_trace(go.Scatter(
            x=marker_x, y=[104] * len(marker_x), mode='markers',
            name='markers', marker={'symbol': 'triangle-down',
                                    'color': 'gray', 'size': 9},
            text=marker_text, hoverinfo='text+x'), row=1, col=1)
    spans = series_mod.verify_spans(report)
    for label, start, end, passed in spans:
        fig.add_vrect(x0=timeutil.to_datetime(start),
                      x1=timeutil.to_datetime(max(end, start + 0.5)),
                      fillcolor='green' if passed else 'red', opacity=0.08,
                      line_width=0)
    if spans:
        fig.add_trace(go.Scatter(
            x=[timeutil.to_datetime(s) for _, s, _, _ in spans],
            y=[-6] * len(spans), mode='markers+text',
            name='verify runs', textposition='bottom right',
            text=['verify %s: %s' % (label, 'ok' if ok else 'FAILED')
                  for label, _, _, ok in spans],
            marker={'symbol': 'square', 'size': 9, 'color': [
                'green' if ok else 'red' for _, _, _, ok in spans]}),
            row=1, col=1)
    fig.update_yaxes(title_text='% ok', range=[-12, 108], row=1, col=1)
    fig.update_yaxes(title_text='ms', rangemode='tozero', row=2, col=1)
    fig.update_xaxes(title_text='UTC', row=2, col=1)
    fig.update_layout(height=720, template='plotly_white',
                      hovermode='closest',
                      legend={'orientation': 'h', 'y': -0.12})
    return fig


def render(report, probe_series):
    """Return the whole HTML page as a string."""
    fig = figure(report, probe_series)
    chart = fig.to_html(full_html=False, include_plotlyjs=True,
                        div_id=CHART_ID, config={'responsive': True})
    verdict = 'PASSED' if report['verdict']['passed'] else 'FAILED'
    return PAGE % {
        'title': html_escape.escape('Upgrade report: %s' % verdict),
        'verdict_class': verdict.lower(),
        'verdict': verdict,
        'summary': html_escape.escape(text_mod.render(report)),
        'chart': chart,
        'chart_id': CHART_ID,
        'report_json': html_escape.escape(json.dumps(report, indent=1)),
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
body { font-family: sans-serif; margin: 1.5em; }
.passed { color: #2a7a2a; } .failed { color: #b22222; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
</style></head>
<body data-render-status="pending" data-js-errors="[]">
<h1>Upgrade report: <span class="%(verdict_class)s">%(verdict)s</span></h1>
<h2>Summary</h2>
<pre id="summary">%(summary)s</pre>
<h2>Timeline</h2>
%(chart)s
<script>
(function () {
  var gd = document.getElementById('%(chart_id)s');
  function done() {
    var names = (gd.data || []).map(function (t) { return t.name; });
    var drawn = gd.querySelectorAll('.main-svg .trace').length;
    document.body.setAttribute('data-rendered-series',
                               JSON.stringify(names));
    document.body.setAttribute('data-drawn-traces', String(drawn));
    document.body.setAttribute('data-js-errors',
                               JSON.stringify(window.__reportErrors));
    document.body.setAttribute('data-render-status',
                               drawn > 0 ? 'rendered' : 'empty');
  }
  if (gd && gd._fullLayout) { done(); }
  else if (gd) { gd.addEventListener('plotly_afterplot', done); }
  window.addEventListener('load', function () {
    if (gd && gd._fullLayout) { done(); }
  });
})();
</script>
<details><summary>Combined report (JSON)</summary>
<pre id="report-json">%(report_json)s</pre></details>
</body></html>
'''
