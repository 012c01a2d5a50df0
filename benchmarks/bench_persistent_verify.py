"""How long does ``persistent.verify`` take for 100 resources?

Creates 100 persistent resources on the local cloud (a mix of every
type), runs ``tempest run --regex persistent.verify`` and prints its
figures, then cleans up. Target: verify in <= 30 s.

Usage::

    python benchmarks/bench_persistent_verify.py [--conf TEMPEST_CONF]
        [--runs N] [--workers N] [--keep]

It works in a private copy of the workspace (temporary HOME, TMPDIR and
output_dir), so it never touches another run's state. Prints, per verify
run, the verify time measured inside the phase (the parallel checks, from
the verify JSON) and the wall time of the whole ``tempest run`` (Python
start-up, test discovery, authentication included).
"""

import argparse
import configparser
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONF = os.path.join(REPO, '.localcloud', 'workspace', 'etc',
                            'tempest.conf')
TEMPEST = os.path.join(os.path.dirname(sys.executable), 'tempest')

# 100 in total; volumes + attachments within the default quota of 10
COUNTS = {'keypair': 5, 'security_group': 5, 'network': 10, 'subnet': 10,
          'router': 5, 'port': 20, 'server': 5, 'volume': 8,
          'volume_snapshot': 5, 'volume_attachment': 2, 'container': 5,
          'object': 15, 'image': 5}


def workspace(conf_path, tmp, workers):
    env = dict(os.environ, HOME=os.path.join(tmp, 'home'),
               TMPDIR=os.path.join(tmp, 'tmp'))
    for d in ('home', 'tmp'):
        os.makedirs(os.path.join(tmp, d))
    subprocess.run([TEMPEST, 'init', 'ws'], cwd=tmp, env=env, check=True,
                   capture_output=True)
    ws = os.path.join(tmp, 'ws')
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(conf_path)
    conf.set('DEFAULT', 'log_dir', os.path.join(ws, 'logs'))
    conf['oslo_concurrency'] = {'lock_path': os.path.join(tmp, 'locks')}
    upgrade = {'output_dir': os.path.join(tmp, 'out'),
               'persistent_workers': str(workers)}
    upgrade.update({'persistent_%s_count' % k: str(v)
                    for k, v in COUNTS.items()})
    conf['upgrade'] = upgrade
    with open(os.path.join(ws, 'etc', 'tempest.conf'), 'w') as f:
        conf.write(f)
    return ws, env


def phase(ws, env, name, label=''):
    started = time.monotonic()
    proc = subprocess.run(
        [TEMPEST, 'run', '--regex', 'persistent.' + name], cwd=ws,
        env=dict(env, UPGRADE_VERIFY_LABEL=label), capture_output=True,
        text=True)
    wall = time.monotonic() - started
    if proc.returncode:
        print(proc.stdout[-4000:], file=sys.stderr)
    return proc.returncode, wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--conf', default=DEFAULT_CONF)
    parser.add_argument('--runs', type=int, default=2)
    parser.add_argument('--workers', type=int, default=16)
    parser.add_argument('--keep', action='store_true',
                        help='keep the temporary workspace and resources')
    args = parser.parse_args(argv)
    if not os.path.exists(args.conf):
        print('no tempest.conf at %s (is the local cloud up?)' % args.conf,
              file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix='bench-persistent-')
    ws, env = workspace(args.conf, tmp, args.workers)
    total = sum(COUNTS.values())
    status = 0
    try:
        rc, wall = phase(ws, env, 'create')
        print('create: %d resources, rc=%d, %.1f s' % (total, rc, wall))
        if rc:
            return 1
        for run in range(args.runs):
            label = 'bench-%d' % run
            rc, wall = phase(ws, env, 'verify', label)
            record = [r for r in map(lambda p: json.load(open(p)), glob.glob(
                os.path.join(tmp, 'out', 'persistent', 'verify', '*.json')))
                if r['label'] == label][0]
            print('verify run %d: %d resources checked, %d differences, '
                  'verify %.1f s (tempest run wall %.1f s), rc=%d'
                  % (run + 1, len(record['resources_checked']),
                     len(record['differences']), record['duration'], wall,
                     rc))
            status = status or rc or (record['duration'] > 30)
    finally:
        if not args.keep:
            rc, wall = phase(ws, env, 'cleanup')
            print('cleanup: rc=%d, %.1f s' % (rc, wall))
            if rc == 0:
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                print('kept %s for a second cleanup' % tmp)
        else:
            print('kept %s' % tmp)
    return 1 if status else 0


if __name__ == '__main__':
    sys.exit(main())
