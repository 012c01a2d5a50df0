"""Persistent neutron resources: security groups, networks, subnets,
routers and ports."""

from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import drift

RULES = (
    {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
     'port_range_min': 22, 'port_range_max': 22,
     'remote_ip_prefix': '0.0.0.0/0'},
    {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'icmp',
     'remote_ip_prefix': '0.0.0.0/0'},
)
RULE_FIELDS = ('direction', 'ethertype', 'protocol', 'port_range_min',
               'port_range_max', 'remote_ip_prefix', 'remote_group_id')


def cidr(index):
    """Return the /24 of persistent subnet ``index`` (10.100.0.0 up)."""
    return '10.%d.%d.0/24' % (100 + index // 256 % 156, index % 256)


def _rules(body):
    return [{f: r.get(f) for f in RULE_FIELDS}
            for r in body.get('security_group_rules', [])]


def _fixed_ips(body):
    return [{'subnet_id': ip.get('subnet_id'),
             'ip_address': ip.get('ip_address')}
            for ip in body.get('fixed_ips', [])]


def delete_orphan_ports(ctx, **filters):
    """Delete the ports nova left behind for servers that are gone.

    A server deleted while its compute service was down (or restarting)
    can leave its ports, which then hold IPs of our subnets. Neutron lets
    only an admin delete a port bound to compute: ``ctx.admin`` if set.
    """
    ports = ctx.client('ports_client').list_ports(**filters)['ports']
    orphans = [p for p in ports
               if (p.get('device_owner') or '').startswith('compute:')]
    if not orphans:
        return 0
    servers = ctx.client('servers_client').list_servers()['servers']
    alive = {s['id'] for s in servers}
    count = 0
    for port in orphans:
        if port.get('device_id') not in alive:
            base.ignore_not_found(
                ctx.admin_client('ports_client').delete_port, port['id'])
            count += 1
    return count


class _Neutron(base.ResourceType):
    services = ('neutron',)
    client_name = None     # e.g. 'networks_client'
    kind = None            # e.g. 'network' (body key, method suffix)
    create_args = {}

    def _client(self, ctx):
        return ctx.client(self.client_name)

    def show(self, ctx, entry):
        call = getattr(self._client(ctx), 'show_' + self.kind)
        return call(entry['id'])[self.kind]

    def delete(self, ctx, entry):
        getattr(self._client(ctx), 'delete_' + self.kind)(entry['id'])

    def _list(self, ctx, **filters):
        call = getattr(self._client(ctx), 'list_%ss' % self.kind)
        return call(**filters)['%ss' % self.kind]

    def find(self, ctx, name):
        return [item['id'] for item in self._list(ctx, name=name)]

    def list_owned(self, ctx):
        return [(item['id'], item.get('name'))
                for item in self._list(ctx, project_id=ctx.project_id)]


class SecurityGroup(_Neutron):
    name = 'security_group'
    client_name = 'security_groups_client'
    kind = 'security_group'

    def create(self, ctx, entry):
        body = self._client(ctx).create_security_group(
            name=entry['name'], description='upgrade persistent resource')
        return {'id': body['security_group']['id']}

    def finish(self, ctx, entry):
        rules = ctx.client('security_group_rules_client')
        have = _rules(self.show(ctx, entry))
        for rule in RULES:
            full = {f: rule.get(f) for f in RULE_FIELDS}
            if full not in have:
                rules.create_security_group_rule(
                    security_group_id=entry['id'], **rule)

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {'description': 'description',
                                 'rules': _rules})

    def list_owned(self, ctx):
        # neutron makes a "default" group in every project by itself
        return [(i, n) for i, n in super(SecurityGroup, self).list_owned(ctx)
                if n != 'default']


