import io
import json
import os
import re
import shutil
import sys
import tempfile
from unittest import mock
import xml.etree.ElementTree as ET

import fixtures
import testtools

from tests.unit.report import runs
from upgrade_tempest_plugin.report import cmd
from upgrade_tempest_plugin.report import collect
from upgrade_tempest_plugin.report import series


class ReportTestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.run_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.run_dir, True)

    def full_run(self, differences=()):
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 7.0)],
                                         'cinder': []})
        runs.write_verify(self.run_dir, 'during', 6.0)
        runs.write_verify(self.run_dir, 'after', 12.0, differences)
        runs.write_stats(self.run_dir, 'uptime-nova-1', 10, 2)
        runs.write_stats(self.run_dir, 'persistent-verify-2', 5)


class TestCollect(ReportTestBase):

    def test_green_run(self):
        self.full_run()
        report, probes = collect.collect(self.run_dir)
        self.assertTrue(report['verdict']['passed'])
        self.assertEqual([], report['verdict']['failures'])
        nova = report['uptime']['services']['nova']
        self.assertEqual(200, nova['total_requests'])
        self.assertEqual(20, nova['failed_requests'])
        self.assertEqual(90.0, nova['uptime_pct'])
        self.assertEqual(1, len(nova['windows']))
        self.assertEqual(100.0,
                         report['uptime']['services']['cinder']['uptime_pct'])
        # Times are ISO strings in the report.
        # (the estimate: between the last success and the first failure)
        self.assertEqual('2026-11-18T11:06:44.955Z',
                         nova['windows'][0]['start'])
        self.assertEqual(['restart nova'],
                         [m['text'] for m in nova['windows'][0]['markers']])
        self.assertEqual(['during', 'after'],
                         [r['label'] for r in report['persistent']])
        # Stats of two processes are merged.
        stats = report['stats']['VolumesClient:show_volume']
        self.assertEqual((15, 2), (stats['passes'], stats['failures']))
        self.assertEqual({'HTTP 503': 2}, stats['errors'])
        self.assertEqual(200, len(probes['nova']))

    def test_verify_difference_fails_verdict(self):
        self.full_run(differences=[('volume', 'vol-1', 'size', 1, 2)])
        report, _ = collect.collect(self.run_dir)
        self.assertFalse(report['verdict']['passed'])
        self.assertEqual(['persistent verify after: 1 difference(s)'],
                         report['verdict']['failures'])

    def test_threshold_violation_and_failed_step_fail_verdict(self):
        self.full_run()
        path = os.path.join(self.run_dir, 'uptime', 'summary.json')
        with open(path) as f:
            data = json.load(f)
        data['services']['nova']['violations'] = [
            {'message': 'longest window 2.0 s > 1.0 s'}]
        with open(path, 'w') as f:
            json.dump(data, f)
        with open(os.path.join(self.run_dir, 'rehearsal.json'), 'w') as f:
            json.dump({'steps': [{'name': 'keystone upgrade', 'ok': False,
                                  'duration_s': 3.0}]}, f)
        report, _ = collect.collect(self.run_dir)
        self.assertEqual(['step failed: keystone upgrade',
                          'uptime nova: longest window 2.0 s > 1.0 s'],
                         report['verdict']['failures'])

    def test_versions_before_and_after_from_rehearsal_json(self):
        from upgrade_tempest_plugin.report import html
        from upgrade_tempest_plugin.report import text
        self.full_run()
        with open(os.path.join(self.run_dir, 'rehearsal.json'), 'w') as f:
            json.dump({'steps': [], 'versions': {
                'before': {'nova': '33.0.2', 'swift': '2.37.4'},
                'after': {'nova': '34.0.0', 'swift': '2.37.4',
                          'glance': '33.0.0'}}}, f)
        report, probes = collect.collect(self.run_dir)
        self.assertEqual('34.0.0', report['versions']['after']['nova'])
        self.assertIn('Versions: glance None -> 33.0.0, nova 33.0.2 -> '
                      '34.0.0, swift 2.37.4 (unchanged)', text.render(report))
        page = html.render(report, probes)
        table = page[page.index('<table id="versions"'):]
        table = table[:table.index('</table>')]
        rows = re.findall(r'<tr class="(\w+)"><td>([^<]*)</td><td>([^<]*)'
                          r'</td><td>([^<]*)</td></tr>', table)
        self.assertEqual([('changed', 'glance', 'unknown', '33.0.0'),
                          ('changed', 'nova', '33.0.2', '34.0.0'),
                          ('same', 'swift', '2.37.4', '2.37.4')], rows)

    def test_no_versions_without_a_rehearsal(self):
        from upgrade_tempest_plugin.report import html
        self.full_run()
        report, probes = collect.collect(self.run_dir)
        self.assertEqual({}, report['versions'])
        self.assertNotIn('<table id="versions"', html.render(report, probes))

    def test_console_summary_gives_each_window_its_bounds(self):
        from upgrade_tempest_plugin.report import text
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 7.0)]})
        report, _ = collect.collect(self.run_dir)
        window = report['uptime']['services']['nova']['windows'][0]
        line = [ln for ln in text.render(report).splitlines()
                if ' down ' in ln][0]
        self.assertIn('nova', line)
        self.assertIn('down %.2f s [%.2f..%.2f], HTTP 503 x20' % (
            window['duration_s'], window['duration_bounds'][0],
            window['duration_bounds'][1]), line)

    def test_thresholds_of_the_run_fail_the_report(self):
        # A daemon run in the background with [upgrade] uptime_max_window:
        # upgrade-uptime wrote the violation into summary.json; the report
        # fails on it without being told the thresholds again.
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 7.0)],
                                         'cinder': []},
                          thresholds={'max_window': 1.0})
        report, _ = collect.collect(self.run_dir)
        self.assertFalse(report['verdict']['passed'])
        self.assertEqual(1, len(report['verdict']['failures']))
        self.assertEqual('uptime nova: longest window (s) 2.0 exceeds limit '
                         '1.0 (window at 11:06:44.955 UTC, 2.00 s '
                         '[1.88..2.12])', report['verdict']['failures'][0])

    def test_write_probe_leftovers_fail_verdict(self):
        self.full_run()
        path = os.path.join(self.run_dir, 'uptime', 'summary.json')
        with open(path) as f:
            data = json.load(f)
        data['services']['nova']['left_behind'] = []
        data['services']['cinder']['left_behind'] = ['uptime-probe-ab12']
        with open(path, 'w') as f:
            json.dump(data, f)
        report, _ = collect.collect(self.run_dir)
        self.assertEqual(['uptime cinder: probe resources left behind '
                          '(delete by hand): uptime-probe-ab12'],
                         report['verdict']['failures'])

    def test_summary_rebuilt_from_probe_logs_after_kill(self):
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 7.0)]})
        os.unlink(os.path.join(self.run_dir, 'uptime', 'summary.json'))
        report, _ = collect.collect(self.run_dir)
        self.assertEqual(20, report['uptime']['services']['nova'][
            'failed_requests'])

    def test_killed_run_with_a_corrupt_plan_is_an_error(self):
        runs.write_uptime(self.run_dir, {'nova': [(5.0, 7.0)]},
                          thresholds={'max_window': 1.0})
        uptime = os.path.join(self.run_dir, 'uptime')
        os.unlink(os.path.join(uptime, 'summary.json'))
        with open(os.path.join(uptime, 'plan.json'), 'w') as f:
            f.write('{"thresh')
        error = self.assertRaises(collect.ReportError, collect.collect,
                                  self.run_dir)
        self.assertIn("plan.json (the run's thresholds)", str(error))

    def test_empty_directory_is_an_error(self):
        error = self.assertRaises(collect.ReportError, collect.collect,
                                  self.run_dir)
        self.assertIn('holds no uptime summary', str(error))

    def test_missing_directory_is_an_error(self):
        error = self.assertRaises(collect.ReportError, collect.collect,
                                  os.path.join(self.run_dir, 'nope'))
        self.assertIn('no such run directory', str(error))

    def test_corrupt_verify_file_is_an_error(self):
        path = runs.write_verify(self.run_dir, 'after', 1.0)
        with open(path, 'w') as f:
            f.write('{"label": ')
        error = self.assertRaises(collect.ReportError, collect.collect,
                                  self.run_dir)
        self.assertIn(path, str(error))


