import testtools

from upgrade_tempest_plugin.uptime import windows
from tests.unit.uptime import fakes


class WindowsTest(testtools.TestCase):

    def test_no_failure(self):
        self.assertEqual([], windows.find_windows(fakes.series('.....')))

    def test_window_from_first_failure_to_next_success(self):
        recs = fakes.series('..xxx..x.')
        wins = windows.find_windows(recs)
        self.assertEqual(2, len(wins))
        self.assertAlmostEqual(0.2, wins[0]['start'])
        self.assertAlmostEqual(0.51, wins[0]['end'])    # + its latency
        self.assertAlmostEqual(0.31, wins[0]['duration_s'])
        self.assertEqual(3, wins[0]['failed_probes'])
        self.assertEqual({'connection refused': 3}, wins[0]['errors'])
        self.assertFalse(wins[0]['open'])
        self.assertAlmostEqual(0.11, wins[1]['duration_s'])

    def test_backlogged_success_ends_when_answered(self):
        # restarting API: probes sent while it boots wait in the backlog
        recs = fakes.series('.xx..')
        recs[3]['latency'] = 1.5        # sent at 0.3, answered at 1.8
        recs[4]['latency'] = 1.41       # sent at 0.4, answered at 1.81
        wins = windows.find_windows(recs)
        self.assertAlmostEqual(0.1, wins[0]['start'])
        self.assertAlmostEqual(1.8, wins[0]['end'])

    def test_failure_before_the_window_ended_extends_it(self):
        # Seen in CI (cinder-api restart): a success sent at 0.3 is answered
        # at 1.8, but a probe sent at 0.4 fails; it is the same outage, not
        # a second window [0.4, 0.9] inside the first, counted twice.
        recs = fakes.series('.xx.x..')
        recs[3]['latency'] = 1.5        # sent at 0.3, answered at 1.8
        recs[5]['latency'] = 0.5        # sent at 0.5, answered at 1.0
        wins = windows.find_windows(recs)
        self.assertEqual(1, len(wins))
        self.assertAlmostEqual(0.1, wins[0]['start'])
        self.assertAlmostEqual(1.8, wins[0]['end'])
        self.assertAlmostEqual(1.7, wins[0]['duration_s'])
        self.assertEqual(3, wins[0]['failed_probes'])

    def test_failure_after_the_window_ended_opens_another(self):
        recs = fakes.series('.x.x.')
        wins = windows.find_windows(recs)
        self.assertEqual(2, len(wins))
        self.assertLess(wins[0]['end'], wins[1]['start'])

    def test_unsorted_records_and_error_classes(self):
        recs = fakes.series('.xx.')
        recs[2]['error'] = 'HTTP 503'
        wins = windows.find_windows(list(reversed(recs)))
        self.assertEqual({'connection refused': 1, 'HTTP 503': 1},
                         wins[0]['errors'])
        self.assertAlmostEqual(0.21, wins[0]['duration_s'])

    def test_open_window_ends_at_run_end(self):
        wins = windows.find_windows(fakes.series('..xx'), end_time=0.5)
        self.assertTrue(wins[0]['open'])
        self.assertAlmostEqual(0.3, wins[0]['duration_s'])

    def test_open_window_without_end(self):
        wins = windows.find_windows(fakes.series('.xx'))
        self.assertAlmostEqual(0.1, wins[0]['duration_s'])
        self.assertTrue(wins[0]['open'])
