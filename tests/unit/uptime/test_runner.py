import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import testtools

from upgrade_tempest_plugin.uptime import plan
from upgrade_tempest_plugin.uptime import probelog
from upgrade_tempest_plugin.uptime import runner
from upgrade_tempest_plugin.uptime import summary
from tests.unit.uptime import fake_prober


class FakeConf(object):

    class service_available(object):
        nova = True
        cinder = False
        neutron = True
        glance = True
        swift = True

    class compute(object):
        catalog_type = 'compute'

    class network(object):
        catalog_type = 'network'

    class image(object):
        catalog_type = 'image'

    class object_storage(object):
        catalog_type = 'object-store'

    class identity(object):
        catalog_type = 'identity'


def _plan(services, **kw):
    return plan.Plan('/x/tempest.conf', '/nowhere', services, **kw)


class PlanTest(testtools.TestCase):

    def test_skips_with_reason(self):
        series, skipped = plan.series(
            _plan(['keystone', 'nova', 'cinder', 'swift'], keepalive=False,
                  pulse_rate=0),
            FakeConf, catalog={'identity', 'compute'})
        self.assertEqual([('keystone', 'keystone', 'read', 'new'),
                          ('nova', 'nova', 'read', 'new')], series)
        self.assertIn('[service_available] cinder = False',
                      skipped['cinder'])
        self.assertIn("'object-store'", skipped['swift'])

    def test_explicit_absent_service_is_an_error(self):
        err = self.assertRaises(
            plan.UptimeError, plan.series,
            _plan(['nova', 'swift'], explicit_services=True), FakeConf,
            catalog={'compute'})
        self.assertIn('cannot probe swift', str(err))

    def test_series_per_api(self):
        series, _ = plan.series(_plan(['nova'], write_probes=True),
                                FakeConf)
        self.assertEqual([('nova', 'read', 'new'),
                          ('nova-keepalive', 'read', 'keepalive'),
                          ('nova-pulse', 'pulse', 'new'),
                          ('nova-write', 'write', 'new'),
                          ('control', 'control', 'new')],
                         [(s[0], s[2], s[3]) for s in series])

    def test_no_control_without_pulses_or_when_off(self):
        for kw in ({'pulse_rate': 0}, {'control_series': False}):
            series, _ = plan.series(_plan(['nova'], **kw), FakeConf)
            self.assertNotIn('control', [s[0] for s in series], kw)

    def test_backend_series(self):
        series, _ = plan.series(_plan(
            ['nova', 'swift'], keepalive=False, backends={
                'nova': ['127.0.0.1:18774', '127.0.0.1:28774'],
                'cinder': ['127.0.0.1:18776']}), FakeConf)
        self.assertEqual(
            [('nova', 'nova', 'read'), ('nova-pulse', 'nova', 'pulse'),
             ('nova@127.0.0.1:18774', 'nova', 'read'),
             ('nova-pulse@127.0.0.1:18774', 'nova', 'pulse'),
             ('nova@127.0.0.1:28774', 'nova', 'read'),
             ('nova-pulse@127.0.0.1:28774', 'nova', 'pulse'),
             ('swift', 'swift', 'read'), ('swift-pulse', 'swift', 'pulse'),
             ('control', 'control', 'control')],
            [s[:3] for s in series])
        self.assertEqual('127.0.0.1:28774',
                         plan.backend_of('nova-pulse@127.0.0.1:28774'))
        self.assertIsNone(plan.backend_of('nova-pulse'))

    def test_parse_backends(self):
        self.assertEqual(
            {'nova': ['127.0.0.1:18774', '127.0.0.1:28774'],
             'neutron': ['[::1]:9696']},
            plan.parse_backends('nova=127.0.0.1:18774|127.0.0.1:28774, '
                                'neutron=[::1]:9696,'))
        self.assertEqual({}, plan.parse_backends(''))
        for bad in ('nova', 'nova=', 'nova=127.0.0.1', 'nova=host:x',
                    'nova=host:0', '=127.0.0.1:1'):
            err = self.assertRaises(plan.UptimeError, plan.parse_backends,
                                    bad)
            self.assertIn('uptime_backends', str(err))
        err = self.assertRaises(plan.UptimeError, _plan, ['nova'],
                                backends={'novaa': ['h:1']})
        self.assertIn('backends name unknown service novaa', str(err))

    def test_unknown_service_before_any_network_call(self):
        err = self.assertRaises(plan.UptimeError, _plan, ['bogus'])
        self.assertIn('unknown service bogus', str(err))

    def test_nothing_left(self):
        err = self.assertRaises(plan.UptimeError, plan.series,
                                _plan(['cinder']), FakeConf)
        self.assertIn('no API to probe', str(err))

    def test_bad_values(self):
        for kw, text in [({'rate': 0}, 'rate must be positive'),
                         ({'service_rates': {'nova': -1}},
                          'rate of nova must be positive'),
                         ({'service_rates': {'novaa': 1}},
                          'unknown service novaa'),
                         ({'max_outstanding': 0}, 'at least 1'),
                         ({'pulse_rate': -1}, 'pulse rate must be 0'),
                         ({'probe_project': 'mine'},
                          'probe project must be "own" or "admin"'),
                         ({'iterations': 0}, 'iterations')]:
            err = self.assertRaises(plan.UptimeError, _plan, ['nova'], **kw)
            self.assertIn(text, str(err))

    def test_plan_records_write_rate_and_probe_project(self):
        recorded = _plan(['nova'], write_probes=True, write_rate=0.5,
                         probe_project='admin').to_dict()
        self.assertEqual((True, 0.5, 'admin'), (
            recorded['write_probes'], recorded['write_rate'],
            recorded['probe_project']))

    def test_parse_rates(self):
        self.assertEqual({'keystone': 2.0, 'nova': 5.0},
                         plan.parse_rates('keystone=2, nova:5'))
        self.assertRaises(plan.UptimeError, plan.parse_rates, 'nova')


