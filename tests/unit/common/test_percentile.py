"""common.percentile: the nearest-rank definition shared by the plugin."""

import random

import testtools

from upgrade_tempest_plugin.common import percentile
from upgrade_tempest_plugin.common import tracking


class TestNearestRank(testtools.TestCase):

    def test_known_values(self):
        values = list(range(1, 101))               # 1..100
        for pct, expected in ((0, 1), (1, 1), (50, 50), (95, 95),
                              (99, 99), (99.5, 100), (100, 100)):
            self.assertEqual(expected, percentile.of_sorted(values, pct),
                             'p%s' % pct)

    def test_always_a_measured_value(self):
        # 20 values: p95 is the 19th smallest, not a point between the
        # 19th and the 20th as an interpolating definition would give.
        values = [float(v) for v in range(10, 210, 10)]
        self.assertEqual(190.0, percentile.of_sorted(values, 95))
        self.assertEqual(19, percentile.rank(95, 20))

    def test_edges(self):
        self.assertIsNone(percentile.of_sorted([], 50))
        self.assertEqual(7, percentile.of_sorted([7], 99))
        self.assertEqual(1, percentile.rank(-5, 10))
        self.assertEqual(3, percentile.of_sorted([1, 2, 3], 150))

    def test_tracking_histogram_uses_it(self):
        rnd = random.Random(5)
        values = sorted(rnd.lognormvariate(-4, 1) for _ in range(999))
        lat = tracking.Latency()
        for value in values:
            lat.add(value)
        for pct in (50, 95, 99):
            exact = percentile.of_sorted(values, pct)
            self.assertLessEqual(abs(lat.percentile(pct) - exact) / exact,
                                 1.0 / 64)
        self.assertEqual(percentile.DEFINITION,
                         lat.to_dict()['percentiles'])
        self.assertEqual('nearest-rank', percentile.DEFINITION)
