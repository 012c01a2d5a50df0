"""Backends from haproxy's stats socket, on a real ``show stat`` sample
(haproxy 2.6.12 of the local cloud, two backends per API, saved with
``echo "show stat" | socat run/haproxy.sock -``)."""

import os
import socket
import tempfile
import threading
import types

import testtools

from upgrade_tempest_plugin.uptime import haproxy
from upgrade_tempest_plugin.uptime import options
from upgrade_tempest_plugin.uptime import plan

SAMPLE = os.path.join(os.path.dirname(__file__), 'data',
                      'haproxy-show-stat.csv')
SERVICES = options.SERVICES
LOCAL_CLOUD = {
    'keystone': ['127.0.0.1:15000', '127.0.0.1:25000'],
    'nova': ['127.0.0.1:18774', '127.0.0.1:28774'],
    'neutron': ['127.0.0.1:19696', '127.0.0.1:29696'],
    'cinder': ['127.0.0.1:18776', '127.0.0.1:28776'],
    'glance': ['127.0.0.1:19292', '127.0.0.1:29292'],
    'swift': ['127.0.0.1:18080', '127.0.0.1:28080'],
}


def sample():
    with open(SAMPLE) as f:
        return f.read()


class ParseTest(testtools.TestCase):

    def test_real_sample(self):
        rows = haproxy.parse_stat(sample())
        # 7 APIs: FRONTEND, two servers, BACKEND
        self.assertEqual(28, len(rows))
        server = next(r for r in rows if r['svname'] == 'nova-api-b1')
        self.assertEqual(('nova-api', 'UP', '127.0.0.1:18774'),
                         (server['pxname'], server['status'],
                          server['addr']))

    def test_backends_of_the_local_cloud(self):
        # placement is not an API the uptime probes know: left out
        self.assertEqual(LOCAL_CLOUD, haproxy.backends(
            haproxy.parse_stat(sample()), SERVICES))

    def test_only_the_services_asked_for(self):
        self.assertEqual({'nova': LOCAL_CLOUD['nova']}, haproxy.backends(
            haproxy.parse_stat(sample()), ['nova']))

    def test_maintenance_left_out_drain_and_down_kept(self):
        text = sample()
        rows = haproxy.parse_stat(text)
        for row in rows:
            if row['svname'] == 'nova-api-b2':
                row['status'] = 'MAINT'
            if row['svname'] == 'glance-api-b1':
                row['status'] = 'DRAIN'
            if row['svname'] == 'glance-api-b2':
                row['status'] = 'DOWN'
        found = haproxy.backends(rows, SERVICES)
        self.assertEqual(['127.0.0.1:18774'], found['nova'])
        self.assertEqual(LOCAL_CLOUD['glance'], found['glance'])

    def test_kolla_names_and_duplicates(self):
        text = sample().replace('keystone,', 'keystone_internal,')
        text += text.replace('keystone_internal,', 'keystone_external,')
        text = text.replace('nova-api,', 'nova_metadata,')
        found = haproxy.backends(haproxy.parse_stat(text), SERVICES)
        self.assertEqual(LOCAL_CLOUD['keystone'], found['keystone'])
        self.assertNotIn('nova', found)

    def test_service_names(self):
        for proxy, service in [
                ('nova-api', 'nova'), ('nova_api', 'nova'),
                ('NOVA', 'nova'), ('keystone_internal', 'keystone'),
                ('keystone-public', 'keystone'),
                ('neutron_server', 'neutron'), ('swift-proxy', 'swift'),
                ('swift_api', 'swift'), ('cinder-api', 'cinder'),
                ('glance_api', 'glance'), ('object-store', 'swift'),
                ('compute', 'nova'), ('nova_metadata', None),
                ('nova_novncproxy', None), ('placement-api', None),
                ('stats', None)]:
            self.assertEqual(service, haproxy.service_of(proxy, SERVICES),
                             proxy)

    def test_not_show_stat(self):
        for text in ('', 'Unknown command.\n', 'pxname,svname\n'):
            err = self.assertRaises(plan.UptimeError, haproxy.parse_stat,
                                    text)
            self.assertIn('not the CSV of "show stat"', str(err))


class Socket(object):
    """A unix socket answering every connection with ``answer``."""

    def __init__(self, test, answer):
        self.dir = tempfile.mkdtemp(prefix='hx-')
        test.addCleanup(lambda: os.path.exists(self.path) and
                        os.unlink(self.path))
        self.path = os.path.join(self.dir, 's.sock')
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(self.path)
        self.server.listen(1)
        self.asked = []
        test.addCleanup(self.server.close)
        threading.Thread(target=self._serve, args=(answer,),
                         daemon=True).start()

    def _serve(self, answer):
        conn, _ = self.server.accept()
        with conn:
            self.asked.append(conn.recv(100))
            conn.sendall(answer.encode())


class DiscoverTest(testtools.TestCase):

    def test_over_a_socket(self):
        sock = Socket(self, sample())
        self.assertEqual(LOCAL_CLOUD, haproxy.discover(sock.path, SERVICES))
        self.assertEqual([b'show stat\n'], sock.asked)

    def test_no_socket_is_one_line(self):
        err = self.assertRaises(plan.UptimeError, haproxy.discover,
                                '/nonexistent/haproxy.sock', SERVICES)
        self.assertIn('uptime_haproxy_socket: cannot read haproxy stats '
                      'from /nonexistent/haproxy.sock', str(err))
        self.assertNotIn('\n', str(err))

    def _up(self, **kw):
        return types.SimpleNamespace(**dict(
            {'uptime_backends': '', 'uptime_haproxy_socket': ''}, **kw))

    def test_uptime_backends_win(self):
        self.assertEqual(
            {'nova': ['10.0.0.1:8774']},
            plan.configured_backends(self._up(
                uptime_backends='nova=10.0.0.1:8774',
                uptime_haproxy_socket='/nonexistent'), ['nova']))

    def test_socket_when_no_backends_named(self):
        sock = Socket(self, sample())
        self.assertEqual(
            {'swift': LOCAL_CLOUD['swift']},
            plan.configured_backends(self._up(
                uptime_haproxy_socket=sock.path), ['swift']))

    def test_neither(self):
        self.assertEqual({}, plan.configured_backends(self._up(), ['nova']))
