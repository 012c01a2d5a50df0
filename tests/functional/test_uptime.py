"""The uptime daemon against the local cloud, through real restarts.

Steps: bring the local cloud up (idempotent); start ``upgrade-uptime run
--daemon`` on the workspace's tempest.conf; restart keystone, swift-proxy,
cinder-api, nova-api and neutron-server one after another; touch the
sentinel. During each restart the test measures the outage from outside,
with its own raw HTTP client, every 0.05 s: the same kind of call a user
makes (an authenticated listing, with a token fetched before the daemon
started), because an API answers its unauthenticated version document
~0.6 s before it can serve a user (seen on cinder-api: keystonemiddleware
fetches its own token and validates the user's first). Keystone is
measured on ``/v3``: a token validation costs it ~0.6 s of CPU, 20 a
second would make the outage we measure.

Asserted, for each restarted API: a window during its restart whose
duration is within 10 % (or 2 probe intervals) of the outage measured from
outside. For the APIs not restarted (glance): 100 %, unless a slower
outside probe of its version document saw it down too.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import testtools
from testtools.content import text_content

from upgrade_tempest_plugin.uptime import summary
from upgrade_tempest_plugin.uptime import windows

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CONF = os.environ.get('LOCALCLOUD_TEMPEST_CONF', os.path.join(
    REPO, '.localcloud', 'workspace', 'etc', 'tempest.conf'))
RATE = 5.0
# Every keystone probe is a token validation: keep them few on this cloud.
RATES = {'keystone': 1.0}
OUTSIDE_INTERVAL = 0.05
# The outside probe never gives up on a connection (a restarting API holds
# new connections in its listen backlog and answers them, late, once it is
# ready; abandoned ones pile up there and delay it), and records how long
# each answer took. A request counts as answered in time, like an uptime
# probe, only within PATIENCE, the uptime probes' own time limit
# ([upgrade] uptime_request_timeout, default 2 s): the outage is the time
# during which a client with that patience got no answer. Seen in CI: with
# a 1 s give-up the "truth" was ~1.6 s too long for nova, cinder and
# neutron; counting any late answer as up made it 1-2.4 s too short.
OUTSIDE_TIMEOUT = 15.0
PATIENCE = 2.0
# localcloud service -> (uptime series, catalog types, path after the
# endpoint, authenticated?). The authenticated paths are the uptime probes'
# own calls (probes.py), made here with our own code.
RESTARTS = [
    ('keystone', 'keystone', ('identity',), '/v3', False),
    ('swift-proxy', 'swift', ('object-store',), '?limit=1&format=json',
     True),
    ('cinder-api', 'cinder', ('block-storage', 'volumev3'),
     '/volumes?limit=1', True),
    ('nova-api', 'nova', ('compute',), '/servers?limit=1', True),
    ('neutron-server', 'neutron', ('network',), '/v2.0/networks?limit=1',
     True),
]
# Not restarted: the version document every 0.25 s, for the whole run.
UNTOUCHED = [('glance-api', 'glance', ('image',), '/', False)]
UNTOUCHED_INTERVAL = 0.25


def localcloud(*args, timeout=900):
    return subprocess.run([sys.executable, '-m', 'localcloud'] + list(args),
                          cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def admin_token():
    """(token, catalog) from keystone, with tempest.conf's admin."""
    import configparser
    conf = configparser.ConfigParser()
    conf.read(CONF)
    auth = conf['auth']
    body = {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': auth['admin_username'],
                 'password': auth['admin_password'],
                 'domain': {'name': auth.get('admin_domain_name',
                                             'Default')}}}},
        'scope': {'project': {'name': auth['admin_project_name'],
                              'domain': {'name': auth.get(
                                  'admin_domain_name', 'Default')}}}}}
    url = urllib.parse.urlsplit(conf['identity']['uri_v3'])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request('POST', url.path.rstrip('/') + '/auth/tokens',
                 json.dumps(body), {'Content-Type': 'application/json'})
    resp = conn.getresponse()
    data = json.loads(resp.read())
    return resp.getheader('X-Subject-Token'), data['token']['catalog']


