"""Rolling restarts behind haproxy, under the uptime daemon.

The cloud runs two backends per API (``up --backends 2``; the number it
had is restored afterwards). ``benchmarks/rolling.py`` runs the daemon on
glance and nova through their catalog endpoints (haproxy) and, per
backend read from haproxy's stats socket (``[upgrade]
uptime_haproxy_socket``), straight at the backend (``<api>@<host:port>``
and its pulse); it restarts glance-api, then nova-api, with
``localcloud restart --rolling`` (each backend in turn drained in
haproxy, stopped, started, readied once haproxy's check says UP), then
stops ``glance-api-b1`` undrained (haproxy not told) for 4 s and starts
it again.

Asserted (``rolling.run``'s problems): no probe through the endpoint
failed during a rolling restart; each backend's own series has exactly
one window in it, the first backend's over before the second's began;
the undrained stop shows as a window on ``glance@<b1>``, whose target is
b1; every probe through the endpoint that failed meanwhile (haproxy
retries a refused connection on the other backend, so there may be none)
has its request id in haproxy's log on a line naming
``glance-api/glance-api-b1`` -- or is a reset of the kept-alive
connection that haproxy had nothing to log for, while b1's own series
was down (seen once in three runs).
"""

import json
import shutil
import tempfile

import testtools
from testtools.content import text_content

from benchmarks import rolling
from tests.functional.localcloud import base as cloud
from tests.functional import workspace


class RollingRestartTest(testtools.TestCase):

    def setUp(self):
        super(RollingRestartTest, self).setUp()
        before = rolling.cloud_status().get('backends') or 1
        up = cloud.run('up', '--backends', '2')
        self.assertEqual(0, up.returncode, up.stdout + up.stderr)
        if before != 2:
            self.addCleanup(cloud.run, 'up', '--backends', str(before))
        self.dir = tempfile.mkdtemp(prefix='rolling-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_rolling_restart_and_undrained_stop(self):
        result, problems = rolling.run(['glance', 'nova'], workspace.CONF,
                                       self.dir)
        self.addDetail('daemon', text_content(result.pop('daemon', '')))
        self.addDetail('result', text_content(json.dumps(result, indent=1)))
        self.assertEqual([], problems)
