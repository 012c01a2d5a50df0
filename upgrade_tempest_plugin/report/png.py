"""A PNG of the timeline for tickets (matplotlib, no display needed)."""

from upgrade_tempest_plugin.report import html as html_mod
from upgrade_tempest_plugin.report import series as series_mod
from upgrade_tempest_plugin.report import timeutil


def _import_pyplot():
    try:
        import matplotlib
        matplotlib.use('Agg')
        from matplotlib import pyplot
    except ImportError:
        raise RuntimeError('the PNG timeline needs matplotlib: pip install '
                           '"upgrade-tempest-plugin[report]"')
    return pyplot


def render(report, probe_series, path):
    """Write the timeline PNG to ``path``; return the path."""
    plt = _import_pyplot()
    fig, (avail, lat) = plt.subplots(2, 1, sharex=True, figsize=(12, 6.5),
                                     height_ratios=[0.55, 0.45])
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
    for marker in report.get('markers', []):
        when = timeutil.to_datetime(timeutil.to_epoch(marker['time']))
        for ax in (avail, lat):
            ax.axvline(when, color='gray', linestyle=':', linewidth=0.8)
        avail.annotate(marker['text'], (when, 101), rotation=60,
                       fontsize=6, va='bottom', annotation_clip=False)
    for label, start, end, passed in series_mod.verify_spans(report):
        avail.axvspan(timeutil.to_datetime(start),
                      timeutil.to_datetime(max(end, start + 0.5)),
                      ymin=0, ymax=0.05,
                      color='green' if passed else 'red', alpha=0.6)
        avail.annotate('verify %s: %s' % (label, 'ok' if passed
                                          else 'FAILED'),
                       (timeutil.to_datetime(start), 6), fontsize=6,
                       color='green' if passed else 'red')
    verdict = 'PASSED' if report['verdict']['passed'] else 'FAILED'
    avail.set_title('Upgrade report: %s' % verdict, loc='left',
                    pad=48 if report.get('markers') else 6)
    avail.set_ylabel('% probes ok / s')
    avail.set_ylim(-5, 105)
    lat.set_ylabel('latency ms (max / s)')
    lat.set_xlabel('UTC')
    if services:
        avail.legend(loc='lower left', fontsize=7, ncol=len(services))
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
