"""The control series flags trouble on the probing host; request ids;
a backend series.

The daemon probes nova (a new-connection and a kept-alive read series,
its pulse), nova's catalog port named as nova's one backend in
``[upgrade] uptime_backends`` (series ``nova@127.0.0.1:<port>`` and
``nova-pulse@...``: the backend series then reaches what the endpoint
reaches, haproxy in front of nova-api's one backend; the real backends
are tests/functional/test_rolling_restart.py's), and the ``control``
series. With a
``uptime_max_window`` of 2 s, the test:

1. hangs nova-api (SIGSTOP, ``benchmarks/faults.py``) for 1.1 s, so
   that every nova series (1/s) has a probe open, then pauses the whole
   daemon (the runner, which serves the control endpoint, and every
   worker) with SIGSTOP; resumes nova-api 0.3 s later, the daemon 3 s
   after its pause. The probes open across the pause are answered ~4 s
   after they were sent: windows longer than the threshold, which the
   host's pause made (a paused prober with no probe open fails none);
2. stops the daemon with its sentinel.

Asserted: the control series has a window over the pause (its missed
ticks, ``prober late``); every window of every nova series that overlaps
the pause is flagged ``control`` with the control's times, left out of
``total_downtime_s`` but kept in the upper bound, and broke no threshold
(the daemon exits 0); the backend series probed the backend
(``target``) and its window's start was dated by the backend's own
pulse; every probe sent a request id and nova's answered one, and the
windows list the failed probes' ids.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import testtools
from testtools.content import text_content

from benchmarks import faults as faults_mod
from tests.functional.localcloud import base as cloud
from tests.functional import workspace

REPO = cloud.REPO
PAUSE_S = 3.0
NOVA_SERIES = ('nova', 'nova-keepalive', 'nova-pulse')


class UptimeControlTest(testtools.TestCase):

    def setUp(self):
        super(UptimeControlTest, self).setUp()
        up = cloud.run('up')
        self.assertEqual(0, up.returncode, up.stdout + up.stderr)
        self.dir = tempfile.mkdtemp(prefix='uptime-control-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def _conf(self, port):
        import configparser
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(workspace.CONF)
        if not conf.has_section('upgrade'):
            conf.add_section('upgrade')
        conf.set('upgrade', 'uptime_backends', 'nova=127.0.0.1:%d' % port)
        conf.set('upgrade', 'uptime_max_window', '2.0')
        path = os.path.join(self.dir, 'tempest.conf')
        with open(path, 'w') as f:
            conf.write(f)
        return path

    def test_paused_daemon_is_flagged_not_counted(self):
        out_dir = os.path.join(self.dir, 'uptime')
        with faults_mod.Faults(REPO) as faults:
            port = faults.port('nova')
            backend = '127.0.0.1:%d' % port
            daemon = subprocess.Popen(
                [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
                 'run', '--daemon', '--services', 'nova', '--rate', '1',
                 '--config-file', self._conf(port), '--output-dir',
                 out_dir],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            pids = []
            self.addCleanup(lambda: daemon.poll() is None and daemon.kill())
            self.addCleanup(lambda: faults_mod.signal_all(pids,
                                                          signal.SIGCONT))
            time.sleep(8)               # probers started, tokens fetched
            if daemon.poll() is not None:
                self.fail('the daemon exited: %s' % daemon.communicate()[0])
            pids.extend(faults_mod.daemon_pids(daemon))
            # nova hung for 1.1 s: every series (1/s) has a probe open
            resume_nova, _ = faults.start('hang', 'nova')
            time.sleep(1.1)
            faults_mod.signal_all(pids, signal.SIGSTOP)
            paused = time.time()
            time.sleep(0.3)
            resume_nova()
            time.sleep(PAUSE_S - 0.3)
            faults_mod.signal_all(pids, signal.SIGCONT)
            resumed = time.time()
            time.sleep(5)
        open(os.path.join(out_dir, 'stop'), 'w').close()
        output, _ = daemon.communicate(timeout=120)
        self.addDetail('daemon', text_content(output))
        with open(os.path.join(out_dir, 'summary.json')) as f:
            result = json.load(f)
        services = result['services']
        self.addDetail('summary', text_content(json.dumps(
            {n: {k: s[k] for k in ('windows', 'stalls', 'total_downtime_s',
                                   'total_downtime_bounds')}
             for n, s in services.items()}, indent=1)))
        self.assertEqual(0, daemon.returncode, output)
        self.assertEqual(
            sorted(NOVA_SERIES + ('control', 'nova@' + backend,
                                  'nova-pulse@' + backend)),
            sorted(services))

        ctl = services['control']
        seen = [w for w in ctl['windows']
                if w['start'] <= resumed and w['end'] >= paused]
        self.assertEqual(1, len(seen), ctl['windows'])
        self.assertIn('prober late', seen[0]['errors'])
        self.assertGreater(seen[0]['duration_s'], PAUSE_S - 0.5)

        flagged = 0
        for name in NOVA_SERIES + ('nova@' + backend,
                                   'nova-pulse@' + backend):
            svc = services[name]
            over = [w for w in svc['windows']
                    if w['start'] <= resumed and w['end'] >= paused]
            self.assertTrue(over, '%s: no window over the pause' % name)
            for w in over:
                self.assertTrue(w.get('control'), (name, w))
                self.assertLessEqual(w['control_window']['start'],
                                     paused + 0.2)
                self.assertGreaterEqual(w['control_window']['end'],
                                        resumed - 0.2)
                self.assertTrue(w['request_ids'], (name, w))
                flagged += 1
            counted = [w for w in svc['windows'] if not w.get('control')]
            self.assertAlmostEqual(
                sum(w['duration_s'] for w in counted),
                svc['total_downtime_s'], places=4)
            self.assertGreaterEqual(
                svc['total_downtime_bounds'][1],
                sum(w['duration_bounds'][1] for w in over) - 1e-6)
            self.assertEqual([], svc['violations'], name)
        self.assertGreaterEqual(flagged, 5)

        for name, svc in services.items():
            if name == 'control':
                self.assertTrue(svc['target'].startswith('127.0.0.1:'))
            else:       # the "backend" named is the endpoint's port
                self.assertEqual(backend, svc['target'], name)
        read = services['nova@' + backend]
        self.assertEqual(backend, read['backend'])
        self.assertIn(backend, services['nova-pulse@' + backend]['url'])
        self.assertTrue(any(w['estimate']['start'] == 'pulse'
                            for w in read['windows']), read['windows'])

        for name in ('nova', 'nova@' + backend):
            with open(os.path.join(out_dir, name + '.jsonl')) as f:
                records = [json.loads(line) for line in f]
            self.assertTrue(all(r['request_id'].startswith('req-')
                                for r in records))
            self.assertEqual(len(records),
                             len({r['request_id'] for r in records}))
            answered = [r for r in records if r['ok']]
            self.assertTrue(all(r.get('response_request_id', '')
                                .startswith('req-') for r in answered))
