"""Does probing change what it measures? Users' latency and listen queues
with the uptime daemon off and on, at its defaults, on the local cloud.

Two measurements, each with the daemon off, then on (``upgrade-uptime run
--daemon``, the ``[upgrade]`` defaults: every API, two read series and a
pulse each):

1. A fixed mix of user calls, one after the other for ``--seconds`` with
   the probing off and as long with it on, alternating in ``--blocks``
   pairs (the daemon's processes are stopped with SIGSTOP while it is
   "off"), so that what drifts on a shared machine falls on both: an
   admin token, then keystone's project list, nova's servers, neutron's
   networks, cinder's volumes, glance's images, swift's containers, over
   one kept-alive connection per API as a real client would. Meanwhile
   ``ss -ltn`` is sampled every 0.2 s for each API's accept queues (its
   endpoint's, haproxy's on the local cloud, and its backends')
   (Recv-Q). Prints p50/p95 per API and of the whole mix, the p95 ratio
   on/off and the largest queue seen.
2. tempest's own smoke subset (the one tests/functional/localcloud/
   test_smoke.py runs), off and on: passed/failed and wall time, and the
   ratio.

Targets: p95 ratio <= 1.10, no listen queue above the probes' bound
(``[upgrade] uptime_max_outstanding`` per series, three series per API:
two read series and the pulse), the smoke subset passing beside the
daemon in <= 1.2x its time without. Exit 1 if one is missed.

Usage::

    python benchmarks/bench_uptime_probe_effect.py [--config-file X]
        [--seconds 60] [--blocks 6] [--skip-smoke]
"""

import argparse
import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import urllib3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_uptime_faults as faults_bench  # noqa: E402

REPO = faults_bench.REPO
faults_mod = faults_bench.faults_mod
sys.path.insert(0, REPO)
# the subset the local cloud's smoke test runs: one list of it
from tests.functional.localcloud.test_smoke import SMOKE  # noqa: E402
from upgrade_tempest_plugin.common import percentile  # noqa: E402
# catalog type -> (name, path template)
CALLS = [('identity', 'keystone', '/v3/projects?limit=20'),
         ('compute', 'nova', '/servers/detail?limit=20'),
         ('network', 'neutron', '/v2.0/networks?limit=20'),
         ('block-storage', 'cinder', '/volumes/detail?limit=20'),
         ('image', 'glance', '/v2/images?limit=20'),
         ('object-store', 'swift', '?format=json&limit=20')]


def pct(values, p):
    """Nearest rank, the plugin's one percentile definition."""
    return percentile.of_sorted(sorted(values), p) if values else \
        float('nan')


class User(object):
    """An admin user of the cloud with one kept-alive connection per API."""

    def __init__(self, config):
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(config)
        self.http = urllib3.PoolManager(maxsize=1, timeout=60,
                                        retries=False)
        body = {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'name': conf['auth']['admin_username'],
                     'domain': {'name': conf['auth']['admin_domain_name']},
                     'password': conf['auth']['admin_password']}}},
            'scope': {'project': {
                'name': conf['auth']['admin_project_name'],
                'domain': {'name': conf['auth']['admin_domain_name']}}}}}
        self.uri = conf['identity']['uri_v3']
        self.body = json.dumps(body).encode()
        self.token, self.catalog = self._login()
        self.resets = 0         # kept-alive connections closed under us

    def _login(self):
        r = self.http.request('POST', self.uri + '/auth/tokens',
                              body=self.body, headers={
                                  'Content-Type': 'application/json'})
        assert r.status == 201, r.status
        catalog = {}
        for entry in json.loads(r.data)['token']['catalog']:
            for ep in entry['endpoints']:
                if ep['interface'] == 'public':
                    catalog[entry['type']] = ep['url'].rstrip('/')
        return r.headers['X-Subject-Token'], catalog

    def mix(self, latencies):
        for ctype, name, path in CALLS:
            base = self.catalog[ctype]
            if ctype == 'identity':
                base = self.uri[:-len('/v3')]
            start = time.monotonic()
            try:
                r = self.http.request('GET', base + path,
                                      headers={'X-Auth-Token': self.token})
            except urllib3.exceptions.ProtocolError:
                # the API closed our idle kept-alive connection (gunicorn
                # does after its keep-alive time): a real client sends
                # again on a new one, and so do we, timing both
                self.resets += 1
                r = self.http.request('GET', base + path,
                                      headers={'X-Auth-Token': self.token})
            latencies.setdefault(name, []).append(time.monotonic() - start)
            if r.status >= 400:
                raise RuntimeError('%s answered %s' % (name, r.status))


