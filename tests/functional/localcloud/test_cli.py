"""The CLI's contract: idempotent up, status (text and JSON), stop/start,
a dead service named with its log, unknown names refused."""

import os
import shutil
import signal
import socket
import tempfile
import time

from localcloud import procs
from tests.functional.localcloud import base

RSS_LIMIT = 3 * 2 ** 30


class TestCli(base.CloudTestCase):

    def test_up_twice_says_already_up(self):
        start = time.monotonic()
        code, out, _ = base.cli('up')
        self.assertEqual(0, code)
        self.assertIn('already up', out)
        self.assertLess(time.monotonic() - start, 30)

    def test_status_json_all_up_within_memory_budget(self):
        code, out, _ = base.cli('status', '--json')
        report = base.json_line(out)
        self.assertEqual(0, code, out)
        self.assertTrue(report['up'])
        names = {r['service'] for r in report['services']}
        for name in ('keystone', 'nova-api', 'neutron-server', 'glance-api',
                     'cinder-api', 'swift-proxy', 'placement', 'mariadb',
                     'rabbitmq'):
            self.assertIn(name, names)
        self.assertGreater(report['rss_bytes'], 0)
        self.assertLess(report['rss_bytes'], RSS_LIMIT)
        self.assertTrue(os.path.exists(os.path.join(
            report['workspace'], 'etc', 'tempest.conf')))

    def test_dead_service_is_named_with_its_log_then_restarted(self):
        pid = procs.read_pid(self.cloud, 'nova-scheduler')
        self.assertIsNotNone(pid)
        os.killpg(pid, signal.SIGKILL)          # ours, by PID
        deadline = time.monotonic() + 10
        while procs.group(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        code, out, _ = base.cli('status')
        self.assertEqual(1, code)
        self.assertIn('DIED', out)
        self.assertIn('nova-scheduler.log', out)
        code, out, err = base.cli('start', 'nova-scheduler')
        self.assertEqual(0, code, out + err)
        self.assertEqual(0, base.cli('status')[0])

    def test_stop_then_start_by_alias(self):
        code, out, _ = base.cli('stop', 'glance')
        self.assertEqual(0, code)
        self.assertIn('stopped glance-api', out)
        self.assertEqual('stopped', self._state('glance-api'))
        code, out, err = base.cli('start', 'glance')
        self.assertEqual(0, code, out + err)
        self.wait_2xx('glance-api')

    def test_unknown_service_is_refused(self):
        code, _, err = base.cli('restart', 'no-such-service')
        self.assertEqual(2, code)
        self.assertIn('unknown service', err)

    def _state(self, name):
        report = base.json_line(base.cli('status', '--json')[1])
        return {r['service']: r['state'] for r in report['services']}[name]


class TestErrors(base.CloudTestCase):
    """Bad states get clear errors (a second home next to the running one)."""

    def _home(self):
        home = tempfile.mkdtemp(prefix='localcloud-home-')
        self.addCleanup(shutil.rmtree, home, True)
        os.symlink(self.cloud.venvs, os.path.join(home, 'venvs'))
        return home

    def test_port_taken_by_a_stranger_is_named(self):
        env = {'LOCALCLOUD_HOME': self._home()}
        code, out, err = base.cli('up', env=env)
        self.assertEqual(2, code, out + err)
        self.assertIn('port %d on 127.0.0.1 (keystone) is already in use'
                      % self.cloud.ports['keystone'], err)
        self.assertIn('LOCALCLOUD_PORT_KEYSTONE', err)

    def test_service_that_fails_to_start_shows_its_log_tail(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        env = {'LOCALCLOUD_HOME': self._home(),
               'LOCALCLOUD_PORT_SWIFT_OBJECT': str(port)}
        # No configuration was written in this home: the server exits.
        code, out, err = base.cli('start', 'swift-object', env=env)
        self.assertEqual(2, code, out + err)
        self.assertIn('swift-object failed to start', err)
        self.assertIn('swift-object.log', err)
        self.assertIn('object-server.conf', err)   # from the log tail

    def test_down_with_nothing_running(self):
        code, out, _ = base.cli('down', env={
            'LOCALCLOUD_HOME': self._home()})
        self.assertEqual(0, code)
        self.assertIn('nothing running', out)
