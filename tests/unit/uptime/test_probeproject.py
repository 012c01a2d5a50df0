import os

import fixtures
import testtools

from upgrade_tempest_plugin.uptime import probeproject
from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import runner
from upgrade_tempest_plugin.uptime import summary


class NotFound(Exception):
    """Named like tempest's: a resource already gone."""


class Keystone(object):
    """Projects, users and role assignments of a fake keystone."""

    def __init__(self, fail=None, roles=('member', 'reader')):
        self.projects, self.users, self.assigned = {}, {}, []
        self.roles = {name: 'r-' + name for name in roles}
        self.fail = fail or set()

    def _maybe_fail(self, what):
        if what in self.fail:
            raise RuntimeError('%s failed' % what)

    def create_project(self, name, **kwargs):
        self._maybe_fail('project')
        pid = 'p%d' % len(self.projects)
        self.projects[pid] = dict(kwargs, name=name)
        return {'project': {'id': pid}}

    def create_user(self, **kwargs):
        self._maybe_fail('user')
        uid = 'u%d' % len(self.users)
        self.users[uid] = kwargs
        return {'user': {'id': uid}}

    def list_roles(self, name):
        return {'roles': [{'id': self.roles[name], 'name': name}]
                if name in self.roles else []}

    def create_user_role_on_project(self, project_id, user_id, role_id):
        self._maybe_fail('role')
        self.assigned.append((project_id, user_id, role_id))

    def delete_user(self, uid):
        self._maybe_fail('delete user')
        if uid not in self.users:
            raise NotFound(uid)
        del self.users[uid]

    def delete_project(self, pid):
        self._maybe_fail('delete project')
        del self.projects[pid]


class CreateRemoveTest(testtools.TestCase):

    def test_project_user_and_role_then_removed(self):
        ks = Keystone()
        made = probeproject.create(ks, ks, ks, 'dom', 'member')
        self.assertTrue(made.name.startswith(probeproject.PREFIX))
        project = ks.projects[made.project_id]
        self.assertEqual((made.name, 'dom'),
                         (project['name'], project['domain_id']))
        user = ks.users[made.user_id]
        self.assertEqual((made.name, made.password, made.project_id),
                         (user['name'], user['password'],
                          user['default_project_id']))
        self.assertEqual([(made.project_id, made.user_id, 'r-member')],
                         ks.assigned)
        self.assertEqual([], probeproject.remove(ks, ks, made))
        self.assertEqual(({}, {}), (ks.projects, ks.users))

    def test_each_run_its_own_name_and_password(self):
        ks = Keystone()
        a = probeproject.create(ks, ks, ks, 'dom', 'member')
        b = probeproject.create(ks, ks, ks, 'dom', 'member')
        self.assertNotEqual(a.name, b.name)
        self.assertNotEqual(a.password, b.password)

    def test_what_was_made_is_removed_when_a_step_fails(self):
        for step in ('user', 'role'):
            ks = Keystone(fail={step})
            self.assertRaises(RuntimeError, probeproject.create,
                              ks, ks, ks, 'dom', 'member')
            self.assertEqual(({}, {}), (ks.projects, ks.users), step)

    def test_unknown_role_is_said_and_nothing_left(self):
        ks = Keystone(roles=('reader',))
        exc = self.assertRaises(LookupError, probeproject.create,
                                ks, ks, ks, 'dom', 'member')
        self.assertIn("'member'", str(exc))
        self.assertEqual(({}, {}), (ks.projects, ks.users))

    def test_what_could_not_be_deleted_is_named(self):
        ks = Keystone()
        made = probeproject.create(ks, ks, ks, 'dom', 'member')
        ks.fail = {'delete project'}
        left = probeproject.remove(ks, ks, made)
        self.assertEqual(1, len(left))
        self.assertIn('probe project %s (%s) not deleted' % (
            made.name, made.project_id), left[0])
        self.assertEqual({}, ks.users)

    def test_a_user_already_gone_is_not_a_leftover(self):
        ks = Keystone()
        made = probeproject.create(ks, ks, ks, 'dom', 'member')
        del ks.users[made.user_id]
        self.assertEqual([], probeproject.remove(ks, ks, made))

    def test_credentials_travel_in_the_environment_only(self):
        made = probeproject.ProbeProject('n', 'pid', 'uid', 'secret', 'dom')
        env = made.environ({'PATH': '/bin'})
        self.assertEqual('/bin', env['PATH'])
        creds = probeproject.from_environ(env)
        self.assertEqual({'username': 'n', 'password': 'secret',
                          'user_domain_id': 'dom', 'project_name': 'n',
                          'project_domain_id': 'dom', 'project_id': 'pid'},
                         creds)
        self.assertIsNone(probeproject.from_environ({}))
        self.assertNotIn('secret', str(made.to_dict()))


class Projects(object):
    def __init__(self, fail_make=False, left=()):
        self.made, self.removed = [], []
        self.fail_make, self.left = fail_make, list(left)

    def make(self):
        if self.fail_make:
            raise RuntimeError('403 Forbidden')
        made = probeproject.ProbeProject('n', 'pid', 'uid', 'pw', 'dom')
        self.made.append(made)
        return made

    def remove(self, made):
        self.removed.append(made)
        return self.left


