"""`python3 -m localcloud`: no log lines on the console unless -v/--debug."""

import contextlib
import io
import logging
import sys
import unittest
from unittest import mock

from localcloud import cli
from localcloud.services import base
from tests.unit.common.test_console import keep_root_logger


def run_quietly(args, cloud, out):
    """Stands for a command: runs a real setup command, a library logs."""
    base.run([sys.executable, '-c', 'print("db synced")'], 'db sync')
    logging.getLogger('urllib3.connectionpool').warning('Retrying')
    out.write('  keystone 28.1.0     4.2 s\n')
    return 0


class LocalcloudConsoleTest(unittest.TestCase):

    def setUp(self):
        keep_root_logger(self)

    def main(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.object(cli, '_run', run_quietly), \
                mock.patch.object(cli, '_exclusive',
                                  lambda cloud: contextlib.nullcontext()), \
                contextlib.redirect_stderr(err):
            code = cli.main(argv, out=out)
        return code, out.getvalue(), err.getvalue()

    def test_default_only_progress(self):
        code, out, err = self.main(['up'])
        self.assertEqual((0, '  keystone 28.1.0     4.2 s\n', ''),
                         (code, out, err))

    def test_verbose_shows_commands_run(self):
        code, out, err = self.main(['up', '-v'])
        self.assertRegex(err, r'INFO localcloud: ran .*python\S* -c '
                              r'print\("db synced"\): exit 0 in \d+\.\d s')
        self.assertIn('WARNING urllib3.connectionpool: Retrying', err)
        self.assertNotIn('db synced\n', err.replace('"db synced")', ''))

    def test_debug_shows_their_output(self):
        code, out, err = self.main(['restart', 'keystone', '--debug'])
        self.assertIn('DEBUG localcloud: output of', err)
        self.assertIn('\ndb synced', err)

    def test_flag_on_every_command(self):
        for argv in (['down', '-v'], ['status', '--debug'], ['reset', '-v'],
                     ['upgrade', 'keystone', '--to', '30.0.0', '-v']):
            args = cli.parser().parse_args(argv)
            self.assertIsNotNone(args.log_level, argv)
