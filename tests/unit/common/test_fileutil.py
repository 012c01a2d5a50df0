import json
import os
import shutil
import stat
import tempfile

import testtools

from upgrade_tempest_plugin.common import fileutil


class AtomicWriteTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_creates_parent_and_replaces(self):
        path = os.path.join(self.dir, 'a', 'b', 'x.json')
        fileutil.write_json(path, {'b': 1, 'a': 2})
        fileutil.write_json(path, {'c': 3})
        with open(path) as f:
            text = f.read()
        self.assertEqual({'c': 3}, json.loads(text))
        self.assertTrue(text.endswith('\n'))
        self.assertEqual(['x.json'], os.listdir(os.path.dirname(path)))

    def test_mode(self):
        path = fileutil.atomic_write(os.path.join(self.dir, 's'), 'secret',
                                     mode=0o600)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))

    def test_failure_keeps_old_content_and_leaves_no_temp(self):
        path = os.path.join(self.dir, 'x.json')
        fileutil.write_json(path, {'old': True})
        self.assertRaises(TypeError, fileutil.write_json, path,
                          {'bad': object()})
        self.assertRaises(TypeError, fileutil.atomic_write, path, None)
        with open(path) as f:
            self.assertEqual({'old': True}, json.load(f))
        self.assertEqual(['x.json'], os.listdir(self.dir))

    def test_default_serialises_unknown_values(self):
        path = fileutil.write_json(os.path.join(self.dir, 'x.json'),
                                   {'v': {1, 2}.__class__}, default=str)
        with open(path) as f:
            self.assertEqual({'v': "<class 'set'>"}, json.load(f))
