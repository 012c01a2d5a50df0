"""Accuracy of the uptime windows under exact faults, all APIs probed at once.

The real daemon (``upgrade-uptime run --daemon``, the defaults of
``[upgrade]``: every API, a new-connection and a keep-alive series each)
probes the local cloud while this benchmark injects faults of exactly
known length into one API at a time (``benchmarks/faults.py``: refused by
an iptables REJECT, a hang by SIGSTOP/SIGCONT, 503 answers by redirecting
new connections to a server of ours), several APIs and kinds in one run.
Then it stops the daemon with the sentinel and compares, per fault and
series, the reported windows (and stalls, for hangs shorter than the time
limit) with the truth.

Usage (as root, the local cloud up)::

    python benchmarks/bench_uptime_faults.py [--config-file tempest.conf]
        [--faults refused:glance:0.5,hang:cinder:3,...] [--gap 6]
        [--quiet SECONDS]  # a fault-free run instead: no window expected

Prints one line per fault and series: truth, estimate, bounds, error; then
whether the targets hold: every fault seen by a series of its API, the
truth inside the bounds of every series that saw it, |estimate - truth| <=
max(100 ms, 5 %), no window anywhere else (stalls elsewhere are listed:
an API that answered nothing for a while is news, but not downtime).
A series must see every fault longer than its probe interval plus the
stall threshold; a shorter one may fall between its probes (listed, not
judged: at the defaults the API's pulse series, 10/s, sees it).
Exit 1 if a target is missed. iptables rules and stopped processes are
undone on every exit path.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults as faults_mod  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_ABS, TARGET_PCT = 0.1, 5.0
DEFAULT_FAULTS = ('refused:glance:0.5,hang:cinder:3,503:nova:2,'
                  'refused:neutron:2,hang:swift:1,503:glance:0.5,'
                  'refused:nova:5,hang:neutron:5,503:cinder:1,'
                  'refused:keystone:1,hang:glance:0.5,refused:cinder:10,'
                  '503:swift:3,hang:nova:2.5')


def parse_faults(text):
    out = []
    for item in text.split(','):
        kind, service, seconds = item.strip().split(':')
        out.append((kind, service, float(seconds)))
    return out


def default_config():
    home = os.environ.get('LOCALCLOUD_HOME') or os.path.join(
        REPO, '.localcloud')
    return os.path.join(home, 'workspace', 'etc', 'tempest.conf')


def start_daemon(config, out_dir, extra=()):
    cmd = [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd', 'run',
           '--daemon', '--config-file', config, '--output-dir', out_dir]
    cmd += list(extra)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_for_probes(out_dir, seconds):
    deadline = time.time() + 120
    while time.time() < deadline:
        logs = [n for n in os.listdir(out_dir) if n.endswith('.jsonl')
                and n != 'markers.jsonl'] if os.path.isdir(out_dir) else []
        if logs and all(os.path.getsize(os.path.join(out_dir, n)) > 0
                        for n in logs):
            time.sleep(seconds)
            return
        time.sleep(0.5)
    raise SystemExit('the daemon logged no probes within 120 s')


def stop_daemon(proc, out_dir):
    open(os.path.join(out_dir, 'stop'), 'w').close()
    try:
        output, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.terminate()
        output, _ = proc.communicate()
    return proc.returncode, output


def intervals(svc):
    """Windows and stalls of a series: (start, end, est, lo, hi, what)."""
    out = []
    for w in svc.get('windows', []):
        lo, hi = w['duration_bounds']
        out.append((w['start_bounds'][0], w['end_bounds'][1],
                    w['duration_s'], lo, hi, 'window'))
    for s in svc.get('stalls', []):
        lo, hi = s['duration_bounds']
        out.append((s['start'], s['end'], s['duration_s'], lo, hi, 'stall'))
    return out


def judge(summary, injected):
    """Rows per fault and series, and the unexplained windows/stalls."""
    rows, used = [], set()
    services = summary['services']
    for kind, service, start, end in injected:
        truth = end - start
        for name in sorted(services):
            if services[name].get('service') != service or \
                    services[name].get('kind') not in ('read', 'pulse'):
                continue
            # what overlaps the fault itself (a stall a second after it,
            # e.g. a service catching up after SIGCONT, is not the fault)
            found = [iv for iv in intervals(services[name])
                     if iv[0] <= end + 0.2 and iv[1] >= start - 0.2]
            used.update((name, iv) for iv in found)
            row = {'fault': '%s %s %.1f s' % (kind, service, truth),
                   'series': name, 'truth': truth,
                   'est': sum(iv[2] for iv in found),
                   'lo': sum(iv[3] for iv in found),
                   'hi': sum(iv[4] for iv in found),
                   'what': '+'.join(iv[5] for iv in found) or '-'}
            rate = services[name].get('rate') or 1.0
            threshold = (summary.get('plan') or {}).get(
                'stall_threshold', 0.25)
            if kind == '503' and services[name].get(
                    'connection') == 'keepalive':
                # NAT redirects new connections only: a kept connection
                # sees the fault from whenever it happens to be renewed
                # (seen: once reset as the rule went in), so its truth is
                # not known exactly. Listed, not judged.
                row.update(truth=None, err=0.0, inside=True, close=True)
            elif not found and truth < 1.0 / rate + threshold:
                # shorter than the series' interval (plus the stall
                # threshold, for hangs): it may fall between its probes.
                # Listed; the fault must be seen by another series.
                row.update(err=None, inside=True, close=True, missed=True)
            else:
                row['err'] = row['est'] - truth
                row['inside'] = (row['lo'] - 1e-6 <= truth <= row['hi'] +
                                 1e-6 if found else False)
                row['close'] = abs(row['err']) <= max(
                    TARGET_ABS, truth * TARGET_PCT / 100)
            rows.append(row)
    extra = []
    for name, svc in sorted(services.items()):
        for iv in intervals(svc):
            if (name, iv) not in used:
                extra.append((name, iv))
    return rows, extra


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config-file', default=default_config())
    p.add_argument('--faults', default=DEFAULT_FAULTS)
    p.add_argument('--gap', type=float, default=6.0,
                   help='seconds between faults (plus the jitter)')
    p.add_argument('--jitter', type=float, default=1.0,
                   help='each fault starts after a random 0..JITTER s more, '
                   'so that faults fall at any phase of the probes\' '
                   'schedule (with fixed gaps every fault started at '
                   'about the same phase, and the errors measured one '
                   'phase only)')
    p.add_argument('--seed', type=int, default=None,
                   help='seed of the jitter (default: random, printed)')
    p.add_argument('--warmup', type=float, default=10.0)
    p.add_argument('--quiet', type=float, metavar='SECONDS',
                   help='no faults: probe this long, expect no window')
    p.add_argument('--keep', help='keep the run directory here')
    p.add_argument('--daemon-args', default='',
                   help='extra arguments of upgrade-uptime run, e.g. '
                   '"--rate 5" (default: the [upgrade] defaults)')
    p.add_argument('--judge', metavar='DIR',
                   help='judge a kept run again (its faults.json) instead '
                   'of running one')
    args = p.parse_args(argv)
    if args.judge:
        with open(os.path.join(args.judge, 'faults.json')) as f:
            return report(args.judge, [tuple(i) for i in json.load(f)])
    out_dir = args.keep or tempfile.mkdtemp(prefix='bench-faults-')
    plan = [] if args.quiet else parse_faults(args.faults)
    injected = []
    seed = args.seed if args.seed is not None else random.randrange(10000)
    jitter = random.Random(seed)
    print('fault gaps: %.1f s + random 0..%.1f s (seed %d)'
          % (args.gap, args.jitter, seed))
    proc = start_daemon(args.config_file, out_dir, args.daemon_args.split())
    try:
        with faults_mod.Faults(REPO) as faults:
            wait_for_probes(out_dir, args.warmup)
            if args.quiet:
                time.sleep(args.quiet)
            for kind, service, seconds in plan:
                time.sleep(jitter.uniform(0, args.jitter))
                start, end = faults.inject(kind, service, seconds)
                injected.append((kind, service, start, end))
                print('injected %-7s %-8s %5.2f s (true %.3f s)' % (
                    kind, service, seconds, end - start), flush=True)
                time.sleep(args.gap)
    finally:
        rc, output = stop_daemon(proc, out_dir)
    with open(os.path.join(out_dir, 'faults.json'), 'w') as f:
        json.dump(injected, f)
    return report(out_dir, injected, rc)


def report(out_dir, injected, rc=None):
    """Print the judgement of the run in ``out_dir``; 0 if targets met."""
    with open(os.path.join(out_dir, 'summary.json')) as f:
        summary = json.load(f)
    rows, extra = judge(summary, injected)
    print('%-22s %-20s %7s %7s %17s %7s  %s' % (
        'fault', 'series', 'truth', 'est', '[bounds]', 'error', 'seen as'))
    for r in rows:
        if r['truth'] is None:
            print('%-22s %-20s %7s %7.3f [%6.3f..%6.3f] %7s  %s (not '
                  'judged: kept connection)' % (
                      r['fault'], r['series'], 'n/a', r['est'], r['lo'],
                      r['hi'], '', r['what']))
            continue
        if r.get('missed'):
            print('%-22s %-20s %7.3f %7s %17s %7s  - (not judged: shorter '
                  'than its interval)' % (r['fault'], r['series'],
                                          r['truth'], '', '', ''))
            continue
        print('%-22s %-20s %7.3f %7.3f [%6.3f..%6.3f] %+7.3f  %s%s%s' % (
            r['fault'], r['series'], r['truth'], r['est'], r['lo'], r['hi'],
            r['err'], r['what'], '' if r['inside'] else '  TRUTH OUTSIDE',
            '' if r['close'] else '  TOO FAR'))
    t0 = min(s['start_time'] for s in summary['services'].values())
    for name, iv in extra:
        print('outside the faults: %s on %s at +%.1f s: %.3f s [%.3f..%.3f]'
              % (iv[5], name, iv[0] - t0, iv[2], iv[3], iv[4]))
    total = sum(s['total_requests'] for s in summary['services'].values())
    skipped = sum(s.get('skipped_ticks', 0)
                  for s in summary['services'].values())
    print('series: %d, probes: %d, skipped ticks: %d, daemon exit %s, '
          'run directory %s' % (len(summary['services']), total, skipped,
                                rc, out_dir))
    judged = [r for r in rows if r['truth'] is not None]
    faults = sorted({r['fault'] for r in judged})
    seen = [f for f in faults if any(
        r['what'] != '-' for r in judged if r['fault'] == f)]
    print('faults seen by at least one series of their API: %d of %d'
          % (len(seen), len(faults)))
    print('truth inside the bounds of every series that saw its fault: %s'
          % ('yes' if all(r['inside'] for r in judged if r['what'] != '-')
             else 'NO'))
    inside = all(r['inside'] for r in rows) and len(seen) == len(faults)
    close = all(r['close'] for r in rows)
    worst = max((abs(r['err']) for r in rows if r['err'] is not None),
                default=0.0)
    print('truth inside the bounds for every fault: %s' % (
        'yes' if inside else 'NO'))
    print('|estimate - truth| <= max(100 ms, 5 %%): %s (worst %.3f s)' % (
        'yes' if close else 'NO', worst))
    windows = [e for e in extra if e[1][5] == 'window']
    print('windows outside the faults: %d (stalls: %d, reported, not '
          'downtime)' % (len(windows), len(extra) - len(windows)))
    ok = inside and close and not windows
    print('targets %s' % ('met' if ok else 'MISSED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
