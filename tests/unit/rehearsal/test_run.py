"""The rehearsal's flow, its commands faked: markers, checkpoints, the
two resource sets, versions before and after, what is left behind."""

import configparser
import io
import json
import os
from unittest import mock

import fixtures
import testtools

from rehearsal import plan
from rehearsal import run
from rehearsal import steps as steps_mod


class FakeRun(run.Rehearsal):
    """Records the commands instead of running them."""

    def __init__(self, output_dir, fail=()):
        super().__init__(output_dir, out=io.StringIO())
        self.calls = []
        self.fail = fail

    def mark(self, text):
        self.calls.append(('mark', text))

    def localcloud(self, name, *args, on_line=None, **kwargs):
        self.calls.append(('localcloud', ' '.join(args)))
        if on_line:
            on_line('localcloud upgrading')       # not a step line
            on_line('  > swap %s' % args[1])
        return {'ok': name not in self.fail}

    def tempest(self, name, regex, label=None, background=False,
                resource_set=plan.FIRST_SET):
        self.calls.append(('tempest', regex, label, resource_set))
        step = {'ok': name not in self.fail}
        return ('background', step) if background else step

    def finish(self, background):
        return background[1]


class FlowTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_every_step_marked_then_checked(self):
        rehearsal = FakeRun(self.tmp)
        self.assertTrue(rehearsal.upgrade_all())
        calls = rehearsal.calls
        commands = [c[1] for c in calls if c[0] == 'localcloud']
        self.assertEqual([
            'upgrade keystone --to 2026.2',
            'upgrade placement --to 2026.2',
            'upgrade glance --to 2026.2',
            'upgrade cinder --to 2026.2 --stop-before cinder-volume',
            'upgrade cinder --to 2026.2',
            'upgrade neutron --to 2026.2',
            'upgrade nova --to 2026.2 --stop-before nova-compute',
            'upgrade nova --to 2026.2',
            'upgrade swift --to 2026.2'], commands)
        # The nova held step: start marker, its own step lines, the
        # checkpoint, the mixed set created, the first set verified.
        i = calls.index(('localcloud', commands[6]))
        self.assertEqual([
            ('mark', 'upgrade nova: start (-> 2026.2, held before '
                     'nova-compute)'),
            ('localcloud', commands[6]),
            ('mark', 'upgrade nova: swap nova'),
            ('mark', 'checkpoint mixed-nova'),
            ('tempest', 'persistent.create', None, plan.MIXED_SET),
            ('tempest', 'persistent.verify', 'mixed-nova', plan.FIRST_SET),
            ('mark', 'upgrade nova: start (-> 2026.2, resumed)')],
            calls[i - 1:i + 6])
        verifies = [(c[2], c[3]) for c in calls
                    if c[:2] == ('tempest', 'persistent.verify')]
        self.assertEqual(len(plan.STEPS) + 2, len(verifies))
        self.assertEqual(('after-all (mixed set)', plan.MIXED_SET),
                         verifies[-2])
        self.assertEqual(('after-all', plan.FIRST_SET), verifies[-1])

    def test_a_failed_upgrade_stops_the_upgrade(self):
        rehearsal = FakeRun(self.tmp, fail=('upgrade glance -> 2026.2',))
        self.assertFalse(rehearsal.upgrade_all())
        commands = [c[1] for c in rehearsal.calls if c[0] == 'localcloud']
        self.assertEqual('upgrade glance --to 2026.2', commands[-1])
        self.assertEqual(('mark', 'upgrade glance: failed: the upgrade '
                                  'stops here'), rehearsal.calls[-1])

    def test_a_failed_verify_does_not(self):
        rehearsal = FakeRun(self.tmp,
                            fail=('persistent.verify after-keystone',))
        self.assertTrue(rehearsal.upgrade_all())
        self.assertEqual(len(plan.STEPS), len(
            [c for c in rehearsal.calls if c[0] == 'localcloud']))

    def test_two_workspaces_each_with_its_state_file(self):
        cloud = os.path.join(self.tmp, 'cloud')
        os.makedirs(os.path.join(cloud, 'etc'))
        with open(os.path.join(cloud, 'etc', 'tempest.conf'), 'w') as f:
            f.write('[DEFAULT]\nlog_file = x\n[identity]\nuri_v3 = http://'
                    '127.0.0.1:5000/v3\n')
        rehearsal = FakeRun(os.path.join(self.tmp, 'out'))
        rehearsal.cloud_workspace = cloud
        self.assertTrue(rehearsal.make_workspace()['ok'])
        seen = {}
        for name, path in rehearsal.confs.items():
            conf = configparser.ConfigParser(interpolation=None)
            conf.read(path)
            self.assertEqual('http://127.0.0.1:5000/v3',
                             conf['identity']['uri_v3'])
            self.assertEqual(rehearsal.run_dir, conf['upgrade']['output_dir'])
            self.assertEqual('true', conf['upgrade']['uptime_write_probes'])
            self.assertTrue(conf['DEFAULT']['log_dir'].startswith(
                rehearsal.workspaces[name]))
            seen[name] = conf['upgrade']['persistent_state_file']
        self.assertEqual(rehearsal.state_files, seen)
        self.assertEqual(2, len(set(seen.values())))
        self.assertEqual(2, len(set(rehearsal.workspaces.values())))


