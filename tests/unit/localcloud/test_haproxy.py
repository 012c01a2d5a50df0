"""haproxy in front of the APIs: its config, bad input to --rolling and
--backends, and the order of a rolling restart's steps."""

import contextlib
import io
import os
import unittest
from unittest import mock

from localcloud import balancer
from localcloud import cli
from localcloud import config
from localcloud import lifecycle
from localcloud.progress import Failed
from localcloud import rolling
from localcloud import services
from localcloud.services import haproxy
from tests.unit.localcloud.home import HomeTestCase

SAMPLE = ('# pxname,svname,scur,status,addr\n'
          'nova-api,FRONTEND,0,OPEN,\n'
          'nova-api,nova-api-b1,2,UP,127.0.0.1:18774\n'
          'nova-api,nova-api-b2,0,MAINT,127.0.0.1:28774\n'
          'nova-api,BACKEND,2,UP,\n')


class ConfigTest(HomeTestCase):

    def test_every_api_behind_haproxy_with_its_backends(self):
        self.cloud.state['backends'] = 1
        apis = [s for s in services.OPENSTACK if s.balanced]
        self.assertEqual(sorted(config.BALANCED),
                         sorted(s.name for s in apis))
        text = haproxy.render(self.cloud, apis)
        self.assertIn('listen nova-api\n    bind 127.0.0.1:8774\n', text)
        self.assertIn('    server nova-api-b1 127.0.0.1:18774\n', text)
        # beyond --backends: there, in maintenance
        self.assertIn('    server nova-api-b2 127.0.0.1:28774 disabled\n',
                      text)
        self.assertIn('http-check send meth GET uri /healthcheck', text)
        self.assertIn('stats socket %s mode 600 level admin'
                      % haproxy.socket_path(self.cloud), text)
        self.assertEqual(7, text.count('option httpchk'))

    def test_backend_ports_overridable(self):
        with mock.patch.dict(os.environ,
                             {'LOCALCLOUD_PORT_NOVA_API_B2': '38774'}):
            cloud = config.Cloud()
        self.assertEqual(38774, cloud.ports['nova-api-b2'])
        self.assertEqual(18774, cloud.ports['nova-api-b1'])
        self.assertEqual(8774, cloud.ports['nova-api'])

    def test_processes_of_a_balanced_api(self):
        nova = services.find('nova')
        self.cloud.state['backends'] = 2
        self.assertEqual([('nova-api-b1', 'nova-api-b1'),
                          ('nova-api-b2', 'nova-api-b2')],
                         [(p.name, p.port) for p in
                          lifecycle.processes(self.cloud, nova)])
        argv = nova.argv(self.cloud, 'nova-api-b2')
        self.assertEqual('127.0.0.1:28774', argv[argv.index('--bind') + 1])
        self.assertEqual(['nova-conductor'], [
            p.name for p in lifecycle.processes(
                self.cloud, services.find('nova-conductor'))])
        self.assertEqual('nova-api-b2', lifecycle.find_process(
            self.cloud, 'nova-api-b2').name)
        self.assertIsNone(lifecycle.find_process(self.cloud, 'nova-api-b3'))


class BalancerTest(unittest.TestCase):

    def test_servers_from_show_stat(self):
        with mock.patch.object(balancer, 'command', return_value=SAMPLE):
            rows = balancer.servers(object())
        self.assertEqual([('nova-api', 'nova-api-b1'),
                          ('nova-api', 'nova-api-b2')], sorted(rows))
        self.assertEqual('2', rows[('nova-api', 'nova-api-b1')]['scur'])

    def test_no_haproxy_no_servers(self):
        with mock.patch.object(balancer, 'command',
                               side_effect=FileNotFoundError()):
            self.assertEqual({}, balancer.servers(object()))

    def test_refused_state_change_is_one_line(self):
        with mock.patch.object(balancer, 'command',
                               return_value='No such server.\n\n'):
            err = self.assertRaises(
                Failed, balancer.set_state, object(), 'nova-api', 'x',
                'drain')
        self.assertIn('haproxy refused "set server nova-api/x state drain"'
                      ': No such server.', str(err))

    def assertRaises(self, exc, func, *args):
        try:
            func(*args)
        except exc as e:
            return e
        self.fail('%s not raised' % exc.__name__)


