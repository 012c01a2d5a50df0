"""Persistent resources on the local cloud: the three phases end to end.

Steps, each a separate ``tempest run`` (as operators run them) in a
private copy of the local cloud's workspace, with a temporary output_dir
and small counts:

1. ``persistent.create``; ``persistent.verify`` passes;
2. ``localcloud restart nova-api``, then verify passes; verify again while
   neutron-server restarts underneath it (transient errors are retried);
3. tamper out-of-band as the owner, with tempest lib clients: delete one
   object, overwrite another's content, change a volume's metadata and
   size, delete a port; verify FAILS and its JSON names exactly those
   resources and fields;
4. ``persistent.cleanup`` passes; as admin, the project's servers,
   volumes, snapshots, networks, subnets, ports, routers, security groups
   and images are listed: none left; the owner project and user and the
   state file are gone.
"""

import functools
import glob
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

REPO = workspace.REPO
CONF = workspace.CONF
TEMPEST = workspace.TEMPEST

COUNTS = {'keypair': 1, 'security_group': 1, 'network': 1, 'subnet': 1,
          'router': 1, 'port': 2, 'server': 1, 'volume': 2,
          'volume_snapshot': 1, 'volume_attachment': 1, 'container': 1,
          'object': 3, 'image': 1}


localcloud = functools.partial(cloud.run, timeout=600)


