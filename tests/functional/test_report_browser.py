"""The HTML report in a real browser (headless Chromium from Debian).

Builds the report of the saved rehearsal outputs (``tests/samples``), opens
it in Chromium, and reads what the page recorded about itself (see
``upgrade_tempest_plugin.report.html``): no script error, the chart drawn
with the expected series. A screenshot is kept in
``$UPGRADE_ARTIFACTS_DIR`` (default ``functional-artifacts/``).
"""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile

import testtools

from upgrade_tempest_plugin.report import cmd

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SAMPLE = os.path.join(REPO, 'tests', 'samples', 'rehearsal-run')
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
                  '--disable-quic', '--no-first-run',
                  '--disable-background-networking',
                  '--disable-component-update', '--disable-sync',
                  '--virtual-time-budget=15000']


def ensure_chromium():
    """Install Debian's chromium when missing (CI machines start bare)."""
    if shutil.which('chromium'):
        return shutil.which('chromium')
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends',
               'chromium']
    if subprocess.run(install, env=env, capture_output=True).returncode:
        subprocess.run(['apt-get', 'update', '-q'], env=env, check=True,
                       capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    return shutil.which('chromium')


class TestReportInBrowser(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chromium = ensure_chromium()
        cls.work = tempfile.mkdtemp(prefix='report-browser-')
        cls.run_dir = os.path.join(cls.work, 'run')
        shutil.copytree(SAMPLE, cls.run_dir)
        with open(os.devnull, 'w') as out:
            cls.code, _ = cmd.build(cls.run_dir, os.path.join(
                cls.work, 'report'), out=out)
        cls.page = os.path.join(cls.work, 'report', 'report.html')
        with open(os.path.join(cls.work, 'report', 'report.json')) as f:
            cls.report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    def chromium_run(self, *args):
        profile = tempfile.mkdtemp(prefix='chromium-', dir=self.work)
        proc = subprocess.run(
            [self.chromium] + CHROMIUM_FLAGS
            + ['--user-data-dir=%s' % profile] + list(args),
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, proc.returncode, proc.stderr[-2000:])
        return proc.stdout

    def body_attributes(self, page):
        dom = self.chromium_run('--dump-dom', 'file://' + page)
        body = re.search(r'<body([^>]*)>', dom)
        self.assertIsNotNone(body, 'no <body> in the rendered page')
        return {k: html.unescape(v) for k, v in
                re.findall(r'([\w-]+)="([^"]*)"', body.group(1))}

    def test_chart_renders_without_script_errors(self):
        attrs = self.body_attributes(self.page)
        self.assertEqual('[]', attrs['data-js-errors'])
        self.assertEqual('rendered', attrs['data-render-status'])
        series = json.loads(attrs['data-rendered-series'])
        services = sorted(self.report['uptime']['services'])
        self.assertEqual(['cinder', 'glance', 'keystone', 'neutron', 'nova',
                          'swift'], services)
        for name in services:
            self.assertIn('%s availability' % name, series)
            self.assertIn('%s latency' % name, series)
            # Every API was restarted (keystone upgraded) in that run.
            self.assertIn('%s downtime' % name, series)
        self.assertIn('markers', series)
        self.assertIn('verify runs', series)
        self.assertGreaterEqual(int(attrs['data-drawn-traces']),
                                len(series))

    def test_script_error_is_seen(self):
        # The check above can fail: a page whose script throws says so.
        broken = os.path.join(self.work, 'broken.html')
        with open(self.page) as f:
            text = f.read()
        with open(broken, 'w') as f:
            f.write(text.replace('</body>', '<script>undefinedCall();'
                                 '</script></body>'))
        attrs = self.body_attributes(broken)
        self.assertIn('undefinedCall', attrs['data-js-errors'])

    def test_screenshot(self):
        artifacts = os.environ.get('UPGRADE_ARTIFACTS_DIR', os.path.join(
            REPO, 'functional-artifacts'))
        os.makedirs(artifacts, exist_ok=True)
        shot = os.path.join(artifacts, 'report-html.png')
        if os.path.exists(shot):
            os.unlink(shot)
        self.chromium_run('--screenshot=%s' % shot,
                          '--window-size=1400,1300', 'file://' + self.page)
        with open(shot, 'rb') as f:
            head = f.read(8)
        self.assertEqual(b'\x89PNG\r\n\x1a\n', head)
        self.assertGreater(os.path.getsize(shot), 20000)
