"""The rehearsal's exit status: 0 only if every step and check passed."""

import unittest

from rehearsal import run


class ExitStatusTest(unittest.TestCase):

    def test_passed(self):
        self.assertEqual(0, run.exit_status([], True))

    def test_a_failed_step(self):
        self.assertEqual(1, run.exit_status(['persistent.create'], True))

    def test_a_failed_check_of_the_report(self):
        self.assertEqual(1, run.exit_status([], False))
