"""tracking.Stats: log lines, save, load and merge."""

import json
import logging
import os
import shutil
import tempfile
from unittest import mock

from tempest.lib import exceptions as lib_exc

from tests.unit import fakes
from tests.unit.common.tracking import base
from upgrade_tempest_plugin.common import tracking


class ListHandler(logging.Handler):
    def __init__(self):
        super(ListHandler, self).__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append((record.levelno, record.getMessage()))


class TestLog(base.TrackingTestCase):

    def log(self, **kwargs):
        logger = logging.getLogger('test_tracking.%s' % self.id())
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        handler = ListHandler()
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        returned = self.trace.stats.log(logger, **kwargs)
        self.assertIs(self.trace.stats, returned)
        return handler.lines

    def test_exact_lines_sorted(self):
        for _ in range(3):
            self.volumes.show_volume(base.VOL)
        self.servers.show_server(base.SRV)
        self.http.route('DELETE', base.VOLUME_URL, 202, None)
        self.volumes.delete_volume(base.VOL)
        self.assertEqual(
            [(logging.INFO, '[ServersClient:show_server] 1 pass, 0 fail'),
             (logging.INFO, '[VolumesClient:delete_volume] 1 pass, 0 fail'),
             (logging.INFO, '[VolumesClient:show_volume] 3 pass, 0 fail')],
            self.log(latency=False))

    def test_line_with_latency_errors_and_whitelisted(self):
        self.volumes.show_volume(base.VOL)
        self.http.route('GET', base.VOLUME_URL, 503, {'e': 1})
        self.assertRaises(lib_exc.UnexpectedResponseCode,
                          self.volumes.show_volume, base.VOL)
        self.http.route('GET', base.VOLUME_URL, 404, {'e': 1})
        self.volumes.wait_for_resource_deletion(base.VOL)
        lines = [text for _, text in self.log()]
        self.assertEqual(3, len(lines))
        self.assertTrue(lines[0].startswith(
            '[VolumesClient:is_resource_deleted] 1 pass, 0 fail (latency '))
        show = lines[1]
        self.assertTrue(show.startswith(
            '[VolumesClient:show_volume] 2 pass, 1 fail (latency ms: mean '),
            show)
        self.assertRegex(
            show, r'^\[VolumesClient:show_volume\] 2 pass, 1 fail \(latency '
                  r'ms: mean [\d.]+, p50 [\d.]+, p95 [\d.]+, p99 [\d.]+, '
                  r'max [\d.]+; errors: HTTP 503 x1; whitelisted: 1\)$')

    def test_empty_stats_log_nothing(self):
        self.assertEqual([], self.log())


