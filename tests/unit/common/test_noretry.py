import socket
import threading
import time

import testtools

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.common import noretry


class Server(object):
    """A loopback TCP server that counts connections and never answers
    (``hang``) or closes them at once."""

    def __init__(self, hang):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.hang = hang
        self.conns = []
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            if self.hang:
                self.conns.append(conn)
            else:
                conn.close()

    def close(self):
        self.sock.close()
        for conn in self.conns:
            conn.close()


class NoRetryHttpTest(testtools.TestCase):

    def _get(self, port, timeout=0.3):
        http = noretry.NoRetryHttp(timeout)
        start = time.monotonic()
        exc = self.assertRaises(Exception, http.request,
                                'http://127.0.0.1:%d/' % port, 'GET')
        return errors.classify(exc), time.monotonic() - start

    def test_refused_fails_at_once(self):
        sock = socket.socket()
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
        sock.close()
        kind, took = self._get(port)
        self.assertEqual('connection refused', kind)
        self.assertLess(took, 0.2)

    def test_no_retry_on_reset(self):
        server = Server(hang=False)
        self.addCleanup(server.close)
        kind, _took = self._get(server.port)
        self.assertEqual('connection reset', kind)
        time.sleep(0.1)
        self.assertEqual(1, server.accepted)

    def test_hung_server_times_out_once(self):
        server = Server(hang=True)
        self.addCleanup(server.close)
        kind, took = self._get(server.port, timeout=0.3)
        self.assertEqual('timeout', kind)
        self.assertLess(took, 1.0)
        self.assertEqual(1, server.accepted)


class Conf(object):
    """The two tempest.conf options ``from_conf`` reads."""

    class identity(object):
        disable_ssl_certificate_validation = False
        ca_certificates_file = None


class InstallTest(testtools.TestCase):
    """``install`` on what tempest hands out: clients, providers, managers."""

    def client(self):
        from tempest.lib.services.volume.v3 import volumes_client
        from tempest.tests.lib import fake_auth_provider
        return volumes_client.VolumesClient(
            fake_auth_provider.FakeAuthProvider(), 'volume', 'regionOne')

    def provider(self):
        from tempest.lib import auth
        from tempest.tests.lib import fake_credentials
        return auth.KeystoneV3AuthProvider(
            fake_credentials.FakeKeystoneV3Credentials(),
            'http://127.0.0.1:5000/v3')

    def test_service_client(self):
        client = self.client()
        self.assertIs(client, noretry.install(client, Conf, 7))
        self.assertIs(noretry.NoRetryHttp, type(client.http_obj))
        self.assertEqual(7, client.http_obj.limit)

    def test_keepalive(self):
        client = noretry.install(self.client(), Conf, 7, keepalive=True)
        self.assertIs(noretry.KeepAliveHttp, type(client.http_obj))

    def test_auth_provider_token_client(self):
        provider = self.provider()
        self.assertIs(provider, noretry.install(provider, Conf, 5))
        self.assertIs(noretry.NoRetryHttp,
                      type(provider.auth_client.http_obj))

    def test_manager_token_client(self):
        class Manager(object):   # what tempest.clients.Manager has
            auth_provider = self.provider()
        manager = Manager()
        noretry.install(manager, Conf, 5)
        self.assertEqual(
            5, manager.auth_provider.auth_client.http_obj.limit)

    def test_same_settings_keep_the_layer(self):
        client = noretry.install(self.client(), Conf, 7, keepalive=True)
        layer = client.http_obj
        noretry.install(client, Conf, 7, keepalive=True)
        self.assertIs(layer, client.http_obj)
        noretry.install(client, Conf, 60, keepalive=True)
        self.assertIsNot(layer, client.http_obj)
        self.assertEqual(60, client.http_obj.limit)
        noretry.install(client, Conf, 60)
        self.assertIs(noretry.NoRetryHttp, type(client.http_obj))
