"""State file: atomic, locked, 0600, clear errors, no lost entries."""

import json
import multiprocessing
import os
import stat
import tempfile
import threading
import unittest

from upgrade_tempest_plugin.persistent import state


def _writer(path, worker, count):
    state_file = state.StateFile(path)
    for i in range(count):
        name = 'w%d-%d' % (worker, i)
        state_file.record_intent('volume', name, index=i)
        state_file.record('volume', name, id='id-' + name, ready=True)


class StateFileTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.path = os.path.join(self.tmp.name, 'out', 'persistent',
                                 'state.json')
        self.state = state.StateFile(self.path)

    def test_create_and_load(self):
        self.state.create('pfx')
        data = self.state.load()
        self.assertEqual(state.VERSION, data['version'])
        self.assertEqual('pfx', data['prefix'])
        self.assertIsNone(data['owner'])
        self.assertEqual({}, data['resources'])

    def test_create_keeps_an_existing_file(self):
        self.state.create('first')
        self.assertEqual('first', self.state.create('second')['prefix'])

    def test_mode_0600_and_private_directory(self):
        self.state.create('pfx')
        self.state.set_owner(password='secret')
        mode = stat.S_IMODE(os.stat(self.path).st_mode)
        self.assertEqual(0o600, mode)
        dmode = stat.S_IMODE(os.stat(os.path.dirname(self.path)).st_mode)
        self.assertEqual(0, dmode & 0o077)

    def test_no_temporary_files_left(self):
        self.state.create('pfx')
        for i in range(5):
            self.state.record('volume', 'v%d' % i, id=str(i))
        left = sorted(os.listdir(os.path.dirname(self.path)))
        self.assertEqual(['state.json', 'state.json.lock'], left)

    def test_intent_then_id(self):
        self.state.create('pfx')
        entry = self.state.record_intent('server', 'pfx-server-0', index=0)
        self.assertIsNone(entry['id'])
        self.assertFalse(entry['ready'])
        on_disk = self.state.load()['resources']['server']['pfx-server-0']
        self.assertIsNone(on_disk['id'])
        self.state.record('server', 'pfx-server-0', id='abc', ready=True)
        on_disk = self.state.load()['resources']['server']['pfx-server-0']
        self.assertEqual(('abc', True, 0),
                         (on_disk['id'], on_disk['ready'], on_disk['index']))

    def test_forget_drops_empty_types(self):
        self.state.create('pfx')
        self.state.record('port', 'p', id='1')
        self.state.forget('port', 'p')
        self.assertEqual({}, self.state.load()['resources'])

    def test_missing_file(self):
        with self.assertRaises(state.StateError) as ctx:
            self.state.load()
        message = str(ctx.exception)
        self.assertIn('No persistent state file at %s' % self.path, message)
        self.assertIn('persistent.create', message)

    def test_corrupt_file(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, 'w') as f:
            f.write('{"version": 1, "prefix": ')
        with self.assertRaises(state.StateError) as ctx:
            self.state.load()
        self.assertIn('is corrupt (not valid JSON', str(ctx.exception))

    def test_wrong_version(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, 'w') as f:
            json.dump({'version': 99, 'prefix': 'p', 'resources': {}}, f)
        with self.assertRaises(state.StateError) as ctx:
            self.state.load()
        self.assertIn('has schema version 99; this plugin reads version 1',
                      str(ctx.exception))

    def test_not_an_object_or_damaged(self):
        os.makedirs(os.path.dirname(self.path))
        for content, expected in (('[1, 2]', 'a JSON object is expected'),
                                  ('{"version": 1, "prefix": "p"}',
                                   '"resources" is missing')):
            with open(self.path, 'w') as f:
                f.write(content)
            with self.assertRaises(state.StateError) as ctx:
                self.state.load()
            self.assertIn(expected, str(ctx.exception))

    def test_failed_update_leaves_file_unchanged(self):
        self.state.create('pfx')
        before = open(self.path).read()

        def boom(data):
            data['prefix'] = 'changed'
            raise RuntimeError('boom')
        self.assertRaises(RuntimeError, self.state.update, boom)
        self.assertEqual(before, open(self.path).read())

    def test_remove(self):
        self.state.create('pfx')
        self.state.remove()
        self.assertFalse(self.state.exists())
        self.state.remove()  # already gone: fine

    def test_threads_lose_nothing(self):
        self.state.create('pfx')
        threads = [threading.Thread(target=_writer, args=(self.path, w, 20))
                   for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        volumes = self.state.load()['resources']['volume']
        self.assertEqual(160, len(volumes))
        self.assertTrue(all(v['ready'] for v in volumes.values()))

    def test_processes_lose_nothing(self):
        self.state.create('pfx')
        mp = multiprocessing.get_context('fork')
        procs = [mp.Process(target=_writer, args=(self.path, w, 25))
                 for w in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        self.assertEqual([0] * 4, [p.exitcode for p in procs])
        volumes = self.state.load()['resources']['volume']
        self.assertEqual(100, len(volumes))
        self.assertEqual({'id-' + n for n in volumes},
                         {v['id'] for v in volumes.values()})