class TestSaveLoadMerge(base.TrackingTestCase):

    def setUp(self):
        super(TestSaveLoadMerge, self).setUp()
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def record(self, passes, failures, trace=None):
        trace = trace or self.trace
        client = trace.decorate(fakes.volumes(self.http))
        self.http.route('GET', r'^volumes/bad$', 503, {'e': 1})
        for _ in range(passes):
            client.show_volume(base.VOL)
        for _ in range(failures):
            self.assertRaises(lib_exc.UnexpectedResponseCode,
                              client.show_volume, 'bad')
        return trace.stats

    def test_save_load_round_trip(self):
        stats = self.record(5, 2)
        path = os.path.join(self.tmp, 'a', 'b', 'stats.json')
        self.assertEqual(path, stats.save(path))
        self.assertEqual(['stats.json'], os.listdir(os.path.dirname(path)))
        loaded = tracking.Stats.load(path)
        self.assertEqual(stats.to_dict(), loaded.to_dict())
        found = loaded.get('VolumesClient', 'show_volume')
        self.assertEqual((5, 2), (found.passes, found.failures))
        with open(path) as source:
            data = json.load(source)
        self.assertEqual(1, data['version'])
        self.assertEqual('upgrade_tempest_plugin.tracking', data['format'])
        method = data['methods'][0]
        self.assertEqual({'HTTP 503': 2}, method['errors'])
        self.assertEqual(7, method['latency']['count'])
        self.assertEqual(7, sum(method['latency']['buckets'].values()))

    def test_save_replaces_atomically(self):
        path = os.path.join(self.tmp, 'stats.json')
        self.record(1, 0).save(path)
        self.record(1, 0).save(path)
        self.assertEqual(['stats.json'], os.listdir(self.tmp))
        self.assertEqual(2, tracking.Stats.load(path).totals()[0])
        with mock.patch('os.fsync', side_effect=RuntimeError('disk')):
            self.assertRaises(RuntimeError, self.trace.stats.save, path)
        self.assertEqual(['stats.json'], os.listdir(self.tmp))
        self.assertEqual(2, tracking.Stats.load(path).totals()[0])

    def test_load_missing_file(self):
        path = os.path.join(self.tmp, 'missing.json')
        error = self.assertRaises(tracking.StatsError, tracking.Stats.load,
                                  path)
        self.assertIsInstance(error, ValueError)
        self.assertEqual(path, error.path)
        self.assertIn(path, str(error))

    def test_load_corrupt_files(self):
        good = self.record(1, 1).to_dict()
        bad_version = dict(good, version=99)
        bad_counts = json.loads(json.dumps(good))
        bad_counts['methods'][0]['errors'] = {'HTTP 503': 5}
        bad_buckets = json.loads(json.dumps(good))
        bad_buckets['methods'][0]['latency']['buckets'] = {'3': 1}
        missing_key = json.loads(json.dumps(good))
        del missing_key['methods'][0]['passes']
        for name, content in [('trunc', json.dumps(good)[:40]),
                              ('empty', ''),
                              ('list', '[]'),
                              ('version', json.dumps(bad_version)),
                              ('counts', json.dumps(bad_counts)),
                              ('buckets', json.dumps(bad_buckets)),
                              ('missing', json.dumps(missing_key))]:
            path = os.path.join(self.tmp, name + '.json')
            with open(path, 'w') as out:
                out.write(content)
            error = self.assertRaises(tracking.StatsError,
                                      tracking.Stats.load, path)
            self.assertEqual(path, error.path, name)
            self.assertIn(path, str(error))

    def test_bad_merge_changes_nothing(self):
        stats = self.record(2, 0)
        good = stats.to_dict()
        bad = json.loads(json.dumps(good))
        bad['methods'].append(dict(bad['methods'][0], method='x',
                                   failures=-1))
        self.assertRaises(tracking.StatsError, stats.merge, bad)
        self.assertEqual(good, stats.to_dict())

    def test_merge_saved_stats_of_workers(self):
        paths = []
        for worker, (passes, failures) in enumerate([(3, 1), (4, 2), (0, 0)]):
            trace = tracking.Trace()
            stats = self.record(passes, failures, trace)
            paths.append(stats.save(os.path.join(
                self.tmp, 'worker-%d.json' % worker)))
        merged = tracking.Stats.merged(tracking.Stats.load(p) for p in paths)
        found = merged.get('VolumesClient', 'show_volume')
        self.assertEqual((7, 3), (found.passes, found.failures))
        self.assertEqual({'HTTP 503': 3}, found.errors)
        self.assertEqual(10, found.latency.count)
        # The same failing call site in two workers is one trace.
        self.assertEqual(1, len(found.traces))
        self.assertEqual(3, found.traces[0].count)
        firsts = [tracking.Stats.load(p).get('VolumesClient', 'show_volume')
                  for p in paths[:2]]
        self.assertEqual(min(f.traces[0].first for f in firsts),
                         found.traces[0].first)
        self.assertEqual(max(f.traces[0].last for f in firsts),
                         found.traces[0].last)

    def test_merge_in_place_and_bounds(self):
        one = tracking.Stats(max_traces=2)
        two = tracking.Stats(max_traces=2)
        for index, stats in enumerate((one, two)):
            ms = stats.method_stats('C', 'm')
            ms.add_pass(0.01)
            for site in range(3):
                for _ in range(site + 1):
                    ms.add_failure(0.02, 'HTTP 500', 'X', 'm%d' % index,
                                   ('f:%d in g' % (site + index),), 100.0)
        self.assertIs(one, one.merge(two))
        ms = one.get('C', 'm')
        self.assertEqual((2, 12), (ms.passes, ms.failures))
        self.assertEqual(2, len(ms.traces))
        self.assertEqual(ms.failures,
                         sum(t.count for t in ms.traces) + ms.traces_dropped)
        # site 1 of "one" and site 0 of "two" have the same stack.
        self.assertEqual([1, 2 + 1], [t.count for t in ms.traces])
        self.assertEqual('m1', ms.traces[1].message)

    def test_merged_empty(self):
        merged = tracking.Stats.merged([])
        self.assertEqual({}, merged.methods())
        self.assertEqual(tracking.DEFAULT_MAX_TRACES, merged.max_traces)
