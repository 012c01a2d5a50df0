"""No library log lines on the console unless -v / --debug."""

import contextlib
import io
import logging
import os
import unittest
import warnings
from unittest import mock

from upgrade_tempest_plugin.common import console
from upgrade_tempest_plugin.report import cmd
from upgrade_tempest_plugin.report import text

SAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', 'samples',
                      'rehearsal-run')


def keep_root_logger(test):
    """Restore the root logger's handlers and level after ``test``."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    test.addCleanup(setattr, root, 'level', level)
    test.addCleanup(setattr, root, 'handlers', handlers)
    test.addCleanup(logging.captureWarnings, False)


def chatty_library():
    """What tempest, oslo or matplotlib do while a command runs."""
    logging.getLogger('matplotlib.font_manager').warning(
        'Matplotlib is building the font cache')
    logging.getLogger('tempest.test_discover.plugins').info(
        'Register additional config options from Tempest plugin')
    logging.getLogger('stevedore').debug('found extension')
    warnings.warn('a library is deprecated', DeprecationWarning)


class ConsoleTest(unittest.TestCase):

    def setUp(self):
        keep_root_logger(self)
        # Tests may run under warnings filters that hide DeprecationWarning.
        catcher = warnings.catch_warnings()
        catcher.__enter__()
        self.addCleanup(catcher.__exit__, None, None, None)
        warnings.simplefilter('always')

    def run_cli(self, argv):
        """Run upgrade-report on the sample; return (code, stdout, stderr).
        """
        out, err = io.StringIO(), io.StringIO()
        render = text.render

        def render_noisily(report):
            chatty_library()
            return render(report)
        build = cmd.build

        def build_to(*args):
            return build(*args, out=out)
        with mock.patch.object(text, 'render', render_noisily), \
                mock.patch.object(cmd, 'build', build_to), \
                contextlib.redirect_stderr(err):
            code = cmd.main([SAMPLE, '--output-dir', self.tmp(), '--no-png',
                             '--no-html'] + argv)
        return code, out.getvalue(), err.getvalue()

    def tmp(self):
        import tempfile
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        return tmp.name

    def test_library_lines_without_setup_reach_stderr(self):
        # The problem being solved: logging's last resort prints them.
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            chatty_library()
        self.assertIn('building the font cache', err.getvalue())

    def test_report_default_is_quiet(self):
        code, out, err = self.run_cli([])
        self.assertEqual(0, code)
        self.assertIn('Upgrade report: PASSED', out)
        self.assertEqual('', err)

    def test_report_verbose_shows_info(self):
        code, out, err = self.run_cli(['-v'])
        self.assertIn('WARNING matplotlib.font_manager: Matplotlib is '
                      'building the font cache', err)
        self.assertIn('INFO tempest.test_discover.plugins: Register', err)
        self.assertIn('a library is deprecated', err)
        self.assertNotIn('found extension', err)
        self.assertNotIn('Upgrade report', err)

    def test_report_debug_shows_everything(self):
        code, out, err = self.run_cli(['--debug'])
        self.assertIn('DEBUG stevedore: found extension', err)

    def test_setup_twice_keeps_one_handler(self):
        console.setup(logging.INFO, io.StringIO())
        console.setup(None)
        named = [h for h in logging.getLogger().handlers
                 if h.get_name() == console.HANDLER]
        self.assertEqual(1, len(named))
        self.assertIsInstance(named[0], logging.NullHandler)

    def test_flags_for_child_commands(self):
        self.assertEqual([], console.flags(None))
        self.assertEqual(['-v'], console.flags(logging.INFO))
        self.assertEqual(['--debug'], console.flags(logging.DEBUG))
