"""A PNG of the timeline for tickets (matplotlib, no display needed).

The same lanes as the HTML page (:mod:`upgrade_tempest_plugin.report.
lanes`), 1600 px wide, a fixed height per lane so that 40 lanes stay
readable, the latency of each API under them on the same time axis, and
the numbered markers listed at the bottom (marker texts are too long to
stand on the chart). :func:`draw` also returns where it drew each lane
and bar, in pixels of the PNG, for checks that read the image back.
"""

from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import lanes as lanes_mod
from upgrade_tempest_plugin.report import series as series_mod
from upgrade_tempest_plugin.report import style
from upgrade_tempest_plugin.report import timeutil

DPI = 100
WIDTH_IN = 16.0                      # 1600 px
LEFT_IN, RIGHT_IN = 1.9, 0.3
LABEL_CHARS = 22    # of a lane's label at 9 pt in LEFT_IN; longer: smaller
HEAD_IN, REASON_IN, LANE_IN, AXIS_IN = 0.6, 0.17, 0.24, 0.45
LATENCY_IN, LATENCY_GAP_IN = 0.75, 0.3
LIST_LINE_IN = 0.16
REASONS = 3
REASON_CHARS = 110


def _import_pyplot():
    try:
        import matplotlib
        matplotlib.use('Agg')
        from matplotlib import pyplot
        from matplotlib import ticker
    except ImportError:
        raise report_mod.MissingExtra(
            'the PNG timeline needs matplotlib: pip install '
            '"upgrade-tempest-plugin[report]"')
    return pyplot, ticker


def _marker_listing(markers):
    return ['%2d  %s  %s' % (n, lanes_mod.clock(timeutil.to_epoch(
        m['time'])), lanes_mod.shorten(m['text']))
        for n, m in enumerate(markers, 1)]


def _reasons(report):
    failures = report['verdict']['failures']
    reasons = [lanes_mod.shorten(r, REASON_CHARS)
               for r in failures[:REASONS]]
    if len(failures) > REASONS:
        reasons.append('... and %d more (report.html)'
                       % (len(failures) - REASONS))
    return reasons


def _head(fig, report, reasons, height):
    verdict = report['verdict']
    word = 'PASSED' if verdict['passed'] else 'FAILED'
    x = LEFT_IN / WIDTH_IN
    fig.text(x, 1 - 0.12 / height, 'Upgrade report: %s' % word,
             fontsize=15, weight='bold', va='top',
             color=style.OK if verdict['passed'] else style.FAILED)
    if reasons:
        fig.text(x, 1 - 0.45 / height, '\n'.join(reasons), fontsize=9,
                 va='top', color=style.FAILED, linespacing=1.3)


def _legend(fig, plt, colors, top):
    from matplotlib import lines, patches
    handles = [patches.Patch(color=c, label=t) for c, t in (
        (style.PROBED, 'probed, up'), (style.WINDOW, 'downtime window'),
        (style.OPEN_WINDOW, 'still down at the end'),
        (style.STALL, 'slow answer'),
        (style.CONTROL, 'probing host trouble'),
        (style.OK, 'step / verify ok'),
        (style.FAILED, 'failed'))]
    handles += [lines.Line2D([], [], color=c, label='latency: %s' % k)
                for k, c in colors.items()]
    fig.legend(handles=handles, loc='upper right', ncol=(len(handles) + 1)
               // 2, fontsize=8, frameon=False,
               bbox_to_anchor=(1 - RIGHT_IN / WIDTH_IN, top))


def _lanes(ax, lanes, axis, t0):
    """Draw the lanes; return [(lane index, bar, (x0, x1))] drawn."""
    groups = [lane['group'] for lane in lanes]
    shade = 0
    for i, group in enumerate(groups):
        if i and group != groups[i - 1]:
            shade += 1
            ax.axhline(i - 0.5, color=style.GROUP_LINE, linewidth=0.8)
        ax.axhspan(i - 0.5, i + 0.5, color=style.GROUP_FILL[shade % 2],
                   zorder=0)
    drawn = []
    for i, lane in enumerate(lanes):
        if lane['span']:
            span = lanes_mod.drawn(lane['span'][0], lane['span'][1], axis)
            if span:
                ax.barh(i, span[1] - span[0], left=span[0] - t0, height=0.8,
                        color=style.PROBED, zorder=1)
        if lane['kind'] == 'markers':
            ax.plot([b['start'] - t0 for b in lane['bars']],
                    [i] * len(lane['bars']), 'v', color=style.MARKER,
                    markersize=6, zorder=3)
            for when, text in lanes_mod.marker_labels(lane, axis):
                ax.annotate(text, (when - t0, i), xytext=(5, 0),
                            textcoords='offset points', fontsize=7,
                            va='center', color=style.MARKER)
            continue
        for bar in lane['bars']:
            span = lanes_mod.drawn(bar['start'], bar['end'], axis)
            if span is None:
                continue
            # Only steps get a white edge, to part adjacent steps; on a
            # window 3 px wide an edge would wash out its colour.
            ax.barh(i, span[1] - span[0], left=span[0] - t0, height=0.55,
                    color=style.bar_color(bar), zorder=2,
                    edgecolor='white', linewidth=0.4 if bar['kind'] == 'step'
                    else 0)
            drawn.append((i, bar, span))
    ax.set_yticks(range(len(lanes)))
    for text in ax.set_yticklabels([lane['label'] for lane in lanes],
                                   fontsize=9):
        # a backend's series (nova-pulse@127.0.0.1:18774) in the margin
        if len(text.get_text()) > LABEL_CHARS:
            text.set_fontsize(9 * LABEL_CHARS / len(text.get_text()))
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    ax.tick_params(axis='y', length=0)
    return drawn


