"""The report of saved real outputs, copied from elsewhere."""

import glob
import io
import json
import os
import shutil
import tempfile

import testtools

from upgrade_tempest_plugin.report import cmd

SAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'samples', 'rehearsal-run')


class TestSavedRehearsal(testtools.TestCase):

    def setUp(self):
        super().setUp()
        work = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, work, True)
        self.run_dir = os.path.join(work, 'copied-run')
        shutil.copytree(SAMPLE, self.run_dir)
        self.out = io.StringIO()
        self.code, self.written = cmd.build(self.run_dir, out=self.out)
        with open(os.path.join(self.run_dir, 'report', 'report.json')) as f:
            self.report = json.load(f)

    def test_verdict_and_files(self):
        self.assertEqual(cmd.Exit.PASSED, self.code, self.out.getvalue())
        self.assertEqual(4, len(self.written))
        self.assertIn('Upgrade report: PASSED', self.out.getvalue())

    def test_every_restarted_api_shows_its_window(self):
        services = self.report['uptime']['services']
        expected = {'keystone': 'keystone upgrade: swap keystone processes',
                    'nova': 'restart nova-api',
                    'neutron': 'restart neutron-server',
                    'cinder': 'restart cinder-api',
                    'glance': 'restart glance-api',
                    'swift': 'restart swift-proxy'}
        self.assertEqual(sorted(expected), sorted(services))
        for name, marker in expected.items():
            entry = services[name]
            self.assertLess(entry['uptime_pct'], 100.0, name)
            self.assertEqual(entry['total_requests'],
                             entry['successful_requests']
                             + entry['failed_requests'])
            overlapped = [m['text'] for w in entry['windows']
                          for m in w['markers']]
            self.assertIn(marker, overlapped, name)

    def test_verify_runs_and_steps(self):
        self.assertEqual(['during', 'after'],
                         [r['label'] for r in self.report['persistent']])
        for run in self.report['persistent']:
            self.assertTrue(run['passed'])
            self.assertEqual([], run['differences'])
            self.assertGreater(len(run['resources_checked']), 0)
        names = [s['name'] for s in self.report['steps']]
        self.assertIn('keystone upgrade 28.1.0 -> 30.0.0', names)
        self.assertTrue(all(s['ok'] for s in self.report['steps']))

    def test_stats_merged_across_processes(self):
        total = 0
        for path in glob.glob(os.path.join(SAMPLE, 'stats', '*.json')):
            with open(path) as f:
                total += sum(m['passes'] + m['failures']
                             for m in json.load(f)['methods'])
        merged = sum(s['passes'] + s['failures']
                     for s in self.report['stats'].values())
        self.assertEqual(total, merged)
        self.assertGreater(merged, 0)


class TestSavedKeepaliveRehearsal(testtools.TestCase):
    """A rehearsal with two series per API (new connection, keepalive),
    window bounds and stalls, saved from a fresh run of main."""

    def setUp(self):
        super().setUp()
        work = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, work, True)
        run_dir = os.path.join(work, 'run')
        shutil.copytree(SAMPLE + '-keepalive', run_dir)
        self.out = io.StringIO()
        self.code, _ = cmd.build(run_dir, out=self.out)
        with open(os.path.join(run_dir, 'report', 'report.json')) as f:
            self.report = json.load(f)

    def test_summary_one_line_per_api(self):
        self.assertEqual(cmd.Exit.PASSED, self.code, self.out.getvalue())
        lines = self.out.getvalue().splitlines()
        apis = lines[lines.index('APIs:') + 1:lines.index('APIs:') + 7]
        self.assertEqual(['cinder', 'glance', 'keystone', 'neutron', 'nova',
                          'swift'], [line.split()[0] for line in apis])
        for line in apis:
            self.assertIn('new ', line)
            self.assertIn('keepalive ', line)

    def test_window_bounds_are_iso_times(self):
        window = self.report['uptime']['services']['nova']['windows'][0]
        self.assertTrue(window['start'].endswith('Z'))
        self.assertEqual(2, len(window['start_bounds']))
        self.assertTrue(all(b.endswith('Z') for b in
                            window['start_bounds'] + window['end_bounds']))
        self.assertEqual({}, {k: v for k, v in self.report['uptime'][
            'thresholds'].items() if v is not None})
