"""`python3 -m localcloud`: what each outcome of a command exits with."""

import contextlib
import io
import os
import tempfile
import unittest
from unittest import mock

from localcloud import cli
from localcloud import commands
from localcloud.progress import Failed


class ExitStatusTest(unittest.TestCase):

    def setUp(self):
        home = tempfile.TemporaryDirectory()
        self.addCleanup(home.cleanup)
        env = mock.patch.dict(os.environ, {'LOCALCLOUD_HOME': home.name})
        env.start()
        self.addCleanup(env.stop)

    def run_cli(self, argv, **command):
        """Run ``argv`` with ``commands.status`` doing ``command``."""
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.object(commands, 'status', **command), \
                contextlib.redirect_stderr(err):
            code = cli.main(argv, out=out)
        return code, err.getvalue()

    def test_documented_numbers(self):
        self.assertEqual((0, 1, 2), (cli.exit_status(True),
                                     cli.exit_status(False),
                                     cli.exit_status(None)))

    def test_ok(self):
        self.assertEqual((0, ''), self.run_cli(['status'],
                                               return_value=True))

    def test_not_as_wanted(self):
        self.assertEqual((1, ''), self.run_cli(['status'],
                                               return_value=False))

    def test_failure_is_one_line(self):
        code, err = self.run_cli(['status'],
                                 side_effect=Failed('no such home'))
        self.assertEqual(2, code)
        self.assertEqual('localcloud status: ERROR: no such home\n', err)

    def test_os_error_names_its_kind(self):
        code, err = self.run_cli(['status'],
                                 side_effect=PermissionError('denied'))
        self.assertEqual(2, code)
        self.assertEqual('localcloud status: ERROR: PermissionError: '
                         'denied\n', err)
