"""Create, verify and cleanup against an in-memory cinder and swift."""

import os
import unittest
from unittest import mock

from tempest.lib import exceptions as lib_exc

from tests.unit.persistent import fakes
from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import cleanup
from upgrade_tempest_plugin.persistent import create
from upgrade_tempest_plugin.persistent import drift
from upgrade_tempest_plugin.persistent import owner as owner_mod
from upgrade_tempest_plugin.persistent import resources
from upgrade_tempest_plugin.persistent import state
from upgrade_tempest_plugin.persistent import verify

TYPES = [resources.get(n) for n in ('volume', 'container', 'object')]
SERVICES = {'cinder', 'swift'}


def available(service):
    return service in SERVICES


class PhasesTest(unittest.TestCase):

    def setUp(self):
        self.state = fakes.owned_state(self)
        self.clients = fakes.FakeClients()
        self.settings = base.Settings(
            counts={'volume': 2, 'container': 1, 'object': 3},
            build_timeout=1, build_interval=0, retry_timeout=1, workers=4,
            object_size=64, volume_size=1)
        sleep = mock.patch.object(base, '_sleep')
        sleep.start()
        self.addCleanup(sleep.stop)

    def context(self):
        return base.Context(self.clients, self.state, self.settings,
                            project_id='2')

    def create(self):
        record = create.run(self.context(), available, TYPES)
        for name, summary in record['types'].items():
            self.assertEqual([], summary['errors'], name)
        return record

    def verify(self):
        return verify.run(self.context(), available)

    def found(self, record):
        return sorted((d['resource_type'], d['name'], d['field'])
                      for d in record['differences'])

    def test_create_records_everything(self):
        record = self.create()
        self.assertEqual({'wanted': 3, 'ready': 3, 'errors': [],
                          'skipped': None}, record['types']['object'])
        data = self.state.load()
        objects = data['resources']['object']
        self.assertEqual(3, len(objects))
        for entry in objects.values():
            self.assertTrue(entry['ready'])
            self.assertEqual(64, len(bytes.fromhex(entry['sha256'])) * 2)
            self.assertEqual(64, entry['snapshot']['size'])
        # a second create is a no-op
        self.create()
        self.assertEqual(2, len(self.clients.volumes_client_latest.volumes))

    def test_service_not_available_is_skipped(self):
        record = create.run(self.context(), lambda s: s == 'swift', TYPES)
        self.assertEqual('service not available: cinder',
                         record['types']['volume']['skipped'])
        self.assertEqual({}, self.clients.volumes_client_latest.volumes)

    def test_verify_passes_then_names_tampered_fields(self):
        self.create()
        record = self.verify()
        self.assertEqual([], record['differences'])
        self.assertEqual(6, len(record['resources_checked']))
        self.assertTrue(all(r['ok'] for r in record['resources_checked']))

        vols = self.clients.volumes_client_latest.volumes
        swift = self.clients.object_client
        objs = swift.containers['pfx-container-0']['objects']
        vols[sorted(vols)[0]]['metadata']['purpose'] = 'changed'
        vols[sorted(vols)[1]]['size'] = 2
        del objs['pfx-object-0']
        data, meta = objs['pfx-object-1']
        objs['pfx-object-1'] = (os.urandom(len(data)), meta)

        record = self.verify()
        self.assertEqual(
            [('object', 'pfx-object-0', 'exists'),
             ('object', 'pfx-object-1', 'etag'),
             ('object', 'pfx-object-1', 'sha256'),
             ('volume', 'pfx-volume-0', 'metadata'),
             ('volume', 'pfx-volume-1', 'size')], self.found(record))
        size = [d for d in record['differences'] if d['field'] == 'size']
        self.assertEqual((1, 2), (size[0]['expected'], size[0]['actual']))
        bad = sorted(r['name'] for r in record['resources_checked']
                     if not r['ok'])
        self.assertEqual(['pfx-object-0', 'pfx-object-1', 'pfx-volume-0',
                          'pfx-volume-1'], bad)

    def test_drift_seen_once_is_not_reported(self):
        self.create()
        vols = self.clients.volumes_client_latest
        vols.show_errors = [lib_exc.NotFound()]
        self.assertEqual([], self.verify()['differences'])

    def test_verify_retries_transient_errors(self):
        self.create()
        self.clients.volumes_client_latest.show_errors = [
            lib_exc.ServerFault(), lib_exc.ServerFault()]
        self.assertEqual([], self.verify()['differences'])

    def test_verify_reports_persistent_outage_and_transitional(self):
        self.create()
        vols = self.clients.volumes_client_latest
        vols.volumes[sorted(vols.volumes)[0]]['status'] = 'extending'
        vols.show_errors = [lib_exc.ServerFault()] * 10
        self.settings.retry_timeout = 0
        found = self.found(self.verify())
        self.assertEqual([('volume', 'pfx-volume-0', 'reachable'),
                          ('volume', 'pfx-volume-1', 'reachable')], found)
        vols.show_errors = []
        diffs = verify.differences_of(self.verify(), 'volume')
        self.assertEqual([drift.Difference('volume', 'pfx-volume-0',
                                           'status', 'available',
                                           'extending')], diffs)

    def test_verify_without_state_is_a_clear_error(self):
        self.state.remove()
        with self.assertRaises(state.StateError) as ctx:
            self.verify()
        self.assertIn('No persistent state file', str(ctx.exception))

    def test_cleanup_deletes_all_then_owner_then_state(self):
        self.create()
        deleted_owner = []
        record = cleanup.run(self.context(), available,
                             delete_owner=deleted_owner.append)
        self.assertEqual([], record['failed'])
        self.assertEqual([], record['leaked'])
        self.assertEqual(6, len(record['deleted']))
        self.assertEqual({}, self.clients.volumes_client_latest.volumes)
        self.assertEqual({}, self.clients.object_client.containers)
        self.assertEqual(['u'], [o['username'] for o in deleted_owner])
        self.assertTrue(record['state_removed'])
        self.assertFalse(self.state.exists())

    def test_interrupted_create_is_cleaned_up(self):
        vols = self.clients.volumes_client_latest
        vols.crash_after_create = True
        ctx = self.context()
        self.assertRaises(KeyboardInterrupt, resources.get('volume')
                          .create_one, ctx, 0)
        entry = self.state.load()['resources']['volume']['pfx-volume-0']
        self.assertIsNone(entry['id'])      # intent only
        self.assertEqual(1, len(vols.volumes))   # but it exists
        verify_record = self.verify()
        self.assertEqual([('volume', 'pfx-volume-0', 'created')],
                         self.found(verify_record))
        record = cleanup.run(self.context(), available)
        self.assertEqual([], record['failed'])
        self.assertEqual({}, vols.volumes)
        self.assertFalse(self.state.exists())

    def test_transient_create_error_adopts_what_was_made(self):
        vols = self.clients.volumes_client_latest
        real_create = vols.create_volume

        def made_but_503(**kwargs):
            real_create(**kwargs)
            vols.create_volume = real_create
            raise lib_exc.ServerFault()
        vols.create_volume = made_but_503
        self.create()
        self.assertEqual(2, len(vols.volumes))   # not 3
        entry = self.state.load()['resources']['volume']['pfx-volume-0']
        self.assertTrue(entry['ready'])

    def test_interrupted_create_is_adopted_on_rerun(self):
        vols = self.clients.volumes_client_latest
        vols.crash_after_create = True
        self.assertRaises(KeyboardInterrupt, resources.get('volume')
                          .create_one, self.context(), 0)
        vols.crash_after_create = False
        self.create()
        self.assertEqual(2, len(vols.volumes))
        entry = self.state.load()['resources']['volume']['pfx-volume-0']
        self.assertEqual('vol-1', entry['id'])

    def test_failed_delete_is_kept_and_second_cleanup_finishes(self):
        self.create()
        vols = self.clients.volumes_client_latest
        stuck = sorted(vols.volumes)[0]
        vols.fail_delete.add(stuck)
        record = cleanup.run(self.context(), available)
        self.assertEqual([stuck], [f['id'] for f in record['failed']])
        self.assertIn('HTTP 403', record['failed'][0]['error'])
        self.assertFalse(record['state_removed'])
        left = self.state.load()['resources']
        self.assertEqual({'volume': [stuck]},
                         {t: [e['id'] for e in v.values()]
                          for t, v in left.items()})
        vols.fail_delete.clear()
        record = cleanup.run(self.context(), available)
        self.assertEqual([], record['failed'])
        self.assertTrue(record['state_removed'])

    def test_already_deleted_is_fine(self):
        self.create()
        self.clients.volumes_client_latest.volumes.clear()
        record = cleanup.run(self.context(), available)
        self.assertEqual([], record['failed'])
        self.assertTrue(record['state_removed'])

    def test_leak_keeps_state(self):
        self.create()
        self.clients.volumes_client_latest.create_volume('stray', 1)
        record = cleanup.run(self.context(), available,
                             delete_owner=self.fail)
        self.assertEqual([{'type': 'volume', 'id': 'vol-3',
                           'name': 'stray'}], record['leaked'])
        self.assertFalse(record['state_removed'])
        self.assertTrue(self.state.exists())

    def test_service_gone_at_cleanup_keeps_entries(self):
        self.create()
        record = cleanup.run(self.context(), lambda s: s == 'cinder')
        kept = sorted({f['type'] for f in record['failed']})
        self.assertEqual(['container', 'object'], kept)
        self.assertIn('service not available: swift',
                      record['failed'][0]['error'])
        self.assertTrue(self.state.exists())


