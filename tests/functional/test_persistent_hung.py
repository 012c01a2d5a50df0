"""persistent.verify while cinder-api hangs, on the local cloud.

Steps, in a private tempest workspace with one volume, ``[service-clients]
http_timeout = 2`` and ``persistent_retry_timeout = 8``:

1. ``persistent.create``;
2. SIGSTOP cinder-api's gunicorn master and workers (processes the local
   cloud started; SIGCONT in every case): connections are queued by the
   kernel and never answered -- a hung API, not a refusing one;
3. ``persistent.verify``: fails, naming the volume ``reachable`` /
   ``timeout``, reported as unreachable (not as changed). Every
   connection made to the hung API is still in its listen socket's
   accept queue (nothing accepts them), so the queue's
   length counts the HTTP tries: it must equal the timed-out calls in
   the phase's call statistics -- one try per call, each bounded by
   http_timeout, the phase's own retrying the only one. (Seen with
   tempest's hidden urllib3 retries: 88 connections for 8 timed-out
   calls, and the test took 200 s instead of 67 s.)
4. SIGCONT; ``persistent.cleanup`` passes.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile

import testtools
from testtools.content import text_content

from benchmarks import faults
from tests.functional.localcloud import base as cloud
from tests.functional import workspace

COUNTS = ('keypair', 'security_group', 'network', 'subnet', 'router', 'port',
          'server', 'volume', 'volume_snapshot', 'volume_attachment',
          'container', 'object', 'image')


localcloud = cloud.run


def api_processes(service):
    """``(pids, port)``: the gunicorn master of ``service`` (from
    localcloud) and its children, and the port it listens on."""
    status = json.loads(localcloud('status', '--json').stdout)
    found = [s for s in status['services'] if s['service'] == service][0]
    master = found['pid']
    pids = [master]
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open('/proc/%s/stat' % pid) as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == master:
                pids.append(int(pid))
    return pids, found['port']


def accept_queue(port):
    """Connections waiting in the accept queue of the listener on
    ``port`` (the rx_queue of its LISTEN line in /proc/net/tcp)."""
    with open('/proc/net/tcp') as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == '0A' and int(local.split(':')[1], 16) == port:
                return int(fields[4].split(':')[1], 16)
    raise LookupError('no listener on port %d' % port)


class HungApiTest(testtools.TestCase):

    def setUp(self):
        super(HungApiTest, self).setUp()
        up = localcloud('up')
        self.assertEqual(0, up.returncode, up.stdout[-2000:])
        self.tmp = tempfile.mkdtemp(prefix='persistent-hung-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.out = os.path.join(self.tmp, 'out')
        upgrade = {'output_dir': self.out, 'persistent_retry_timeout': '8',
                   'persistent_build_timeout': '240'}
        upgrade.update({'persistent_%s_count' % name: '0'
                        for name in COUNTS})
        upgrade['persistent_volume_count'] = '1'
        self.ws, self.env, _conf = workspace.make(
            self.tmp, upgrade, {('service-clients', 'http_timeout'): '2'})
        self.state_path = os.path.join(self.out, 'persistent', 'state.json')
        self.addCleanup(self._last_resort_cleanup)

    def tempest(self, phase):
        proc = subprocess.run(
            [workspace.TEMPEST, 'run', '--regex', 'persistent.%s' % phase],
            cwd=self.ws, env=self.env, text=True, capture_output=True,
            timeout=1200)
        self.addDetail(phase, text_content(
            'rc=%d\n%s' % (proc.returncode, proc.stdout[-4000:])))
        return proc

    def _last_resort_cleanup(self):
        if os.path.exists(self.state_path):
            self.tempest('cleanup')

    def test_verify_gives_up_on_a_hung_api(self):
        create = self.tempest('create')
        self.assertEqual(0, create.returncode, create.stdout[-3000:])
        pids, port = api_processes('cinder-api')
        self.addCleanup(faults.signal_all, pids, signal.SIGCONT)
        faults.signal_all(pids, signal.SIGSTOP)
        verify = self.tempest('verify')
        tries = accept_queue(port)
        faults.signal_all(pids, signal.SIGCONT)
        self.assertNotEqual(0, verify.returncode)
        records = [json.load(open(p)) for p in glob.glob(
            os.path.join(self.out, 'persistent', 'verify', '*.json'))]
        self.assertEqual(1, len(records))
        self.assertEqual(
            [('volume', 'reachable', 'timeout')],
            [(d['resource_type'], d['field'], d['actual'])
             for d in records[0]['differences']])
        # Unreachable, not "changed": nothing is known about the volume.
        self.assertEqual(['unreachable'], [
            r['outcome'] for r in records[0]['resources_checked']])
        self.assertIn('1 of 1 volumes unreachable', verify.stdout)
        self.assertNotIn('volumes changed', verify.stdout)
        stats = glob.glob(os.path.join(self.out, 'stats',
                                       'persistent-verify-*.json'))
        self.assertEqual(1, len(stats), stats)
        methods = {(m['client'], m['method']): m
                   for m in json.load(open(stats[0]))['methods']}
        show = methods[('VolumesClient', 'show_volume')]
        self.addDetail('show_volume', text_content(json.dumps(show)))
        self.assertGreaterEqual(show['failures'], 2)
        self.assertEqual({'timeout': show['failures']}, show['errors'])
        timed_out = sum(m['errors'].get('timeout', 0)
                        for m in methods.values())
        self.assertEqual(timed_out, tries)
        cleanup = self.tempest('cleanup')
        self.assertEqual(0, cleanup.returncode, cleanup.stdout[-3000:])
        self.assertFalse(os.path.exists(self.state_path))
