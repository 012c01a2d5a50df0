"""common.tracking against the local cloud's real cinder.

Steps: build tempest's own VolumesClient from the admin credentials of the
local cloud's tempest.conf (tempest.lib auth, no global tempest config);
trace it; create a volume and wait for ``available`` with tempest's waiter;
delete it and ``wait_for_resource_deletion``; then show a volume that does
not exist. Every GET of a volume is also counted below the client, at the
HTTP pool, as an independent oracle.

Expected: create/delete/wait_for_resource_deletion 1 pass each;
show_volume passes == GETs of the volume (the final 404 inside
``is_resource_deleted`` is whitelisted, counted as a pass); the 404 of the
missing volume is the only failure, with the error ``HTTP 404``; the stats
survive a save/load round trip. A second test stops cinder-api under the
whitelisted ``is_resource_deleted``: the answer of haproxy, the catalog
endpoint, for an API with no backend left (``HTTP 503``) is a pass by
default, a failure with ``whitelist_errors=['NotFound']``.

The cloud must be up (``python3 -m localcloud up``; only keystone, cinder
and their database and queue are required). In the tox
``functional`` env (or with ``UPGRADE_FUNCTIONAL_BRING_UP=1``) the test
brings it up itself; otherwise it waits up to a minute for it (another
test may be restarting a service), then skips saying why.
"""

import configparser
import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

from tempest.common import waiters
from tempest.lib import auth
from tempest.lib import exceptions as lib_exc
from tempest.lib.services.volume.v3 import volumes_client
import testtools
from testtools.content import text_content

from tests.functional.localcloud import base as cloud
from tests.functional import workspace
from upgrade_tempest_plugin.common import tracking

CONF = workspace.CONF


localcloud = functools.partial(cloud.run, timeout=120)


# What a volume's create/delete needs; the rest of the cloud may be busy.
NEEDED = ('mariadb', 'rabbitmq', 'keystone', 'cinder-api',
          'cinder-scheduler', 'cinder-volume')


def cloud_is_up():
    """(up, why not) for the NEEDED services, from ``localcloud status``."""
    try:
        result = localcloud('status', '--json')
        status = json.loads(result.stdout)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return False, 'localcloud status failed: %s' % exc
    states = {s.get('service'): s.get('state')
              for s in status.get('services', [])}
    down = ['%s %s' % (name, states.get(name, 'missing'))
            for name in NEEDED if states.get(name) != 'running']
    return not down, ', '.join(down)


def ensure_cloud():
    """Return None if the cloud is up, else the reason to skip."""
    bring_up = (os.environ.get('TOX_ENV_NAME') == 'functional'
                or os.environ.get('UPGRADE_FUNCTIONAL_BRING_UP') == '1')
    if bring_up:
        result = localcloud('up', timeout=1800)
        if result.returncode != 0:
            raise RuntimeError('localcloud up failed:\n%s%s'
                               % (result.stdout[-3000:],
                                  result.stderr[-3000:]))
    deadline = time.monotonic() + 60
    while True:
        up, details = cloud_is_up()
        if up and os.path.exists(CONF):
            return None
        if time.monotonic() > deadline:
            return ('local cloud is not up (run "python3 -m localcloud up"; '
                    'tempest.conf %s): %s' % (CONF, details))
        time.sleep(5)


class CountingHttp(object):
    """Wraps a client's urllib3 pool; counts GETs per URL path."""

    def __init__(self, http):
        self.http = http
        self.gets = {}
        self._lock = threading.Lock()

    def request(self, url, method, *args, **kwargs):
        if method == 'GET':
            path = url.split('?', 1)[0].rstrip('/').rsplit('/', 2)
            key = '/'.join(path[-2:])
            with self._lock:
                self.gets[key] = self.gets.get(key, 0) + 1
        return self.http.request(url, method, *args, **kwargs)


def volumes_client_from_conf(path):
    conf = configparser.ConfigParser()
    conf.read(path)
    admin = conf['auth']
    domain = admin.get('admin_domain_name', 'Default')
    creds = auth.KeystoneV3Credentials(
        username=admin['admin_username'], password=admin['admin_password'],
        project_name=admin['admin_project_name'],
        user_domain_name=domain, project_domain_name=domain)
    provider = auth.KeystoneV3AuthProvider(creds, conf['identity']['uri_v3'])
    volume = conf['volume'] if conf.has_section('volume') else {}
    return volumes_client.VolumesClient(
        provider, volume.get('catalog_type', 'block-storage'),
        volume.get('region', conf['identity'].get('region', 'RegionOne')),
        endpoint_type='publicURL', build_interval=1,
        build_timeout=int(volume.get('build_timeout', 120)),
        http_timeout=30)


