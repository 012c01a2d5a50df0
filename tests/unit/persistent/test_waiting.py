"""Transient errors and retries."""

import unittest

from tempest.lib import exceptions as lib_exc
import urllib3

from upgrade_tempest_plugin.persistent import waiting


class WaitingTest(unittest.TestCase):

    def test_transient_kinds(self):
        refused = urllib3.exceptions.MaxRetryError(
            None, 'http://127.0.0.1:1',
            urllib3.exceptions.NewConnectionError(
                None, 'Failed to establish a new connection: '
                '[Errno 111] Connection refused'))
        self.assertTrue(waiting.is_transient(refused))
        self.assertTrue(waiting.is_transient(lib_exc.ServerFault()))
        self.assertTrue(waiting.is_transient(
            lib_exc.UnexpectedResponseCode(resp={'status': 503})))
        self.assertFalse(waiting.is_transient(lib_exc.NotFound()))
        self.assertFalse(waiting.is_transient(lib_exc.Forbidden()))
        self.assertTrue(waiting.is_transient(lib_exc.Unauthorized()))
        self.assertTrue(waiting.is_not_found(lib_exc.NotFound()))

    def test_retry_until_success(self):
        calls = []

        def flaky():
            calls.append(1)
            if len(calls) < 3:
                raise lib_exc.ServerFault()
            return 'ok'
        self.assertEqual('ok', waiting.retry_transient(
            flaky, 10, sleep=lambda s: None))
        self.assertEqual(3, len(calls))

    def test_real_error_not_retried(self):
        calls = []

        def forbidden():
            calls.append(1)
            raise lib_exc.Forbidden()
        self.assertRaises(lib_exc.Forbidden, waiting.retry_transient,
                          forbidden, 10, sleep=lambda s: None)
        self.assertEqual(1, len(calls))

    def test_retry_gives_up(self):
        def down():
            raise lib_exc.ServerFault()
        self.assertRaises(lib_exc.ServerFault, waiting.retry_transient,
                          down, 0.2, sleep=lambda s: None)

    def test_wait_for_timeout_message(self):
        clock = iter(range(0, 100, 5))
        with self.assertRaises(waiting.WaitTimeout) as ctx:
            waiting.wait_for(lambda: None, 10, what='volume v',
                             sleep=lambda s: None, clock=lambda: next(clock))
        self.assertIn('volume v not done within 10 s',
                      str(ctx.exception))
