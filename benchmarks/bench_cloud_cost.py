"""What the running local cloud costs: RSS and idle CPU, per service.

Reads ``python3 -m localcloud status --json`` (the home in
``$LOCALCLOUD_HOME``), then samples ``/proc/<pid>/stat`` of every process
of ours (each service's process group: a gunicorn master and its workers,
each API backend, haproxy) at the start and the end of ``--seconds`` of
idling, and prints per service its RSS and its CPU in percent of one core
over that time, then the totals. Nothing is sent to the cloud: an idle
cloud's own CPU (periodic tasks, haproxy's health checks, heartbeats).

    python benchmarks/bench_cloud_cost.py [--seconds 60] [--json]
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from localcloud import procs  # noqa: E402

TICK = os.sysconf('SC_CLK_TCK')


def cloud_status():
    res = subprocess.run([sys.executable, '-m', 'localcloud', 'status',
                          '--json'], capture_output=True, text=True)
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith('{')]
    if not lines:
        raise SystemExit('bench_cloud_cost: no status from localcloud: %s'
                         % res.stderr.strip())
    return json.loads(lines[-1])


def leaders(row):
    """Process group leaders of one status row (its backends' too)."""
    pids = [row['pid']] if row.get('pid') else []
    for backend in row.get('backends') or []:
        if backend.get('pid') and backend['pid'] not in pids:
            pids.append(backend['pid'])
    return pids


def _fields(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.rindex(')') + 2:].split()


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        fields = _fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])   # utime + stime
    return total


def measure(seconds):
    status = cloud_status()
    rows = {}
    for row in status['services']:
        groups = leaders(row)
        pids = [p for leader in groups for p in procs.group(leader)]
        if pids:
            rows[row['service']] = (groups, pids)
    before = {name: cpu_ticks(pids) for name, (_, pids) in rows.items()}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    out = {}
    for name, (groups, pids) in rows.items():
        out[name] = {
            'processes': len(pids),
            'rss_mib': round(sum(procs.rss_bytes(g) for g in groups)
                             / 2.0 ** 20, 1),
            'cpu_pct': round(100.0 * (cpu_ticks(pids) - before[name])
                             / TICK / elapsed, 2)}
    return {'seconds': round(elapsed, 1),
            'backends': status.get('backends'),
            'services': out,
            'rss_gib': round(sum(r['rss_mib'] for r in out.values())
                             / 1024.0, 2),
            'cpu_pct': round(sum(r['cpu_pct'] for r in out.values()), 2),
            'loadavg': open('/proc/loadavg').read().split()[:3]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds', type=float, default=60.0)
    p.add_argument('--json', action='store_true')
    args = p.parse_args(argv)
    result = measure(args.seconds)
    if args.json:
        print(json.dumps(result))
        return 0
    print('%-18s %5s %9s %8s' % ('service', 'procs', 'RSS MiB', 'CPU %'))
    for name, row in sorted(result['services'].items(),
                            key=lambda kv: -kv[1]['rss_mib']):
        print('%-18s %5d %9.1f %8.2f' % (name, row['processes'],
                                         row['rss_mib'], row['cpu_pct']))
    print('total: RSS %.2f GiB, CPU %.2f %% of one core over %.0f s idle '
          '(backends per API: %s; load average %s)' % (
              result['rss_gib'], result['cpu_pct'], result['seconds'],
              result['backends'] or 1, ' '.join(result['loadavg'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
