import io
import os
import shutil
import tempfile
import types

import fixtures
import testtools

from upgrade_tempest_plugin.uptime import cmd
from upgrade_tempest_plugin.uptime import markers
from upgrade_tempest_plugin.uptime import probelog
from tests.unit.uptime import fakes


class CmdTest(testtools.TestCase):

    def setUp(self):
        super(CmdTest, self).setUp()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def _main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        rc = cmd.main(list(argv), out, err)
        return rc, out.getvalue(), err.getvalue()

    def test_missing_config_is_one_error_line(self):
        rc, out, err = self._main('run', '--config-file',
                                  os.path.join(self.dir, 'nope.conf'))
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertEqual(1, len(err.splitlines()))
        self.assertIn('tempest config file not found', err)

    def test_mark(self):
        rc, out, _err = self._main('mark', 'db sync start', '--output-dir',
                                   self.dir)
        self.assertEqual(0, rc)
        self.assertEqual(['db sync start'],
                         [m['text'] for m in markers.load(self.dir)])

    def test_empty_marker_is_one_error_line(self):
        rc, out, err = self._main('mark', '  ', '--output-dir', self.dir)
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertEqual('upgrade-uptime: error: a marker needs a text\n',
                         err)
        self.assertEqual([], markers.load(self.dir))

    def test_summary(self):
        log = probelog.ProbeLog(self.dir, 'nova')
        for r in fakes.series('..xx..'):
            log.write(r)
        log.close()
        markers.add(self.dir, 'restart nova-api', now=0.15)
        rc, out, _err = self._main('summary', self.dir)
        self.assertEqual(0, rc)
        self.assertIn('nova', out)
        self.assertIn('[restart nova-api]', out)
        self.assertTrue(os.path.exists(os.path.join(self.dir,
                                                    'summary.json')))

    def test_unknown_service_before_any_network_call(self):
        conf = os.path.join(self.dir, 'tempest.conf')
        with open(conf, 'w') as f:
            f.write('[identity]\nuri_v3 = http://127.0.0.1:9/v3\n')
        self.useFixture(fixtures.MockPatchObject(
            cmd.runner, 'fetch_catalog', side_effect=AssertionError(
                'network call before the input was checked')))
        rc, out, err = self._main('run', '--config-file', conf,
                                  '--services', 'nosuch', '--duration', '1')
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertEqual('upgrade-uptime: error: unknown service nosuch '
                         '(known: cinder, glance, keystone, neutron, nova, '
                         'swift)\n', err)
        self.assertEqual('', out)

    def test_summary_with_a_corrupt_plan_is_one_error_line(self):
        log = probelog.ProbeLog(self.dir, 'nova')
        for r in fakes.series('..xx..'):
            log.write(r)
        log.close()
        with open(os.path.join(self.dir, 'plan.json'), 'w') as f:
            f.write('{"thresholds": {"max_wi')
        rc, _out, err = self._main('summary', self.dir)
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn("plan.json (the run's thresholds)", err)
        self.assertFalse(os.path.exists(os.path.join(self.dir,
                                                     'summary.json')))
        with open(os.path.join(self.dir, 'plan.json')) as f:
            self.assertEqual('{"thresholds": {"max_wi', f.read())

    def test_summary_of_nothing(self):
        rc, _out, err = self._main('summary', self.dir)
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)
        self.assertIn('no probe logs', err)
        rc, _out, err = self._main('summary', os.path.join(self.dir, 'x'))
        self.assertEqual(cmd.Exit.BAD_INPUT, rc)


class ExitStatusTest(testtools.TestCase):
    """The one mapping of a run's outcome to ``upgrade-uptime``'s exit."""

    LEFT = {'nova-write': {'left_behind': ['uptime-probe-x']}}
    VIOLATION = {'service': 'nova', 'message': 'nova: uptime % 50'}

    def status(self, services=None, skipped=None, violations=()):
        return cmd.exit_status({'services': services or {},
                                'skipped': skipped or {},
                                'violations': list(violations)})

    def test_numbers_are_the_documented_ones(self):
        self.assertEqual({'OK': 0, 'THRESHOLD': 1, 'BAD_INPUT': 2,
                          'PROBER_FAILED': 3, 'LEFT_BEHIND': 4},
                         {e.name: int(e) for e in cmd.Exit})

    def test_bad_input(self):
        self.assertEqual(cmd.Exit.BAD_INPUT, cmd.exit_status(None))

    def test_clean_run_and_a_series_skipped_before_it(self):
        self.assertEqual(cmd.Exit.OK, self.status(
            {'nova-write': {'left_behind': []}},
            skipped={'glance': 'not in [service_available]'}))

    def test_failed_prober_comes_before_thresholds_and_leftovers(self):
        self.assertEqual(cmd.Exit.PROBER_FAILED, self.status(
            self.LEFT, skipped={'cinder': 'prober exited with 1'},
            violations=[self.VIOLATION]))

    def test_threshold_comes_before_leftovers(self):
        self.assertEqual(cmd.Exit.THRESHOLD, self.status(
            self.LEFT, violations=[self.VIOLATION]))

    def test_leftovers(self):
        self.assertEqual(cmd.Exit.LEFT_BEHIND, self.status(self.LEFT))


