"""The HTML report's chart: one plotly figure, on one time axis.

On top the lanes of :mod:`upgrade_tempest_plugin.report.lanes` (a bar per
probed period, downtime window, stall, step and verify run; triangles for
the markers, numbered and drawn as dotted lines across every row), under
them one row per API with the latency of each of its probe series (the
slowest successful probe of each second, log scale). plotly is the
``report`` extra: without it :func:`figure` raises
:class:`~upgrade_tempest_plugin.report.MissingExtra`.
"""

import html

from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import lanes as lanes_mod
from upgrade_tempest_plugin.report import series as series_mod
from upgrade_tempest_plugin.report import style
from upgrade_tempest_plugin.report import timeutil

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
    return '<br>'.join(html.escape(line) for line in lines)


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