class TrackingFunctionalTest(testtools.TestCase):

    def setUp(self):
        super(TrackingFunctionalTest, self).setUp()
        reason = ensure_cloud()
        if reason:
            self.skipTest(reason)
        self.plain = volumes_client_from_conf(CONF)
        self.client = volumes_client_from_conf(CONF)
        self.http = CountingHttp(self.client.http_obj)
        self.client.http_obj = self.http
        self.trace = tracking.Trace()
        self.assertIs(self.client, self.trace.decorate(self.client))

    def count(self, method):
        found = self.trace.stats.get('VolumesClient', method)
        self.assertIsNotNone(found, method)
        return found

    def available_volume(self, client):
        """Create a 1 GiB volume with ``client``; wait until available."""
        volume = client.create_volume(
            size=1, name='upgrade-tracking-%s' % uuid.uuid4().hex[:8])
        volume_id = volume['volume']['id']
        self.addCleanup(self._delete_quietly, volume_id)
        waiters.wait_for_volume_resource_status(client, volume_id,
                                                'available')
        return volume_id

    def test_volume_lifecycle_and_missing_volume(self):
        volume_id = self.available_volume(self.client)
        self.client.delete_volume(volume_id)
        self.client.wait_for_resource_deletion(volume_id)

        missing = str(uuid.uuid4())
        exc = self.assertRaises(lib_exc.NotFound, self.client.show_volume,
                                missing)
        self.assertEqual(404, exc.resp.status)

        lines = []

        class Collect(object):
            def info(self, fmt, *args):
                lines.append(fmt % args)

        self.trace.stats.log(Collect())
        self.addDetail('stats', text_content('\n'.join(lines)))

        for method in ('create_volume', 'delete_volume',
                       'wait_for_resource_deletion'):
            found = self.count(method)
            self.assertEqual((1, 0), (found.passes, found.failures), method)
        deleted = self.count('is_resource_deleted')
        self.assertEqual(0, deleted.failures)
        self.assertGreaterEqual(deleted.passes, 1)

        show = self.count('show_volume')
        gets = self.http.gets.get('volumes/%s' % volume_id, 0)
        self.assertEqual(gets, show.passes)
        self.assertGreaterEqual(show.passes, 2)
        self.assertEqual(1, show.whitelisted)
        self.assertEqual(1, show.failures)
        self.assertEqual(1, self.http.gets.get('volumes/%s' % missing))
        self.assertEqual({'HTTP 404': 1}, show.errors)
        self.assertEqual(1, len(show.traces))
        self.assertEqual('tempest.lib.exceptions.NotFound',
                         show.traces[0].exception)
        self.assertTrue(any('test_volume_lifecycle_and_missing_volume' in f
                            for f in show.traces[0].stack))
        self.assertEqual(show.calls, show.latency.count)
        self.assertGreater(show.latency.min, 0)
        self.assertIn('[VolumesClient:show_volume] %d pass, 1 fail'
                      % show.passes, '\n'.join(lines))

        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = self.trace.stats.save(os.path.join(tmp, 'stats.json'))
        self.assertEqual(self.trace.stats.to_dict(),
                         tracking.Stats.load(path).to_dict())

    def test_whitelist_errors_on_a_real_outage(self):
        """cinder-api stopped under ``is_resource_deleted`` (whitelisted):
        by default the error counts as a pass; with
        ``whitelist_errors=['NotFound']`` it is a failure, and the real
        404 at the end of a deletion is still a pass. The error is
        haproxy's 503: the catalog endpoint is haproxy's, which answers
        for a stopped API (its backends refuse the connection, retried,
        or are marked DOWN: no server available)."""
        from upgrade_tempest_plugin.common import noretry
        volume_id = self.available_volume(self.plain)
        by_name, by_error = tracking.Trace(), tracking.Trace(
            whitelist_errors=['NotFound'])
        clients = []
        for trace in (by_name, by_error):
            client = volumes_client_from_conf(CONF)
            client.http_obj = noretry.NoRetryHttp(10)   # no hidden retries
            clients.append(trace.decorate(client))
            client.show_volume(volume_id)       # token fetched, 1 pass
        stop = localcloud('stop', 'cinder-api')
        self.addCleanup(localcloud, 'start', 'cinder-api')
        self.assertEqual(0, stop.returncode, stop.stdout + stop.stderr)
        for client in clients:
            self.assertRaises(Exception, client.is_resource_deleted,
                              volume_id)
        start = localcloud('start', 'cinder-api')
        self.assertEqual(0, start.returncode, start.stdout + start.stderr)
        show = by_name.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((2, 0, 1), (show.passes, show.failures,
                                     show.whitelisted))
        show = by_error.stats.get('VolumesClient', 'show_volume')
        self.assertEqual((1, 1, 0), (show.passes, show.failures,
                                     show.whitelisted))
        self.assertEqual({'HTTP 503': 1}, show.errors)
        clients[1].delete_volume(volume_id)
        clients[1].wait_for_resource_deletion(volume_id)
        show = by_error.stats.get('VolumesClient', 'show_volume')
        self.assertEqual(1, show.whitelisted)
        self.assertEqual(1, show.failures)

    def _delete_quietly(self, volume_id):
        try:
            self.plain.delete_volume(volume_id)
            self.plain.wait_for_resource_deletion(volume_id)
        except lib_exc.NotFound:
            pass
