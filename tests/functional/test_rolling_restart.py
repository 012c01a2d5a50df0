"""Rolling restarts behind haproxy, under the uptime daemon.

The cloud runs two backends per API (``up --backends 2``; the number it
had is restored afterwards). The daemon probes glance and nova through
their catalog endpoints (haproxy) and, per backend discovered from
haproxy's stats socket (``[upgrade] uptime_haproxy_socket``), straight at
the backend (``<api>@<host:port>`` and its pulse). Then:

1. ``localcloud restart glance-api --rolling``, then the same for
   nova-api: each backend in turn drained in haproxy, stopped, started,
   readied once haproxy's check says UP;
2. an undrained stop of ``glance-api-b1`` (``localcloud stop
   glance-api-b1``: haproxy is not told) for 4 s, then its start.

Asserted: during each rolling restart no probe through the endpoint
failed, and each backend's own series has exactly one window, the first
backend's over before the second's began; the undrained stop shows as a
window on ``glance@<b1>``, named by its target; every probe through the
endpoint that failed meanwhile (haproxy retries a refused connection on
the other backend, so there may be none) has its request id in haproxy's
log on a line naming ``glance-api-b1``.
"""

import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import testtools
from testtools.content import text_content

from tests.functional.localcloud import base as cloud
from tests.functional import workspace

APIS = (('glance', 'glance-api'), ('nova', 'nova-api'))


def status():
    return cloud.json_line(cloud.run('status', '--json').stdout)


def overlapping(windows, start, end):
    return [w for w in windows if w['start'] <= end and w['end'] >= start]


class RollingRestartTest(testtools.TestCase):

    def setUp(self):
        super(RollingRestartTest, self).setUp()
        before = status().get('backends') or 1
        up = cloud.run('up', '--backends', '2')
        self.assertEqual(0, up.returncode, up.stdout + up.stderr)
        if before != 2:
            self.addCleanup(cloud.run, 'up', '--backends', str(before))
        self.status = status()
        self.dir = tempfile.mkdtemp(prefix='rolling-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def _conf(self):
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(workspace.CONF)
        if not conf.has_section('upgrade'):
            conf.add_section('upgrade')
        conf.set('upgrade', 'uptime_backends', '')
        conf.set('upgrade', 'uptime_haproxy_socket',
                 self.status['haproxy_socket'])
        path = os.path.join(self.dir, 'tempest.conf')
        with open(path, 'w') as f:
            conf.write(f)
        return path

    def _backends(self, lc_name):
        row = next(r for r in self.status['services']
                   if r['service'] == lc_name)
        return ['127.0.0.1:%d' % b['port'] for b in row['backends']]

    def test_rolling_restart_and_undrained_stop(self):
        out_dir = os.path.join(self.dir, 'uptime')
        daemon = subprocess.Popen(
            [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
             'run', '--daemon', '--services', 'glance,nova', '--rate', '1',
             '--config-file', self._conf(), '--output-dir', out_dir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(lambda: daemon.poll() is None and daemon.kill())
        time.sleep(8)                   # probers started, tokens fetched
        if daemon.poll() is not None:
            self.fail('the daemon exited: %s' % daemon.communicate()[0])
        rolled = {}
        for api, lc_name in APIS:
            start = time.time()
            res = cloud.run('restart', lc_name, '--rolling', '--json')
            rolled[api] = (start, time.time())
            self.addDetail('rolling ' + lc_name,
                           text_content(res.stdout + res.stderr))
            self.assertEqual(0, res.returncode, res.stdout + res.stderr)
            time.sleep(2)
        stop_at = time.time()
        self.assertEqual(0, cloud.run('stop', 'glance-api-b1').returncode)
        time.sleep(4)
        started = cloud.run('start', 'glance-api-b1')
        self.assertEqual(0, started.returncode, started.stderr)
        stop_end = time.time()
        time.sleep(4)
        open(os.path.join(out_dir, 'stop'), 'w').close()
        output, _ = daemon.communicate(timeout=120)
        self.addDetail('daemon', text_content(output))
        self.assertEqual(0, daemon.returncode, output)
        with open(os.path.join(out_dir, 'summary.json')) as f:
            series = json.load(f)['services']
        self.addDetail('windows', text_content(json.dumps(
            {n: [(w['start'], w['end'], w['errors'])
                 for w in s['windows']] for n, s in series.items()},
            indent=1)))

        problems = []
        for api, lc_name in APIS:
            start, end = rolled[api]
            for name in (api, api + '-keepalive', api + '-pulse'):
                seen = overlapping(series[name]['windows'], start, end)
                if seen:
                    problems.append('%s: windows through the endpoint '
                                    'during the rolling restart: %s'
                                    % (name, seen))
            last_end = 0.0
            for backend in self._backends(lc_name):
                for name in ('%s@%s' % (api, backend),
                             '%s-pulse@%s' % (api, backend)):
                    seen = overlapping(series[name]['windows'], start, end)
                    if len(seen) != 1:
                        problems.append('%s: %d windows in its rolling '
                                        'restart, not 1: %s' % (
                                            name, len(seen), seen))
                    elif name.startswith(api + '@'):
                        if seen[0]['start'] < last_end:
                            problems.append('%s: down before the backend '
                                            'before it was back' % name)
                        last_end = seen[0]['end']
        if series['nova']['failed_requests']:
            problems.append('nova: %d probes failed through the endpoint'
                            % series['nova']['failed_requests'])

        b1 = self._backends('glance-api')[0]
        seen = overlapping(series['glance@' + b1]['windows'], stop_at,
                           stop_end)
        if not seen:
            problems.append('glance@%s: no window over its undrained stop'
                            % b1)
        if series['glance@' + b1].get('target') != b1:
            problems.append('glance@%s: target %s' % (
                b1, series['glance@' + b1].get('target')))
        through = [w for name in ('glance', 'glance-keepalive')
                   for w in overlapping(series[name]['windows'], stop_at,
                                        stop_end + 2)]
        with open(os.path.join(workspace.HOME, 'logs',
                               'haproxy.log')) as f:
            log = [ln for ln in f if 'glance-api' in ln]
        self.addDetail('haproxy.log (glance lines)',
                       text_content(''.join(log[-40:])))
        for window in through:
            for rid in window['request_ids']:
                named = [ln for ln in log if rid in ln]
                if not any('glance-api/glance-api-b1' in ln
                           for ln in named):
                    problems.append('failed probe %s through the endpoint'
                                    ' not logged by haproxy against '
                                    'glance-api-b1: %s' % (rid, named))
        self.addDetail('undrained stop', text_content(
            'endpoint windows %s; %s windows %s' % (
                [(w['start'] - stop_at, w['failed_probes'], w['errors'])
                 for w in through], b1,
                [(w['start'] - stop_at, w['duration_s'], w['errors'])
                 for w in seen])))
        self.assertEqual([], problems)
