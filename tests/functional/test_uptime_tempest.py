"""``tempest run --regex uptime`` on the local cloud, as operators run it.

In a private tempest workspace on the local cloud's tempest.conf:

1. ``[upgrade] uptime_iterations = 20``: ``tempest run --regex uptime``
   exits 0, runs the plugin's six uptime tests (and tempest's own
   hypervisor-uptime tests, which the same regex selects) and all pass;
   ``<output_dir>/uptime/summary.json`` has every API with 20 requests, the
   seed's keys, and 100 % (nothing was restarted) computed from them.
2. Daemon mode (``uptime_until_sentinel``) with the sentinel already
   there: non-zero exit, the reason in the output, the sentinel left in
   place and no probing done.
3. Daemon mode with ``uptime_max_window = 0.3`` on swift and glance;
   swift-proxy stopped for STOP_S while it probes, then started; the
   sentinel touched: the run fails, test_swift_uptime names its window
   (longer than 0.3 s, with its errors, haproxy's 503 among them),
   test_glance_uptime passes, and summary.json has that window. Stopped,
   not restarted: haproxy, the catalog endpoint, retries a refused
   connection 3 times a second apart, which hides a ~1.2 s restart of
   swift-proxy (seen: no window, the retried requests served 1 s late);
   a 4 s stop it cannot hide, and once its check marks the only backend
   DOWN it answers 503 itself.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import testtools
from testtools.content import text_content

from tests.functional.localcloud import base as cloud
from tests.functional import workspace

SERVICES = ('keystone', 'nova', 'neutron', 'cinder', 'glance', 'swift')
SEED_KEYS = {'uptime_pct', 'total_requests', 'successful_requests',
             'failed_requests', 'start_time', 'end_time'}
# Longer than haproxy's retries of a refused connection (3, 1 s apart).
STOP_S = 4.0


class UptimeTempestRunTest(testtools.TestCase):

    def setUp(self):
        super(UptimeTempestRunTest, self).setUp()
        if not os.path.exists(workspace.CONF):
            self.skipTest('no local cloud workspace at %s' % workspace.CONF)
        self.tmp = tempfile.mkdtemp(prefix='uptime-tempest-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.out = os.path.join(self.tmp, 'out')

    def tempest_run(self, upgrade, regex='uptime', background=False,
                    conf_edits=None):
        ws, env, _conf = workspace.make(self.tmp, dict(
            upgrade, output_dir=self.out), conf_edits)
        cmd = [workspace.TEMPEST, 'run', '--regex', regex]
        if background:
            return subprocess.Popen(cmd, cwd=ws, env=env, text=True,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        proc = subprocess.run(cmd, cwd=ws, env=env, text=True,
                              capture_output=True, timeout=900)
        self.addDetail('tempest-run', text_content(
            'rc=%d\n%s\n%s' % (proc.returncode, proc.stdout[-8000:],
                               proc.stderr[-3000:])))
        return proc

    def test_iterations(self):
        proc = self.tempest_run({'uptime_iterations': '20',
                                 'uptime_rate': '10'})
        self.assertEqual(0, proc.returncode, proc.stdout[-3000:])
        for service in SERVICES:
            self.assertIn('UptimeTest.test_%s_uptime' % service, proc.stdout)
        passed = [line for line in proc.stdout.splitlines()
                  if 'UptimeTest.test_' in line and line.endswith(' ok')]
        self.assertEqual(len(SERVICES), len(passed), proc.stdout[-3000:])
        with open(os.path.join(self.out, 'uptime', 'summary.json')) as f:
            result = json.load(f)
        self.assertEqual({s + kind for s in SERVICES
                          for kind in ('', '-keepalive', '-pulse')} |
                         {'control'}, set(result['services']))
        for name, svc in result['services'].items():
            if name == 'control':
                continue    # the probing host's own: test_uptime_control
            self.assertLessEqual(SEED_KEYS, set(svc), name)
            # 20 ticks: a probe sent each, unless the one before was
            # still open (then the tick is skipped, and counted)
            self.assertEqual(20, svc['total_requests'] + svc['skipped_ticks'],
                             name)
            self.assertGreater(svc['total_requests'], 10, name)
            self.assertEqual(
                svc['total_requests'],
                svc['successful_requests'] + svc['failed_requests'], name)
            self.assertEqual(0, svc['failed_requests'], name)
            self.assertEqual(100.0, svc['uptime_pct'], name)
            self.assertLess(svc['start_time'], svc['end_time'], name)
            self.assertEqual([], svc['windows'], name)
            self.assertEqual({}, svc['errors'], name)
            lat = svc['latency']
            self.assertTrue(0 < lat['p50'] <= lat['p95'] <= lat['p99']
                            <= lat['max'] < 2.0, (name, lat))

    def test_unavailable_apis_are_skipped_with_the_reason(self):
        ws_conf = {'uptime_iterations': '5', 'uptime_rate': '10'}
        proc = self.tempest_run(ws_conf, conf_edits={
            ('service_available', 'cinder'): 'False',
            ('image', 'catalog_type'): 'no-such-image-service'})
        self.assertEqual(0, proc.returncode, proc.stdout[-3000:])
        self.assertRegex(proc.stdout, r'test_cinder_uptime \.\.\. SKIPPED: '
                         r'\[service_available\] cinder = False')
        self.assertRegex(proc.stdout, r'test_glance_uptime \.\.\. SKIPPED: '
                         r"catalog has no service of type "
                         r"'no-such-image-service'")
        with open(os.path.join(self.out, 'uptime', 'summary.json')) as f:
            result = json.load(f)
        self.assertEqual({s + kind for s in ('keystone', 'nova', 'neutron',
                                             'swift')
                          for kind in ('', '-keepalive', '-pulse')} |
                         {'control'}, set(result['services']))
        self.assertEqual({'cinder', 'glance'}, set(result['skipped']))

    def test_sentinel_present_is_an_error(self):
        sentinel = os.path.join(self.tmp, 'stop-here')
        with open(sentinel, 'w') as f:
            f.write('an operator left this\n')
        proc = self.tempest_run({'uptime_until_sentinel': 'True',
                                 'uptime_sentinel': sentinel})
        self.assertNotEqual(0, proc.returncode)
        self.assertIn('sentinel %s already exists' % sentinel,
                      proc.stdout + proc.stderr)
        with open(sentinel) as f:
            self.assertEqual('an operator left this\n', f.read())
        self.assertFalse(os.path.exists(
            os.path.join(self.out, 'uptime', 'summary.json')))

    def test_daemon_threshold_names_the_window(self):
        sentinel = os.path.join(self.tmp, 'stop')
        proc = self.tempest_run(
            {'uptime_until_sentinel': 'True', 'uptime_sentinel': sentinel,
             'uptime_services': 'swift,glance', 'uptime_rate': '10',
             'uptime_max_window': '0.3'},
            regex='upgrade_tempest_plugin.tests.uptime', background=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        log = os.path.join(self.out, 'uptime', 'swift.jsonl')
        for _ in range(120):        # probing has started
            if os.path.exists(log) and os.path.getsize(log) > 0:
                break
            if proc.poll() is not None:
                self.fail('tempest run ended before probing:\n'
                          + proc.stdout.read()[-3000:])
            time.sleep(0.5)
        time.sleep(2)
        stop = cloud.run('stop', 'swift-proxy', timeout=300)
        self.addCleanup(cloud.run, 'start', 'swift-proxy', timeout=300)
        self.assertEqual(0, stop.returncode, stop.stderr)
        time.sleep(STOP_S)
        start = cloud.run('start', 'swift-proxy', timeout=300)
        self.assertEqual(0, start.returncode, start.stderr)
        time.sleep(3)
        open(sentinel, 'w').close()
        output, _ = proc.communicate(timeout=300)
        self.addDetail('tempest-run', text_content(output[-8000:]))
        self.assertNotEqual(0, proc.returncode)
        with open(os.path.join(self.out, 'uptime', 'summary.json')) as f:
            swift = json.load(f)['services']['swift']
        self.assertEqual(1, len(swift['windows']), swift['windows'])
        window = swift['windows'][0]
        self.assertGreater(window['duration_s'], 0.3)
        self.assertIn('HTTP 503', window['errors'])
        self.assertIn('swift: longest window (s) %s exceeds limit 0.3 '
                      '(window %.3f s' % (window['duration_s'],
                                          window['duration_s']), output)
        self.assertRegex(output, r'test_glance_uptime \[[^\]]*\] \.\.\. ok')
        self.assertRegex(output,
                         r'test_swift_uptime \[[^\]]*\] \.\.\. FAILED')
