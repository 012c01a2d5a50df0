"""Real tempest service clients over fake or loopback HTTP, for unit tests.

The clients are tempest's own (``VolumesClient``, ``ServersClient``,
``ContainerClient``, ``ObjectClient``) with tempest's fake auth provider;
only ``client.http_obj`` (the urllib3 pool) is replaced by :class:`FakeHttp`,
so tempest's status handling and JSON-schema validation still run.
"""

import http.server
import json
import re
import socket
import threading

from tempest.lib.services.compute import servers_client
from tempest.lib.services.object_storage import container_client
from tempest.lib.services.object_storage import object_client
from tempest.lib.services.volume.v3 import volumes_client
from tempest.tests.lib import fake_auth_provider
from tempest.tests.lib import fake_http

VOLUME_ID = '2f0a0b1e-6c2e-4a57-9d5f-0c6f3e7a9b11'
SERVER_ID = '893c7791-f1df-4c3d-8383-3caae9656c62'
USER_ID = '9a3b5c4d-1e2f-4a6b-8c7d-0e1f2a3b4c5d'


def volume_body(volume_id=VOLUME_ID, status='available'):
    """A volume that satisfies tempest's show_volume schema."""
    return {'volume': {
        'id': volume_id,
        'name': 'upgrade-volume',
        'status': status,
        'size': 1,
        'attachments': [],
        'links': [{'href': 'http://127.0.0.1/volumes/%s' % volume_id,
                   'rel': 'self'}],
        'encrypted': False,
        'updated_at': '2026-01-01T00:00:00.000000',
        'created_at': '2026-01-01T00:00:00.000000',
        'replication_status': None,
        'user_id': USER_ID,
        'availability_zone': 'nova',
        'metadata': {},
        'description': None,
        'multiattach': False,
        'consistencygroup_id': None,
        'bootable': 'false',
        'volume_type': 'lvmdriver-1',
        'snapshot_id': None,
        'source_volid': None,
    }}


def server_body(server_id=SERVER_ID, status='ACTIVE'):
    """A server that satisfies tempest's show_server schema."""
    link = {'href': 'http://127.0.0.1/servers/%s' % server_id,
            'rel': 'self'}
    return {'server': {
        'id': server_id,
        'name': 'upgrade-server',
        'status': status,
        'accessIPv4': '',
        'accessIPv6': '',
        'addresses': {'private': [{'addr': '192.168.0.3', 'version': 4}]},
        'created': '2026-01-01T00:00:00Z',
        'updated': '2026-01-01T00:00:00Z',
        'flavor': {'id': '1', 'links': [link]},
        'image': {'id': '70a599e0-31e7-49b7-b260-868f441e862b',
                  'links': [link]},
        'hostId': '65201c14a29663e06d0748e561207d998b343e1d164bfa0aafa9c45d',
        'links': [link],
        'metadata': {},
        'progress': 0,
        'tenant_id': 'openstack',
        'user_id': 'fake',
    }}


NOT_FOUND = (404, {'itemNotFound': {'code': 404, 'message': 'not found'}})


def sequence(*answers):
    """A responder giving ``answers`` in turn, then the last one forever."""
    answers = list(answers)
    lock = threading.Lock()

    def next_answer():
        with lock:
            return answers.pop(0) if len(answers) > 1 else answers[0]
    return next_answer


class FakeHttp(object):
    """Stands in for ``client.http_obj``: answers from a routing table.

    ``route(method, pattern, status, body)`` or ``route(method, pattern,
    responder=callable)`` where the callable returns ``(status, body)``;
    a later route wins over an earlier one. Unrouted requests get a 404.
    """

    def __init__(self):
        self.routes = []
        self.calls = []
        self._lock = threading.Lock()

    def route(self, method, pattern, status=200, body=None, responder=None):
        if responder is None:
            answer = (status, body)

            def responder():
                return answer
        self.routes.insert(0, (method, re.compile(pattern), responder))
        return self

    def request(self, url, method, headers=None, body=None, chunked=False,
                preload_content=True):
        with self._lock:
            self.calls.append((method, url))
        for route_method, pattern, responder in self.routes:
            if route_method == method and pattern.search(url):
                status, answer = responder()
                break
        else:
            status, answer = NOT_FOUND
        text = '' if answer is None else json.dumps(answer)
        resp = fake_http.fake_http_response(
            {'content-type': 'application/json'}, status=status)
        return resp, text


class LoopbackAuthProvider(fake_auth_provider.FakeAuthProvider):
    """Fake auth that sends requests to a real base URL."""

    def auth_request(self, method, url, headers=None, body=None,
                     filters=None):
        base = self.base_url(filters)
        return '%s/%s' % (base.rstrip('/'), url), headers, body


def _make(client_class, service, http=None, base_url=None, **kwargs):
    kwargs.setdefault('build_interval', 0)
    kwargs.setdefault('build_timeout', 10)
    if base_url is None:
        auth = fake_auth_provider.FakeAuthProvider()
    else:
        auth = LoopbackAuthProvider(fake_base_url=base_url)
    client = client_class(auth, service, 'regionOne', **kwargs)
    if base_url is None:
        client.http_obj = http if http is not None else FakeHttp()
    return client


def volumes(http=None, **kwargs):
    return _make(volumes_client.VolumesClient, 'volume', http, **kwargs)


def servers(http=None, **kwargs):
    return _make(servers_client.ServersClient, 'compute', http, **kwargs)


def containers(http=None, **kwargs):
    return _make(container_client.ContainerClient, 'object-store', http,
                 **kwargs)


def objects(http=None, **kwargs):
    return _make(object_client.ObjectClient, 'object-store', http, **kwargs)


def refused_port():
    """Return a loopback TCP port on which nothing listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


class LoopbackServer(object):
    """A real HTTP server on 127.0.0.1 answering with a fixed status.

    With ``hang=True`` it accepts connections and never answers (to make
    read time-outs). Use as a context manager; ``url`` is its base URL.
    """

    def __init__(self, status=200, body=None, hang=False):
        outer = self
        self.requests = 0
        self._release = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                outer.requests += 1
                if hang:
                    outer._release.wait(10)
                    return
                text = json.dumps(body if body is not None else {})
                data = text.encode('utf-8')
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)
