"""Every project upgraded for real, 2026.1 -> 2026.2, on the local cloud.

One test, to keep CI short: reset the cloud, bring it up with every
project at 2026.1 (`up --release 2026.1`), upgrade the projects in the
documented order (keystone; placement, glance, cinder, neutron; nova;
swift), and after each one ask the project's own tool whether its
database is at the head of the new release's migrations.  Cinder and nova
are held in their mixed-version state (new scheduler beside the old
cinder-volume; new nova control services beside the old nova-compute,
``[upgrade_levels] compute = auto``) while a volume and a server are
created, and those must still be there when the upgrade is done.
Afterwards the default cloud (keystone 28.1.0, the rest 2026.2) is
brought back for the tests that follow.
"""

import subprocess
import time

import testtools
from testtools.content import text_content

from localcloud import api
from localcloud import config
from localcloud import releases
from localcloud.services import cinder
from localcloud.services import glance
from localcloud.services import keystone
from localcloud.services import neutron
from localcloud.services import nova
from localcloud.services import placement
from localcloud import upgrade
from tests.functional.localcloud import base

ORDER = ('keystone', 'placement', 'glance', 'cinder', 'neutron', 'nova',
         'swift')
# project -> the service its upgrade is held before (mixed versions)
HOLD = {'cinder': 'cinder-volume', 'nova': 'nova-compute'}


def manage(module, *args):
    """The project's manage command from the new release: (code, stdout).

    Its stderr (library deprecation warnings) is not part of the answer.
    """
    cloud = config.Cloud()
    res = subprocess.run(module.manage_argv(cloud, 'main') + list(args),
                         capture_output=True, text=True, timeout=300)
    if res.returncode:
        return res.returncode, res.stdout + res.stderr
    return res.returncode, res.stdout


def last_word(text):
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].split()[-1] if lines else ''


class TestReleaseUpgrade(testtools.TestCase):

    def cli(self, *args):
        code, out, err = base.cli(*args)
        self.addDetail(' '.join(args), text_content(out + err))
        self.assertEqual(0, code, '%s failed:\n%s%s' % (
            ' '.join(args), out, err))
        return out

    def versions(self):
        status = base.json_line(base.cli('status', '--json')[1])
        self.assertTrue(status['up'], status)
        return status['versions']

    def at_head(self, project):
        """The project's own check, run by the test itself."""
        if project == 'keystone':
            code, text = manage(keystone, 'db_sync', '--check')
            self.assertEqual(0, code, text)
        elif project == 'glance':
            code, text = manage(glance, 'db', 'check')
            self.assertEqual(0, code, text)
            self.assertIn('up to date', text)
        elif project == 'neutron':
            code, text = manage(neutron, 'current')
            self.assertEqual(0, code, text)
            self.assertTrue(upgrade.neutron_heads_ok(text)[0], text)
        elif project == 'swift':
            return      # no database; `upgrade` checked /info's version
        else:
            module, pairs = {
                'nova': (nova, [(('api_db', 'version'),
                                 'nova.db.api.migrations'),
                                (('db', 'version'),
                                 'nova.db.main.migrations')]),
                'cinder': (cinder, [(('db', 'version'),
                                     'cinder.db.migrations')]),
                'placement': (placement, [
                    (('db', 'version'), 'placement.db.sqlalchemy.alembic')]),
            }[project]
            for args, package in pairs:
                code, text = manage(module, *args)
                self.assertEqual(0, code, text)
                self.assertEqual(
                    upgrade.alembic_head(config.Cloud(), 'main', package),
                    last_word(text), '%s %s' % (project, ' '.join(args)))

    def wait_status(self, port, path, key, want, timeout=120):
        s = api.Session(config.Cloud())
        deadline = time.monotonic() + timeout
        while True:
            found = s.get(port, path)[key]['status']
            if found == want or time.monotonic() > deadline:
                return found
            time.sleep(1)

    def create_in_mixed_state(self, project):
        """A volume (cinder) or a server (nova) made while old and new
        services of the project run side by side; its id."""
        s = api.Session(config.Cloud())
        res = config.Cloud().state['resources']
        if project == 'cinder':
            vid = s.post('cinder-api', '/v3/%s/volumes' % s.project_id, {
                'volume': {'size': 1, 'name': 'mixed-state'}})['volume']['id']
            self.addCleanup(self.delete, 'cinder-api', '/v3/%s/volumes/%s' % (
                s.project_id, vid))
            self.assertEqual('available', self.wait_status(
                'cinder-api', '/v3/%s/volumes/%s' % (s.project_id, vid),
                'volume', 'available'))
            return vid
        sid = s.post('nova-api', '/v2.1/servers', {'server': {
            'name': 'mixed-state', 'flavorRef': res['flavor_ref'],
            'imageRef': res['image_ref'],
            'networks': [{'uuid': res['network_id']}]}})['server']['id']
        self.addCleanup(self.delete, 'nova-api', '/v2.1/servers/' + sid)
        self.assertEqual('ACTIVE', self.wait_status(
            'nova-api', '/v2.1/servers/' + sid, 'server', 'ACTIVE'))
        return sid

    def assertStillThere(self, project, rid):
        s = api.Session(config.Cloud())
        if project == 'cinder':
            found = s.get('cinder-api', '/v3/%s/volumes/%s' % (
                s.project_id, rid))['volume']['status']
            self.assertEqual('available', found)
        else:
            found = s.get('nova-api', '/v2.1/servers/' + rid)
            self.assertEqual('ACTIVE', found['server']['status'])

    def delete(self, port, path):
        try:
            api.Session(config.Cloud()).call('DELETE', port, path)
        except (api.ApiError, OSError):
            pass    # the reset that follows wipes it anyway

    def test_every_project_from_2026_1_to_2026_2(self):
        # Whatever happens, leave the default cloud for the next tests.
        self.addCleanup(base.cli, 'up')
        self.addCleanup(base.cli, 'reset')
        self.cli('reset')
        self.cli('up', '--release', releases.OLD_RELEASE)
        old = releases.pins(releases.RELEASE_VENVS[releases.OLD_RELEASE])
        new = releases.pins(releases.RELEASE_VENVS[releases.NEW_RELEASE])
        self.assertEqual(old, self.versions())

        made = {}
        for project in ORDER:
            out = ''
            if project in HOLD:
                out = self.cli('upgrade', project, '--to',
                               releases.NEW_RELEASE, '--stop-before',
                               HOLD[project])
                status = base.json_line(base.cli('status', '--json')[1])
                self.assertEqual(old[project],
                                 status['lagging'][HOLD[project]])
                made[project] = self.create_in_mixed_state(project)
            out += self.cli('upgrade', project, '--to', releases.NEW_RELEASE)
            for action in upgrade.RECIPES[project]:
                self.assertIn(action.label, out)
            if project in made:
                self.assertStillThere(project, made[project])
            self.assertIn('%s upgraded %s -> %s' % (
                project, old[project], new[project]), out)
            self.assertEqual(new[project], self.versions()[project])
            self.at_head(project)

        self.assertEqual(new, self.versions())
        code, out, err = base.cli('upgrade', 'nova', '--to',
                                  releases.NEW_RELEASE)
        self.assertEqual(2, code)
        self.assertIn('nova is already at %s' % new['nova'], err)
