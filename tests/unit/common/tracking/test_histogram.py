"""tracking.Latency: the latency histogram and its percentiles."""

import json
import math
import random
from unittest import mock

import testtools

from tests.unit import fakes
from tests.unit.common.tracking import base
from upgrade_tempest_plugin.common import tracking


class TestLatency(testtools.TestCase):

    def exact(self, values, percent):
        ordered = sorted(values)
        rank = max(1, int(math.ceil(percent / 100.0 * len(ordered))))
        return ordered[rank - 1]

    def test_known_inputs(self):
        ms = tracking.MethodStats('C', 'm')
        for ms_value in range(1, 1001):
            ms.add_pass(ms_value / 1000.0)
        lat = ms.latency
        self.assertEqual(1000, lat.count)
        self.assertEqual(0.001, lat.min)
        self.assertEqual(1.0, lat.max)
        self.assertAlmostEqual(0.5005, lat.mean)
        bound = 1.0 / 64
        for percent, expected in ((50, 0.5), (95, 0.95), (99, 0.99),
                                  (100, 1.0)):
            got = lat.percentile(percent)
            self.assertLessEqual(abs(got - expected) / expected, bound,
                                 'p%s=%s' % (percent, got))
        self.assertEqual(0.001, lat.percentile(0))

    def test_random_inputs_within_error_bound(self):
        rnd = random.Random(42)
        values = [rnd.lognormvariate(-4, 1.5) for _ in range(20000)]
        lat = tracking.Latency()
        for value in values:
            lat.add(value)
        for percent in (1, 10, 50, 90, 95, 99, 99.9):
            expected = self.exact(values, percent)
            got = lat.percentile(percent)
            self.assertLessEqual(abs(got - expected) / expected, 1.0 / 64,
                                 'p%s: %s vs %s' % (percent, got, expected))

    def test_single_value_is_exact(self):
        lat = tracking.Latency()
        lat.add(0.0123)
        self.assertEqual((0.0123,) * 3, (lat.p50, lat.p95, lat.p99))

    def test_extremes_are_clamped(self):
        lat = tracking.Latency()
        for value in (0.0, 1e-9, 1e6):
            lat.add(value)
        self.assertEqual(0, tracking.bucket_index(0.0))
        self.assertEqual(tracking.NUM_BUCKETS - 1,
                         tracking.bucket_index(1e6))
        self.assertEqual(1e6, lat.p99)
        self.assertEqual(0.0, lat.percentile(1))

    def test_bucket_bounds_hold_values(self):
        rnd = random.Random(7)
        for _ in range(5000):
            value = math.exp(rnd.uniform(math.log(1e-6), math.log(8000)))
            index = tracking.bucket_index(value)
            lower, upper = tracking.bucket_bounds(index)
            self.assertTrue(lower <= value < upper, (value, lower, upper))
            self.assertLessEqual((upper - lower) / lower, 1.0 / 32 + 1e-12)

    def test_pass_path_buckets_like_latency_add(self):
        # MethodStats.add_pass inlines Latency.add for speed: both must put
        # every value in the same bucket, extremes included.
        rnd = random.Random(11)
        values = [0.0, 1e-9, 1e6] + [
            math.exp(rnd.uniform(math.log(1e-7), math.log(2e4)))
            for _ in range(3000)]
        method = tracking.MethodStats('C', 'm')
        reference = tracking.Latency()
        for value in values:
            method.add_pass(value)
            reference.add(value)
        self.assertEqual(reference.buckets, method.latency.buckets)
        self.assertEqual((reference.count, reference.min, reference.max),
                         (method.latency.count, method.latency.min,
                          method.latency.max))

    def test_merge_equals_union(self):
        rnd = random.Random(3)
        left = [rnd.expovariate(20) for _ in range(500)]
        right = [rnd.expovariate(5) for _ in range(700)]
        a, b, union = tracking.Latency(), tracking.Latency(), \
            tracking.Latency()
        for value in left:
            a.add(value)
            union.add(value)
        for value in right:
            b.add(value)
            union.add(value)
        a.merge_dict(json.loads(json.dumps(b.to_dict())))
        self.assertEqual(union.buckets, a.buckets)
        self.assertEqual((union.count, union.min, union.max),
                         (a.count, a.min, a.max))
        self.assertAlmostEqual(union.sum, a.sum)
        self.assertEqual(union.p95, a.p95)

    def test_calls_are_timed(self):
        ticks = [10.0, 10.25]
        clock = mock.Mock(side_effect=lambda: ticks.pop(0))
        with mock.patch('time.perf_counter', clock):
            trace = tracking.Trace()
            client = trace.decorate(fakes.volumes())
            client.http_obj.route('GET', base.VOLUME_URL, 200,
                                  fakes.volume_body())
            client.show_volume(base.VOL)
        self.assertEqual([], ticks)
        lat = trace.stats.get('VolumesClient', 'show_volume').latency
        self.assertEqual((1, 0.25, 0.25, 0.25),
                         (lat.count, lat.min, lat.max, lat.sum))

    def test_empty_latency(self):
        lat = tracking.Latency()
        self.assertEqual((None, None, None), (lat.mean, lat.p50, lat.p99))
        data = lat.to_dict()
        self.assertEqual((0, None, None, {}), (data['count'], data['min'],
                                               data['max'], data['buckets']))