def _latency(ax, api, names, probe_series, colors, t0, ticker):
    for name in names:
        points = series_mod.per_second(probe_series.get(name, []))
        kind = lanes_mod.kind_of(name, api)
        ax.plot([t - t0 for t, _, _ in points],
                [float('nan') if lat is None else max(0.1, lat * 1000.0)
                 for _, _, lat in points],
                color=colors[kind], linewidth=0.9, label=kind)
    ax.set_yscale('log')
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(
        lambda v, _: '%g' % v))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_ylabel('%s\nms' % api, fontsize=8, rotation=0, ha='right',
                  va='center')
    ax.tick_params(axis='y', labelsize=7)
    ax.grid(axis='y', color='#eeeeee', linewidth=0.6)


def draw(report, probe_series, path):
    """Write the PNG to ``path``; return its layout: ``{"size": (w, h),
    "lanes": [{label, group, top, bottom}], "bars": [{id, kind, lane,
    color, left, right, top, bottom}]}`` in pixels, y from the top."""
    plt, ticker = _import_pyplot()
    lanes = lanes_mod.build(report)
    axis = lanes_mod.time_range(lanes) or (0.0, 1.0)
    t0 = axis[0]
    groups = lanes_mod.api_groups(
        (report.get('uptime') or {}).get('services') or {})
    markers = report.get('markers') or []
    listing = _marker_listing(markers)
    list_rows = (len(listing) + 1) // 2
    lanes_in = LANE_IN * max(1, len(lanes))
    reasons = _reasons(report)
    head_in = HEAD_IN + REASON_IN * len(reasons)
    height = (head_in + lanes_in + AXIS_IN
              + (LATENCY_IN + LATENCY_GAP_IN) * len(groups)
              + LIST_LINE_IN * list_rows + 0.5)
    fig = plt.figure(figsize=(WIDTH_IN, height), dpi=DPI)
    left, width = LEFT_IN / WIDTH_IN, 1 - (LEFT_IN + RIGHT_IN) / WIDTH_IN

    def box(top_in, height_in):
        return [left, 1 - (top_in + height_in) / height, width,
                height_in / height]

    _head(fig, report, reasons, height)
    ax = fig.add_axes(box(head_in, lanes_in))
    bars = _lanes(ax, lanes, axis, t0)
    axes = [ax]
    colors = style.kind_colors(lanes)
    top = head_in + lanes_in + AXIS_IN
    for api, names in groups:
        lat = fig.add_axes(box(top, LATENCY_IN), sharex=ax)
        _latency(lat, api, names, probe_series, colors, t0, ticker)
        axes.append(lat)
        top += LATENCY_IN + LATENCY_GAP_IN
    _legend(fig, plt, colors, 1 - 0.08 / height)
    clock = ticker.FuncFormatter(
        lambda x, _: lanes_mod.clock(t0 + x)[:8])
    for a in axes:
        for when in markers:
            a.axvline(timeutil.to_epoch(when['time']) - t0,
                      color=style.MARKER_LINE, linestyle=':', linewidth=0.8,
                      zorder=4)
        a.xaxis.set_major_formatter(clock)
        a.tick_params(axis='x', labelsize=8,
                      labelbottom=a is ax or a is axes[-1])
        a.set_xlim(0, axis[1] - t0)
        for side in ('top', 'right'):
            a.spines[side].set_visible(False)
    axes[-1].set_xlabel('UTC', fontsize=8)
    if listing:
        half = (len(listing) + 1) // 2
        for column, chunk in enumerate((listing[:half], listing[half:])):
            fig.text(left + column * width / 2, 1 - (top + 0.1) / height,
                     '\n'.join(chunk), fontsize=7, family='monospace',
                     va='top')
    fig.savefig(path, dpi=DPI)
    layout = _layout(fig, ax, lanes, bars, t0)
    plt.close(fig)
    return layout


def _layout(fig, ax, lanes, bars, t0):
    h = fig.get_figheight() * DPI

    def px(x, y):
        u, v = ax.transData.transform((x, y))
        return float(u), float(h - v)

    out = {'size': (int(round(fig.get_figwidth() * DPI)), int(round(h))),
           'lanes': [], 'bars': []}
    for i, lane in enumerate(lanes):
        _, top = px(0, i - 0.5)
        _, bottom = px(0, i + 0.5)
        out['lanes'].append({'label': lane['label'], 'group': lane['group'],
                             'top': top, 'bottom': bottom})
    for i, bar, (start, end) in bars:
        x0, y0 = px(start - t0, i - 0.275)
        x1, y1 = px(end - t0, i + 0.275)
        out['bars'].append({'id': bar['id'], 'kind': bar['kind'], 'lane': i,
                            'color': style.bar_color(bar), 'left': x0,
                            'right': x1, 'top': y0, 'bottom': y1})
    return out


def render(report, probe_series, path):
    """Write the timeline PNG to ``path``; return the path."""
    draw(report, probe_series, path)
    return path
