import itertools

import testtools
from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.uptime import writes


class FakeApi(object):
    """Resources by id; failures injected per call name."""

    def __init__(self):
        self.resources = {}     # id -> name
        self.fail = {}          # call -> [exception to raise, ...]
        self.ids = itertools.count(1)
        self.calls = []

    def _maybe_fail(self, call):
        self.calls.append(call)
        queue = self.fail.get(call)
        if queue:
            raise queue.pop(0)

    def create(self, name):
        self._maybe_fail('create')
        ident = 'id-%d' % next(self.ids)
        self.resources[ident] = name
        return ident

    def delete(self, ident):
        self._maybe_fail('delete')
        if ident not in self.resources:
            raise lib_exc.NotFound()
        del self.resources[ident]
        return 204

    def lookup(self, name):
        self._maybe_fail('lookup')
        return [i for i, n in self.resources.items() if n == name]

    def probe(self, names=None):
        names = iter(names or ('uptime-probe-%d' % k for k in range(99)))
        return writes.WriteProbe(self.create, self.delete, self.lookup,
                                 name=lambda: next(names))


class WriteProbeTest(testtools.TestCase):

    def setUp(self):
        super(WriteProbeTest, self).setUp()
        self.api = FakeApi()
        self.sleeps = []

    def sweep(self, probe, **kw):
        return probe.sweep(sleep=self.sleeps.append, **kw)

    def test_create_then_delete(self):
        probe = self.api.probe()
        self.assertEqual(204, probe())
        self.assertEqual(['create', 'delete'], self.api.calls)
        self.assertEqual({}, self.api.resources)
        self.assertEqual([], probe.undeleted)
        self.assertEqual([], self.sweep(probe))
        self.assertEqual(['create', 'delete'], self.api.calls)

    def test_failed_delete_is_swept(self):
        probe = self.api.probe()
        self.api.fail['delete'] = [lib_exc.ServerFault()]
        self.assertRaises(lib_exc.ServerFault, probe)
        self.assertEqual(['uptime-probe-0'], probe.undeleted)
        self.assertEqual(1, len(self.api.resources))
        self.assertEqual([], self.sweep(probe))
        self.assertEqual({}, self.api.resources)

    def test_create_whose_answer_was_lost_is_swept(self):
        probe = self.api.probe()
        real = self.api.create

        def create_then_time_out(name):
            real(name)          # the server acted on it ...
            raise TimeoutError('read timed out')    # ... the answer lost
        probe._create = create_then_time_out
        self.assertRaises(TimeoutError, probe)
        self.assertEqual(['uptime-probe-0'], probe.undeleted)
        self.assertEqual([], self.sweep(probe))
        self.assertEqual({}, self.api.resources)

    def test_create_that_never_happened_is_forgotten(self):
        probe = self.api.probe()
        self.api.fail['create'] = [ConnectionRefusedError(111, 'refused')]
        self.assertRaises(ConnectionRefusedError, probe)
        self.assertEqual([], self.sweep(probe))
        self.assertEqual(['create', 'lookup'], self.api.calls)

    def test_sweep_retries_then_reports_what_is_left(self):
        probe = self.api.probe()
        self.api.fail['delete'] = [lib_exc.ServerFault()] * 4
        self.assertRaises(lib_exc.ServerFault, probe)
        self.assertEqual(['uptime-probe-0'],
                         self.sweep(probe, attempts=3, pause=2.0))
        self.assertEqual([2.0, 2.0], self.sleeps)
        self.assertEqual(1, len(self.api.resources))
        self.assertEqual(['uptime-probe-0'], probe.undeleted)

    def test_sweep_recovers_on_a_later_attempt(self):
        probe = self.api.probe()
        self.api.fail['delete'] = [lib_exc.ServerFault()] * 2
        self.api.fail['lookup'] = [lib_exc.ServerFault()]
        self.assertRaises(lib_exc.ServerFault, probe)
        self.assertEqual([], self.sweep(probe, attempts=3))
        self.assertEqual({}, self.api.resources)

    def test_sweep_deletes_only_its_own_names(self):
        self.api.resources['other'] = 'uptime-probe-someone-else'
        self.api.resources['mine?'] = 'production-network'
        probe = self.api.probe()
        self.api.fail['delete'] = [lib_exc.ServerFault()]
        self.assertRaises(lib_exc.ServerFault, probe)
        self.assertEqual([], self.sweep(probe))
        self.assertEqual({'other': 'uptime-probe-someone-else',
                          'mine?': 'production-network'},
                         self.api.resources)

    def test_names_are_unique_and_prefixed(self):
        names = {writes.new_name() for _ in range(1000)}
        self.assertEqual(1000, len(names))
        self.assertTrue(all(n.startswith(writes.NAME_PREFIX)
                            for n in names))


class ExistsTest(testtools.TestCase):

    def test_found_and_not_found(self):
        def show(name):
            if name != 'here':
                raise lib_exc.NotFound()
            return {}
        lookup = writes.exists(show)
        self.assertEqual(['here'], lookup('here'))
        self.assertEqual([], lookup('gone'))

    def test_other_errors_propagate(self):
        def show(name):
            raise lib_exc.ServerFault()
        self.assertRaises(lib_exc.ServerFault, writes.exists(show), 'x')
