"""Persistent cinder resources: volumes, snapshots, attached volumes."""

from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import drift

TRANSITIONAL = ('creating', 'attaching', 'detaching', 'extending',
                'reserved', 'downloading', 'uploading', 'retyping',
                'backing-up', 'restoring-backup', 'maintenance', 'deleting')


def _attachments(body):
    return [{'server_id': a.get('server_id'), 'device': a.get('device')}
            for a in body.get('attachments') or []]


VOLUME_FIELDS = {
    'status': 'status', 'size': 'size', 'metadata': 'metadata',
    'volume_type': 'volume_type', 'bootable': 'bootable',
    'encrypted': 'encrypted', 'multiattach': 'multiattach',
    'attachments': _attachments}


class _Cinder(base.ResourceType):
    services = ('cinder',)
    transitional = TRANSITIONAL

    def _volumes(self, ctx):
        return ctx.client('volumes_client_latest')

    def _create_volume(self, ctx, entry, purpose):
        body = self._volumes(ctx).create_volume(
            name=entry['name'], size=ctx.settings.volume_size,
            metadata={'persistent': ctx.prefix, 'purpose': purpose})
        return body['volume']['id']

    def _find_volumes(self, ctx, name):
        body = self._volumes(ctx).list_volumes(params={'name': name})
        return [v['id'] for v in body['volumes'] if v.get('name') == name]


class Volume(_Cinder):
    name = 'volume'
    steady = ('available',)

    def create(self, ctx, entry):
        return {'id': self._create_volume(ctx, entry, 'data')}

    def show(self, ctx, entry):
        return self._volumes(ctx).show_volume(entry['id'])['volume']

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, VOLUME_FIELDS)

    def delete(self, ctx, entry):
        self._volumes(ctx).delete_volume(entry['id'])

    def find(self, ctx, name):
        return self._find_volumes(ctx, name)

    def list_owned(self, ctx):
        body = self._volumes(ctx).list_volumes()
        return [(v['id'], v.get('name')) for v in body['volumes']]


class VolumeSnapshot(_Cinder):
    name = 'volume_snapshot'
    requires = ('volume',)
    steady = ('available',)

    def _client(self, ctx):
        return ctx.client('snapshots_client_latest')

    def create(self, ctx, entry):
        volume = ctx.parent('volume', entry['index'])
        body = self._client(ctx).create_snapshot(
            volume_id=volume['id'], name=entry['name'],
            metadata={'persistent': ctx.prefix})
        return {'id': body['snapshot']['id'], 'volume': volume['name']}

    def show(self, ctx, entry):
        return self._client(ctx).show_snapshot(entry['id'])['snapshot']

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {'status': 'status', 'size': 'size',
                                 'volume_id': 'volume_id',
                                 'metadata': 'metadata'})

    def delete(self, ctx, entry):
        self._client(ctx).delete_snapshot(entry['id'])

    def find(self, ctx, name):
        body = self._client(ctx).list_snapshots(params={'name': name})
        return [s['id'] for s in body['snapshots'] if s.get('name') == name]

    def list_owned(self, ctx):
        body = self._client(ctx).list_snapshots()
        return [(s['id'], s.get('name')) for s in body['snapshots']]


class VolumeAttachment(_Cinder):
    """A volume of its own, attached to a persistent server."""

    name = 'volume_attachment'
    services = ('cinder', 'nova', 'neutron', 'glance')
    requires = ('server',)
    steady = ('in-use',)

    def create(self, ctx, entry):
        server = ctx.parent('server', entry['index'])
        return {'id': self._create_volume(ctx, entry, 'attachment'),
                'server': server['name'], 'server_id': server['id']}

    def finish(self, ctx, entry):
        volume = self.show(ctx, entry)
        if volume['status'] == 'in-use':
            return
        _Available().wait_ready(ctx, entry)
        ctx.client('servers_client').attach_volume(
            entry['server_id'], volumeId=entry['id'])

    def show(self, ctx, entry):
        return self._volumes(ctx).show_volume(entry['id'])['volume']

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, VOLUME_FIELDS)

    def checks(self, ctx, entry, body):
        """Nova must list the attachment cinder reports."""
        body = base.ignore_not_found(
            ctx.client('servers_client').list_volume_attachments,
            entry['server_id'])
        volumes = sorted(a.get('volumeId') for a in
                         (body or {}).get('volumeAttachments', []))
        if entry['id'] not in volumes:
            return [drift.Difference(self.name, entry['name'],
                                     'nova_attachment', entry['server_id'],
                                     None)]
        return []

    def delete(self, ctx, entry):
        status = self.show(ctx, entry)['status']
        if status in ('in-use', 'attaching'):
            base.ignore_not_found(
                ctx.client('servers_client').detach_volume,
                entry['server_id'], entry['id'])
        if status in ('in-use', 'attaching', 'detaching', 'reserved'):
            _Available().wait_ready(ctx, entry)
        self._volumes(ctx).delete_volume(entry['id'])

    def find(self, ctx, name):
        return self._find_volumes(ctx, name)


class _Available(Volume):
    """Wait helper: the attachment's volume as a plain available volume."""


TYPES = (Volume, VolumeSnapshot, VolumeAttachment)
