import io
import os
import shutil
import tempfile

import testtools

from upgrade_tempest_plugin.uptime import cmd
from upgrade_tempest_plugin.uptime import markers
from upgrade_tempest_plugin.uptime import probelog
from tests.unit.uptime import fakes


class CmdTest(testtools.TestCase):

    def setUp(self):
        super(CmdTest, self).setUp()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def _main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        rc = cmd.main(list(argv), out, err)
        return rc, out.getvalue(), err.getvalue()

    def test_missing_config_is_one_error_line(self):
        rc, out, err = self._main('run', '--config-file',
                                  os.path.join(self.dir, 'nope.conf'))
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertEqual(1, len(err.splitlines()))
        self.assertIn('tempest config file not found', err)

    def test_mark(self):
        rc, out, _err = self._main('mark', 'db sync start', '--output-dir',
                                   self.dir)
        self.assertEqual(0, rc)
        self.assertEqual(['db sync start'],
                         [m['text'] for m in markers.load(self.dir)])

    def test_summary(self):
        log = probelog.ProbeLog(self.dir, 'nova')
        for r in fakes.series('..xx..'):
            log.write(r)
        log.close()
        markers.add(self.dir, 'restart nova-api', now=0.15)
        rc, out, _err = self._main('summary', self.dir)
        self.assertEqual(0, rc)
        self.assertIn('nova', out)
        self.assertIn('[restart nova-api]', out)
        self.assertTrue(os.path.exists(os.path.join(self.dir,
                                                    'summary.json')))

    def test_summary_of_nothing(self):
        rc, _out, err = self._main('summary', self.dir)
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertIn('no probe logs', err)
        rc, _out, err = self._main('summary', os.path.join(self.dir, 'x'))
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