class PhaseTest(testtools.TestCase):

    def test_read_series_interleave_and_apis_spread(self):
        spawned = []

        class Done(object):
            def __init__(self, args, env=None):
                spawned.append(args)

            def wait(self, timeout=None):
                return 0

        out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, out)
        series, _ = plan.series(_plan(['nova', 'swift'],
                                      write_probes=True), FakeConf)
        run_plan = plan.Plan('/dev/null', out, ['nova', 'swift'])
        runner.run(run_plan, series, spawn=Done, handle_signals=False)
        self.assertEqual(
            # an API's read series half an interval apart; the APIs
            # spread over the interval, their pulses between them
            [('nova', 0.0, 0.5), ('nova-keepalive', 0.5, 0.5),
             ('nova-pulse', 0.25, 5.0), ('nova-write', 0.0, 1.0),
             ('swift', 0.25, 0.5), ('swift-keepalive', 0.75, 0.5),
             ('swift-pulse', 0.75, 5.0), ('swift-write', 0.5, 1.0),
             # the control between the first API's read and its pulse
             ('control', 0.125, 5.0)],
            [(a['series'], a['phase'], a['rate']) for a in spawned])
        control = spawned[-1]
        self.assertEqual(0.25, control['record_late'])
        self.assertTrue(control['url'].startswith('http://127.0.0.1:'))

    def test_backends_spread_as_more_apis(self):
        series = [('nova', 'nova', 'read', 'new'),
                  ('nova-keepalive', 'nova', 'read', 'keepalive'),
                  ('nova-pulse', 'nova', 'pulse', 'new'),
                  ('nova@h:1', 'nova', 'read', 'new'),
                  ('nova-pulse@h:1', 'nova', 'pulse', 'new'),
                  ('control', 'control', 'control', 'new')]
        self.assertEqual(
            {'nova': 0.0, 'nova-keepalive': 0.5, 'nova-pulse': 0.25,
             'nova@h:1': 0.5, 'nova-pulse@h:1': 0.75, 'control': 0.125},
            runner.grid_phases(series))


class RunTest(testtools.TestCase):
    """Real processes: the runner and its workers (with a fake probe)."""

    def setUp(self):
        super(RunTest, self).setUp()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        self.sentinel = os.path.join(self.dir, 'stop')

    def _start(self, **args):
        args = dict({'series': ['a', 'b'], 'output_dir': self.dir,
                     'rate': 20.0, 'timeout': 1.0}, **args)
        proc = subprocess.Popen(
            [sys.executable, '-m', 'tests.unit.uptime.fake_prober',
             'runner', json.dumps(args)], cwd=fake_prober.TOP)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc

    def _wait_for_probes(self, count=5, limit=20):
        deadline = time.time() + limit
        for series in ('a', 'b'):
            path = probelog.log_path(self.dir, series)
            while time.time() < deadline:
                if os.path.exists(path):
                    with open(path) as f:
                        if len(f.readlines()) >= count:
                            break
                time.sleep(0.1)
            else:
                self.fail('no probes logged in %s' % path)

    def _summary(self):
        result = summary.load(self.dir)
        self.assertEqual(['a', 'b'], sorted(result['services']))
        for svc in result['services'].values():
            self.assertGreater(svc['total_requests'], 4)
            self.assertEqual(100.0, svc['uptime_pct'])
            self.assertIsNotNone(svc['end_time'])
        return result

    def test_sentinel_refused_at_start(self):
        open(self.sentinel, 'w').close()
        err = self.assertRaises(plan.UptimeError, plan.Plan, '/dev/null',
                                self.dir, ['nova'], sentinel=self.sentinel)
        self.assertIn('already exists', str(err))

    def test_iterations(self):
        proc = self._start(iterations=6)
        self.assertEqual(0, proc.wait(60))
        result = self._summary()
        self.assertEqual(6, result['services']['a']['total_requests'])

    def test_daemon_stops_on_sentinel(self):
        proc = self._start(sentinel=self.sentinel)
        self._wait_for_probes()
        open(self.sentinel, 'w').close()
        self.assertEqual(0, proc.wait(60))
        self._summary()

    def test_sigterm_and_sigint_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            proc = self._start(sentinel=self.sentinel)
            self._wait_for_probes()
            proc.send_signal(sig)
            self.assertEqual(0, proc.wait(60))
            result = self._summary()
            for name in ('a', 'b'):
                meta = probelog.read_meta(self.dir, name)
                self.assertIsNotNone(meta['end_time'])
                self.assertEqual(result['services'][name]['total_requests'],
                                 meta['sent'])
            for name in os.listdir(self.dir):
                os.remove(os.path.join(self.dir, name))
