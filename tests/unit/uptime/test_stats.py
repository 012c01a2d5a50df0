import testtools

from upgrade_tempest_plugin.uptime import stats


class PercentileTest(testtools.TestCase):

    def test_empty(self):
        self.assertIsNone(stats.percentile([], 50))
        self.assertEqual({'p50': None, 'p95': None, 'p99': None,
                          'max': None}, stats.latency_summary([]))

    def test_single(self):
        self.assertEqual(3, stats.percentile([3], 99))

    def test_nearest_rank(self):
        values = list(range(1, 101))    # 1..100
        self.assertEqual(50, stats.percentile(values, 50))
        self.assertEqual(95, stats.percentile(values, 95))
        self.assertEqual(99, stats.percentile(values, 99))
        self.assertEqual(100, stats.percentile(values, 100))
        self.assertEqual(1, stats.percentile(values, 0))

    def test_counted_is_the_same(self):
        import collections
        import random
        rnd = random.Random(4)
        for _ in range(100):
            values = [round(rnd.random(), 2)
                      for _ in range(rnd.randint(1, 60))]
            counts = collections.Counter(values)
            for pct in (0, 50, 95, 99, 100):
                self.assertEqual(stats.percentile(values, pct),
                                 stats.counted_percentile(counts, pct))
        self.assertEqual('nearest-rank',
                         stats.counted_summary({0.1: 2})['percentiles'])

    def test_unsorted(self):
        summary = stats.latency_summary([0.3, 0.1, 0.2])
        self.assertAlmostEqual(0.2, summary['p50'])
        self.assertAlmostEqual(0.3, summary['max'])
