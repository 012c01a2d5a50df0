"""tools/fresh-run without running tox: input checks, plan, timing, exit."""

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import re
import unittest
from unittest import mock

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
PATH = os.path.join(REPO, 'tools', 'fresh-run')


def load():
    loader = importlib.machinery.SourceFileLoader('fresh_run', PATH)
    spec = importlib.util.spec_from_loader('fresh_run', loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


fresh_run = load()


class FakeClock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FreshRunTest(unittest.TestCase):

    def setUp(self):
        self.environ = dict(os.environ, PATH=os.environ.get('PATH', ''))
        # No local cloud port in use, tox "installed": the checks pass.
        for target, fake in (('ports_in_use', lambda repo, env: []),):
            patcher = mock.patch.object(fresh_run, target, fake)
            patcher.start()
            self.addCleanup(patcher.stop)
        which = mock.patch.object(fresh_run.shutil, 'which',
                                  lambda name, path=None: '/usr/bin/tox')
        which.start()
        self.addCleanup(which.stop)

    def main(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            code = fresh_run.main(argv, out=out, environ=self.environ)
        return code, out.getvalue(), err.getvalue()

    def test_readme_has_the_two_commands(self):
        with open(os.path.join(REPO, 'README.rst')) as f:
            readme = f.read()
        for argv in fresh_run.COMMANDS.values():
            self.assertRegex(readme, r'(?m)^    %s$' % re.escape(
                ' '.join(argv)))

    def test_dry_run_plans_both_in_a_fresh_home(self):
        code, out, err = self.main(['--dry-run'])
        self.assertEqual((0, ''), (code, err))
        planned = re.findall(r'would run: (.*?)  \(LOCALCLOUD_HOME=(\S+) '
                             r'PIP_CACHE_DIR=(\S+)\)', out)
        self.assertEqual(['tox -e rehearsal', 'tox'],
                         [p[0] for p in planned])
        home = planned[0][1]
        self.assertTrue(home.endswith('/localcloud-home'), home)
        self.assertFalse(os.path.exists(os.path.dirname(home)))
        head = fresh_run.resolve(REPO, 'HEAD')
        self.assertIn('at HEAD (%s)' % head[:12], out)

    def test_only_one(self):
        code, out, err = self.main(['--dry-run', '--only', 'tests'])
        self.assertEqual(['tox'], re.findall(r'would run: (.*?)  ', out))

    def test_unknown_ref_is_one_line_exit_2(self):
        code, out, err = self.main(['--ref', 'no-such-ref-xyz', '--dry-run'])
        self.assertEqual(fresh_run.EXIT_BAD_INPUT, code)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn("fresh-run: error: unknown ref 'no-such-ref-xyz'", err)
        self.assertEqual('', out)

    def test_bad_only_is_refused_by_argparse(self):
        with contextlib.redirect_stderr(io.StringIO()):
            with self.assertRaises(SystemExit) as ctx:
                fresh_run.parser().parse_args(['--only', 'functional'])
        self.assertEqual(2, ctx.exception.code)

    def test_ports_in_use_exit_2(self):
        with mock.patch.object(fresh_run, 'ports_in_use',
                               lambda repo, env: [('keystone', 5000)]):
            code, out, err = self.main(['--dry-run'])
        self.assertEqual(2, code)
        self.assertIn('ports of the local cloud already in use: keystone '
                      '5000', err)

    def test_no_tox_exit_2(self):
        with mock.patch.object(fresh_run.shutil, 'which',
                               lambda name, path=None: None):
            code, out, err = self.main([])
        self.assertEqual(2, code)
        self.assertIn('tox not found on PATH', err)

    def test_ports_follow_the_environment(self):
        seen = []

        def port_open(port):
            seen.append(port)
            return port == 5100
        taken = load().ports_in_use(REPO, {'LOCALCLOUD_PORT_KEYSTONE':
                                           '5100'}, port_open=port_open)
        self.assertEqual([('keystone', 5100)], taken)
        self.assertIn(3306, seen)

    def test_run_all_times_each_and_fails_if_one_fails(self):
        clock = FakeClock()
        codes = {'rehearsal': 0, 'tests': 1}
        durations = {'rehearsal': 754.2, 'tests': 301.0}

        def runner(command, out):
            clock.now += durations[command.name]
            out.write('output of %s\n' % command.name)
            return codes[command.name]
        _, commands = fresh_run.plan('/w', environ={'HOME': '/root'})
        out = io.StringIO()
        code = fresh_run.run_all(commands, out, runner=runner, clock=clock)
        self.assertEqual(fresh_run.EXIT_FAILED, code)
        text = out.getvalue()
        self.assertIn('=== fresh-run: tox -e rehearsal: PASSED in 12:34 '
                      '(754.2 s), exit 0; log /w/logs/rehearsal.log', text)
        self.assertIn('=== fresh-run: tox: FAILED in 5:01 (301.0 s), exit 1',
                      text)
        self.assertTrue(text.endswith(
            'fresh-run summary:\n'
            '  tox -e rehearsal   PASSED 12:34 (754.2 s)\n'
            '  tox                FAILED 5:01 (301.0 s)\n'), text)
        codes['tests'] = 0
        self.assertEqual(0, fresh_run.run_all(commands, io.StringIO(),
                                              runner=runner, clock=clock))

    def test_run_logged_echoes_and_logs_a_real_command(self):
        import sys
        import tempfile
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        log = os.path.join(tmp.name, 'tests.log')
        command = fresh_run.Command(
            'tests', [sys.executable, '-c', 'import sys; print("  py3: OK");'
                      ' sys.exit(3)'], tmp.name, dict(os.environ), log)
        out = io.StringIO()
        self.assertEqual(3, fresh_run.run_logged(command, out))
        self.assertEqual('  py3: OK\n', out.getvalue())
        with open(log) as f:
            self.assertEqual('  py3: OK\n', f.read())

    def test_missing_program_is_a_failure(self):
        def runner(command, out):
            raise FileNotFoundError(2, 'No such file', 'tox')
        _, commands = fresh_run.plan('/w', only='tests', environ={})
        out = io.StringIO()
        self.assertEqual(1, fresh_run.run_all(commands, out, runner=runner,
                                              clock=FakeClock()))
        self.assertIn('cannot run tox', out.getvalue())

    def test_plan_environment_is_fresh(self):
        clone, commands = fresh_run.plan('/w', environ={
            'PATH': '/bin', 'VIRTUAL_ENV': '/v', 'LOCALCLOUD_KEEP_UP': '1',
            'LOCALCLOUD_HOME': '/work/main/.localcloud',
            'LOCALCLOUD_PORT_KEYSTONE': '5100', 'PIP_CACHE_DIR': '/c'})
        env = commands[0].env
        self.assertEqual('/w/repo', clone)
        self.assertEqual({'PATH': '/bin', 'LOCALCLOUD_HOME':
                          '/w/localcloud-home', 'TMPDIR': '/w/tmp',
                          'XDG_CACHE_HOME': '/w/cache',
                          'PIP_CACHE_DIR': '/w/cache/pip',
                          'LOCALCLOUD_PORT_KEYSTONE': '5100'}, env)
        self.assertTrue(all(c.cwd == '/w/repo' for c in commands))