def ports(repo):
    """``{port: api}``: each API's catalog port (haproxy's, on the local
    cloud) and its backends' ports: behind haproxy the backend is where
    requests given up on would queue."""
    status = faults_mod.cloud_status(repo)
    out = {}
    for svc, api in faults_mod.API.items():
        out[int(status[api]['port'])] = svc
        for backend in status[api].get('backends') or []:
            out[int(backend['port'])] = svc
    return out


def measure_mix(user, api_ports, seconds, latencies=None, queues=None):
    """Run the user mix for ``seconds``; add to ``latencies`` (per API)
    and ``queues`` (largest accept queue per API)."""
    latencies = {} if latencies is None else latencies
    queues = {} if queues is None else queues
    sampler = faults_mod.QueueSampler(api_ports, every=0.2)
    sampler.start()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            user.mix(latencies)
            time.sleep(0.2)
    finally:
        sampler.stop()
    for name, q in sampler.largest.items():
        queues[name] = max(queues.get(name, 0), q)
    return latencies, queues


def measure_alternating(user, api_ports, config, extra, seconds, blocks):
    """The mix with the daemon's probing off and on, in ``blocks`` pairs
    of ``seconds / blocks`` each, in the order off-on, on-off, ...

    The daemon runs throughout; "off" stops its processes (SIGSTOP, no
    probe is sent), "on" lets them go on (SIGCONT; the scheduler skips
    the ticks it missed, no burst). Alternating cancels what drifts on a
    shared machine (other work, caches warming) between two long blocks.
    The daemon's own figures are not the point here: its probes open
    across a pause look slow to it.
    """
    off, on, q_off, q_on = {}, {}, {}, {}
    part = seconds / float(blocks)
    out_dir = tempfile.mkdtemp(prefix='bench-effect-')
    proc = faults_bench.start_daemon(config, out_dir, extra)
    pids = []
    try:
        faults_bench.wait_for_probes(out_dir, 5)
        pids = faults_mod.daemon_pids(proc)
        for i in range(blocks):
            order = [(False, off, q_off), (True, on, q_on)]
            for probing, lat, queues in (order if i % 2 == 0
                                         else order[::-1]):
                faults_mod.signal_all(pids, signal.SIGCONT if probing
                                      else signal.SIGSTOP)
                time.sleep(1.0)     # let the switch settle, not measured
                measure_mix(user, api_ports, part, lat, queues)
    finally:
        faults_mod.signal_all(pids, signal.SIGCONT)
        rc, _output = faults_bench.stop_daemon(proc, out_dir)
        print('  daemon: exit %s, %d processes paused and resumed %d times'
              % (rc, len(pids), blocks))
        shutil.rmtree(out_dir, True)
    return off, q_off, on, q_on


def smoke(config):
    tmp = tempfile.mkdtemp(prefix='bench-smoke-')
    try:
        ws = os.path.join(tmp, 'workspace')
        os.makedirs(os.path.join(ws, 'etc'))
        shutil.copy(config, os.path.join(ws, 'etc', 'tempest.conf'))
        env = dict(os.environ, HOME=tmp, TMPDIR=tmp)
        for key in ('TEMPEST_CONFIG_DIR', 'TEMPEST_CONFIG'):
            env.pop(key, None)
        tempest = os.path.join(os.path.dirname(sys.executable), 'tempest')
        start = time.monotonic()
        res = subprocess.run(
            [tempest, 'run', '--config-file',
             os.path.join(ws, 'etc', 'tempest.conf'), '--concurrency', '2',
             '--regex', '|'.join(SMOKE)],
            cwd=ws, env=env, capture_output=True, text=True, timeout=1800)
        took = time.monotonic() - start
        passed = re.search(r'- Passed: (\d+)', res.stdout)
        failed = re.search(r'- Failed: (\d+)', res.stdout)
        return (res.returncode, int(passed.group(1)) if passed else 0,
                int(failed.group(1)) if failed else -1, took)
    finally:
        shutil.rmtree(tmp, True)