class RollingInputTest(HomeTestCase):

    def run_cli(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cli.main(argv, out=out)
        return code, err.getvalue()

    def test_not_balanced(self):
        code, err = self.run_cli(['restart', 'nova-conductor', '--rolling'])
        self.assertEqual(2, code)
        self.assertEqual(1, err.count('\n'), err)
        self.assertIn('nova-conductor is not behind haproxy', err)

    def test_unknown_service(self):
        code, err = self.run_cli(['restart', 'novaa', '--rolling'])
        self.assertEqual((2, 1), (code, err.count('\n')), err)
        self.assertIn("unknown service 'novaa'", err)

    def test_one_backend(self):
        self.cloud.state['backends'] = 1
        self.cloud.save()
        code, err = self.run_cli(['restart', 'keystone', '--rolling'])
        self.assertEqual((2, 1), (code, err.count('\n')), err)
        self.assertIn('keystone runs one backend', err)

    def test_haproxy_down(self):
        self.cloud.state['backends'] = 2
        self.cloud.save()
        code, err = self.run_cli(['restart', 'glance', '--rolling'])
        self.assertEqual((2, 1), (code, err.count('\n')), err)
        self.assertIn('haproxy does not answer', err)

    def test_backends_out_of_range(self):
        code, err = self.run_cli(['up', '--backends', '3'])
        self.assertEqual((2, 1), (code, err.count('\n')), err)
        self.assertIn('--backends must be 1 to 2, got 3', err)


class FakeHaproxy(object):
    """Status and sessions of each server as haproxy would report them."""

    def __init__(self, log):
        self.log = log
        self.rows = {}

    def wait_for(self, cloud, proxy, server, test, what, timeout=60):
        self.log.append('wait %s %s' % (what, server))
        row = self.rows.setdefault(server, {'status': 'UP', 'scur': '3'})
        if what == 'end of its sessions':
            row['scur'] = '0'
        elif what == 'DOWN from its checks':
            row['status'] = 'DOWN'
        elif what == 'UP from its checks' and row['status'] != 'UP':
            row['status'] = 'DRAIN'
        if not test(row):
            raise Failed('no ' + what)
        return dict(row)

    def set_state(self, cloud, proxy, server, state):
        self.log.append('%s %s' % (state, server))
        self.rows[server]['status'] = {'ready': 'UP',
                                       'drain': 'DRAIN'}[state]


class RollingOrderTest(HomeTestCase):

    def test_drain_stop_start_up_ready_then_next(self):
        log = []
        fake = FakeHaproxy(log)
        nova = services.find('nova-api')
        self.cloud.state['backends'] = 2
        with mock.patch.object(rolling.balancer, 'wait_for',
                               fake.wait_for), \
                mock.patch.object(rolling.balancer, 'set_state',
                                  fake.set_state), \
                mock.patch.object(rolling.lifecycle, 'stop_process',
                                  lambda c, s, n: log.append('stop ' + n)), \
                mock.patch.object(rolling.lifecycle, 'start_process',
                                  lambda c, p: log.append(
                                      'start ' + p.name)), \
                mock.patch.object(rolling, '_wait_answering',
                                  lambda c, p: log.append('answers')):
            steps = rolling.restart(self.cloud, nova,
                                    before_first_start=lambda: log.append(
                                        'new code'))
        one = ['wait UP from its checks {o}', 'wait row {b}', 'drain {b}',
               'wait end of its sessions {b}', 'stop {b}',
               'wait DOWN from its checks {b}']
        two = ['start {b}', 'answers', 'wait UP from its checks {b}',
               'ready {b}']
        b1 = dict(b='nova-api-b1', o='nova-api-b2')
        b2 = dict(b='nova-api-b2', o='nova-api-b1')
        expect = [s.format(**b1) for s in one] + ['new code'] + \
            [s.format(**b1) for s in two] + \
            [s.format(**b2) for s in one + two]
        self.assertEqual(expect, log)
        self.assertEqual(['nova-api-b1', 'nova-api-b2'],
                         [s['backend'] for s in steps])
        self.assertEqual(3, steps[0]['sessions'])
