"""The uptime daemon against the local cloud, through real restarts.

Steps: bring the local cloud up (idempotent); start ``upgrade-uptime run
--daemon`` on the workspace's tempest.conf; restart keystone, swift-proxy,
cinder-api, nova-api and neutron-server one after another; touch the
sentinel. During each restart the test measures the outage from outside,
with its own raw HTTP client, as often as the daemon probes (5/s, see
OUTSIDE_INTERVAL): the same kind of call a user
makes (an authenticated listing, with a token fetched before the daemon
started), because an API answers its unauthenticated version document
~0.6 s before it can serve a user (seen on cinder-api: keystonemiddleware
fetches its own token and validates the user's first). Keystone is
measured on ``/v3``: a token validation costs it ~0.6 s of CPU, 20 a
second would make the outage we measure.

Every API's catalog endpoint is haproxy's (one backend per API by
default). The daemon also probes swift-proxy's backends straight
(``[upgrade] uptime_backends``: series ``swift@<host:port>`` and its
pulse), and during its restart the test measures the outage from outside
at each backend as well: swift-proxy stops in ~0.06 s and answers again
~1.2 s later, and haproxy retries a refused connection 3 times, a second
apart, so through the endpoint that restart is usually no outage at all
(seen: the requests served ~1 s late, no window from outside or from the
daemon, or one 502 from outside for the request in flight when it
stopped, which the daemon's probes meet only by chance); only if its
check marks the backend DOWN meanwhile (3 failed checks) does haproxy
answer 503. The other APIs' restarts are longer, and their processes
close connections they accepted (haproxy's 502).

Asserted, for each restarted API and for swift's backends: a window
during its restart whose duration bounds hold the outage measured from
outside (give or take that measurement's own resolution, one outside
probe interval at each end; the estimate and its error are reported),
listing the marker ``upgrade-uptime mark "restart <service>"`` put down
just before (an outage shorter than a read series' interval, 2 s, and
the 2 s haproxy may hold a request while it retries may fall between its
probes: keystone's restart through haproxy is 1.1-2.2 s from outside;
then the API's pulse series, 5/s, is judged in its place); through
swift's endpoint (and on its kept-alive and pulse series) the same when
an outage was seen from outside there, else no window at all. For the
APIs not restarted (glance): 100 %, unless a slower outside probe of its
version document saw it down too. For every series: its prober saved and
logged its traced client's Stats, with one call of the probe's method
per probe.

A second test runs read and write probes of every API, restarts
neutron-server under them and stops the daemon with SIGTERM: exit 0, every
series summarised, the other write probes all served, nothing the write
probes created left behind, no prober left. Others: each API's write
probe with its delete failing once (injected) is swept clean; after a
kill -9 of the daemon's process group the summary is rebuilt from the
probe logs, which lost less than a second; ``--duration`` probes for that
long, and SIGINT stops a run early with its summary written.
"""

import glob
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import fixtures
import testtools
from testtools.content import text_content

from tests.functional.localcloud import base as cloud
from tests.functional import workspace
from upgrade_tempest_plugin.uptime.probes import at_backend
from upgrade_tempest_plugin.uptime import summary
from upgrade_tempest_plugin.uptime import windows

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CONF = workspace.CONF
RATE = 5.0
# Every keystone probe is a token validation: keep them few on this cloud.
RATES = {'keystone': 1.0}
# The traced method each read probe calls (uptime/probes.py).
PROBE_METHODS = {'keystone': 'show_token', 'nova': 'list_servers',
                 'neutron': 'list_networks', 'cinder': 'list_volumes',
                 'glance': 'list_images', 'swift': 'list_account_containers'}
