"""A PNG of the timeline for tickets (matplotlib, no display needed).

Markers are numbered on the chart and listed, with their times, under it:
marker texts (e.g. the output of a db_sync step) are too long to stand on
the chart itself.
"""

from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import html as html_mod
from upgrade_tempest_plugin.report import series as series_mod
from upgrade_tempest_plugin.report import timeutil

MARKER_TEXT_MAX = 64


def _import_pyplot():
    try:
        import matplotlib
        matplotlib.use('Agg')
        from matplotlib import pyplot
    except ImportError:
        raise report_mod.MissingExtra(
            'the PNG timeline needs matplotlib: pip install '
            '"upgrade-tempest-plugin[report]"')
    return pyplot


def _marker_lines(markers):
    lines = []
    for number, marker in enumerate(markers, 1):
        text = marker['text']
        if len(text) > MARKER_TEXT_MAX:
            text = text[:MARKER_TEXT_MAX - 3] + '...'
        lines.append('%2d  %s  %s' % (number, timeutil.to_iso(
            timeutil.to_epoch(marker['time']))[11:23], text))
    return lines


def render(report, probe_series, path):
    """Write the timeline PNG to ``path``; return the path."""
    plt = _import_pyplot()
    markers = report.get('markers', [])
    listing = _marker_lines(markers)
    rows = (len(listing) + 1) // 2
    chart_h, list_h = 5.5, 0.12 * rows + (0.2 if rows else 0)
    fig = plt.figure(figsize=(12, chart_h + list_h))
    bottom = (list_h + 0.6) / (chart_h + list_h)
    grid = fig.add_gridspec(2, 1, height_ratios=[0.55, 0.45], hspace=0.08,
                            left=0.07, right=0.86, top=0.93, bottom=bottom)
    avail = fig.add_subplot(grid[0])
    lat = fig.add_subplot(grid[1], sharex=avail)
    services = (report.get('uptime') or {}).get('services', {})
    for i, name in enumerate(sorted(services)):
        color = html_mod.COLORS[i % len(html_mod.COLORS)]
        points = series_mod.per_second(probe_series.get(name, []))
        times = [timeutil.to_datetime(t) for t, _, _ in points]
        avail.step(times, [a for _, a, _ in points], where='post',
                   color=color, label=name, linewidth=1.2)
        lat.plot(times, [float('nan') if x is None else x * 1000.0
                         for _, _, x in points], color=color, linewidth=0.8)
        for w in services[name].get('windows', []):
            avail.axvspan(
                timeutil.to_datetime(timeutil.to_epoch(w['start'])),
                timeutil.to_datetime(timeutil.to_epoch(w['end'])),
                color=color, alpha=0.25)
    for number, marker in enumerate(markers, 1):
        when = timeutil.to_datetime(timeutil.to_epoch(marker['time']))
        for ax in (avail, lat):
            ax.axvline(when, color='gray', linestyle=':', linewidth=0.8)
        avail.annotate(str(number), (when, 106), fontsize=6, ha='center',
                       va='bottom', annotation_clip=False, color='dimgray')
    for label, start, end, passed in series_mod.verify_spans(report):
        color = 'green' if passed else 'red'
        avail.axvspan(timeutil.to_datetime(start),
                      timeutil.to_datetime(max(end, start + 0.5)),
                      ymin=0, ymax=0.05, color=color, alpha=0.6)
        avail.annotate('verify %s: %s' % (label, 'ok' if passed
                                          else 'FAILED'),
                       (timeutil.to_datetime(start), 8), fontsize=6,
                       color=color)
    verdict = 'PASSED' if report['verdict']['passed'] else 'FAILED'
    fig.suptitle('Upgrade report: %s' % verdict, x=0.07, ha='left')
    avail.set_ylabel('% probes ok / s')
    avail.set_ylim(-5, 105)
    avail.tick_params(labelbottom=False)
    lat.set_ylabel('max latency ms / s')
    lat.set_xlabel('UTC')
    if services:
        avail.legend(loc='upper left', bbox_to_anchor=(1.01, 1.0),
                     fontsize=8, frameon=False)
    if listing:
        half = (len(listing) + 1) // 2
        for column, chunk in enumerate((listing[:half], listing[half:])):
            fig.text(0.07 + column * 0.46, list_h / (chart_h + list_h),
                     '\n'.join(chunk), fontsize=6.5, family='monospace',
                     va='top')
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
