"""Persistent nova resources: key pairs and servers."""

from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import drift
from upgrade_tempest_plugin.persistent import network

MAC = 'OS-EXT-IPS-MAC:mac_addr'


class Keypair(base.ResourceType):
    name = 'keypair'
    services = ('nova',)

    def create(self, ctx, entry):
        ctx.client('keypairs_client').create_keypair(name=entry['name'])
        return {'id': entry['name']}

    def show(self, ctx, entry):
        return ctx.client('keypairs_client').show_keypair(
            entry['id'])['keypair']

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {'fingerprint': 'fingerprint',
                                 'public_key': 'public_key'})

    def delete(self, ctx, entry):
        ctx.client('keypairs_client').delete_keypair(entry['id'])

    def find(self, ctx, name):
        found = base.ignore_not_found(
            ctx.client('keypairs_client').show_keypair, name)
        return [name] if found else []

    def list_owned(self, ctx):
        body = ctx.client('keypairs_client').list_keypairs()
        return [(k['keypair']['name'], k['keypair']['name'])
                for k in body['keypairs']]


def _flavor(body):
    flavor = body.get('flavor') or {}
    return flavor.get('id') or flavor.get('original_name')


def _image(body):
    image = body.get('image')
    return image.get('id') if isinstance(image, dict) else image


def _addresses(body):
    return {net: [{'addr': a.get('addr'), 'mac': a.get(MAC)}
                  for a in addrs]
            for net, addrs in (body.get('addresses') or {}).items()}


def _security_groups(body):
    return sorted(set(g.get('name') for g in
                      body.get('security_groups') or []))


class Server(base.ResourceType):
    name = 'server'
    services = ('nova', 'neutron', 'glance')
    requires = ('keypair', 'security_group', 'network', 'subnet')
    steady = ('ACTIVE',)
    transitional = ('BUILD', 'REBUILD', 'REBOOT', 'HARD_REBOOT',
                    'MIGRATING', 'RESIZE', 'PASSWORD')

    def create(self, ctx, entry):
        index = entry['index']
        keypair = ctx.parent('keypair', index, required=False)
        group = ctx.parent('security_group', index, required=False)
        network = ctx.parent('network', index)
        kwargs = {'networks': [{'uuid': network['id']}]}
        if keypair:
            kwargs['key_name'] = keypair['id']
        if group:
            kwargs['security_groups'] = [{'name': group['name']}]
        body = ctx.client('servers_client').create_server(
            name=entry['name'], imageRef=ctx.settings.image_ref,
            flavorRef=ctx.settings.flavor_ref,
            metadata={'persistent': ctx.prefix}, **kwargs)
        return {'id': body['server']['id'], 'network': network['name']}

    def show(self, ctx, entry):
        return ctx.client('servers_client').show_server(
            entry['id'])['server']

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'status': 'status', 'flavor': _flavor, 'image': _image,
            'key_name': 'key_name', 'metadata': 'metadata',
            'security_groups': _security_groups, 'addresses': _addresses})

    def checks(self, ctx, entry, body):
        """Neutron must see the ports nova reports, with the same IPs."""
        nova = drift.normalise(
            [{'mac': a['mac'], 'addr': a['addr']}
             for addrs in _addresses(body).values() for a in addrs])
        ports = ctx.client('ports_client').list_ports(
            device_id=entry['id'])['ports']
        neutron = drift.normalise(
            [{'mac': p['mac_address'], 'addr': ip['ip_address']}
             for p in ports for ip in p.get('fixed_ips', [])])
        if nova != neutron:
            return [drift.Difference(self.name, entry['name'],
                                     'neutron_ports', nova, neutron)]
        return []

    def delete(self, ctx, entry):
        ctx.client('servers_client').delete_server(entry['id'])

    def delete_one(self, ctx, entry):
        super(Server, self).delete_one(ctx, entry)
        if entry.get('id'):
            network.delete_orphan_ports(ctx, device_id=entry['id'])

    def find(self, ctx, name):
        body = ctx.client('servers_client').list_servers(name='^%s$' % name)
        return [s['id'] for s in body['servers']]

    def list_owned(self, ctx):
        body = ctx.client('servers_client').list_servers()
        return [(s['id'], s.get('name')) for s in body['servers']]


TYPES = (Keypair, Server)
