import collections
import random

import testtools

from upgrade_tempest_plugin.common import percentile
from upgrade_tempest_plugin.uptime import stats


def counted(values):
    return collections.Counter(values)


class PercentileTest(testtools.TestCase):

    def test_empty(self):
        self.assertIsNone(stats.counted_percentile({}, 50))
        self.assertEqual({'p50': None, 'p95': None, 'p99': None,
                          'max': None, 'percentiles': 'nearest-rank'},
                         stats.counted_summary({}))

    def test_single(self):
        self.assertEqual(3, stats.counted_percentile(counted([3]), 99))

    def test_nearest_rank(self):
        values = counted(range(1, 101))     # 1..100
        self.assertEqual(50, stats.counted_percentile(values, 50))
        self.assertEqual(95, stats.counted_percentile(values, 95))
        self.assertEqual(99, stats.counted_percentile(values, 99))
        self.assertEqual(100, stats.counted_percentile(values, 100))
        self.assertEqual(1, stats.counted_percentile(values, 0))

    def test_counted_is_the_shared_definition(self):
        rnd = random.Random(4)
        for _ in range(100):
            values = [round(rnd.random(), 2)
                      for _ in range(rnd.randint(1, 60))]
            for pct in (0, 50, 95, 99, 100):
                self.assertEqual(
                    percentile.of_sorted(sorted(values), pct),
                    stats.counted_percentile(counted(values), pct))

    def test_unsorted(self):
        summary = stats.counted_summary(counted([0.3, 0.1, 0.2]))
        self.assertAlmostEqual(0.2, summary['p50'])
        self.assertAlmostEqual(0.3, summary['max'])
