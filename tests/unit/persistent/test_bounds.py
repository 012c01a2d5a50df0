"""Every wait of verify and cleanup is bounded, per resource (fake clock).

A hung API costs ``http_timeout`` per call (one try, no hidden retries);
the fake volumes client below moves a fake clock on by that much and
raises a read time-out, as the real client would.
"""

import unittest
from unittest import mock

import urllib3

from tests.unit.persistent import fakes
from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import cleanup
from upgrade_tempest_plugin.persistent import create
from upgrade_tempest_plugin.persistent import drift
from upgrade_tempest_plugin.persistent import resources
from upgrade_tempest_plugin.persistent import verify

RETRY_TIMEOUT = 120     # [upgrade] persistent_retry_timeout default
BUILD_TIMEOUT = 300     # [upgrade] persistent_build_timeout default
HTTP_TIMEOUT = 60       # [service-clients] http_timeout default
VOLUME = resources.get('volume')


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.now += seconds


def read_timeout():
    return urllib3.exceptions.ReadTimeoutError(
        None, 'http://127.0.0.1:8776', 'Read timed out. (read timeout=60)')


class HungVolumes(fakes.FakeVolumes):
    """Volumes whose API can hang: each call then costs HTTP_TIMEOUT."""

    def __init__(self, clock):
        super(HungVolumes, self).__init__()
        self.clock = clock
        self.hung = False
        self.calls = 0

    def _maybe_hang(self):
        self.calls += 1
        if self.hung:
            self.clock.now += HTTP_TIMEOUT
            raise read_timeout()

    def show_volume(self, vid):
        self._maybe_hang()
        return super(HungVolumes, self).show_volume(vid)

    def delete_volume(self, vid):
        self._maybe_hang()
        return super(HungVolumes, self).delete_volume(vid)


class BoundsTest(unittest.TestCase):

    def setUp(self):
        self.state = fakes.owned_state(self)
        self.clock = FakeClock()
        self.clients = fakes.FakeClients()
        self.volumes = HungVolumes(self.clock)
        self.clients.volumes_client_latest = self.volumes
        self.settings = base.Settings(
            counts={'volume': 1}, build_timeout=BUILD_TIMEOUT,
            build_interval=1, retry_timeout=RETRY_TIMEOUT, workers=1,
            volume_size=1)
        for name, fake in (('_clock', self.clock),
                           ('_sleep', self.clock.sleep)):
            patcher = mock.patch.object(base, name, fake)
            patcher.start()
            self.addCleanup(patcher.stop)
        record = create.run(self.context(), lambda s: s == 'cinder',
                            [VOLUME])
        self.assertEqual(1, record['types']['volume']['ready'])
        self.entry = self.state.load()['resources']['volume']['pfx-volume-0']

    def context(self):
        return base.Context(self.clients, self.state, self.settings,
                            project_id='2')

    def verify_one(self):
        started = self.clock.now
        diffs = VOLUME.verify_one(self.context(), self.entry)
        return diffs, self.clock.now - started

    def test_unreachable_given_up_within_bound(self):
        self.volumes.hung = True
        diffs, waited = self.verify_one()
        self.assertEqual([drift.Difference('volume', 'pfx-volume-0',
                                           drift.REACHABLE, True,
                                           'timeout')], diffs)
        self.assertEqual(drift.UNREACHABLE, drift.outcome(diffs))
        # It did retry until the deadline, and stopped within the bound.
        self.assertGreaterEqual(waited, RETRY_TIMEOUT)
        self.assertLessEqual(waited, RETRY_TIMEOUT + HTTP_TIMEOUT)

    def test_drift_then_hang_stays_within_bound(self):
        # A changed field starts the confirmation pauses; the API then
        # hangs during them: still one deadline for the resource.
        vol = self.volumes.volumes[self.entry['id']]
        vol['size'] = 2
        real_show = self.volumes.show_volume

        def show_then_hang(vid):
            body = real_show(vid)
            self.volumes.hung = True
            return body
        self.volumes.show_volume = show_then_hang
        diffs, waited = self.verify_one()
        self.assertEqual(drift.UNREACHABLE, drift.outcome(diffs))
        self.assertLessEqual(waited, RETRY_TIMEOUT + HTTP_TIMEOUT)

    def test_drift_is_confirmed_then_reported(self):
        self.volumes.volumes[self.entry['id']]['size'] = 2
        diffs, waited = self.verify_one()
        self.assertEqual([drift.Difference('volume', 'pfx-volume-0', 'size',
                                           1, 2)], diffs)
        self.assertEqual(drift.CHANGED, drift.outcome(diffs))
        self.assertEqual(list(base.ResourceType.confirm_pauses),
                         self.clock.sleeps)
        self.assertEqual(4, self.volumes.calls - 1)   # 1 + 3 re-checks

    def test_no_time_left_no_confirmation(self):
        self.settings.retry_timeout = 0
        self.volumes.volumes[self.entry['id']]['size'] = 2
        diffs, waited = self.verify_one()
        self.assertEqual(drift.CHANGED, drift.outcome(diffs))
        self.assertEqual(([], 0), (self.clock.sleeps, waited))

    def test_unreachable_is_not_reported_as_changed(self):
        self.volumes.hung = True
        record = verify.run(self.context(), lambda s: s == 'cinder',
                            [VOLUME])
        self.assertEqual(['unreachable'], [
            r['outcome'] for r in record['resources_checked']])
        text = verify.failures(record, 'volume')
        self.assertTrue(text.startswith('1 of 1 volumes unreachable:\n'),
                        text)
        self.assertRegex(text, r'volume pfx-volume-0: unreachable '
                               r'\(timeout(, gave up after \d+ s| after '
                               r'retries)\)')
        self.assertNotIn('changed', text)

    def test_failures_name_each_outcome(self):
        record = {'resources_checked': [
            {'type': 'volume', 'name': n, 'seconds': 180.2}
            for n in ('a', 'b', 'c')], 'differences': [
            drift.as_dict(drift.Difference('volume', 'a', 'size', 1, 2)),
            drift.as_dict(drift.Difference('volume', 'b', drift.REACHABLE,
                                           True, 'connection refused'))]}
        self.assertEqual(
            '1 of 3 volumes unreachable:\n'
            'volume b: unreachable (connection refused, gave up after '
            '180 s)\n'
            '1 of 3 volumes changed:\n'
            "volume a: size is 2, expected 1",
            verify.failures(record, 'volume'))
        self.assertEqual('', verify.failures(record, 'object'))

    def test_cleanup_of_hung_api_within_bound(self):
        self.volumes.hung = True
        started = self.clock.now
        record = cleanup.run(self.context(), lambda s: s == 'cinder')
        waited = self.clock.now - started
        self.assertEqual(['pfx-volume-0'],
                         [f['name'] for f in record['failed']])
        self.assertIn('timeout', record['failed'][0]['error'])
        self.assertLessEqual(waited, RETRY_TIMEOUT + HTTP_TIMEOUT)
        self.assertTrue(self.state.exists())

    def test_cleanup_of_undying_resource_within_bound(self):
        # Deletion accepted, but the volume never goes away.
        self.volumes.delete_volume = lambda vid: None
        started = self.clock.now
        record = cleanup.run(self.context(), lambda s: s == 'cinder')
        waited = self.clock.now - started
        self.assertIn('deletion not done within %d s'
                      % (RETRY_TIMEOUT + BUILD_TIMEOUT),
                      record['failed'][0]['error'])
        self.assertLessEqual(waited, RETRY_TIMEOUT + BUILD_TIMEOUT)
