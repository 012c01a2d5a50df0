import http.server
import socket
import threading

import testtools

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import pulsehttp
from upgrade_tempest_plugin.uptime import requestids


class Handler(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):
        self.seen.append((self.path, dict(self.headers)))
        status = 503 if self.path.startswith('/down') else 300
        self.send_response(status)
        self.send_header('X-Openstack-Request-Id', 'req-answered')
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')

    def log_message(self, *args):
        pass


class PlainHttpTest(testtools.TestCase):

    def setUp(self):
        super(PlainHttpTest, self).setUp()
        Handler.seen = []
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]

    def test_answer_headers_and_request_id(self):
        http = requestids.tag(pulsehttp.PlainHttp(2.0))
        probe = probes.pulse(http, self.url + '/info?x=1')
        with requestids.sending('req-mine') as ids:
            self.assertEqual(300, probe())
        self.assertEqual('req-answered', ids.answered)
        path, headers = Handler.seen[0]
        self.assertEqual('/info?x=1', path)
        self.assertEqual('req-mine', headers['X-Openstack-Request-Id'])
        self.assertEqual('close', headers['Connection'])

    def test_http_error_carries_its_status(self):
        probe = probes.pulse(pulsehttp.PlainHttp(2.0), self.url + '/down')
        exc = self.assertRaises(probes.PulseError, probe)
        self.assertEqual('HTTP 503', errors.classify(exc))

    def test_refused_and_timeout_named_like_urllib3s(self):
        with socket.socket() as s:      # a port nobody listens on
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        http = pulsehttp.PlainHttp(2.0)
        exc = self.assertRaises(OSError, http.request,
                                'http://127.0.0.1:%d/' % port, 'GET')
        self.assertEqual(errors.CONNECTION_REFUSED, errors.classify(exc))
        # accepted by the kernel, never answered: a hung API
        silent = socket.socket()
        self.addCleanup(silent.close)
        silent.bind(('127.0.0.1', 0))
        silent.listen(4)
        http = pulsehttp.PlainHttp(0.2)
        exc = self.assertRaises(OSError, http.request, 'http://127.0.0.1:%d/'
                                % silent.getsockname()[1], 'GET')
        self.assertEqual(errors.TIMEOUT, errors.classify(exc))

    def test_reset_named(self):
        closer = socket.socket()
        self.addCleanup(closer.close)
        closer.bind(('127.0.0.1', 0))
        closer.listen(4)

        def close_at_once():
            conn, _ = closer.accept()
            conn.close()
        threading.Thread(target=close_at_once, daemon=True).start()
        http = pulsehttp.PlainHttp(2.0)
        exc = self.assertRaises(Exception, http.request, 'http://127.0.0.1:%d/'
                                % closer.getsockname()[1], 'GET')
        self.assertEqual(errors.CONNECTION_RESET, errors.classify(exc))