class RunExitTest(testtools.TestCase):
    """``run``'s exit code from what the run found (runner faked)."""

    def _run(self, services, skipped=None, violations=(), **upgrade):
        options = dict(
            uptime_sentinel=None, uptime_output_dir='/nowhere',
            output_dir='/nowhere', uptime_rate=10.0,
            uptime_service_rates={}, uptime_request_timeout=2.0,
            uptime_iterations=5, uptime_duration=60,
            uptime_services=['nova'], uptime_write_probes=True,
            uptime_write_rate=1.0, uptime_max_total_downtime=None,
            uptime_max_window=None, uptime_min_pct=None,
            uptime_until_sentinel=False, uptime_keepalive_series=False,
            uptime_pulse_rate=0.0, uptime_recovery_interval=0.0,
            uptime_max_outstanding=1, uptime_abandon_after=20.0,
            uptime_stall_threshold=0.5, uptime_backends='',
            uptime_control_series=True, uptime_probe_project='admin',
            uptime_probe_role='member', uptime_haproxy_socket='')
        options.update(upgrade)
        conf = types.SimpleNamespace(upgrade=types.SimpleNamespace(**options))
        result = {'services': services, 'skipped': skipped or {},
                  'violations': list(violations)}
        self.useFixture(fixtures.MockPatchObject(
            cmd, 'find_config', return_value='/x/tempest.conf'))
        self.useFixture(fixtures.MockPatchObject(
            cmd, 'load_conf', return_value=conf))
        self.useFixture(fixtures.MockPatchObject(
            cmd.runner, 'fetch_catalog', return_value={'compute'}))
        self.useFixture(fixtures.MockPatchObject(
            cmd.plan_mod, 'series', return_value=(
                [('nova', 'nova', 'read', 'new'),
                 ('nova-write', 'nova', 'write', 'new')], {})))
        self.useFixture(fixtures.MockPatchObject(
            cmd.runner, 'run', return_value=result))
        out, err = io.StringIO(), io.StringIO()
        return cmd.main(['run'], out, err), out.getvalue(), err.getvalue()

    def _svc(self, left=None):
        svc = {'uptime_pct': 100.0, 'total_requests': 5,
               'failed_requests': 0, 'windows': [], 'total_downtime_s': 0.0,
               'longest_downtime_s': 0.0}
        if left is not None:
            svc['left_behind'] = left
        return svc

    def test_clean_run_is_0(self):
        rc, _out, err = self._run({'nova': self._svc(),
                                   'nova-write': self._svc([])})
        self.assertEqual(cmd.Exit.OK, rc)
        self.assertEqual('', err)

    def test_left_behind_is_4_and_named(self):
        rc, out, err = self._run({'nova': self._svc(),
                                  'nova-write': self._svc(['uptime-probe-x'])})
        self.assertEqual(cmd.Exit.LEFT_BEHIND, rc)
        self.assertEqual('nova-write: probe resources left behind (delete by '
                         'hand): uptime-probe-x\n', err)
        self.assertIn('left behind (delete by hand): uptime-probe-x', out)

    def test_threshold_comes_first(self):
        # the violations are judged where the summary is built
        rc, _out, err = self._run(
            {'nova': dict(self._svc(), uptime_pct=50.0),
             'nova-write': self._svc(['uptime-probe-x'])},
            violations=[{'message': 'nova: uptime % 50.0 is below limit 99'}])
        self.assertEqual(cmd.Exit.THRESHOLD, rc)
        self.assertIn('threshold exceeded: nova: uptime %', err)


class TableTest(testtools.TestCase):

    def test_control_windows_marked_and_targets_shown(self):
        win = {'start': 1767225600.0, 'end': 1767225603.0,
               'duration_s': 3.0, 'duration_bounds': [2.8, 3.2],
               'failed_probes': 1, 'errors': {'timeout': 1}, 'open': False,
               'control': True, 'control_window': {
                   'start': 1767225600.05, 'end': 1767225603.1}}
        svc = {'uptime_pct': 99.0, 'total_requests': 100,
               'failed_requests': 1, 'windows': [win], 'stalls': [],
               'total_downtime_s': 0.0, 'total_downtime_bounds': [0.0, 3.2],
               'longest_downtime_s': 0.0}
        out = io.StringIO()
        cmd.print_table({'services': {
            'nova-pulse@127.0.0.1:18774': dict(
                svc, target='127.0.0.1:18774'),
            'control': dict(svc, windows=[], target='127.0.0.1:40000')},
            'skipped': {}}, out)
        lines = out.getvalue().splitlines()
        self.assertTrue(lines[0].endswith('target'), lines[0])
        self.assertTrue(lines[1].startswith('control '), lines)
        self.assertTrue(lines[1].endswith('127.0.0.1:40000'), lines)
        self.assertTrue(lines[2].startswith('nova-pulse@127.0.0.1:18774 '))
        self.assertIn('[control: probing host 00:00:00.050-00:00:03.100, '
                      'not counted]', lines[3])


class ProbeProjectLineTest(testtools.TestCase):

    def _table(self, project):
        out = io.StringIO()
        cmd.print_table({'services': {}, 'skipped': {},
                         'probe_project': project}, out)
        return out.getvalue().splitlines()

    def test_removed_or_left_behind(self):
        made = {'name': 'upgrade-uptime-probe-1a', 'project_id': 'p',
                'user_id': 'u'}
        self.assertEqual(
            ['read probes ran in project upgrade-uptime-probe-1a, removed'],
            self._table(dict(made, left=[]))[1:])
        self.assertEqual(
            ['read probes ran in project upgrade-uptime-probe-1a',
             '    left behind (delete by hand): probe project x not '
             'deleted: 503'],
            self._table(dict(made, left=[
                'probe project x not deleted: 503']))[1:])
