"""The rehearsal's steps on the console (real child processes)."""

import io
import json
import os
import sys
import tempfile
import unittest

from rehearsal import steps
from tests.unit.localcloud.test_progress import Console


class StepLogTest(unittest.TestCase):

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.out = Console()
        self.steps = steps.StepLog(os.path.join(self.tmp, 'steps.json'),
                                   self.out)

    def python(self, code):
        return [sys.executable, '-c', code]

    def test_echo_shows_the_child_progress(self):
        log = os.path.join(self.tmp, 'up.log')
        step = self.steps.run('local cloud up', self.python(
            'print("  > debian packages"); '
            'print("  debian packages     13.3 s  (present)")'),
            log_path=log, echo=True)
        self.assertTrue(step['ok'])
        lines = self.out.getvalue().splitlines()
        self.assertEqual('[  ...  ]      local cloud up', lines[0])
        self.assertEqual(steps.ECHO_INDENT + '  > debian packages', lines[1])
        self.assertEqual(steps.ECHO_INDENT + '  debian packages     13.3 s'
                         '  (present)', lines[2])
        self.assertRegex(lines[3], r'^\[ +\d+\.\d s\] ok   local cloud up$')
        with open(log) as f:
            self.assertIn('  > debian packages\n', f.read())

    def test_on_line_sees_the_child_lines_as_printed(self):
        # The keystone upgrade marks each "  > <step>" start it sees.
        seen = []
        self.steps.run('keystone upgrade', self.python(
            'print("  > db_sync --expand (old keystone serving)")'),
            on_line=seen.append, echo=True)
        self.assertEqual(['  > db_sync --expand (old keystone serving)'],
                         seen)

    def test_quiet_child_gets_a_ticker_with_its_last_line(self):
        # The child waits until the console has shown a tick with its line.
        self.steps.tick_every = 0.01
        flag = os.path.join(self.tmp, 'ticked')
        write = self.out.write

        def write_and_flag(text):
            if '... persistent.create' in text and 'test_volume' in text:
                open(flag, 'w').close()
            return write(text)
        self.out.write = write_and_flag
        step = self.steps.run('persistent.create', self.python(
            'import os, sys, time\n'
            'print("{0} test_volume ... ok"); sys.stdout.flush()\n'
            'end = time.time() + 20\n'
            'while not os.path.exists(%r) and time.time() < end:\n'
            '    time.sleep(0.01)\n' % flag))
        self.assertTrue(step['ok'])
        self.assertTrue(os.path.exists(flag), self.out.getvalue())
        ticks = [line for line in self.out.getvalue().splitlines()
                 if line.startswith('  ... persistent.create: ')]
        self.assertTrue(ticks)
        self.assertIn('({0} test_volume ... ok)', ticks[-1])
        self.assertNotIn('\n' + steps.ECHO_INDENT + '{0}',
                         self.out.getvalue())

    def test_step_done_here_and_failure_detail(self):
        with self.steps.step('uptime daemon stopped (sentinel)') as result:
            result.update(ok=False, detail='exit 3')
        self.assertFalse(result['step']['ok'])
        lines = self.out.getvalue().splitlines()
        self.assertEqual('[  ...  ]      uptime daemon stopped (sentinel)',
                         lines[0])
        self.assertRegex(lines[-1], r'FAIL uptime daemon stopped '
                                    r'\(sentinel\): exit 3$')
        with open(self.steps.path) as f:
            self.assertEqual(['uptime daemon stopped (sentinel)'],
                             [s['name'] for s in json.load(f)['steps']])

    def test_failed_command_names_its_log_tail(self):
        step = self.steps.run('report', self.python(
            'import sys; print("verdict: FAILED"); sys.exit(1)'),
            log_path=os.path.join(self.tmp, 'report.log'))
        self.assertFalse(step['ok'])
        self.assertIn('exit 1; log ', step['detail'])
        self.assertIn('verdict: FAILED', step['detail'])
        self.assertIsInstance(self.out, io.StringIO)
