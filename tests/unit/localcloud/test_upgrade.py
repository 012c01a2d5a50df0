"""`localcloud upgrade` refuses bad input with one line and changes nothing.

No cloud runs here: the home is a temporary folder with a state.json, the
service states are faked, and building a venv or running a command would
fail the test.
"""

import contextlib
import io
import json
import os
import tempfile
import unittest
from unittest import mock

from localcloud import cli
from localcloud import lifecycle
from localcloud import releases
from localcloud import services
from localcloud.services import base
from localcloud import upgrade
from localcloud import venvs
from tests.unit.localcloud.home import HomeTestCase


def _refuse(*args, **kwargs):
    raise AssertionError('an upgrade that must be refused ran %r' % (args,))


class UpgradeRefusals(unittest.TestCase):

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.home = tmp.name
        patcher = mock.patch.dict(os.environ, {'LOCALCLOUD_HOME': self.home})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.state_file = os.path.join(self.home, 'state.json')
        self.running = {svc.name for svc in services.ALL}
        for target, name in ((venvs, 'build'), (base, 'run'),
                             (lifecycle, 'stop'), (lifecycle, 'start')):
            p = mock.patch.object(target, name, _refuse)
            p.start()
            self.addCleanup(p.stop)
        p = mock.patch.object(lifecycle, 'service_states', self._states)
        p.start()
        self.addCleanup(p.stop)

    def _states(self, cloud):
        return [(svc, 'running' if svc.name in self.running else 'stopped',
                 1 if svc.name in self.running else None)
                for svc in services.ALL]

    def write_state(self, state):
        with open(self.state_file, 'w') as f:
            json.dump(state, f, sort_keys=True)
        with open(self.state_file) as f:
            return f.read()

    def at_old_release(self):
        venv = releases.RELEASE_VENVS[releases.OLD_RELEASE]
        return self.write_state({
            'venvs': {p: venv for p in releases.DISTRIBUTIONS},
            'keystone_version': releases.version_in(venv, 'keystone')})

    def run_cli(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cli.main(['upgrade'] + list(argv), out=out)
        return code, out.getvalue(), err.getvalue()

    def assertRefused(self, argv, needle, before):
        code, out, err = self.run_cli(*argv)
        self.assertEqual(2, code, out + err)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn(needle, err)
        with open(self.state_file) as f:
            self.assertEqual(before, f.read())

    def test_unknown_project(self):
        before = self.at_old_release()
        self.assertRefused(['heat', '--to', '2026.2'],
                           "unknown project 'heat'", before)

    def test_version_in_no_pinned_set(self):
        before = self.at_old_release()
        self.assertRefused(['nova', '--to', '35.0.0'],
                           'nova 35.0.0 is in none of our pinned sets',
                           before)

    def test_unknown_release(self):
        before = self.at_old_release()
        self.assertRefused(['glance', '--to', '2030.1'],
                           'glance 2030.1 is in none of our pinned sets',
                           before)

    def test_downgrade(self):
        before = self.write_state({'keystone_version': '28.1.0'})
        # The default cloud runs nova from main (2026.2).
        self.assertRefused(['nova', '--to', '2026.1'],
                           'refusing to downgrade nova 34.0.0 -> 33.0.2',
                           before)

    def test_already_at_that_version(self):
        before = self.at_old_release()
        self.assertRefused(['cinder', '--to', '28.0.0'],
                           'cinder is already at 28.0.0', before)

    def test_service_not_running(self):
        before = self.at_old_release()
        self.running.discard('nova-compute')
        self.assertRefused(['nova', '--to', '2026.2'],
                           'nova-compute not running (stopped)', before)

    def held_nova(self):
        venv = releases.RELEASE_VENVS[releases.OLD_RELEASE]
        return self.write_state({
            'venvs': {p: 'main' if p == 'nova' else venv
                      for p in releases.DISTRIBUTIONS},
            'service_venvs': {'nova-compute': venv}})

    def test_held_upgrade_only_goes_on_to_its_target(self):
        before = self.held_nova()
        self.assertRefused(['nova', '--to', '2026.1'],
                           'nova is in the middle of an upgrade to 34.0.0 '
                           '(nova-compute not yet swapped)', before)

    def test_stop_before_a_service_the_upgrade_does_not_swap(self):
        before = self.at_old_release()
        self.assertRefused(['nova', '--to', '2026.2', '--stop-before',
                            'cinder-volume'],
                           '--stop-before cinder-volume: not one of the '
                           'services', before)

    def test_stop_before_the_first_swap_is_no_mixed_state(self):
        before = self.at_old_release()
        self.assertRefused(['nova', '--to', '2026.2', '--stop-before',
                            'nova-conductor'],
                           '--stop-before nova-conductor', before)

    def test_hold_and_resume_plans(self):
        from localcloud import config
        self.at_old_release()
        hold = upgrade.plan(config.Cloud(), 'nova', '2026.2',
                            stop_before='nova-compute')
        self.assertEqual(['api_db sync (old nova serving)', 'db sync',
                          'swap nova-conductor', 'swap nova-scheduler',
                          'swap nova-api'],
                         [a.label for a in hold.actions])
        self.held_nova()
        resume = upgrade.plan(config.Cloud(), 'nova', '2026.2')
        self.assertTrue(resume.resume)
        self.assertEqual(('2026.1', 'main'), (resume.old, resume.new))
        self.assertEqual(['swap nova-compute',
                          'db online_data_migrations (every service new)'],
                         [a.label for a in resume.actions])

    def test_a_good_plan_changes_nothing_yet(self):
        before = self.at_old_release()
        from localcloud import config
        cloud = config.Cloud()
        for project, to in (('neutron', '2026.2'), ('swift', '2.38.3')):
            p = upgrade.plan(cloud, project, to)
            self.assertEqual(('2026.1', 'main', False),
                             (p.old, p.new, p.resume))
            self.assertEqual(list(upgrade.RECIPES[project]), list(p.actions))
        with open(self.state_file) as f:
            self.assertEqual(before, f.read())


class Swaps(HomeTestCase):
    """A balanced API on two backends or more is rolled: the new venv is
    switched in after its first backend stopped, before it starts; on one
    backend (or a service haproxy does not balance) it is stopped and
    started as before."""

    def setUp(self):
        super().setUp()
        self.calls = []
        for name in ('stop', 'start', 'wait_ready'):
            p = mock.patch.object(lifecycle, name, self._record(name))
            p.start()
            self.addCleanup(p.stop)

    def _record(self, name):
        def call(cloud, svc):
            self.calls.append((name, getattr(svc, 'name', svc),
                               dict(cloud.state.get('service_venvs', {}))))
        return call

    def job(self, backends):
        cloud = self.cloud
        cloud.state.update({'backends': backends, 'service_venvs': {
            'glance-api': 'old', 'keystone': 'old'}})
        return upgrade.Upgrade(cloud, io.StringIO(), 'glance', 'old', 'new')

    def test_two_backends_rolled_with_the_switch_between(self):
        job = self.job(2)
        seen = []

        def restart(cloud, svc, out=None, before_first_start=None):
            seen.append(dict(cloud.state['service_venvs']))  # first stopped
            before_first_start()
            seen.append(dict(cloud.state['service_venvs']))  # then started
            return [{'backend': 'glance-api-b1', 'up_s': 4.25},
                    {'backend': 'glance-api-b2', 'up_s': 3.5}]
        with mock.patch.object(upgrade.rolling, 'restart', restart):
            info = upgrade.Swap('glance-api').run(job)
        self.assertEqual([{'glance-api': 'old', 'keystone': 'old'},
                          {'keystone': 'old'}], seen)
        self.assertEqual('rolled, UP again after its stop: b1 4.2 s, b2 '
                         '3.5 s', info)
        self.assertEqual([], self.calls)    # no stop of every backend

    def test_one_backend_stopped_and_started(self):
        job = self.job(1)
        with mock.patch.object(upgrade.rolling, 'restart', _refuse):
            self.assertEqual('', upgrade.Swap('glance-api').run(job))
        self.assertEqual(
            [('stop', 'glance-api', {'glance-api': 'old', 'keystone': 'old'}),
             ('start', 'glance-api', {'keystone': 'old'}),
             ('wait_ready', ['glance-api'], {'keystone': 'old'})],
            [(n, s if isinstance(s, str) else [x.name for x in s], v)
             for n, s, v in self.calls])


class Releases(unittest.TestCase):

    def test_every_project_pinned_in_both_releases(self):
        for release, venv in releases.RELEASE_VENVS.items():
            self.assertEqual(set(releases.DISTRIBUTIONS),
                             set(releases.pins(venv)), release)

    def test_old_release_is_older_for_every_project(self):
        old = releases.pins(releases.RELEASE_VENVS[releases.OLD_RELEASE])
        new = releases.pins(releases.RELEASE_VENVS[releases.NEW_RELEASE])
        for project in releases.DISTRIBUTIONS:
            self.assertLess(releases.key(old[project]),
                            releases.key(new[project]), project)

    def test_target_by_version(self):
        self.assertEqual('keystone-28.1.0',
                         releases.target_venv('keystone', '28.1.0'))
        self.assertEqual('2026.1', releases.target_venv('nova', '33.0.2'))

    def test_every_project_has_a_recipe_and_a_check(self):
        self.assertEqual(set(releases.DISTRIBUTIONS), set(upgrade.RECIPES))
        self.assertEqual(set(releases.DISTRIBUTIONS), set(upgrade.CHECKS))
        for project, recipe in upgrade.RECIPES.items():
            module = upgrade.project_module(project)
            swapped = [n for a in recipe if isinstance(a, upgrade.Swap)
                       for n in a.names]
            self.assertEqual(sorted(s.name for s in module.SERVICES),
                             sorted(swapped), project)


class NeutronHeads(unittest.TestCase):

    def test_all_heads(self):
        ok, revs = upgrade.neutron_heads_ok(
            'Running current for neutron ...\n'
            '5bcb7b31ec7d (head)\n0e6eff810791 (head)\n  OK\n')
        self.assertTrue(ok)
        self.assertEqual(2, len(revs))

    def test_one_branch_behind(self):
        ok, _ = upgrade.neutron_heads_ok(
            '5bcb7b31ec7d (head)\n0e6eff810791\n  OK\n')
        self.assertFalse(ok)

    def test_nothing_printed(self):
        self.assertFalse(upgrade.neutron_heads_ok('  OK\n')[0])
