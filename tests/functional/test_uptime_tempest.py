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
"""

import json
import os
import shutil
import subprocess
import tempfile

import testtools
from testtools.content import text_content

from tests.functional import workspace

SERVICES = ('keystone', 'nova', 'neutron', 'cinder', 'glance', 'swift')
SEED_KEYS = {'uptime_pct', 'total_requests', 'successful_requests',
             'failed_requests', 'start_time', 'end_time'}


class UptimeTempestRunTest(testtools.TestCase):

    def setUp(self):
        super(UptimeTempestRunTest, self).setUp()
        if not os.path.exists(workspace.CONF):
            self.skipTest('no local cloud workspace at %s' % workspace.CONF)
        self.tmp = tempfile.mkdtemp(prefix='uptime-tempest-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.out = os.path.join(self.tmp, 'out')

    def tempest_run(self, upgrade):
        ws, env, _conf = workspace.make(self.tmp, dict(
            upgrade, output_dir=self.out))
        proc = subprocess.run(
            [workspace.TEMPEST, 'run', '--regex', 'uptime'], cwd=ws,
            env=env, text=True, capture_output=True, timeout=900)
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
        self.assertEqual(set(SERVICES), set(result['services']))
        for name, svc in result['services'].items():
            self.assertLessEqual(SEED_KEYS, set(svc), name)
            self.assertEqual(20, svc['total_requests'], name)
            self.assertEqual(
                svc['total_requests'],
                svc['successful_requests'] + svc['failed_requests'], name)
            self.assertEqual(0, svc['failed_requests'], name)
            self.assertEqual(100.0, svc['uptime_pct'], name)
            self.assertLess(svc['start_time'], svc['end_time'], name)
            self.assertEqual([], svc['windows'], name)

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