def endpoint(catalog, types):
    for entry in catalog:
        if entry['type'] in types:
            for ep in entry['endpoints']:
                if ep['interface'] == 'public':
                    return ep['url']
    raise LookupError(types)


def probe_url(catalog, types, path, authenticated):
    """The URL the outside probe asks: the uptime probe's call, or the
    service's root + ``path`` when unauthenticated."""
    url = endpoint(catalog, types)
    if authenticated:
        return url.rstrip('/') + path
    parts = urllib.parse.urlsplit(url)
    return '%s://%s%s' % (parts.scheme, parts.netloc, path)


class OutsideProbe(threading.Thread):
    """Our own raw HTTP probe on a fixed schedule.

    Up = an answer within PATIENCE that a user would take: 2xx with a
    token (the call served), below 500 without one (the API answers).
    Windows as the uptime probes count them (first failure sent .. next
    success answered), but with its own code, requests and schedule.
    """

    def __init__(self, url, token=None, interval=OUTSIDE_INTERVAL):
        super(OutsideProbe, self).__init__(daemon=True)
        self.url = urllib.parse.urlsplit(url)
        self.headers = {'Accept': 'application/json'}
        self.served = (lambda status: status < 500)
        if token:
            self.headers['X-Auth-Token'] = token
            self.served = (lambda status: 200 <= status < 300)
        self.interval = interval
        self.records = []
        self.halt = threading.Event()
        self.pending = []

    def once(self):
        """(up?, what was seen: the HTTP status or the error class)."""
        path = self.url.path + ('?' + self.url.query if self.url.query
                                else '')
        conn = http.client.HTTPConnection(self.url.hostname, self.url.port,
                                          timeout=OUTSIDE_TIMEOUT)
        try:
            conn.request('GET', path, headers=self.headers)
            status = conn.getresponse().status
            return self.served(status), 'HTTP %d' % status
        except (OSError, http.client.HTTPException) as exc:
            return False, type(exc).__name__
        finally:
            conn.close()

    def _one(self):
        t = time.time()
        ok, seen = self.once()
        latency = time.time() - t
        if ok and latency > PATIENCE:
            ok, seen = False, 'late'
        self.records.append({'time': t, 'ok': ok, 'latency': latency,
                             'error': None if ok else seen})

    def run(self):
        # Open loop as well: a request held in a restarting API's backlog
        # must not hold up the next one.
        start = time.monotonic()
        k = 0
        while not self.halt.is_set():
            delay = start + k * self.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            one = threading.Thread(target=self._one, daemon=True)
            one.start()
            self.pending.append(one)
            k += 1

    def stop(self):
        """Stop sending; wait for the answers still to come."""
        self.halt.set()
        self.join(5)
        for one in self.pending:
            one.join(OUTSIDE_TIMEOUT + 1)

    def windows(self, start, end):
        """The windows that overlap [start, end]."""
        return [w for w in windows.find_windows(self.records)
                if w['end'] >= start and w['start'] <= end]


