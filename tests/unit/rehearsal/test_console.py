"""`python -m rehearsal`: no library log lines unless -v/--debug, which
it also passes to the commands it runs (localcloud, upgrade-report)."""

import contextlib
import io
import logging
import unittest
from unittest import mock

from rehearsal import run
from tests.unit.common.test_console import keep_root_logger


class FakeRehearsal(object):
    made = []

    def __init__(self, output_dir, log_level=None):
        self.log_level = log_level
        FakeRehearsal.made.append(self)

    def run(self):
        logging.getLogger('upgrade_tempest_plugin.uptime.markers').info(
            'marker written')
        return 0


class RehearsalConsoleTest(unittest.TestCase):

    def setUp(self):
        keep_root_logger(self)
        FakeRehearsal.made = []

    def main(self, argv):
        err = io.StringIO()
        with mock.patch.object(run, 'Rehearsal', FakeRehearsal), \
                contextlib.redirect_stderr(err):
            code = run.main(argv)
        return code, err.getvalue()

    def test_default_is_quiet(self):
        self.assertEqual((0, ''), self.main([]))
        self.assertIsNone(FakeRehearsal.made[0].log_level)

    def test_verbose_shows_and_passes_on(self):
        code, err = self.main(['-v'])
        self.assertIn('INFO upgrade_tempest_plugin.uptime.markers: marker '
                      'written', err)
        self.assertEqual(logging.INFO, FakeRehearsal.made[0].log_level)

    def test_children_get_the_flag(self):
        rehearsal = run.Rehearsal.__new__(run.Rehearsal)
        rehearsal.verbosity = ['--debug']
        calls = []
        rehearsal.steps = mock.Mock(run=lambda name, argv, **kw: calls.append(
            argv) or {'ok': True})
        rehearsal.logs = rehearsal.root = rehearsal.run_dir = '/nonexistent'
        rehearsal.localcloud('local cloud up', 'up')
        rehearsal.report()
        self.assertEqual(['up', '--debug'], calls[0][-2:])
        self.assertEqual('--debug', calls[1][-1])