class PersistentLifecycleTest(testtools.TestCase):

    def setUp(self):
        super(PersistentLifecycleTest, self).setUp()
        if not os.path.exists(CONF):
            self.skipTest('no local cloud workspace at %s' % CONF)
        if not os.path.exists(TEMPEST):
            self.skipTest('no tempest next to %s' % sys.executable)
        for _attempt in range(12):   # others may be restarting services
            status = localcloud('status', timeout=120)
            if status.returncode == 0 and 'all up' in status.stdout and (
                    'NOT all up' not in status.stdout):
                break
            time.sleep(10)
        else:
            self.skipTest('local cloud not up:\n' + status.stdout[-500:])
        self.tmp = tempfile.mkdtemp(prefix='persistent-functional-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.out = os.path.join(self.tmp, 'out')
        upgrade = {'output_dir': self.out, 'persistent_retry_timeout': '90',
                   'persistent_build_timeout': '240'}
        upgrade.update({'persistent_%s_count' % k: str(v)
                        for k, v in COUNTS.items()})
        self.ws, self.env, self.conf = workspace.make(self.tmp, upgrade)
        self.state_path = os.path.join(self.out, 'persistent', 'state.json')
        self.addCleanup(self._last_resort_cleanup)

    # -- helpers -------------------------------------------------------------

    def tempest(self, phase, label='', background=False):
        env = dict(self.env, UPGRADE_VERIFY_LABEL=label)
        cmd = [TEMPEST, 'run', '--regex', 'persistent.%s' % phase]
        if background:
            return subprocess.Popen(cmd, cwd=self.ws, env=env, text=True,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=self.ws, env=env, text=True,
                              capture_output=True, timeout=1800)
        name = '%s-%s' % (phase, label or len(self.getDetails()))
        self.addDetail(name, text_content(
            'rc=%d in %.1f s\n%s' % (proc.returncode,
                                     time.monotonic() - started,
                                     proc.stdout[-6000:])))
        return proc

    def verify_record(self, label):
        paths = glob.glob(os.path.join(self.out, 'persistent', 'verify',
                                       '*.json'))
        records = [json.load(open(p)) for p in paths]
        found = [r for r in records if r['label'] == label]
        self.assertEqual(1, len(found), 'verify records labelled %s' % label)
        return found[0]

    def assert_verify_passes(self, label):
        proc = self.tempest('verify', label)
        record = self.verify_record(label)
        self.assertEqual([], record['differences'])
        self.assertEqual(0, proc.returncode, proc.stdout[-3000:])
        self.assertEqual(sum(COUNTS.values()),
                         len(record['resources_checked']))
        return record

    def provider(self, username, password, project_name, domain_name):
        from tempest.lib import auth
        uri = self.conf['identity']['uri_v3']
        creds = auth.KeystoneV3Credentials(
            username=username, password=password, project_name=project_name,
            user_domain_name=domain_name, project_domain_name=domain_name)
        return auth.KeystoneV3AuthProvider(creds, uri)

    def owner_provider(self):
        owner = json.load(open(self.state_path))['owner']
        return self.provider(owner['username'], owner['password'],
                             owner['project_name'], owner['domain_name'])

    def admin_provider(self):
        a = self.conf['auth']
        return self.provider(a['admin_username'], a['admin_password'],
                             a['admin_project_name'],
                             a.get('admin_domain_name', 'Default'))

    def client(self, provider, kind):
        """A tempest lib service client of ``kind``, e.g. 'volumes'."""
        from tempest.lib.services.compute import servers_client
        from tempest.lib.services.identity.v3 import projects_client
        from tempest.lib.services.identity.v3 import users_client
        from tempest.lib.services.image.v2 import images_client
        from tempest.lib.services import network
        from tempest.lib.services.object_storage import object_client
        from tempest.lib.services.volume.v3 import snapshots_client
        from tempest.lib.services.volume.v3 import volumes_client
        volume = self.conf.get('volume', 'catalog_type',
                               fallback='block-storage')
        cls, service = {
            'objects': (object_client.ObjectClient, 'object-store'),
            'volumes': (volumes_client.VolumesClient, volume),
            'snapshots': (snapshots_client.SnapshotsClient, volume),
            'servers': (servers_client.ServersClient, 'compute'),
            'images': (images_client.ImagesClient, 'image'),
            'networks': (network.NetworksClient, 'network'),
            'subnets': (network.SubnetsClient, 'network'),
            'ports': (network.PortsClient, 'network'),
            'routers': (network.RoutersClient, 'network'),
            'security_groups': (network.SecurityGroupsClient, 'network'),
            'projects': (projects_client.ProjectsClient, 'identity'),
            'users': (users_client.UsersClient, 'identity'),
        }[kind]
        return cls(provider, service, 'RegionOne')

    def _last_resort_cleanup(self):
        if os.path.exists(self.state_path):
            self.tempest('cleanup', 'last-resort')

    # -- the test ------------------------------------------------------------

    def test_create_verify_restart_tamper_cleanup(self):
        proc = self.tempest('create')
        self.assertEqual(0, proc.returncode, proc.stdout[-3000:])
        self.assertEqual(0o600, os.stat(self.state_path).st_mode & 0o777)
        state = json.load(open(self.state_path))
        prefix = state['prefix']
        owner = state['owner']

        self.assert_verify_passes('before')

        restart = localcloud('restart', 'nova-api')
        self.assertEqual(0, restart.returncode, restart.stderr)
        self.assert_verify_passes('after-nova-api-restart')

        # verify while neutron-server restarts under it
        running = self.tempest('verify', 'during-neutron-restart',
                               background=True)
        time.sleep(4)
        restart = localcloud('restart', 'neutron-server')
        out, _ = running.communicate(timeout=900)
        self.addDetail('verify-during-restart', text_content(out[-6000:]))
        self.assertEqual(0, restart.returncode, restart.stderr)
        record = self.verify_record('during-neutron-restart')
        self.assertEqual([], record['differences'])
        self.assertEqual(0, running.returncode, out[-3000:])

        # tamper out-of-band, as the owner
        as_owner = self.owner_provider()
        objects = self.client(as_owner, 'objects')
        container = '%s-container-0' % prefix
        objects.delete_object(container, '%s-object-0' % prefix)
        size = state['resources']['object']['%s-object-1' % prefix][
            'snapshot']['size']
        # same size and metadata: only the content differs
        objects.create_object(container, '%s-object-1' % prefix,
                              os.urandom(size),
                              metadata={'X-Object-Meta-Persistent': prefix})
        volumes = self.client(as_owner, 'volumes')
        volume = state['resources']['volume']['%s-volume-0' % prefix]
        volumes.update_volume_metadata(volume['id'], {'tampered': 'yes'})
        volumes.extend_volume(volume['id'], new_size=2)
        port = state['resources']['port']['%s-port-1' % prefix]
        self.client(as_owner, 'ports').delete_port(port['id'])

        proc = self.tempest('verify', 'tampered')
        self.assertNotEqual(0, proc.returncode)
        record = self.verify_record('tampered')
        found = sorted((d['resource_type'], d['name'], d['field'])
                       for d in record['differences'])
        self.assertEqual(sorted([
            ('object', '%s-object-0' % prefix, 'exists'),
            ('object', '%s-object-1' % prefix, 'etag'),
            ('object', '%s-object-1' % prefix, 'sha256'),
            ('port', '%s-port-1' % prefix, 'exists'),
            ('volume', '%s-volume-0' % prefix, 'metadata'),
            ('volume', '%s-volume-0' % prefix, 'size'),
        ]), found)
        size_diff = [d for d in record['differences']
                     if d['field'] == 'size'][0]
        self.assertEqual((1, 2), (size_diff['expected'],
                                  size_diff['actual']))
        bad = sorted(r['name'] for r in record['resources_checked']
                     if not r['ok'])
        self.assertEqual(sorted({n for _t, n, _f in found}), bad)
        for name in ('object', 'port', 'volume'):
            self.assertIn('VerifyTest.test_%s[' % name, proc.stdout)
        self.assertIn("metadata is {", proc.stdout)

        proc = self.tempest('cleanup')
        self.assertEqual(0, proc.returncode, proc.stdout[-3000:])
        self.assertFalse(os.path.exists(self.state_path))
        self.assert_nothing_left(owner)

    def assert_nothing_left(self, owner):
        """As admin: nothing of the owner's project is left anywhere."""
        from tempest.lib import exceptions as lib_exc
        admin = self.admin_provider()
        pid = owner['project_id']
        left = {}
        left['servers'] = self.client(admin, 'servers').list_servers(
            all_tenants=True, project_id=pid)['servers']
        every = {'all_tenants': 1, 'project_id': pid}
        left['volumes'] = self.client(admin, 'volumes').list_volumes(
            params=every)['volumes']
        left['snapshots'] = self.client(admin, 'snapshots').list_snapshots(
            params=every)['snapshots']
        for kind in ('networks', 'subnets', 'ports', 'routers'):
            lister = getattr(self.client(admin, kind), 'list_' + kind)
            left[kind] = lister(project_id=pid)[kind]
        # no project filter here: neutron would make the project a new
        # "default" group while listing its groups
        groups = self.client(admin, 'security_groups').list_security_groups()
        left['security_groups'] = [g for g in groups['security_groups']
                                   if g['project_id'] == pid]
        left['images'] = self.client(admin, 'images').list_images(
            params={'owner': pid})['images']
        self.assertEqual({k: [] for k in left},
                         {k: [i.get('name') or i['id'] for i in v]
                          for k, v in left.items()})
        self.assertRaises(lib_exc.NotFound,
                          self.client(admin, 'projects').show_project, pid)
        self.assertRaises(lib_exc.NotFound,
                          self.client(admin, 'users').show_user,
                          owner['user_id'])
