"""A drained rolling restart of every API behind haproxy, and an undrained
stop of one backend, each under the uptime daemon (``rolling.py``).

For each API the daemon runs alone (its endpoint series, two series per
backend, the control), so the 2-core machine is not loaded by six APIs'
probers at once; placement, which the uptime probes do not cover, is
restarted rolling under ``localcloud restart``'s own 10/s probe. Prints,
per API: probes and failures through the endpoint during the rolling
restart, the windows on each backend's series, and what the undrained
stop let through. Needs the cloud up with ``--backends 2``::

    python benchmarks/bench_rolling.py [--apis glance,nova] [--json]
"""

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks import rolling  # noqa: E402
from tests.functional import workspace  # noqa: E402


def one(api):
    with tempfile.TemporaryDirectory(prefix='bench-rolling-') as tmp:
        result, problems = rolling.run([api], workspace.CONF, tmp)
    result.pop('daemon', None)
    series = result.get('series', {})
    endpoint = {n: s for n, s in series.items()
                if n.split('@')[0].split('-')[0] == api and '@' not in n}
    backend = {n: s for n, s in series.items() if '@' in n}
    line = ('%-8s rolling: %s; endpoint probes %d failed %d; backend '
            'windows %s; undrained stop of %s: backend windows %s, endpoint '
            'windows %s; problems %d' % (
                api, [(s['backend'], s['drain_s'], s['stop_s'], s['up_s'])
                      for s in result.get('rolling', {}).get(api, {}).get(
                          'rolling', [])],
                sum(s['total'] for s in endpoint.values()),
                sum(s['failed'] for s in endpoint.values()),
                {n: len(s['windows']) for n, s in backend.items()},
                result.get('undrained', {}).get('backend'),
                result.get('undrained', {}).get('backend_windows'),
                result.get('undrained', {}).get('endpoint_windows'),
                len(problems)))
    return result, problems, line


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--apis', default=','.join(rolling.API))
    p.add_argument('--json', action='store_true')
    args = p.parse_args(argv)
    status = rolling.cloud_status()
    if (status.get('backends') or 1) < 2:
        print('bench_rolling: the cloud runs one backend per API; '
              '`python3 -m localcloud up --backends 2` first')
        return 2
    report = {}
    for api in args.apis.split(','):
        result, problems, line = one(api)
        report[api] = {'result': result, 'problems': problems}
        print(line, flush=True)
        for problem in problems:
            print('    PROBLEM ' + problem, flush=True)
    res = rolling.localcloud('restart', 'placement', '--rolling', '--json')
    print('placement (localcloud probe, 10/s): ' + res.stdout.strip()
          + res.stderr.strip())
    if args.json:
        print(json.dumps(report))
    return 1 if any(r['problems'] for r in report.values()) else 0


if __name__ == '__main__':
    sys.exit(main())