class UptimeDaemonTest(testtools.TestCase):

    def setUp(self):
        super(UptimeDaemonTest, self).setUp()
        up = localcloud('up')
        self.assertEqual(0, up.returncode, up.stdout + up.stderr)
        self.assertTrue(os.path.exists(CONF), CONF)
        self.dir = tempfile.mkdtemp(prefix='uptime-functional-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def _daemon(self):
        cmd = [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
               'run', '--daemon', '--config-file', CONF, '--output-dir',
               os.path.join(self.dir, 'uptime'), '--rate', str(RATE),
               '--service-rates',
               ','.join('%s=%s' % kv for kv in RATES.items())]
        self.daemon_out = os.path.join(self.dir, 'daemon.out')
        with open(self.daemon_out, 'w') as out:
            proc = subprocess.Popen(cmd, cwd=self.dir, stdout=out,
                                    stderr=subprocess.STDOUT)
        self.addCleanup(lambda: proc.poll() is None and proc.terminate())
        return proc

    def _report(self, line):
        self.lines.append(line)
        path = os.environ.get('UPTIME_FUNCTIONAL_REPORT')
        if path:
            with open(path, 'a') as f:
                f.write(line + '\n')

    def test_restarts_show_true_windows(self):
        self.lines = []
        token, catalog = admin_token()
        daemon = self._daemon()
        time.sleep(8)      # workers started, tokens fetched, probing
        if daemon.poll() is not None:
            self.fail(open(self.daemon_out).read())
        outside = {}
        for _service, series, types, path, _auth in UNTOUCHED:
            outside[series] = OutsideProbe(
                probe_url(catalog, types, path, False),
                interval=UNTOUCHED_INTERVAL)
            outside[series].start()
        t_begin = time.time()
        time.sleep(2)
        periods = {}
        for service, series, types, path, auth in RESTARTS:
            probe = OutsideProbe(probe_url(catalog, types, path, auth),
                                 token if auth else None)
            probe.start()
            time.sleep(1)
            t0 = time.time()
            res = localcloud('restart', service, '--json', timeout=300)
            time.sleep(1.5)
            periods[series] = (t0, time.time())
            probe.stop()
            outside[series] = probe
            self.assertEqual(0, res.returncode, res.stdout + res.stderr)
            self._report('restarted %s: %s' % (
                service, res.stdout.strip().splitlines()[-1]))
            # Our probe must have been served before the restart, or its
            # "outage" would be a wrong token or URL.
            before = [r for r in probe.records if r['time'] < t0]
            self.assertTrue(before and all(r['ok'] for r in before),
                            '%s: outside probe not served before the '
                            'restart: %s' % (series, before[-3:]))
            time.sleep(2)
        t_end = time.time()
        for _service, series, _types, _path, _auth in UNTOUCHED:
            outside[series].stop()
        open(os.path.join(self.dir, 'uptime', 'stop'), 'w').close()
        daemon.wait(timeout=120)
        self.assertEqual(0, daemon.returncode, open(self.daemon_out).read())
        result = summary.load(os.path.join(self.dir, 'uptime'))
        problems = []
        for series, svc in sorted(result['services'].items()):
            t0, t1 = periods.get(series, (t_begin, t_end))
            theirs = outside[series].windows(t0, t1)
            truth = sum(w['duration_s'] for w in theirs)
            mine = [w for w in svc['windows']
                    if w['end'] >= t0 and w['start'] <= t1]
            got = sum(w['duration_s'] for w in mine)
            tolerance = max(0.1 * truth, 2.0 / RATES.get(series, RATE))
            kind = 'restarted' if series in periods else 'untouched'
            self._report(
                '%-8s %-9s outside %.3f s %s, uptime probes %.3f s %s, '
                'error %+.3f s (tolerance %.3f); uptime %s%%' % (
                    series, kind, truth,
                    ['%.2f@%.2f %s' % (w['duration_s'], w['start'] % 100,
                                       w['errors']) for w in theirs], got,
                    ['%.2f@%.2f %s' % (w['duration_s'], w['start'] % 100,
                                       w['errors']) for w in mine],
                    got - truth, tolerance, svc['uptime_pct']))
            if series in periods:
                if truth <= 0:
                    problems.append('%s: no outage seen from outside'
                                    % series)
                if not mine:
                    problems.append('%s: no window during its restart'
                                    % series)
                if abs(got - truth) > tolerance:
                    problems.append(
                        '%s: windows %.3f s, outage seen from outside '
                        '%.3f s: off by more than %.3f s' % (
                            series, got, truth, tolerance))
            elif truth == 0 and svc['uptime_pct'] != 100.0:
                problems.append('%s: not 100 %%' % series)
        report = '\n'.join(self.lines)
        self.addDetail('uptime', text_content(report))
        self.assertEqual([], problems, report)
