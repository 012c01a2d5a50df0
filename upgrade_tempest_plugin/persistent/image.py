"""Persistent glance images with a small random payload."""

import io

from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import drift


class Image(base.ResourceType):
    name = 'image'
    services = ('glance',)
    steady = ('active',)
    transitional = ('queued', 'saving', 'importing', 'uploading')

    def _client(self, ctx):
        return ctx.client('image_client_v2')

    def create(self, ctx, entry):
        body = self._client(ctx).create_image(
            name=entry['name'], container_format='bare', disk_format='raw',
            visibility='private', persistent=ctx.prefix)
        return {'id': body['id']}

    def finish(self, ctx, entry):
        if self.show(ctx, entry)['status'] == 'queued':
            self._client(ctx).store_image_file(
                entry['id'],
                io.BytesIO(base.random_payload(ctx.settings.object_size)))

    def show(self, ctx, entry):
        return self._client(ctx).show_image(entry['id'])

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'status': 'status', 'checksum': 'checksum',
            'os_hash_algo': 'os_hash_algo', 'os_hash_value': 'os_hash_value',
            'size': 'size', 'disk_format': 'disk_format',
            'container_format': 'container_format',
            'visibility': 'visibility', 'min_disk': 'min_disk',
            'min_ram': 'min_ram', 'protected': 'protected',
            'persistent': 'persistent'})

    def delete(self, ctx, entry):
        self._client(ctx).delete_image(entry['id'])

    def is_resource_deleted(self, ctx, entry):
        return self._client(ctx).is_resource_deleted(entry['id'])

    def find(self, ctx, name):
        body = self._client(ctx).list_images(params={'name': name})
        return [i['id'] for i in body['images']]

    def list_owned(self, ctx):
        body = self._client(ctx).list_images(
            params={'owner': ctx.project_id})
        return [(i['id'], i.get('name')) for i in body['images']]


TYPES = (Image,)