class TestSeries(testtools.TestCase):

    def test_per_second_availability_and_latency(self):
        records = [{'time': 10.0, 'ok': True, 'latency': 0.1},
                   {'time': 10.5, 'ok': False, 'latency': 2.0},
                   {'time': 11.2, 'ok': True, 'latency': 0.3},
                   {'time': 11.7, 'ok': True, 'latency': 0.2}]
        self.assertEqual([(10.0, 50.0, 0.1), (11.0, 100.0, 0.3)],
                         series.per_second(records))


class TestCommand(ReportTestBase):

    def build(self):
        out = io.StringIO()
        code, written = cmd.build(self.run_dir, out=out)
        return code, written, out.getvalue()

    def test_writes_every_file(self):
        self.full_run()
        code, written, text = self.build()
        self.assertEqual(cmd.Exit.PASSED, code)
        names = sorted(os.path.basename(p) for p in written)
        self.assertEqual(['report.html', 'report.json', 'report.xml',
                          'timeline.png'], names)
        out_dir = os.path.join(self.run_dir, 'report')
        with open(os.path.join(out_dir, 'timeline.png'), 'rb') as f:
            self.assertEqual(b'\x89PNG', f.read(4))
        with open(os.path.join(out_dir, 'report.html')) as f:
            page = f.read()
        for name in ('nova windows', 'probed period', 'markers',
                     'verify during', 'cinder latency'):
            self.assertIn('"name":"%s"' % name, page)
        self.assertIn('"ticktext":["markers","verify during","verify after",'
                      '"cinder","nova"]', page)
        self.assertIn('<table id="apis"', page)
        # plotly.js is embedded: the page opens offline.
        self.assertFalse(re.search(r'<script[^>]+src=', page),
                         'the page loads an external script')
        self.assertIn('data-render-status="pending"', page)
        self.assertIn('Upgrade report: PASSED', text)
        self.assertIn('nova', text)
        self.assertIn('90.00 %', text)

    def test_junit_names_the_failing_resource_and_field(self):
        self.full_run(differences=[('volume', 'vol-1', 'size', 1, 2)])
        code, _, text = self.build()
        self.assertEqual(cmd.Exit.FAILED, code)
        self.assertIn("after: volume vol-1 size expected 1, got 2", text)
        tree = ET.parse(os.path.join(self.run_dir, 'report', 'report.xml'))
        failures = tree.getroot().findall('.//failure')
        self.assertEqual(1, len(failures))
        case = [c for c in tree.getroot().iter('testcase')
                if c.find('failure') is not None][0]
        self.assertEqual('persistent.verify.after', case.get('classname'))
        self.assertEqual('volume:vol-1', case.get('name'))
        self.assertEqual('size: expected 1, got 2', failures[0].text)
        self.assertEqual('1', tree.getroot().get('failures'))

    def test_control_and_backend_series(self):
        b = '127.0.0.1:18774'
        runs.write_uptime(
            self.run_dir, {'nova': [(5.0, 7.0)], 'nova@' + b: [(5.0, 7.0)],
                           'control': [(4.9, 7.1)]},
            thresholds={'max_window': 1.0},
            meta={'nova@' + b: {'backend': b, 'target': b},
                  'control': {'service': 'control', 'kind': 'control'}})
        code, _, text = self.build()
        # the 2 s windows were the probing host's: not judged
        self.assertEqual(cmd.Exit.PASSED, code, text)
        self.assertIn('[control: probing host, not counted]', text)
        with open(os.path.join(self.run_dir, 'report', 'report.html')) as f:
            page = f.read()
        self.assertIn('<td>1 (1 control)</td>', page)
        self.assertIn('not judged: one backend', page)
        self.assertIn('control saw it too', page)
        self.assertIn('"ticktext":["markers","control","nova","nova@%s"]'
                      % b, page)
        tree = ET.parse(os.path.join(self.run_dir, 'report', 'report.xml'))
        out = {c.get('name'): c.find('system-out').text
               for c in tree.getroot().iter('testcase')
               if c.find('system-out') is not None}
        self.assertIn('trouble on the probing host, not counted',
                      out['nova'])

    def test_bad_directory_exits_2_with_one_line(self):
        err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        code = cmd.main([os.path.join(self.run_dir, 'missing')])
        self.assertEqual(cmd.Exit.BAD_INPUT, code)
        self.assertEqual(1, len(err.getvalue().splitlines()))
        self.assertIn('no such run directory', err.getvalue())

    def test_missing_extra_exits_2_with_one_line(self):
        self.full_run()
        err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        with mock.patch.dict(sys.modules, {'plotly': None}):
            code = cmd.main([self.run_dir, '--no-png'])
        self.assertEqual(cmd.Exit.BAD_INPUT, code)
        self.assertEqual(1, len(err.getvalue().splitlines()))
        self.assertIn('needs plotly', err.getvalue())
        self.assertEqual(2, cmd.exit_status(None))