class RunnerTest(testtools.TestCase):

    READ = ('nova', 'nova', 'read', 'new')
    PULSE = ('nova-pulse', 'nova', 'pulse', 'new')

    def test_made_only_for_read_series(self):
        projects = Projects()
        self.assertIsNone(runner.make_project(projects, [self.PULSE]))
        self.assertIsNone(runner.make_project(None, [self.READ]))
        self.assertEqual([], projects.made)
        made = runner.make_project(projects, [self.READ, self.PULSE])
        self.assertEqual([made], projects.made)

    def test_failure_to_make_is_one_clear_error(self):
        exc = self.assertRaises(
            runner.plan_mod.UptimeError, runner.make_project,
            Projects(fail_make=True), [self.READ])
        self.assertIn('uptime_probe_project = admin', str(exc))
        self.assertIn('403 Forbidden', str(exc))

    def test_only_read_probers_get_the_credentials(self):
        import shutil
        import tempfile

        from upgrade_tempest_plugin.uptime import plan
        spawned = []

        class Done(object):
            def __init__(self, args, env=None):
                spawned.append((args['series'], env))

            def wait(self, timeout=None):
                return 0

        out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, out)
        projects = Projects(left=['probe user n (uid) not deleted: 503'])
        result = runner.run(
            plan.Plan('/dev/null', out, ['nova']),
            [self.READ, self.PULSE, ('nova-write', 'nova', 'write', 'new')],
            spawn=Done, handle_signals=False, projects=projects)
        envs = dict(spawned)
        self.assertEqual('n', probeproject.from_environ(
            envs['nova'])['username'])
        self.assertIsNone(envs['nova-pulse'])
        self.assertIsNone(envs['nova-write'])
        self.assertNotIn(probeproject.ENV, os.environ)
        self.assertEqual(projects.made, projects.removed)
        self.assertEqual('pid', result['probe_project']['project_id'])
        # what is left of it is reported like write probes' leftovers,
        # in the summary written to disk as well
        self.assertEqual(
            {'probe project': ['probe user n (uid) not deleted: 503']},
            summary.left_behind(summary.load(out)))

    def test_record_gone_once_removed(self):
        from upgrade_tempest_plugin.uptime import plan

        class Done(object):
            def __init__(self, args, env=None):
                pass

            def wait(self, timeout=None):
                return 0
        out = self.useFixture(fixtures.TempDir()).path
        result = runner.run(plan.Plan('/dev/null', out, ['nova']),
                            [self.READ], spawn=Done, handle_signals=False,
                            projects=Projects())
        self.assertEqual([], result['probe_project']['left'])
        self.assertIsNone(probeproject.recorded(out))
        self.assertEqual({}, summary.left_behind(summary.load(out)))

    def test_removed_when_the_run_fails(self):
        from upgrade_tempest_plugin.uptime import plan
        projects = Projects()

        def spawn(args, env=None):
            raise OSError('cannot start a prober')
        self.assertRaises(OSError, runner.run,
                          plan.Plan('/dev/null', self.useFixture(
                              fixtures.TempDir()).path, ['nova']),
                          [self.READ], spawn=spawn, handle_signals=False,
                          projects=projects)
        self.assertEqual(projects.made, projects.removed)


class ReadProbeTest(testtools.TestCase):
    """In the probes' own project, listings are filtered to it."""

    class Client(object):
        def __init__(self):
            self.calls = []

        def list_networks(self, **params):
            self.calls.append(params)
            return {}

        def list_images(self, params=None):
            self.calls.append(params)
            return {}

    def test_neutron_and_glance_filter_by_project(self):
        for service, key, base in (
                ('neutron', 'project_id', {'limit': 1, 'fields': 'id'}),
                ('glance', 'owner', {'limit': 1})):
            client = self.Client()
            probes._READ_PROBES[service](client, None, None)()
            probes._READ_PROBES[service](client, None, 'pid')()
            self.assertEqual([base, dict(base, **{key: 'pid'})],
                             client.calls, service)


class RecordTest(testtools.TestCase):
    """A run killed before removing its project leaves a record the
    summary, rebuilt from the directory, reports as left behind."""

    def test_killed_run_reports_its_project(self):
        out = self.useFixture(fixtures.TempDir()).path
        made = probeproject.ProbeProject('n', 'pid', 'uid', 'secret', 'dom')
        probeproject.save(out, made)
        with open(os.path.join(out, probeproject.RECORD)) as f:
            self.assertNotIn('secret', f.read())
        left = summary.left_behind(summary.build(out))
        self.assertEqual(['probe project'], list(left))
        self.assertIn('n (pid) and its user uid', left['probe project'][0])
        probeproject.forget(out)
        probeproject.forget(out)        # twice: no error
        self.assertEqual({}, summary.left_behind(summary.build(out)))
        self.assertNotIn('probe_project', summary.build(out))
