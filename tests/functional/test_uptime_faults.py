"""Exact faults under the uptime daemon at its defaults, all APIs at once.

The daemon (``upgrade-uptime run --daemon``, the ``[upgrade]`` defaults:
every API, a new-connection and a kept-alive read series at 1/s and a
pulse series at 10/s each) probes the local cloud while the test injects
faults of exactly known length (``benchmarks/faults.py``, undone on every
exit path): glance refused (iptables REJECT) for 1 s, cinder-api hung
(SIGSTOP) for 3 s, nova answering 503 (new connections redirected to a
server of the test) for 1.5 s, swift-proxy hung for 0.8 s -- shorter than
the time limit, so a stall, not downtime. Meanwhile ``ss -ltn`` is
sampled for every API's accept queue.

Asserted, for each series of the API that saw the fault (for the 503,
which only new connections meet, not the kept-alive one): the true length
lies inside the bounds of its windows (or stall); the estimate is within
0.25 s or 10 % (edges dated by the pulse, or by recovery probes); a read
series' window has its start dated by the pulse; a series sees every
fault longer than its interval plus the stall threshold, and some series
sees each; the hung API's window counts the ticks skipped while its one
probe was held (no new connection was opened meanwhile); a hang shorter
than the time limit is a stall, not a window; keystone and neutron,
untouched, have no window; no API's accept queue held more than the three
connections our three series may keep open.
"""

import json
import os
import subprocess
import sys
import tempfile
import shutil
import time

import testtools
from testtools.content import text_content

from benchmarks import faults as faults_mod
from tests.functional.localcloud import base as cloud
from tests.functional import workspace

REPO = cloud.REPO
CONF = workspace.CONF
FAULTS = (('refused', 'glance', 1.0), ('hang', 'cinder', 3.0),
          ('503', 'nova', 1.5), ('hang', 'swift', 0.8))
GAP_S = 5.0


class UptimeFaultsTest(testtools.TestCase):

    def setUp(self):
        super(UptimeFaultsTest, self).setUp()
        up = cloud.run('up')
        self.assertEqual(0, up.returncode, up.stdout + up.stderr)
        self.dir = tempfile.mkdtemp(prefix='uptime-faults-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_exact_faults_inside_the_bounds(self):
        out_dir = os.path.join(self.dir, 'uptime')
        daemon = subprocess.Popen(
            [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
             'run', '--daemon', '--config-file', CONF, '--output-dir',
             out_dir], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self.addCleanup(lambda: daemon.poll() is None and daemon.kill())
        injected = []
        with faults_mod.Faults(REPO) as faults:
            sampler = faults_mod.QueueSampler(
                {faults.port(s): s for s in faults_mod.API})
            time.sleep(8)               # probers started, tokens fetched
            if daemon.poll() is not None:
                self.fail('the daemon exited: %s' % daemon.communicate()[0])
            sampler.start()
            for kind, service, seconds in FAULTS:
                start, end = faults.inject(kind, service, seconds)
                injected.append((kind, service, start, end))
                time.sleep(GAP_S)
            sampler.stop()
        open(os.path.join(out_dir, 'stop'), 'w').close()
        output, _ = daemon.communicate(timeout=120)
        self.addDetail('daemon', text_content(output))
        self.assertEqual(0, daemon.returncode, output)
        with open(os.path.join(out_dir, 'summary.json')) as f:
            result = json.load(f)
        services = result['services']
        self.assertEqual(19, len(services), sorted(services))  # + control
        problems, lines = [], []
        for kind, service, start, end in injected:
            truth = end - start
            # NAT redirects new connections only: not the kept one
            names = [service, service + '-pulse'] if kind == '503' else [
                service, service + '-keepalive', service + '-pulse']
            seen = []
            for name in names:
                svc = services[name]
                interval = 1.0 / svc['rate']
                found = [w for w in svc['windows'] + svc['stalls']
                         if w['start'] <= end + 0.2 and
                         w['end'] >= start - 0.2]
                lo = sum(w['duration_bounds'][0] for w in found)
                hi = sum(w['duration_bounds'][1] for w in found)
                est = sum(w['duration_s'] for w in found)
                lines.append('%s %s on %s: truth %.3f s, estimate %.3f s '
                             '[%.3f..%.3f]' % (kind, service, name, truth,
                                               est, lo, hi))
                if not found:
                    if truth >= interval + 0.25:     # + stall threshold
                        problems.append('%s %s: not seen on %s' % (
                            kind, service, name))
                    continue
                seen.append(name)
                if not lo - 1e-6 <= truth <= hi + 1e-6:
                    problems.append('%s %s on %s: truth %.3f outside '
                                    '[%.3f, %.3f]' % (kind, service, name,
                                                      truth, lo, hi))
                # each edge dated by the pulse (10/s) or by the series'
                # own recovery probes: to about 0.1 s (the target of
                # the faults benchmark is 0.1 s; a shared CI machine
                # gets some slack)
                if abs(est - truth) > max(0.25, 0.1 * truth):
                    problems.append('%s %s on %s: estimate %.3f, truth %.3f'
                                    % (kind, service, name, est, truth))
                if svc['kind'] == 'read' and not any(
                        w['estimate']['start'] == 'pulse' for w in found):
                    problems.append('%s %s on %s: start not dated by the '
                                    'pulse: %s' % (kind, service, name,
                                                   found))
                if kind == 'hang' and truth < svc['timeout'] and \
                        svc['windows']:
                    problems.append('%s: a hang shorter than the limit '
                                    'made windows %s' % (name,
                                                         svc['windows']))
                held = [w for w in svc['windows']
                        if w['start'] <= end and w['end'] >= start and
                        'timeout' in w['errors']]
                if kind == 'hang' and truth > svc['timeout'] and \
                        svc['kind'] == 'pulse' and not held:
                    problems.append('%s: no probe held through a %.1f s '
                                    'hang' % (name, truth))
                if kind == 'hang' and truth > svc['timeout'] and held:
                    # a probe held through the hang: the ticks due while
                    # it was open were skipped, not sent (a kept-alive
                    # connection may instead be reset by the API as it
                    # wakes, closing what it kept too long: no hold then)
                    skipped = sum(w['skipped_ticks'] for w in held)
                    if skipped < svc['rate'] * (truth - 1.0) - 1:
                        problems.append('%s: %d ticks skipped in a %.1f s '
                                        'hang' % (name, skipped, truth))
            if not seen:
                # the read series interleave: together they sample the
                # API twice per interval, so this is seen by one of them
                problems.append('%s %s: seen by no series'
                                % (kind, service))
        for service in ('keystone', 'neutron'):
            for name in (service, service + '-keepalive',
                         service + '-pulse'):
                if services[name]['windows']:
                    problems.append('%s untouched, windows %s' % (
                        name, services[name]['windows']))
        lines.append('largest accept queues: %s'
                     % dict(sorted(sampler.largest.items())))
        for service, queue in sampler.largest.items():
            if queue > 3:       # three series, one probe open each
                problems.append('%s: accept queue held %d connections'
                                % (service, queue))
        self.addDetail('faults', text_content('\n'.join(lines)))
        self.assertEqual([], problems, '\n'.join(lines))
