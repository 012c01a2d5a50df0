"""Unit tests of common.errors.classify."""

import http.client
import socket

from tempest.lib import exceptions as lib_exc
from tempest.tests.lib import fake_http
import testtools
import urllib3
from urllib3 import exceptions as u3

from tests.unit import fakes
from upgrade_tempest_plugin.common import errors


def _resp(status):
    return fake_http.fake_http_response({}, status=status)


class TestClassify(testtools.TestCase):

    def test_http_status_of_tempest_exceptions(self):
        cases = [(lib_exc.NotFound('x', resp=_resp(404)), 'HTTP 404'),
                 (lib_exc.ServerFault('x', resp=_resp(500)), 'HTTP 500'),
                 (lib_exc.UnexpectedResponseCode('503', resp=_resp(503)),
                  'HTTP 503'),
                 (lib_exc.UnexpectedResponseCode('502',
                                                 resp={'status': '502'}),
                  'HTTP 502'),
                 # No response: the class's status code.
                 (lib_exc.Conflict(), 'HTTP 409')]
        for exc, expected in cases:
            self.assertEqual(expected, errors.classify(exc), repr(exc))
        self.assertEqual(503, errors.http_status(cases[2][0]))

    def test_other_tempest_exceptions(self):
        self.assertEqual('InvalidHttpSuccessCode', errors.classify(
            lib_exc.InvalidHttpSuccessCode('200 instead of 202')))
        self.assertEqual('InvalidHTTPResponseBody', errors.classify(
            lib_exc.InvalidHTTPResponseBody('schema')))
        self.assertEqual(errors.TIMEOUT, errors.classify(
            lib_exc.TimeoutException('waited')))

    def test_real_connection_refused(self):
        port = fakes.refused_port()
        pool = urllib3.PoolManager()
        url = 'http://127.0.0.1:%d/' % port
        for retries in (False, urllib3.Retry(1)):
            exc = self.assertRaises(u3.HTTPError, pool.request, 'GET', url,
                                    retries=retries)
            self.assertEqual(errors.CONNECTION_REFUSED, errors.classify(exc))

    def test_builtin_socket_errors(self):
        self.assertEqual(errors.CONNECTION_REFUSED,
                         errors.classify(ConnectionRefusedError(111, 'x')))
        self.assertEqual(errors.CONNECTION_RESET,
                         errors.classify(ConnectionResetError(104, 'x')))
        self.assertEqual(errors.TIMEOUT, errors.classify(socket.timeout()))

    def test_urllib3_errors(self):
        cases = [
            (u3.ReadTimeoutError(None, '/', 'Read timed out.'),
             errors.TIMEOUT),
            (u3.MaxRetryError(None, '/', u3.ConnectTimeoutError(None, 'x')),
             errors.TIMEOUT),
            (u3.ProtocolError('Connection aborted.',
                              ConnectionResetError(104, 'reset')),
             errors.CONNECTION_RESET),
            (u3.ProtocolError('Connection aborted.',
                              http.client.RemoteDisconnected('closed')),
             errors.CONNECTION_RESET),
            (u3.MaxRetryError(None, '/', u3.NameResolutionError(
                'nowhere', None, socket.gaierror(-2, 'unknown'))),
             'NameResolutionError'),
            (u3.MaxRetryError(None, '/', None), 'MaxRetryError'),
            (u3.SSLError('bad certificate'), 'SSLError'),
        ]
        for exc, expected in cases:
            self.assertEqual(expected, errors.classify(exc), repr(exc))

    def test_plain_exception_and_cycles(self):
        self.assertEqual('ValueError', errors.classify(ValueError('x')))
        first, second = RuntimeError('a'), RuntimeError('b')
        first.__context__, second.__context__ = second, first
        self.assertEqual('RuntimeError', errors.classify(first))


class TestOneLine(testtools.TestCase):

    def test_white_space_and_new_lines_collapse(self):
        exc = ValueError('bad\n  input:\tno   such file\n')
        self.assertEqual('bad input: no such file', errors.one_line(exc))

    def test_empty_message_is_the_class_name(self):
        self.assertEqual('KeyboardInterrupt',
                         errors.one_line(KeyboardInterrupt()))

    def test_long_message_is_cut(self):
        text = errors.one_line(ValueError('x' * 1000), limit=50)
        self.assertEqual('x' * 47 + '...', text)
        self.assertEqual(errors.MAX_LINE,
                         len(errors.one_line(ValueError('y' * 1000))))

    def test_broken_str(self):
        class Broken(Exception):
            def __str__(self):
                raise TypeError('no')
        self.assertEqual('Broken', errors.one_line(Broken()))

    def test_describe_names_the_kind(self):
        exc = lib_exc.ServerFault('db\ndown', resp=_resp(500))
        self.assertTrue(errors.describe(exc).startswith('HTTP 500: '))
        self.assertNotIn('\n', errors.describe(exc))
        self.assertEqual("KeyError: 'methods'",
                         errors.describe(KeyError('methods')))
        self.assertEqual('timeout', errors.describe(socket.timeout()))
