"""Persistent swift resources: containers and objects with random data.

Each object's payload is random; its SHA-256 and MD5 (swift's ETag) are
recorded at create time, and verify downloads the object and hashes it.
"""

import hashlib

from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import drift


def _meta(headers, prefix):
    return {k.lower(): v for k, v in headers.items()
            if k.lower().startswith(prefix)}


class Container(base.ResourceType):
    name = 'container'
    services = ('swift',)

    def create(self, ctx, entry):
        ctx.client('container_client').create_container(
            entry['name'], **{'X-Container-Meta-Persistent': ctx.prefix})
        return {'id': entry['name']}

    def show(self, ctx, entry):
        resp, _body = ctx.client('container_client').list_container_metadata(
            entry['id'])
        return dict(resp)

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'metadata': lambda h: _meta(h, 'x-container-meta-'),
            'storage_policy': lambda h: h.get('x-storage-policy')})

    def delete(self, ctx, entry):
        client = ctx.client('container_client')
        # a dedicated container: empty it of anything left behind
        _resp, listing = client.list_container_objects(
            entry['id'], params={'format': 'json'})
        for item in listing:
            base.ignore_not_found(ctx.client('object_client').delete_object,
                                  entry['id'], item['name'])
        client.delete_container(entry['id'])

    def find(self, ctx, name):
        found = base.ignore_not_found(
            ctx.client('container_client').list_container_metadata, name)
        return [name] if found else []

    def list_owned(self, ctx):
        _resp, body = ctx.client('account_client').list_account_containers(
            params={'format': 'json'})
        return [(c['name'], c['name']) for c in body]


class Object(base.ResourceType):
    name = 'object'
    services = ('swift',)
    requires = ('container',)

    def create(self, ctx, entry):
        container = ctx.parent('container', entry['index'])
        data = base.random_payload(ctx.settings.object_size)
        # intent first: the hashes are known before the upload
        ctx.state.record(self.name, entry['name'],
                         container=container['id'],
                         sha256=hashlib.sha256(data).hexdigest(),
                         md5=hashlib.md5(data).hexdigest())
        ctx.client('object_client').create_object(
            container['id'], entry['name'], data,
            metadata={'X-Object-Meta-Persistent': ctx.prefix})
        return {'id': entry['name'], 'container': container['id']}

    def _container(self, ctx, entry):
        if entry.get('container'):
            return entry['container']
        return ctx.parent('container', entry['index'])['id']

    def show(self, ctx, entry):
        resp, data = ctx.client('object_client').get_object(
            entry['container'], entry['id'])
        headers = dict(resp)
        headers['_sha256'] = hashlib.sha256(data or b'').hexdigest()
        return headers

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'size': lambda h: int(h.get('content-length', -1)),
            'etag': lambda h: (h.get('etag') or '').strip('"'),
            'content_type': lambda h: h.get('content-type'),
            'metadata': lambda h: _meta(h, 'x-object-meta-')})

    def checks(self, ctx, entry, body):
        """The downloaded bytes must hash to what was uploaded."""
        if body['_sha256'] != entry.get('sha256'):
            return [drift.Difference(self.name, entry['name'], 'sha256',
                                     entry.get('sha256'), body['_sha256'])]
        return []

    def delete(self, ctx, entry):
        ctx.client('object_client').delete_object(
            self._container(ctx, entry), entry['id'])

    def is_resource_deleted(self, ctx, entry):
        return ctx.client('object_client').is_resource_deleted(
            entry['id'], self._container(ctx, entry))

    def find(self, ctx, name):
        data = ctx.state.load()
        entry = data['resources'].get(self.name, {}).get(name, {})
        container = entry.get('container')
        if not container:
            return []
        found = base.ignore_not_found(
            ctx.client('object_client').list_object_metadata,
            container, name)
        return [name] if found else []


TYPES = (Container, Object)
