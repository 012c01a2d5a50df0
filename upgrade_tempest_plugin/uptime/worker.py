"""One probe process: ``python -m upgrade_tempest_plugin.uptime.worker JSON``.

Started by ``runner``; builds only its own traced client, probes on the
fixed schedule until its iterations or duration are done, the sentinel
appears, it gets SIGINT/SIGTERM or its parent dies, then writes its run
metadata and its Trace stats and exits 0.
"""

import json
import logging
import os
import signal
import sys
import threading
import time

LOG = logging.getLogger('upgrade_tempest_plugin.uptime.worker')


def stop_condition(stop, sentinel=None, parent=None):
    """A ``should_stop`` callable for the scheduler."""
    def should_stop():
        if stop.is_set():
            return True
        if sentinel and os.path.exists(sentinel):
            return True
        return parent is not None and os.getppid() != parent
    return should_stop


def install_signal_handlers(stop):
    def handler(signum, _frame):
        stop.set()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def stats_path(directory, series, pid=None):
    """``<output_dir>/stats/uptime-<series>-<pid>.json`` for ``directory``
    = ``<output_dir>/uptime``."""
    base = os.path.dirname(os.path.abspath(directory))
    return os.path.join(base, 'stats', 'uptime-%s-%d.json'
                        % (series, pid or os.getpid()))


def log_to(directory, series):
    """Send this process's log to ``<directory>/<series>.log``."""
    logging.basicConfig(
        force=True,
        filename=os.path.join(directory, '%s.log' % series),
        level=logging.INFO,
        format='%(asctime)s %(process)d %(levelname)s %(name)s %(message)s')


def probe_loop(args, probe, stop, meta=None):
    """Probe on the schedule described by ``args`` until done or stopped.

    Writes ``<series>.jsonl`` and ``<series>.meta.json`` in
    ``args['output_dir']``; returns the scheduler (its counters), with the
    metadata written as ``sched.meta``.
    """
    from upgrade_tempest_plugin.uptime import probelog
    from upgrade_tempest_plugin.uptime import schedule

    directory, series = args['output_dir'], args['series']
    log = probelog.ProbeLog(directory, series)
    meta = dict(meta or {}, series=series, service=args['service'],
                kind=args['kind'], rate=args['rate'],
                timeout=args['timeout'],
                connection=args.get('connection', 'new'),
                max_outstanding=args.get('max_outstanding', 1),
                backend=args.get('backend'),
                pid=os.getpid(), start_time=time.time(), end_time=None)
    probelog.write_meta(directory, series, meta)
    LOG.info('probing %s at %s/s', series, args['rate'])
    sched = schedule.Scheduler(
        probe, args['rate'], args['timeout'], log.write,
        max_outstanding=args.get('max_outstanding', 1),
        abandon_after=args.get('abandon_after'),
        recovery_interval=args.get('recovery_interval'),
        recover_on=(lambda error: True) if args['kind'] in (
            'pulse', 'control') else None,
        record_late=args.get('record_late'))
    try:
        start, end = sched.run(
            stop_condition(stop, args.get('sentinel'), args.get('parent')),
            iterations=args.get('iterations'),
            duration=args.get('duration'), phase=args.get('phase', 0.0),
            epoch=args.get('epoch'))
    finally:
        log.close()
    meta.update(start_time=start, end_time=end, sent=sched.sent,
                skipped_ticks=sched.skipped, late_ticks=sched.late_ticks,
                recovery_probes=sched.recovery)
    probelog.write_meta(directory, series, meta)
    LOG.info('%s: %d probes sent, %d ticks skipped (probes open), %d '
             'late ticks (prober starved)', series, sched.sent,
             sched.skipped, sched.late_ticks)
    sched.meta = meta
    return sched


def main(args):
    """Run one series described by the dict ``args``; return exit code."""
    if args['kind'] == 'control':
        stop = threading.Event()
        install_signal_handlers(stop)
        os.makedirs(args['output_dir'], exist_ok=True)
        return control_main(args, stop)
    from tempest import config

    from upgrade_tempest_plugin.common import tracking
    from upgrade_tempest_plugin.uptime import probelog
    from upgrade_tempest_plugin.uptime import probeproject
    from upgrade_tempest_plugin.uptime import probes

    stop = threading.Event()
    install_signal_handlers(stop)
    directory, series = args['output_dir'], args['series']
    os.makedirs(directory, exist_ok=True)
    config.CONF.set_config_path(args['config_file'])
    conf = config.CONF
    conf.upgrade    # load it now: tempest sets up logging when it loads
    log_to(directory, series)
    # One INFO line per HTTP call at 10/s is noise here; the probe log
    # already has every call.
    logging.getLogger('tempest.lib.common.rest_client').setLevel(
        logging.WARNING)
    # Each request may wait up to abandon_after for its answer; the
    # scheduler judges the probe's own time limit.
    # the read probes' own project, when the runner made one (its
    # credentials come in the environment, not on the command line)
    credentials = probeproject.from_environ(os.environ) \
        if args['kind'] == 'read' else None
    client, probe = probes.build(
        args['service'], args['kind'], conf,
        max(args.get('abandon_after') or 0, args['timeout']),
        keepalive=args.get('connection') == 'keepalive',
        backend=args.get('backend'), credentials=credentials)
    trace = tracking.Trace.from_config(conf)
    client = trace.decorate(client)
    meta = {'probe': probes.describe(args['service'], args['kind'])}
    if getattr(probe, 'url', None):
        meta['url'] = probe.url
    if getattr(probe, 'target', None):
        meta['target'] = probe.target
    if credentials:
        meta['project'] = credentials['project_name']
    sched = probe_loop(args, probe, stop, meta=meta)
    # A create+delete is two calls of at most `abandon_after` each.
    if not sched.join(2 * max(args.get('abandon_after') or 0,
                              args['timeout']) + 1):
        LOG.warning('%s: probe threads still running at the end', series)
    if args['kind'] == 'write':
        left = probe.sweep()
        if left:
            LOG.warning('%s: could not delete %s', series, ', '.join(left))
        sched.meta['left_behind'] = left
        probelog.write_meta(directory, series, sched.meta)
    trace.stats.log(LOG)
    path = stats_path(directory, series)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    trace.stats.save(path)
    return 0


def control_main(args, stop):
    """The control series: GET the runner's own endpoint (``args['url']``)
    like a pulse; no tempest client, no token, no call statistics."""
    from upgrade_tempest_plugin.uptime import probes
    from upgrade_tempest_plugin.uptime import pulsehttp
    from upgrade_tempest_plugin.uptime import requestids

    log_to(args['output_dir'], args['series'])
    http = requestids.tag(pulsehttp.PlainHttp(
        max(args.get('abandon_after') or 0, args['timeout'])))
    probe = probes.pulse(http, args['url'])
    probe_loop(args, probe, stop, meta={
        'probe': 'GET the runner\'s control endpoint', 'url': args['url'],
        'target': probes.target_of(args['url'])})
    return 0


if __name__ == '__main__':
    sys.exit(main(json.loads(sys.argv[1])))