def with_daemon(config, func, extra=()):
    out_dir = tempfile.mkdtemp(prefix='bench-effect-')
    proc = faults_bench.start_daemon(config, out_dir, extra)
    try:
        faults_bench.wait_for_probes(out_dir, 5)
        return func()
    finally:
        rc, output = faults_bench.stop_daemon(proc, out_dir)
        with open(os.path.join(out_dir, 'summary.json')) as f:
            summary = json.load(f)
        wins = sum(len(s['windows']) for s in summary['services'].values())
        print('  daemon: exit %s, %d series, %d windows, %d skipped ticks'
              % (rc, len(summary['services']), wins,
                 sum(s.get('skipped_ticks', 0)
                     for s in summary['services'].values())))
        shutil.rmtree(out_dir, True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config-file', default=faults_bench.default_config())
    p.add_argument('--seconds', type=float, default=60.0)
    p.add_argument('--blocks', type=int, default=6,
                   help='alternating off/on pairs the --seconds are split '
                   'into')
    p.add_argument('--skip-smoke', action='store_true')
    p.add_argument('--bound', type=int, default=3,
                   help='largest accept queue allowed (probes open per API)')
    p.add_argument('--daemon-args', default='',
                   help='extra arguments of upgrade-uptime run, e.g. '
                   '"--rate 5" (default: the [upgrade] defaults)')
    args = p.parse_args(argv)
    extra = args.daemon_args.split()
    api_ports = ports(REPO)
    user = User(args.config_file)
    ok = True
    print('user call mix, %d s each, daemon off and on in %d alternating '
          'pairs (%s):' % (args.seconds, args.blocks,
                           ' '.join(extra) or 'defaults'))
    off, q_off, on, q_on = measure_alternating(
        user, api_ports, args.config_file, extra, args.seconds, args.blocks)
    print('%-9s %9s %9s %9s %9s %6s %6s %6s' % (
        'api', 'p50 off', 'p50 on', 'p95 off', 'p95 on', 'ratio',
        'q off', 'q on'))
    for name in [c[1] for c in CALLS]:
        print('%-9s %8.1fms %8.1fms %8.1fms %8.1fms %6.2f %6d %6d' % (
            name, 1000 * pct(off[name], 50), 1000 * pct(on[name], 50),
            1000 * pct(off[name], 95), 1000 * pct(on[name], 95),
            pct(on[name], 95) / pct(off[name], 95), q_off.get(name, 0),
            q_on.get(name, 0)))
    all_off = [v for vals in off.values() for v in vals]
    all_on = [v for vals in on.values() for v in vals]
    ratio = pct(all_on, 95) / pct(all_off, 95)
    print('whole mix: p50 %.1f -> %.1f ms, p95 %.1f -> %.1f ms, p95 ratio '
          '%.3f (target <= 1.10): %s' % (
              1000 * pct(all_off, 50), 1000 * pct(all_on, 50),
              1000 * pct(all_off, 95), 1000 * pct(all_on, 95), ratio,
              'met' if ratio <= 1.10 else 'MISSED'))
    ok &= ratio <= 1.10
    print('user calls sent again after their kept-alive connection was '
          'closed: %d' % user.resets)
    worst = max(q_on.values() or [0])
    print('largest accept queue with the daemon on: %d (target <= %d): %s'
          % (worst, args.bound, 'met' if worst <= args.bound else 'MISSED'))
    ok &= worst <= args.bound
    if not args.skip_smoke:
        print('tempest smoke subset, daemon off then on:')
        rc0, p0, f0, t0 = smoke(args.config_file)
        print('  off: exit %d, %d passed, %d failed, %.1f s'
              % (rc0, p0, f0, t0))
        rc1, p1, f1, t1 = with_daemon(
            args.config_file, lambda: smoke(args.config_file), extra)
        print('  on:  exit %d, %d passed, %d failed, %.1f s'
              % (rc1, p1, f1, t1))
        good = rc0 == 0 and rc1 == 0 and f1 == 0 and t1 <= 1.2 * t0
        print('smoke beside the daemon: passes, time ratio %.2f (target '
              '<= 1.2): %s' % (t1 / t0, 'met' if good else 'MISSED'))
        ok &= good
    print('targets %s' % ('met' if ok else 'MISSED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
