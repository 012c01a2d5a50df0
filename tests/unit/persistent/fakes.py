"""An in-memory cinder + swift, enough for the persistent phases."""

import hashlib
import itertools
import os
import tempfile

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.persistent import owner
from upgrade_tempest_plugin.persistent import state


class FakeVolumes(object):
    def __init__(self):
        self.volumes = {}
        self._ids = itertools.count(1)
        self.fail_delete = set()   # ids whose deletion is forbidden
        self.crash_after_create = False
        self.show_errors = []      # exceptions raised by the next shows

    def create_volume(self, name, size, metadata=None):
        vid = 'vol-%d' % next(self._ids)
        self.volumes[vid] = {
            'id': vid, 'name': name, 'size': size, 'status': 'available',
            'metadata': dict(metadata or {}), 'volume_type': 'fake',
            'bootable': 'false', 'encrypted': False, 'multiattach': False,
            'attachments': []}
        if self.crash_after_create:
            raise KeyboardInterrupt('operator hit ^C')
        return {'volume': dict(self.volumes[vid])}

    def show_volume(self, vid):
        if self.show_errors:
            raise self.show_errors.pop(0)
        if vid not in self.volumes:
            raise lib_exc.NotFound()
        return {'volume': dict(self.volumes[vid])}

    def list_volumes(self, params=None):
        vols = list(self.volumes.values())
        if params and 'name' in params:
            vols = [v for v in vols if v['name'] == params['name']]
        return {'volumes': [dict(v) for v in vols]}

    def delete_volume(self, vid):
        if vid in self.fail_delete:
            raise lib_exc.Forbidden()
        if vid not in self.volumes:
            raise lib_exc.NotFound()
        del self.volumes[vid]


class FakeSwift(object):
    """Container, object and account clients in one."""

    def __init__(self):
        self.containers = {}

    def create_container(self, name, **headers):
        self.containers.setdefault(name, {'meta': {}, 'objects': {}})
        self.containers[name]['meta'].update(
            {k.lower(): v for k, v in headers.items()})

    def list_container_metadata(self, name):
        if name not in self.containers:
            raise lib_exc.NotFound()
        return dict(self.containers[name]['meta']), ''

    def list_container_objects(self, name, params=None):
        return {}, [{'name': n} for n in self.containers[name]['objects']]

    def delete_container(self, name):
        if name not in self.containers:
            raise lib_exc.NotFound()
        if self.containers[name]['objects']:
            raise lib_exc.Conflict()
        del self.containers[name]

    def list_account_containers(self, params=None):
        return {}, [{'name': n} for n in self.containers]

    def create_object(self, container, name, data, metadata=None):
        self.containers[container]['objects'][name] = (
            data, {k.lower(): v for k, v in (metadata or {}).items()})

    def _object(self, container, name):
        try:
            return self.containers[container]['objects'][name]
        except KeyError:
            raise lib_exc.NotFound()

    def get_object(self, container, name):
        data, meta = self._object(container, name)
        headers = dict(meta, etag=hashlib.md5(data).hexdigest())
        headers['content-length'] = str(len(data))
        headers['content-type'] = 'application/octet-stream'
        return headers, data

    def list_object_metadata(self, container, name):
        return self.get_object(container, name)[0], ''

    def delete_object(self, container, name):
        self._object(container, name)
        del self.containers[container]['objects'][name]

    def is_resource_deleted(self, name, container):
        try:
            self._object(container, name)
        except lib_exc.NotFound:
            return True
        return False


class FakeSnapshots(object):
    def list_snapshots(self, params=None):
        return {'snapshots': []}


class FakeClients(object):
    def __init__(self):
        self.volumes_client_latest = FakeVolumes()
        self.snapshots_client_latest = FakeSnapshots()
        swift = FakeSwift()
        self.container_client = swift
        self.object_client = swift
        self.account_client = swift


def new_state(test):
    """A new state file (prefix ``pfx``, no owner yet) in a temporary
    directory removed after ``test``."""
    tmp = tempfile.TemporaryDirectory()
    test.addCleanup(tmp.cleanup)
    st = state.StateFile(os.path.join(tmp.name, 'state.json'))
    st.create('pfx')
    return st


def owned_state(test):
    """A new state file (prefix ``pfx``) whose owner the phases created,
    in a temporary directory removed after ``test``."""
    st = new_state(test)
    st.set_owner(provisioned=owner.CREATED, username='u', password='p',
                 project_name='pr', domain_name='Default', user_id='1',
                 project_id='2')
    return st
