"""The HTML report in a real browser (headless Chromium from Debian), and
the PNG read back pixel by pixel.

For three runs (the saved rehearsal in ``tests/samples/rehearsal-run``,
the saved rehearsal with keepalive series, window bounds and stalls in
``tests/samples/rehearsal-run-keepalive``, and a synthetic run of 40
series), builds the report, opens report.html in Chromium and reads what
the page recorded about itself (see ``upgrade_tempest_plugin.report.
html``): no script error, one lane per series of summary.json grouped by
API, and every window of summary.json drawn as a visible bar. Then draws
the PNG and checks at the pixel rows the renderer reports that each lane
has its label and each window its colour. Screenshots and PNGs are kept
in ``$UPGRADE_ARTIFACTS_DIR`` (default ``functional-artifacts/``).

No cloud is needed: the inputs are saved or synthetic run directories.
"""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile

import testtools

from tests.unit.report import runs
from upgrade_tempest_plugin.report import cmd
from upgrade_tempest_plugin.report import collect
from upgrade_tempest_plugin.report import png

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SAMPLES = os.path.join(REPO, 'tests', 'samples')
ARTIFACTS = os.environ.get('UPGRADE_ARTIFACTS_DIR', os.path.join(
    REPO, 'functional-artifacts'))
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


def _rgb(color):
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


class ReportInBrowser(object):
    """Mixed into one TestCase per run directory (``NAME``,
    ``make_run(run_dir)``)."""

    NAME = None
    HEIGHT = 1800

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chromium = ensure_chromium()
        cls.work = tempfile.mkdtemp(prefix='report-browser-')
        cls.run_dir = os.path.join(cls.work, 'run')
        cls.make_run(cls.run_dir)
        with open(os.devnull, 'w') as out:
            cls.code, _ = cmd.build(cls.run_dir, os.path.join(
                cls.work, 'report'), out=out)
        cls.page = os.path.join(cls.work, 'report', 'report.html')
        with open(os.path.join(cls.run_dir, 'uptime', 'summary.json')) as f:
            cls.summary = json.load(f)
        os.makedirs(ARTIFACTS, exist_ok=True)

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

    def artifact(self, name):
        path = os.path.join(ARTIFACTS, '%s-%s' % (self.NAME, name))
        if os.path.exists(path):
            os.unlink(path)
        return path

    def expected_series_lanes(self):
        """The series of summary.json, grouped by API (prefix before the
        first '-'), each API's own series first."""
        by_api = {}
        for name in self.summary['services']:
            by_api.setdefault(name.split('-')[0], []).append(name)
        return [n for api in sorted(by_api) for n in sorted(
            by_api[api], key=lambda n: (n != api, n))]

    def test_page_draws_every_lane_and_window(self):
        attrs = self.body_attributes(self.page)
        self.assertEqual('[]', attrs['data-js-errors'])
        self.assertEqual('rendered', attrs['data-render-status'])
        labels = json.loads(attrs['data-lane-labels'])
        series = [label for label in labels
                  if label in self.summary['services']]
        self.assertEqual(self.expected_series_lanes(), series)
        events = labels[:len(labels) - len(series)]
        self.assertEqual(series, labels[len(events):])
        if self.summary.get('markers'):
            self.assertIn('markers', events)
        drawn = json.loads(attrs['data-drawn-bars'])
        for name, entry in self.summary['services'].items():
            self.assertEqual(len(entry['windows']),
                             drawn.get('%s windows' % name, 0), name)
            self.assertEqual(len(entry.get('stalls') or []),
                             drawn.get('%s stalls' % name, 0), name)
        verify = [lab for lab in events if lab.startswith('verify ')]
        self.assertTrue(verify)
        self.assertEqual(len(self.report_json()['persistent']),
                         sum(drawn[lab] for lab in verify))

    def report_json(self):
        with open(os.path.join(self.work, 'report', 'report.json')) as f:
            return json.load(f)

    def test_png_holds_every_lane_and_window(self):
        from PIL import Image
        report, probes = collect.collect(self.run_dir)
        path = self.artifact('timeline.png')
        layout = png.draw(report, probes, path)
        image = Image.open(path).convert('RGB')
        self.assertEqual(1600, image.size[0])
        self.assertEqual(tuple(layout['size']), image.size)
        labels = [lane['label'] for lane in layout['lanes']]
        series = [lab for lab in labels if lab in self.summary['services']]
        self.assertEqual(self.expected_series_lanes(), series)
        left = min(b['left'] for b in layout['bars'])
        for lane in layout['lanes']:
            self.assertGreaterEqual(lane['bottom'] - lane['top'], 20)
            # The lane's label: dark text left of the chart, in its row.
            dark = [image.getpixel((x, y))
                    for y in range(int(lane['top']) + 2,
                                   int(lane['bottom']) - 1)
                    for x in range(0, int(left) - 1)]
            self.assertTrue(any(sum(p) < 250 for p in dark), lane['label'])
        windows = [b for b in layout['bars'] if b['kind'] == 'window']
        self.assertEqual(sum(len(e['windows']) for e in
                             self.summary['services'].values()),
                         len(windows))
        for bar in windows:
            x = int((bar['left'] + bar['right']) / 2)
            y = int((bar['top'] + bar['bottom']) / 2)
            got = image.getpixel((x, y))
            want = _rgb(bar['color'])
            self.assertLess(max(abs(a - b) for a, b in zip(got, want)), 40,
                            '%s at (%d, %d): %s, not %s'
                            % (bar['id'], x, y, got, want))
            self.assertEqual(layout['lanes'][bar['lane']]['label'],
                             bar['id'].split('#')[0])

    def test_screenshot(self):
        shot = self.artifact('report-html.png')
        self.chromium_run('--screenshot=%s' % shot,
                          '--window-size=1400,%d' % self.HEIGHT,
                          'file://' + self.page)
        with open(shot, 'rb') as f:
            head = f.read(8)
        self.assertEqual(b'\x89PNG\r\n\x1a\n', head)
        self.assertGreater(os.path.getsize(shot), 20000)


class TestSavedRehearsal(ReportInBrowser, testtools.TestCase):
    NAME = 'sample'

    @staticmethod
    def make_run(run_dir):
        shutil.copytree(os.path.join(SAMPLES, 'rehearsal-run'), run_dir)

    def test_script_error_is_seen(self):
        # The checks above can fail: a page whose script throws says so.
        broken = os.path.join(self.work, 'broken.html')
        with open(self.page) as f:
            text = f.read()
        with open(broken, 'w') as f:
            f.write(text.replace('</body>', '<script>undefinedCall();'
                                 '</script></body>'))
        attrs = self.body_attributes(broken)
        self.assertIn('undefinedCall', attrs['data-js-errors'])


class TestSavedKeepaliveRehearsal(ReportInBrowser, testtools.TestCase):
    NAME = 'keepalive'

    @staticmethod
    def make_run(run_dir):
        shutil.copytree(os.path.join(SAMPLES, 'rehearsal-run-keepalive'),
                        run_dir)


class TestFortyLanes(ReportInBrowser, testtools.TestCase):
    NAME = 'forty-lanes'
    HEIGHT = 2600

    @staticmethod
    def make_run(run_dir):
        runs.write_many_lanes(run_dir)
