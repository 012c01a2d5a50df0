"""`up` warns, in one line, when swift's disk is below swift's reserve."""

import collections

from localcloud.services import swift
from tests.unit.localcloud.home import HomeTestCase

Usage = collections.namedtuple('Usage', 'total used free')
GB = 10 ** 9


class DiskWarning(HomeTestCase):

    def test_below_the_reserve_is_one_line_with_the_figures(self):
        # the machine of 2026-11-30: 1.8 GB free of 252 GB
        text = swift.disk_warning(self.cloud,
                                  Usage(252 * GB, 250 * GB, 1.8 * GB))
        self.assertEqual(1, len(text.splitlines()))
        self.assertIn('1.8 GB free', text)
        self.assertIn('1 % of 252 GB = 2.5 GB', text)
        self.assertIn('HTTP 507, 503 through the proxy', text)

    def test_at_or_above_the_reserve_nothing(self):
        self.assertIsNone(swift.disk_warning(
            self.cloud, Usage(252 * GB, 200 * GB, 2.52 * GB)))
        self.assertIsNone(swift.disk_warning(
            self.cloud, Usage(252 * GB, 100 * GB, 50 * GB)))