class UnfinishedOwnerTest(unittest.TestCase):
    """Cleanup after a create that stopped before its owner was made."""

    def setUp(self):
        self.state = fakes.new_state(self)
        self.deleted = []

    def delete_owner(self, owner):
        self.deleted.append(owner['username'])
        return True

    def cleanup(self):
        data = self.state.load()
        self.assertTrue(owner_mod.is_unfinished(data))
        return cleanup.forget_unfinished_owner(
            self.state, data.get('owner'), self.delete_owner)

    def test_no_owner_at_all(self):
        record = self.cleanup()
        self.assertEqual([], self.deleted)
        self.assertFalse(record['owner_deleted'])
        self.assertTrue(record['state_removed'])
        self.assertEqual(([], [], []), (record['deleted'], record['failed'],
                                        record['leaked']))
        self.assertLessEqual(record['start_time'], record['end_time'])
        self.assertFalse(self.state.exists())

    def test_dedicated_owner_half_made_is_deleted(self):
        self.state.set_owner(provisioned=owner_mod.CREATED,
                             username='pfx-user', password='p',
                             project_name='pfx-project',
                             domain_name='Default', project_id='2')
        record = self.cleanup()
        self.assertEqual(['pfx-user'], self.deleted)
        self.assertTrue(record['owner_deleted'])
        self.assertFalse(self.state.exists())

    def test_configured_owner_is_left_alone(self):
        self.state.set_owner(provisioned=owner_mod.CONFIGURED,
                             username='op', password='',
                             project_name='proj', domain_name='Default')
        record = self.cleanup()
        self.assertEqual([], self.deleted)
        self.assertFalse(record['owner_deleted'])
        self.assertFalse(self.state.exists())

    def test_failed_owner_deletion_keeps_the_state_file(self):
        self.state.set_owner(provisioned=owner_mod.CREATED,
                             username='pfx-user', password='p',
                             project_name='pfx-project',
                             domain_name='Default')

        def refuse(owner):
            raise lib_exc.ServerFault()
        data = self.state.load()
        self.assertRaises(lib_exc.ServerFault,
                          cleanup.forget_unfinished_owner, self.state,
                          data['owner'], refuse)
        self.assertTrue(self.state.exists())
