"""``upgrade-uptime``: probe API uptime outside tempest.

**Usage:**

.. code-block:: console

    upgrade-uptime run [--daemon | --iterations N | --duration S]
                       [--config-file tempest.conf] [--services nova,cinder]
                       [--output-dir DIR] [--rate R] [--timeout T]
                       [--service-rates keystone=2,...]
                       [--sentinel PATH] [--write-probes]
    upgrade-uptime mark "db sync start" [--output-dir DIR]
    upgrade-uptime summary DIR

``run`` reads the same tempest.conf as ``tempest run`` (``--config-file``,
else ``$TEMPEST_CONFIG_DIR/$TEMPEST_CONFIG``, else ``etc/tempest.conf``)
and its ``[upgrade]`` options; flags override them. ``--daemon`` probes
until the sentinel file appears (default ``<output_dir>/uptime/stop``) and
refuses to start if it already exists. SIGINT/SIGTERM stop cleanly and the
summary is still written. ``mark`` appends a timestamped marker; ``summary``
rebuilds ``summary.json`` from the probe logs and prints it as a table.

Exit codes (``Exit``, mapped in :func:`exit_status`): 0 done, 1 a
threshold of ``[upgrade]`` was exceeded, 2 bad input (config file,
service, sentinel, an empty marker text, a summary directory without probe
logs or with an unreadable ``plan.json``), 3 a prober process failed, 4
write probe resources were left behind (named on stderr; delete them by
hand). Where a run finds more than one, the lowest in that order of 3, 1,
4 is the one reported.
"""

import argparse
import enum
import os
import sys
import time

from upgrade_tempest_plugin.common import console
from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.uptime import markers
from upgrade_tempest_plugin.uptime import plan as plan_mod
from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import runner
from upgrade_tempest_plugin.uptime import summary as summary_mod


class Exit(enum.IntEnum):
    OK = 0
    THRESHOLD = 1       # a threshold of [upgrade] was exceeded
    BAD_INPUT = 2       # config file, service, sentinel, summary directory
    PROBER_FAILED = 3   # a prober process exited: its series is missing
    LEFT_BEHIND = 4     # write probe resources to delete by hand


def exit_status(result):
    """The exit status of ``run`` for its ``result`` (None: bad input).

    One outcome is reported, the first of: a prober failed (the figures
    are incomplete), a threshold was exceeded, resources were left behind.
    """
    if result is None:
        return Exit.BAD_INPUT
    if any(reason.startswith('prober exited')
           for reason in result['skipped'].values()):
        return Exit.PROBER_FAILED
    if result.get('violations'):
        return Exit.THRESHOLD
    if summary_mod.left_behind(result):
        return Exit.LEFT_BEHIND
    return Exit.OK


def find_config(path=None):
    """The tempest.conf to use, as tempest itself would find it."""
    if path:
        candidates = [path]
    else:
        candidates = [
            os.path.join(os.environ.get('TEMPEST_CONFIG_DIR', 'etc'),
                         os.environ.get('TEMPEST_CONFIG', 'tempest.conf')),
            '/etc/tempest/tempest.conf']
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    raise plan_mod.UptimeError('tempest config file not found: %s'
                               % ' or '.join(candidates))


def load_conf(path, log_level=None):
    """tempest's CONF read from ``path`` (UptimeError if unreadable)."""
    from tempest import config
    config.CONF.set_config_path(path)
    try:
        config.CONF.upgrade.uptime_rate
        # tempest set up its own logging as it loaded: ours again
        console.setup(log_level)
    except Exception as exc:
        raise plan_mod.UptimeError('cannot read %s: %s' % (
            path, errors.one_line(exc)))
    return config.CONF


def print_table(result, out):
    """The summary as a table: a row per series (``target``: the host:port
    it probed), its windows and stalls below it. A window or stall the
    control series saw too is marked ``[control: probing host ...]`` and
    is not in ``down_s`` (the upper bound keeps it)."""
    services = result['services']
    width = max([18] + [len(n) for n in services])
    out.write('%-*s %9s %7s %7s %7s %8s %19s %8s  %s\n' % (
        width, 'series', 'uptime%', 'probes', 'failed', 'skipped',
        'windows', 'down_s [bounds]', 'longest', 'target'))
    for name, svc in sorted(services.items()):
        lo, hi = svc.get('total_downtime_bounds') or (0.0, 0.0)
        out.write('%-*s %9s %7d %7d %7d %8d %7.3f [%.2f..%.2f] %8.3f  %s\n'
                  % (width, name, svc['uptime_pct'], svc['total_requests'],
                     svc['failed_requests'], svc.get('skipped_ticks', 0),
                     len(svc['windows']), svc['total_downtime_s'], lo, hi,
                     svc['longest_downtime_s'], svc.get('target') or '-'))
        for w in svc['windows']:
            bounds = w.get('duration_bounds') or (w['duration_s'],) * 2
            out.write('    window %.3f s [%.3f..%.3f]  %d failed  %s%s%s%s\n'
                      % (w['duration_s'], bounds[0], bounds[1],
                         w['failed_probes'], ', '.join(
                             '%s x%d' % kv for kv in sorted(
                                 w['errors'].items())),
                         ' (open)' if w['open'] else '',
                         _control_note(w),
                         ''.join('  [%s]' % m['text']
                                 for m in w.get('markers', []))))
        for st in svc.get('stalls', []):
            out.write('    stall %.3f s (answered after %.3f s)%s%s\n' % (
                st['duration_s'], st['latency'], _control_note(st),
                ''.join('  [%s]' % m['text']
                        for m in st.get('markers', []))))
        if svc.get('left_behind'):
            out.write('    left behind (delete by hand): %s\n'
                      % ', '.join(svc['left_behind']))
    for name, reason in sorted(result.get('skipped', {}).items()):
        out.write('%-*s skipped: %s\n' % (width, name, reason))
    project = result.get('probe_project')
    if project:
        out.write('read probes ran in project %s%s\n' % (
            project['name'], ''.join(
                '\n    left behind (delete by hand): %s' % message
                for message in project.get('left', [])) or ', removed'))