# A stopped prober waits for its probes in flight, each at most TIMEOUT.
TIMEOUT = 2.0
RATE_LIMIT_S = TIMEOUT + 1.0
# As often as the uptime probes (RATE). At the end of an outage the API
# works off its backlog and answers take about PATIENCE: whether one is
# "late" is a matter of a few ms, so the last late answer a prober finds
# depends on how densely it samples. A denser outside probe finds later
# ones (and its load lengthens the backlog): errors of -0.55 s (neutron,
# 20/s) and -0.40 s (cinder, 10/s) against 0.4-0.6 s tolerances; at 5/s
# at most 0.20 s in three runs, of either sign.
OUTSIDE_INTERVAL = 1.0 / RATE
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
# Probed at their backends too; through haproxy their restart may be no
# outage at all (hidden by its retries of refused connections) but for
# the request in flight (``in_flight_only``).
AT_BACKENDS = ('swift',)
# Not restarted: the version document every 0.25 s, for the whole run.
UNTOUCHED = [('glance-api', 'glance', ('image',), '/', False)]
UNTOUCHED_INTERVAL = 0.25


localcloud = cloud.run


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


def keystone_call(method, path):
    """(status, body) of an admin call of keystone's v3 API."""
    import configparser
    conf = configparser.ConfigParser()
    conf.read(CONF)
    token, _catalog = admin_token()
    url = urllib.parse.urlsplit(conf['identity']['uri_v3'])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request(method, url.path.rstrip('/') + path,
                 headers={'X-Auth-Token': token})
    resp = conn.getresponse()
    return resp.status, resp.read()


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


def get_json(url, token):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request('GET', parts.path + ('?' + parts.query if parts.query
                                      else ''),
                 headers={'X-Auth-Token': token,
                          'Accept': 'application/json'})
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status < 300, (url, resp.status, body[:300])
    return json.loads(body) if body else []


# series -> (catalog types, listing path, names in the answer): what the
# write probes create, to find any left behind.
WRITTEN = {
    'keystone': (('identity',), '/regions',
                 lambda d: [r['id'] for r in d['regions']]),
    'nova': (('compute',), '/os-keypairs',
             lambda d: [k['keypair']['name'] for k in d['keypairs']]),
    'neutron': (('network',), '/v2.0/networks',
                lambda d: [n['name'] for n in d['networks']]),
    'cinder': (('block-storage', 'volumev3'), '/qos-specs',
               lambda d: [q['name'] for q in d['qos_specs']]),
    'glance': (('image',), '/v2/images?limit=1000',
               lambda d: [i['name'] for i in d['images']]),
    'swift': (('object-store',), '?format=json',
              lambda d: [c['name'] for c in d]),
}


DELETES = {'keystone': 'delete_region', 'nova': 'delete_keypair',
           'neutron': 'delete_network', 'cinder': 'delete_qos',
           'glance': 'delete_image', 'swift': 'delete_container'}


def probe_leftovers(token, catalog):
    """Names starting with the write probes' prefix, per API."""
    from upgrade_tempest_plugin.uptime import probes
    found = {}
    for series, (types, path, names) in WRITTEN.items():
        url = endpoint(catalog, types).rstrip('/') + path
        left = [n for n in names(get_json(url, token))
                if (n or '').startswith(probes.NAME_PREFIX)]
        if left:
            found[series] = left
    return found


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


def in_flight_only(seen):
    """Whether the outside probe's windows through haproxy show no outage
    of new requests: none at all, or the one request in flight when the
    backend stopped (haproxy's 502; new ones were held while it retried,
    and served in time). That is a point in time, which a probe at any
    rate meets only by chance (seen once in three runs of 2026-11-30)."""
    return not seen or (len(seen) == 1 and seen[0]['failed_probes'] == 1
                        and 'late' not in seen[0]['errors'])


def backends_of(service):
    """``host:port`` of each running backend of a local cloud API."""
    status = cloud.json_line(localcloud('status', '--json').stdout)
    row = [r for r in status['services'] if r['service'] == service][0]
    return ['127.0.0.1:%d' % b['port'] for b in row.get('backends', [])
            if b['pid']]