class Network(_Neutron):
    name = 'network'
    client_name = 'networks_client'
    kind = 'network'
    steady = ('ACTIVE',)
    transitional = ('BUILD',)

    def create(self, ctx, entry):
        body = self._client(ctx).create_network(name=entry['name'])
        return {'id': body['network']['id']}

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'status': 'status', 'admin_state_up': 'admin_state_up',
            'shared': 'shared', 'mtu': 'mtu',
            'router:external': 'router:external',
            'port_security_enabled': 'port_security_enabled'})


class Subnet(_Neutron):
    name = 'subnet'
    requires = ('network',)
    client_name = 'subnets_client'
    kind = 'subnet'

    def create(self, ctx, entry):
        network = ctx.parent('network', entry['index'])
        body = self._client(ctx).create_subnet(
            name=entry['name'], network_id=network['id'], ip_version=4,
            cidr=cidr(entry['index']))
        return {'id': body['subnet']['id'], 'network': network['name']}

    def delete(self, ctx, entry):
        subnet = self.show(ctx, entry)
        delete_orphan_ports(ctx, network_id=subnet['network_id'])
        self._client(ctx).delete_subnet(entry['id'])

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'network_id': 'network_id', 'cidr': 'cidr',
            'gateway_ip': 'gateway_ip', 'ip_version': 'ip_version',
            'allocation_pools': 'allocation_pools',
            'enable_dhcp': 'enable_dhcp',
            'dns_nameservers': 'dns_nameservers',
            'host_routes': 'host_routes'})


class Router(_Neutron):
    name = 'router'
    requires = ('subnet',)
    client_name = 'routers_client'
    kind = 'router'
    steady = ('ACTIVE',)
    transitional = ('BUILD',)

    def create(self, ctx, entry):
        body = self._client(ctx).create_router(name=entry['name'])
        subnets = ctx.entries('subnet')
        index = entry['index']
        # one router per subnet: a subnet's gateway can serve one router
        subnet = subnets[index]['id'] if index < len(subnets) else None
        return {'id': body['router']['id'], 'subnet_id': subnet}

    def _interfaces(self, ctx, router_id):
        return ctx.client('ports_client').list_ports(
            device_id=router_id,
            device_owner='network:router_interface')['ports']

    def finish(self, ctx, entry):
        subnet = entry.get('subnet_id')
        if subnet and not self._interfaces(ctx, entry['id']):
            self._client(ctx).add_router_interface(entry['id'],
                                                   subnet_id=subnet)

    def snapshot(self, ctx, entry, body):
        snap = drift.pick(body, {
            'status': 'status', 'admin_state_up': 'admin_state_up',
            'external_gateway_info': 'external_gateway_info'})
        ports = self._interfaces(ctx, entry['id'])
        snap['interfaces'] = drift.normalise(
            [ip for port in ports for ip in _fixed_ips(port)])
        return snap

    def delete(self, ctx, entry):
        for port in self._interfaces(ctx, entry['id']):
            base.ignore_not_found(self._client(ctx).remove_router_interface,
                                  entry['id'], port_id=port['id'])
        self._client(ctx).delete_router(entry['id'])


class Port(_Neutron):
    name = 'port'
    requires = ('network', 'subnet')
    client_name = 'ports_client'
    kind = 'port'
    # an unbound port is DOWN for good; both are steady
    steady = ('DOWN', 'ACTIVE')
    transitional = ('BUILD',)

    def create(self, ctx, entry):
        network = ctx.parent('network', entry['index'])
        body = self._client(ctx).create_port(name=entry['name'],
                                             network_id=network['id'])
        return {'id': body['port']['id'], 'network': network['name']}

    def snapshot(self, ctx, entry, body):
        return drift.pick(body, {
            'network_id': 'network_id', 'mac_address': 'mac_address',
            'fixed_ips': _fixed_ips, 'admin_state_up': 'admin_state_up',
            'device_id': 'device_id', 'device_owner': 'device_owner',
            'security_groups': 'security_groups'})


TYPES = (SecurityGroup, Network, Subnet, Router, Port)