def _control_note(item):
    """`` [control: probing host 12:00:01.100-12:00:04.200]`` for a window
    or stall the control series saw too, else ''."""
    span = item.get('control_window') if item.get('control') else None
    if not span:
        return ''
    return '  [control: probing host %s-%s, not counted]' % (
        _clock(span['start']), _clock(span['end']))


def _clock(epoch):
    return time.strftime('%H:%M:%S', time.gmtime(epoch)) + \
        ('%.3f' % (epoch % 1))[1:]


def do_run(args, out, err):
    config_file = find_config(args.config_file)
    conf = load_conf(config_file, args.log_level)
    run_plan = plan_mod.from_config(
        conf, config_file,
        services=args.services.split(',') if args.services else None,
        output_dir=args.output_dir, rate=args.rate, timeout=args.timeout,
        service_rates=args.service_rates, write_probes=args.write_probes,
        pulse_rate=args.pulse_rate,
        daemon=True if args.daemon else (
            False if (args.iterations or args.duration) else None),
        iterations=args.iterations, duration=args.duration,
        sentinel=args.sentinel)
    # Only now, with the input checked, the first network call.
    catalog = runner.fetch_catalog(conf, run_plan.timeout)
    series, skipped = plan_mod.series(run_plan, conf, catalog=catalog)
    for name, reason in sorted(skipped.items()):
        err.write('skipping %s: %s\n' % (name, reason))
    out.write('probing %s at %s/s into %s (%s)\n' % (
        ', '.join(s[0] for s in series), run_plan.rate, run_plan.output_dir,
        run_plan.describe_mode()))
    out.flush()
    result = runner.run(run_plan, series, skipped=skipped,
                        projects=probes.keystone_projects(conf, run_plan))
    print_table(result, out)
    out.write('summary: %s\n' % os.path.join(run_plan.output_dir,
                                             summary_mod.FILENAME))
    status = exit_status(result)
    if status == Exit.THRESHOLD:
        for v in result['violations']:
            err.write('threshold exceeded: %s\n' % v['message'])
    elif status == Exit.LEFT_BEHIND:
        for message in summary_mod.left_behind_messages(result):
            err.write('%s\n' % message)
    return status


def do_mark(args, out, err):
    directory = args.output_dir
    if not directory:
        conf = load_conf(find_config(args.config_file), args.log_level)
        directory = plan_mod.default_dirs(conf)[0]
    marker = markers.add(directory, args.text)
    out.write('marked %.3f %s\n' % (marker['time'], marker['text']))
    return Exit.OK


def do_summary(args, out, err):
    if not os.path.isdir(args.directory):
        raise plan_mod.UptimeError('no such directory: %s' % args.directory)
    result = summary_mod.build(args.directory)
    if not result['services']:
        raise plan_mod.UptimeError('no probe logs in %s' % args.directory)
    summary_mod.write(args.directory, result)
    print_table(result, out)
    return Exit.OK


def parser():
    p = argparse.ArgumentParser(prog='upgrade-uptime',
                                description='Probe OpenStack API uptime.')
    console.add_arguments(p)
    sub = p.add_subparsers(dest='command', required=True)
    r = sub.add_parser('run', help='probe the APIs')
    mode = r.add_mutually_exclusive_group()
    mode.add_argument('--daemon', action='store_true',
                      help='probe until the sentinel file appears')
    mode.add_argument('--iterations', type=int, metavar='N',
                      help='probes per API')
    mode.add_argument('--duration', type=float, metavar='S',
                      help='seconds to probe for')
    r.add_argument('--config-file', help='tempest.conf to read')
    r.add_argument('--services', help='comma-separated APIs, e.g. '
                   'nova,cinder (default: [upgrade] uptime_services)')
    r.add_argument('--output-dir', help='where logs and summary go')
    r.add_argument('--rate', type=float, help='probes per second per API')
    r.add_argument('--service-rates', metavar='SVC=R,...',
                   help='per-API rates, e.g. keystone=2 (default: [upgrade] '
                   'uptime_service_rates)')
    r.add_argument('--pulse-rate', type=float, metavar='R',
                   help='pulse probes per second per API (0: none)')
    r.add_argument('--timeout', type=float,
                   help='time limit per probe in seconds')
    r.add_argument('--sentinel', help='sentinel file for --daemon')
    r.add_argument('--write-probes', action='store_true',
                   help='also run the write probe series')
    r.set_defaults(func=do_run)
    m = sub.add_parser('mark', help='append a timestamped marker')
    m.add_argument('text')
    m.add_argument('--output-dir')
    m.add_argument('--config-file')
    m.set_defaults(func=do_mark)
    s = sub.add_parser('summary', help='rebuild and print the summary')
    s.add_argument('directory')
    s.set_defaults(func=do_summary)
    return p


def main(argv=None, out=None, err=None):
    """Entry point of ``upgrade-uptime``; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = parser().parse_args(argv)
    console.setup(args.log_level)
    try:
        return int(args.func(args, out, err))
    except (plan_mod.UptimeError, ValueError) as exc:
        # ValueError: markers.add's empty marker text
        err.write('upgrade-uptime: error: %s\n' % exc)
        return int(exit_status(None))


if __name__ == '__main__':
    sys.exit(main())
