"""Rolling restarts and an undrained stop behind haproxy, under the uptime
daemon: what the functional test and ``bench_rolling.py`` both run.

``run(apis, ...)`` starts ``upgrade-uptime run --daemon`` on ``apis``
(uptime names) with the backends read from haproxy's stats socket, then
for each API ``localcloud restart <api> --rolling``; then an undrained
stop of the first API's first backend (``localcloud stop <api>-b1``,
haproxy not told) for ``stop_s``, and its start. It returns the figures
and the list of problems found against what a drained rolling restart
promises: no failed probe through the endpoint while it runs, exactly
one window per backend on that backend's own series, one backend after
the other; the undrained stop seen on the backend's series, and every
probe that failed through the endpoint meanwhile logged by haproxy
against that backend -- but a kept-alive connection reset with no request
for haproxy to log, while the backend's own series saw it down (counted
in ``unlogged_resets``).
"""

import configparser
import json
import os
import subprocess
import sys
import time

from localcloud import services

RESET = 'connection reset'
# uptime name -> local cloud service
API = services.UPTIME_APIS


def localcloud(*args):
    return subprocess.run([sys.executable, '-m', 'localcloud'] + list(args),
                          capture_output=True, text=True)


def cloud_status():
    out = localcloud('status', '--json').stdout
    return json.loads([ln for ln in out.splitlines()
                       if ln.startswith('{')][-1])


def overlapping(windows, start, end):
    return [w for w in windows if w['start'] <= end and w['end'] >= start]


def write_conf(base_conf, path, socket_path):
    """A copy of ``base_conf`` whose backends come from haproxy."""
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(base_conf)
    if not conf.has_section('upgrade'):
        conf.add_section('upgrade')
    conf.set('upgrade', 'uptime_backends', '')
    conf.set('upgrade', 'uptime_haproxy_socket', socket_path)
    with open(path, 'w') as f:
        conf.write(f)
    return path


def backends(status, lc_name):
    row = next(r for r in status['services'] if r['service'] == lc_name)
    return ['127.0.0.1:%d' % b['port'] for b in row['backends']]


def run(apis, base_conf, work_dir, stop_s=4.0, rate=1.0):
    """The scenario on ``apis``; ``(result, problems)``."""
    status = cloud_status()
    out_dir = os.path.join(work_dir, 'uptime')
    conf = write_conf(base_conf, os.path.join(work_dir, 'tempest.conf'),
                      status['haproxy_socket'])
    daemon = subprocess.Popen(
        [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd', 'run',
         '--daemon', '--services', ','.join(apis), '--rate', str(rate),
         '--config-file', conf, '--output-dir', out_dir],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(8)                   # probers started, tokens fetched
        if daemon.poll() is not None:
            return {'daemon': daemon.communicate()[0]}, ['daemon exited']
        rolled, logs = {}, {}
        for api in apis:
            start = time.time()
            res = localcloud('restart', API[api], '--rolling', '--json')
            rolled[api] = (start, time.time())
            logs[api] = res.stdout
            if res.returncode:
                return {'rolling': res.stdout + res.stderr}, [
                    'rolling restart of %s: exit %d' % (api, res.returncode)]
            time.sleep(2)
        victim = API[apis[0]] + '-b1'
        stop_at = time.time()
        localcloud('stop', victim)
        time.sleep(stop_s)
        localcloud('start', victim)
        stop_end = time.time()
        time.sleep(4)
    finally:
        if daemon.poll() is None:
            open(os.path.join(out_dir, 'stop'), 'w').close()
    output, _ = daemon.communicate(timeout=120)
    with open(os.path.join(out_dir, 'summary.json')) as f:
        series = json.load(f)['services']
    result = {'daemon_exit': daemon.returncode, 'daemon': output,
              'rolling': {api: json.loads([
                  ln for ln in logs[api].splitlines()
                  if ln.startswith('{')][-1]) for api in apis},
              'series': {n: {'failed': s['failed_requests'],
                             'total': s['total_requests'],
                             'windows': [(round(w['start'], 3),
                                          round(w['end'], 3), w['errors'])
                                         for w in s['windows']]}
                         for n, s in series.items()}}
    problems = [] if daemon.returncode == 0 else [
        'daemon exit %d' % daemon.returncode]
    problems += judge_rolling(apis, status, series, rolled)
    undrained, found = judge_undrained(
        apis[0], status, series, stop_at, stop_end)
    result['undrained'] = undrained
    return result, problems + found


def judge_rolling(apis, status, series, rolled):
    problems = []
    for api in apis:
        start, end = rolled[api]
        for name in (api, api + '-keepalive', api + '-pulse'):
            failed = [w for w in overlapping(series[name]['windows'],
                                             start, end)]
            if failed:
                problems.append('%s: windows through the endpoint during '
                                'the rolling restart: %s' % (name, failed))
        last_end = 0.0
        for backend in backends(status, API[api]):
            for name in ('%s@%s' % (api, backend),
                         '%s-pulse@%s' % (api, backend)):
                seen = overlapping(series[name]['windows'], start, end)
                if len(seen) != 1:
                    problems.append('%s: %d windows in its rolling restart,'
                                    ' not 1' % (name, len(seen)))
                elif name.startswith(api + '@'):
                    if seen[0]['start'] < last_end:
                        problems.append('%s: down before the backend '
                                        'before it was back' % name)
                    last_end = seen[0]['end']
    return problems


def judge_undrained(api, status, series, stop_at, stop_end):
    """The undrained stop of ``api``'s first backend: figures, problems."""
    problems = []
    b1 = backends(status, API[api])[0]
    own = series['%s@%s' % (api, b1)]
    seen = overlapping(own['windows'], stop_at, stop_end)
    if not seen:
        problems.append('%s@%s: no window over its undrained stop'
                        % (api, b1))
    if own.get('target') != b1:
        problems.append('%s@%s: target %s' % (api, b1, own.get('target')))
    through = [(name, w) for name in (api, api + '-keepalive', api + '-pulse')
               for w in overlapping(series[name]['windows'], stop_at,
                                    stop_end + 2)]
    log_path = os.path.join(status['home'], 'logs', 'haproxy.log')
    with open(log_path) as f:
        log = [ln.rstrip() for ln in f if API[api] + '/' in ln]
    server = '%s/%s-b1' % (API[api], API[api])
    unlogged = []
    for name, window in through:
        for rid in window['request_ids']:
            named = [ln for ln in log if rid in ln]
            if any(server in ln for ln in named):
                continue
            if not named and seen and name.endswith('-keepalive') and \
                    set(window['errors']) == {RESET}:
                # haproxy reset the kept-alive client connection as the
                # backend it was attached to went away, before reading a
                # request: nothing for it to log; b1's own series shows
                # it down at the same time
                unlogged.append((name, rid))
                continue
            problems.append('%s: failed probe %s not logged by haproxy '
                            'against %s: %s' % (name, rid, server, named))
    return {'backend': b1, 'stop_s': round(stop_end - stop_at, 2),
            'unlogged_resets': unlogged,
            'backend_windows': [(round(w['start'] - stop_at, 2),
                                 w['duration_s'], w['errors'])
                                for w in seen],
            'endpoint_windows': [(name, round(w['start'] - stop_at, 2),
                                  w['failed_probes'], w['errors'],
                                  w['request_ids']) for name, w in through],
            'haproxy_log': [ln for ln in log if server in ln][-20:]}, problems
