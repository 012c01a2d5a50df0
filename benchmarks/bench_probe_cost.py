"""What one probe costs: CPU of the API's processes, of MariaDB, of haproxy
(when the cloud has it) and of the prober, per probe, for every API's read
probe (as the admin and in the probes' own project) and its pulse, on the
local cloud.

Each probe is built by the plugin's own ``probes.build`` (the same client,
HTTP layer and call as the daemon's) and called ``--count`` times,
``--gap`` s apart, one API at a time; the API's process tree and MariaDB
are read from ``/proc/<pid>/stat`` before and after, the prober's from
its own CPU clock. Nothing else should load the cloud meanwhile (the
figures include whatever else the API and MariaDB did).

Usage::

    python benchmarks/bench_probe_cost.py [--config-file X] [--count 100]
        [--gap 0.05] [--services nova,neutron]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_uptime_faults as faults_bench  # noqa: E402
import faults as faults_mod  # noqa: E402

REPO = faults_bench.REPO
sys.path.insert(0, REPO)


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open('/proc/%d/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf('SC_CLK_TCK')


def measure(probe, api_pids, db_pids, count, gap, lb_pids=()):
    """(api ms, db ms, balancer ms, prober ms) per probe, and the failures
    seen."""
    from upgrade_tempest_plugin.uptime import requestids
    failures = 0
    probe()     # warm: token, connection, imports
    api0, db0, lb0, own0 = cpu_seconds(api_pids), cpu_seconds(db_pids), \
        cpu_seconds(lb_pids), time.process_time()
    for _ in range(count):
        with requestids.sending(requestids.new()):
            try:
                probe()
            except Exception:
                failures += 1
        time.sleep(gap)
    own1 = time.process_time()
    api1, db1, lb1 = cpu_seconds(api_pids), cpu_seconds(db_pids), \
        cpu_seconds(lb_pids)
    per = 1000.0 / count
    return (api1 - api0) * per, (db1 - db0) * per, (lb1 - lb0) * per, \
        (own1 - own0) * per, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config-file', default=faults_bench.default_config())
    parser.add_argument('--count', type=int, default=100)
    parser.add_argument('--gap', type=float, default=0.05)
    parser.add_argument('--services', default=','.join(faults_mod.API))
    args = parser.parse_args(argv)

    from tempest import config
    config.CONF.set_config_path(args.config_file)
    conf = config.CONF
    conf.upgrade        # tempest sets its logging up as it loads
    from upgrade_tempest_plugin.uptime import probes

    status = faults_mod.cloud_status(REPO)
    db_pids = faults_mod.process_tree(int(status['mariadb']['pid']))
    balancer = status.get('haproxy') or {}
    lb_pids = faults_mod.process_tree(int(balancer['pid'])) \
        if balancer.get('pid') else []
    projects = probes.KeystoneProjects(conf, conf.upgrade.uptime_probe_role)
    made = projects.make()
    rows = []
    try:
        creds = made.credentials()
        for service in args.services.split(','):
            api_pids = faults_mod.process_tree(
                int(status[faults_mod.API[service]]['pid']))
            for mode, kind, credentials in (
                    ('admin', 'read', None), ('own', 'read', creds),
                    ('-', 'pulse', None)):
                _client, probe = probes.build(service, kind, conf, 10.0,
                                              credentials=credentials)
                label = probes.describe(service, kind)
                rows.append((service, label, mode) + measure(
                    probe, api_pids, db_pids, args.count, args.gap,
                    lb_pids))
    finally:
        left = projects.remove(made)
        for message in left:
            print(message)
    print('per probe, mean of %d, %.2f s apart (CPU ms)'
          % (args.count, args.gap))
    print('%-9s %-32s %-6s %8s %8s %8s %8s %5s' % (
        'api', 'probe', 'as', 'api', 'mariadb', 'haproxy', 'prober',
        'fail'))
    for service, label, mode, api, db, lb, own, failed in rows:
        print('%-9s %-32s %-6s %8.2f %8.2f %8.2f %8.2f %5d' % (
            service, label, mode, api, db, lb, own, failed))
    return 1 if any(r[-1] for r in rows) or left else 0


if __name__ == '__main__':
    sys.exit(main())