class VersionsTest(testtools.TestCase):

    def test_before_and_after_in_rehearsal_json(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        rehearsal = FakeRun(tmp)
        before = {'nova': '33.0.2', 'swift': '2.37.4'}
        after = {'nova': '34.0.0', 'swift': '2.37.4'}
        rehearsal.steps.note('versions', {'before': before})
        rehearsal.cloud_status = lambda: {'versions': after,
                                          'lagging': {}}
        wanted = {'nova': '34.0.0', 'swift': '2.38.3'}
        with mock.patch.object(run.releases, 'pins',
                               lambda venv: dict(wanted)):
            rehearsal.check_versions()
        with open(os.path.join(rehearsal.run_dir, 'rehearsal.json')) as f:
            saved = json.load(f)
        self.assertEqual({'before': before, 'after': after},
                         saved['versions'])
        step = saved['steps'][-1]
        self.assertEqual('every project at 2026.2', step['name'])
        self.assertFalse(step['ok'])
        self.assertEqual('swift at 2.37.4, not 2.38.3', step['detail'])


class LeftBehindTest(testtools.TestCase):

    def test_state_files_gone_nothing_left(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.assertEqual([], run.left_behind(
            {plan.FIRST_SET: os.path.join(tmp, 'state.json')}))

    def test_what_a_left_state_file_still_holds(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        paths = {plan.FIRST_SET: os.path.join(tmp, 'a.json'),
                 plan.MIXED_SET: os.path.join(tmp, 'b.json')}
        with open(paths[plan.FIRST_SET], 'w') as f:
            json.dump({'resources': {'server': {'s1': {}},
                                     'volume': {'v1': {}, 'v2': {}},
                                     'network': {}}}, f)
        with open(paths[plan.MIXED_SET], 'w') as f:
            json.dump({'resources': {}, 'owner': {'username': 'u'}}, f)
        self.assertEqual(
            ['first set: server x1, volume x2 left (state file %s)'
             % paths[plan.FIRST_SET],
             'mixed set: its owner left (state file %s)'
             % paths[plan.MIXED_SET]], run.left_behind(paths))


class StepLogFactsTest(testtools.TestCase):

    def test_facts_saved_beside_the_steps(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'rehearsal.json')
        log = steps_mod.StepLog(path, io.StringIO())
        log.note('versions', {'before': {'nova': '33.0.2'}})
        log.record('a step', 0.0, True)
        with open(path) as f:
            self.assertEqual({'versions': {'before': {'nova': '33.0.2'}},
                              'steps': [log.steps[0]]}, json.load(f))
