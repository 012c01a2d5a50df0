import testtools

from upgrade_tempest_plugin.uptime import stats


class PercentileTest(testtools.TestCase):

    def test_empty(self):
        self.assertIsNone(stats.percentile([], 50))
        self.assertEqual({'p50': None, 'p95': None, 'p99': None,
                          'max': None}, stats.latency_summary([]))

    def test_single(self):
        self.assertEqual(3, stats.percentile([3], 99))

    def test_interpolation(self):
        values = list(range(1, 101))    # 1..100
        self.assertAlmostEqual(50.5, stats.percentile(values, 50))
        self.assertAlmostEqual(95.05, stats.percentile(values, 95))
        self.assertAlmostEqual(99.01, stats.percentile(values, 99))
        self.assertEqual(100, stats.percentile(values, 100))
        self.assertEqual(1, stats.percentile(values, 0))

    def test_unsorted(self):
        summary = stats.latency_summary([0.3, 0.1, 0.2])
        self.assertAlmostEqual(0.2, summary['p50'])
        self.assertAlmostEqual(0.3, summary['max'])