def with_backends(path, backends):
    """A copy of tempest.conf at ``path`` with ``[upgrade]
    uptime_backends`` = ``backends`` ({series: [host:port]})."""
    import configparser
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(CONF)
    if not conf.has_section('upgrade'):
        conf.add_section('upgrade')
    conf.set('upgrade', 'uptime_backends', ','.join(
        '%s=%s' % (series, '|'.join(hosts))
        for series, hosts in sorted(backends.items())))
    with open(path, 'w') as f:
        conf.write(f)
    return path


def _cmdline(pid):
    try:
        with open('/proc/%s/cmdline' % pid, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


class UptimeDaemonTest(testtools.TestCase):

    def setUp(self):
        super(UptimeDaemonTest, self).setUp()
        up = localcloud('up')
        self.assertEqual(0, up.returncode, up.stdout + up.stderr)
        self.assertTrue(os.path.exists(CONF), CONF)
        self.dir = tempfile.mkdtemp(prefix='uptime-functional-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.lines = []

    def _daemon(self, *extra, conf=CONF):
        cmd = [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
               'run', '--daemon', '--config-file', conf, '--output-dir',
               os.path.join(self.dir, 'uptime'), '--rate', str(RATE),
               '--timeout', str(TIMEOUT), '--service-rates',
               ','.join('%s=%s' % kv for kv in RATES.items())] + list(extra)
        self.daemon_out = os.path.join(self.dir, 'daemon.out')
        with open(self.daemon_out, 'w') as out:
            # Its own session: a kill -9 test kills the daemon's group.
            proc = subprocess.Popen(cmd, cwd=self.dir, stdout=out,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.addCleanup(lambda: proc.poll() is None and proc.terminate())
        return proc

    def _mark(self, text):
        """``upgrade-uptime mark``, as an operator would run it."""
        res = subprocess.run(
            [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
             'mark', text, '--output-dir', os.path.join(self.dir, 'uptime')],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(0, res.returncode, res.stderr)

    def _report(self, line):
        self.lines.append(line)
        path = os.environ.get('UPTIME_FUNCTIONAL_REPORT')
        if path:
            with open(path, 'a') as f:
                f.write(line + '\n')

    def test_restarts_show_true_windows(self):
        token, catalog = admin_token()
        lc_name = dict((r[1], r[0]) for r in RESTARTS)
        backends = {series: backends_of(lc_name[series])
                    for series in AT_BACKENDS}
        for series, hosts in backends.items():
            self.assertTrue(hosts, '%s: no backend running' % series)
        daemon = self._daemon(conf=with_backends(
            os.path.join(self.dir, 'tempest.conf'), backends))
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
            url = probe_url(catalog, types, path, auth)
            probes = {series: OutsideProbe(url, token if auth else None)}
            for backend in backends.get(series, []):
                probes['%s@%s' % (series, backend)] = OutsideProbe(
                    at_backend(url, backend), token if auth else None)
            for probe in probes.values():
                probe.start()
            self._mark('restart %s' % service)
            time.sleep(1)
            t0 = time.time()
            res = localcloud('restart', service, '--json', timeout=300)
            time.sleep(1.5)
            for name, probe in probes.items():
                periods[name] = (t0, time.time())
                probe.stop()
                outside[name] = probe
            self.assertEqual(0, res.returncode, res.stdout + res.stderr)
            self._report('restarted %s: %s' % (
                service, res.stdout.strip().splitlines()[-1]))
            # Our probe must have been served before the restart, or its
            # "outage" would be a wrong token or URL.
            for name, probe in probes.items():
                before = [r for r in probe.records if r['time'] < t0]
                self.assertTrue(before and all(r['ok'] for r in before),
                                '%s: outside probe not served before the '
                                'restart: %s' % (name, before[-3:]))
            time.sleep(2)
        t_end = time.time()
        self._mark('restarts done')
        for _service, series, _types, _path, _auth in UNTOUCHED:
            outside[series].stop()
        open(os.path.join(self.dir, 'uptime', 'stop'), 'w').close()
        daemon.wait(timeout=120)
        self.assertEqual(0, daemon.returncode, open(self.daemon_out).read())
        result = summary.load(os.path.join(self.dir, 'uptime'))
        problems = []
        # APIs whose restart haproxy hid from the outside probe
        hidden = {series for series in AT_BACKENDS
                  if in_flight_only(outside[series].windows(
                      *periods[series]))}
        for series, svc in sorted(result['services'].items()):
            if svc.get('kind') == 'control':
                continue        # the probing host's own (test_uptime_control)
            if svc.get('connection') == 'keepalive' or \
                    svc.get('kind') == 'pulse':
                problems.extend(self._keepalive_problems(
                    series, svc, periods, t_begin, t_end, hidden))
                continue
            t0, t1 = periods.get(series, (t_begin, t_end))
            theirs = outside[series].windows(t0, t1)
            truth = sum(w['duration_s'] for w in theirs)
            mine = [w for w in svc['windows']
                    if w['end'] >= t0 and w['start'] <= t1]
            judged_on = series
            if not mine and series in periods and \
                    0 < truth < 1.0 / svc['rate'] + svc['timeout']:
                # A read series sees for certain only outages longer than
                # its interval (2 s at 0.5/s, doc/source/uptime.rst), and
                # through haproxy, which holds a request while it retries,
                # a probe sent in an outage's last seconds is served in
                # time (within its 2 s timeout): only an outage longer
                # than both together is certain to fail one. Keystone's
                # restart through haproxy is 1.1-2.2 s from outside. Then
                # its pulse (5/s) must have seen it, within these bounds.
                judged_on = svc['service'] + '-pulse'
                mine = [w for w in result['services'][judged_on]['windows']
                        if w['end'] >= t0 and w['start'] <= t1]
            got = sum(w['duration_s'] for w in mine)
            lo = sum(w['duration_bounds'][0] for w in mine)
            hi = sum(w['duration_bounds'][1] for w in mine)
            # the outside measurement is itself good to one of its probe
            # intervals at each end
            tolerance = 2 * OUTSIDE_INTERVAL
            kind = 'restarted' if series in periods else 'untouched'
            if series in hidden:
                kind = 'hidden'
            if judged_on != series:
                kind = 'short'
            self._report(
                '%-8s %-9s outside %.3f s %s, uptime probes %.3f s '
                '[%.3f..%.3f] %s, error %+.3f s; uptime %s%%%s' % (
                    series, kind, truth,
                    ['%.2f@%.2f %s' % (w['duration_s'], w['start'] % 100,
                                       w['errors']) for w in theirs], got,
                    lo, hi,
                    ['%.2f@%.2f %s' % (w['duration_s'], w['start'] % 100,
                                       w['errors']) for w in mine],
                    got - truth, svc['uptime_pct'],
                    '' if judged_on == series else
                    ' (no window of its own: judged on %s)' % judged_on))
            if series in hidden:
                # no outage through haproxy: the windows' bounds must hold
                # none either (a lone failed probe's, within the outside
                # probe's resolution, is no problem)
                if lo - tolerance > 0:
                    problems.append(
                        '%s: no outage seen from outside, windows of at '
                        'least %.3f s (+- %.1f s)' % (series, lo, tolerance))
            elif series in periods:
                if truth <= 0:
                    problems.append('%s: no outage seen from outside'
                                    % series)
                if not mine:
                    problems.append('%s: no window during its restart'
                                    % series)
                marks = sorted({m['text'] for w in mine
                                for m in w['markers']})
                service = lc_name[svc['service']]
                if marks != ['restart %s' % service]:
                    problems.append('%s: windows next to markers %s'
                                    % (series, marks))
                if not lo - tolerance <= truth <= hi + tolerance:
                    problems.append(
                        '%s: outage seen from outside %.3f s, outside the '
                        'bounds [%.3f, %.3f] of the windows (+- %.1f s)' % (
                            series, truth, lo, hi, tolerance))
            elif truth == 0 and svc['uptime_pct'] != 100.0:
                problems.append('%s: not 100 %%' % series)
            problems.extend(self._stats_problems(series, svc))
        report = '\n'.join(self.lines)
        self.addDetail('uptime', text_content(report))
        self.assertEqual([], problems, report)

    def _keepalive_problems(self, series, svc, periods, t_begin, t_end,
                            hidden=()):
        """The kept-alive and pulse series: a window during its API's
        restart (the restart closes the connection; the process does not
        answer) -- not required through the endpoint of an API whose
        restart haproxy ``hidden`` --, none elsewhere; the truth of the
        outage itself is judged on the new-connection series."""
        base = svc['service']
        mine = [w for w in svc['windows']]
        self._report('%-18s %s' % (series, ['%.2f %s' % (
            w['duration_s'], w['errors']) for w in mine]))
        if base not in periods:
            return ['%s: window of %.3f s, its API was not restarted'
                    % (series, w['duration_s']) for w in mine]
        t0, t1 = periods[base]
        inside = [w for w in mine if w['end'] >= t0 and w['start'] <= t1]
        # through haproxy's endpoint, a restart it hid may leave none
        needed = '@' in series or base not in hidden
        out = [] if inside or not needed else [
            '%s: no window during the restart' % series]
        return out + ['%s: window outside the restart: %s' % (series, w)
                      for w in mine if w not in inside]

    def test_sigterm_stops_write_probes_cleanly(self):
        """Read and write probes of every API; neutron-server restarted
        under them; SIGTERM: exit 0, every series summarised and ended,
        every other write probe served, nothing the write probes created
        left (an outage between create and delete is swept at the end)."""
        token, catalog = admin_token()
        self.assertEqual({}, probe_leftovers(token, catalog))
        daemon = self._daemon('--write-probes')
        time.sleep(6)
        self.assertIsNone(daemon.poll(), open(self.daemon_out).read())
        restart = localcloud('restart', 'neutron-server', timeout=300)
        self.assertEqual(0, restart.returncode, restart.stderr)
        time.sleep(3)
        signalled = time.time()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
        output = open(self.daemon_out).read()
        self.addDetail('daemon', text_content(output))
        self.assertEqual(0, daemon.returncode, output)
        result = summary.load(os.path.join(self.dir, 'uptime'))
        names = sorted(result['services'])
        self.assertEqual(sorted(['control'] + [
            s + suffix for s in WRITTEN
            for suffix in ('', '-keepalive', '-pulse', '-write')]), names)
        for name, svc in result['services'].items():
            self.assertGreater(svc['total_requests'], 0, name)
            self.assertLess(svc['end_time'], signalled + RATE_LIMIT_S, name)
            if name.endswith('-write'):
                self.assertEqual([], svc['left_behind'], name)
            if name.endswith('-write') and name != 'neutron-write':
                self.assertEqual(0, svc['failed_requests'], (name, svc))
        self.assertNotEqual([], result['services']['neutron-write'][
            'windows'])
        with open(os.path.join(self.dir, 'uptime', 'neutron-write.log')) as f:
            swept = [line for line in f if 'sweep: deleted' in line]
        self._report('neutron-write: %d failed probes, %d swept' % (
            result['services']['neutron-write']['failed_requests'],
            len(swept)))
        self.assertEqual({}, probe_leftovers(token, catalog))
        workers = [pid for pid in os.listdir('/proc') if pid.isdigit()
                   and self.dir in _cmdline(pid)]
        self.assertEqual([], workers)

    def test_duration_then_sigint(self):
        """``--duration 3``: probes for 3 s and exits 0; a 60 s run
        interrupted (SIGINT, as Ctrl-C) after ~4 s: exits 0 and still
        writes its summary, ended at the interrupt."""
        base = [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
                'run', '--config-file', CONF, '--services', 'glance',
                '--rate', '10']
        short = os.path.join(self.dir, 'short')
        res = subprocess.run(base + ['--duration', '3', '--output-dir',
                                     short], capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(0, res.returncode, res.stdout + res.stderr)
        result = summary.load(short)
        glance = result['services']['glance']
        self.assertAlmostEqual(3.0, glance['end_time'] - glance['start_time'],
                               delta=0.01)
        # the read probes ran in a project of their own, removed after
        project = result['probe_project']
        self.assertEqual([], project['left'])
        self.assertTrue(project['name'].startswith('upgrade-uptime-probe-'))
        with open(os.path.join(short, 'glance.meta.json')) as f:
            self.assertEqual(project['name'], json.load(f)['project'])
        with open(os.path.join(short, 'glance-pulse.meta.json')) as f:
            self.assertNotIn('project', json.load(f))
        self.assertEqual(404, keystone_call(
            'GET', '/projects/' + project['project_id'])[0])
        self.assertEqual(404, keystone_call(
            'GET', '/users/' + project['user_id'])[0])
        self.assertFalse(os.path.exists(os.path.join(
            short, 'probe_project.json')))
        # 30 ticks; one the CPU-starved scheduler skips is not sent.
        self.assertIn(glance['total_requests'], range(27, 31))
        self.assertEqual(100.0, glance['uptime_pct'])
        long_dir = os.path.join(self.dir, 'long')
        proc = subprocess.Popen(base + ['--duration', '60', '--output-dir',
                                        long_dir], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        time.sleep(8)           # started, token fetched, probing
        interrupted = time.time()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
        self.assertEqual(0, proc.returncode, output)
        glance = summary.load(long_dir)['services']['glance']
        self.assertLess(abs(glance['end_time'] - interrupted), 1.0, output)
        self.assertGreater(glance['total_requests'], 10)
        self.assertEqual(100.0, glance['uptime_pct'])

    def test_kill_9_loses_at_most_the_last_second(self):
        """kill -9 of the daemon and its probers: no summary was written,
        ``upgrade-uptime summary DIR`` rebuilds it from the probe logs,
        whose last probe was sent less than a second before the kill."""
        daemon = self._daemon('--services', 'nova,glance')
        uptime_dir = os.path.join(self.dir, 'uptime')
        time.sleep(8)
        self.assertIsNone(daemon.poll(), open(self.daemon_out).read())
        killed = time.time()
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait(timeout=30)
        time.sleep(0.5)
        self.assertEqual([], [pid for pid in os.listdir('/proc')
                              if pid.isdigit() and self.dir in _cmdline(pid)])
        self.assertFalse(os.path.exists(
            os.path.join(uptime_dir, summary.FILENAME)))
        res = subprocess.run(
            [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.cmd',
             'summary', uptime_dir], capture_output=True, text=True,
            timeout=120)
        self.assertEqual(0, res.returncode, res.stderr)
        result = summary.load(uptime_dir)
        # the killed run could not remove the read probes' project: the
        # rebuilt summary names it as left behind (removed here)
        project = result['probe_project']
        self.addCleanup(keystone_call, 'DELETE',
                        '/projects/' + project['project_id'])
        self.addCleanup(keystone_call, 'DELETE',
                        '/users/' + project['user_id'])
        self.assertEqual(['probe project'],
                         list(summary.left_behind(result)))
        self.assertEqual(200, keystone_call(
            'GET', '/projects/' + project['project_id'])[0])
        self.assertEqual(['control', 'glance', 'glance-keepalive',
                          'glance-pulse', 'nova', 'nova-keepalive',
                          'nova-pulse'], sorted(result['services']))
        for name, svc in result['services'].items():
            with open(os.path.join(uptime_dir, name + '.jsonl')) as f:
                lines = f.read().splitlines()
            # The line being written at the kill may be cut short.
            last = max(json.loads(line)['time'] for line in lines
                       if line.endswith('}'))
            self.assertLess(killed - last, 1.0, name)
            self.assertEqual(100.0, svc['uptime_pct'], name)
            self.assertGreater(svc['total_requests'], 5 * RATE, name)

    def test_sweep_deletes_what_a_failed_delete_left(self):
        """Each API's write probe on the real cloud, its delete failing
        once (injected): the probe fails, its resource is there; the sweep
        finds it by name and deletes it, and nothing else."""
        from tempest import config
        from tempest.lib import exceptions as lib_exc

        from upgrade_tempest_plugin.uptime import probes
        # set_config_path also exports TEMPEST_CONFIG_DIR/TEMPEST_CONFIG
        # (for tempest's child processes): keep them out of later tests.
        for name in ('TEMPEST_CONFIG_DIR', 'TEMPEST_CONFIG'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        config.CONF.set_config_path(CONF)
        token, catalog = admin_token()
        for service in sorted(WRITTEN):
            client, probe = probes.build(service, 'write', config.CONF, 10.0)
            real = getattr(client, DELETES[service])
            calls = []

            def fail_once(*args, **kwargs):
                calls.append(args)
                if len(calls) == 1:
                    raise lib_exc.ServerFault('injected')
                return real(*args, **kwargs)
            setattr(client, DELETES[service], fail_once)
            self.assertRaises(lib_exc.ServerFault, probe)
            left = probe_leftovers(token, catalog)
            self.assertEqual([service], sorted(left), left)
            self.assertEqual(1, len(left[service]), left)
            self.assertEqual([], probe.sweep())
            self.assertEqual(2, len(calls), service)
            self.assertEqual({}, probe_leftovers(token, catalog))

    def _stats_problems(self, series, svc):
        """Each prober saved and logged its traced client's Stats: the
        probe's method called once per probe sent, passing at least as
        often as the probes succeeded. (Methods it calls in turn, e.g.
        list_resources under list_networks, have lines of their own.)"""
        from upgrade_tempest_plugin.common import tracking
        # uptime-<series>-<pid>.json: not uptime-<series>-keepalive-<pid>
        paths = [p for p in glob.glob(os.path.join(
            self.dir, 'stats', 'uptime-%s-*.json' % series))
            if re.fullmatch(r'uptime-%s-\d+\.json' % re.escape(series),
                            os.path.basename(p))]
        if len(paths) != 1:
            return ['%s: stats files %s' % (series, paths)]
        stats = tracking.Stats.load(paths[0])
        method = PROBE_METHODS[svc['service']]
        found = [ms for (_client, name), ms in stats.methods().items()
                 if name == method]
        if len(found) != 1:
            return ['%s: no stats of %s in %s' % (
                series, method, sorted(stats.methods()))]
        ms = found[0]
        problems = []
        # every probe sent calls it once: the ticks' probes and the
        # recovery probes after a refusal
        sent = svc['total_requests'] + svc.get('recovery_probes', 0)
        if ms.passes + ms.failures != sent:
            problems.append('%s: %s counted %d + %d calls, %d probes' % (
                series, method, ms.passes, ms.failures, sent))
        # A late answer passes the call but fails the probe (time-out).
        if ms.passes < svc['successful_requests']:
            problems.append('%s: %s passed %d times, %d probes succeeded'
                            % (series, method, ms.passes,
                               svc['successful_requests']))
        line = '[%s:%s] %d pass, %d fail' % (ms.client, method, ms.passes,
                                             ms.failures)
        with open(os.path.join(self.dir, 'uptime', series + '.log')) as f:
            if not any(line in logged for logged in f):
                problems.append('%s: %r not logged' % (series, line))
        return problems
