"""Catalog, service users and the starter resources, all idempotent."""

import time

from localcloud import api
from localcloud.services import base
from localcloud.services import nova

SERVICE_USERS = ('placement', 'nova', 'neutron', 'glance', 'cinder', 'swift')
ROLES = ('admin', 'member', 'reader', 'service', 'ResellerAdmin')
# type: (name, port, path)
CATALOG = {
    'identity': ('keystone', 'keystone', '/v3'),
    'placement': ('placement', 'placement', ''),
    'compute': ('nova', 'nova-api', '/v2.1'),
    'network': ('neutron', 'neutron-server', ''),
    'image': ('glance', 'glance-api', ''),
    'block-storage': ('cinder', 'cinder-api', '/v3/%(project_id)s'),
    'object-store': ('swift', 'swift-proxy', '/v1/AUTH_%(project_id)s'),
}
FLAVORS = (('42', 'localcloud.tiny', 128), ('84', 'localcloud.small', 256))
IMAGE_NAME = 'localcloud-tiny'


def _one(items, **match):
    for item in items:
        if all(item.get(k) == v for k, v in match.items()):
            return item
    return None


def identity(cloud):
    """Roles, the service project and users, catalog endpoints."""
    s = api.Session(cloud)
    roles = s.get('keystone', '/v3/roles')['roles']
    role_ids = {}
    for name in ROLES:
        role = _one(roles, name=name) or s.post(
            'keystone', '/v3/roles', {'role': {'name': name}})['role']
        role_ids[name] = role['id']
    projects = s.get('keystone', '/v3/projects?name=service')['projects']
    project = projects[0] if projects else s.post(
        'keystone', '/v3/projects', {'project': {
            'name': 'service', 'domain_id': 'default'}})['project']
    users = s.get('keystone', '/v3/users')['users']
    for name in SERVICE_USERS:
        user = _one(users, name=name)
        if user is None:
            user = s.post('keystone', '/v3/users', {'user': {
                'name': name, 'domain_id': 'default',
                'password': cloud.secret('service')}})['user']
        for role in ('admin', 'service'):
            s.call('PUT', 'keystone', '/v3/projects/%s/users/%s/roles/%s' % (
                project['id'], user['id'], role_ids[role]))
    services = s.get('keystone', '/v3/services')['services']
    endpoints = s.get('keystone', '/v3/endpoints')['endpoints']
    for stype, (name, port, path) in CATALOG.items():
        svc = _one(services, type=stype) or s.post(
            'keystone', '/v3/services', {'service': {
                'type': stype, 'name': name}})['service']
        url = cloud.url(port, path)
        for iface in ('public', 'internal', 'admin'):
            ep = _one(endpoints, service_id=svc['id'], interface=iface)
            if ep is None:
                s.post('keystone', '/v3/endpoints', {'endpoint': {
                    'service_id': svc['id'], 'interface': iface,
                    'url': url, 'region_id': 'RegionOne'}})
            elif ep['url'] != url:
                s.call('PATCH', 'keystone', '/v3/endpoints/' + ep['id'],
                       {'endpoint': {'url': url}})


def resources(cloud):
    """Flavors, networks, subnet pool and a tiny image; returns their ids."""
    s = api.Session(cloud)
    out = {'admin_project_id': s.project_id}
    flavors = s.get('nova-api', '/v2.1/flavors')['flavors']
    for fid, name, ram in FLAVORS:
        if not _one(flavors, id=fid):
            s.post('nova-api', '/v2.1/flavors', {'flavor': {
                'id': fid, 'name': name, 'ram': ram, 'vcpus': 1,
                'disk': 1}})
    out['flavor_ref'], out['flavor_ref_alt'] = FLAVORS[0][0], FLAVORS[1][0]
    out['public_network_id'] = _network(s, 'public', {
        'router:external': True, 'provider:network_type': 'flat',
        'provider:physical_network': 'public'}, '192.0.2.0/24')
    out['network_id'] = _network(s, 'private', {'shared': True},
                                 '10.0.0.0/24')
    pools = s.get('neutron-server', '/v2.0/subnetpools')['subnetpools']
    if not _one(pools, name='default-pool'):
        s.post('neutron-server', '/v2.0/subnetpools', {'subnetpool': {
            'name': 'default-pool', 'prefixes': ['198.51.100.0/24'],
            'default_prefixlen': 28, 'is_default': True, 'shared': True}})
    out['image_ref'] = _image(s)
    return out


def _network(s, name, attrs, cidr):
    nets = s.get('neutron-server', '/v2.0/networks?name=' + name)['networks']
    if nets:
        return nets[0]['id']
    body = dict(attrs, name=name)
    net = s.post('neutron-server', '/v2.0/networks', {'network': body})
    net_id = net['network']['id']
    s.post('neutron-server', '/v2.0/subnets', {'subnet': {
        'network_id': net_id, 'name': name + '-subnet', 'ip_version': 4,
        'cidr': cidr, 'enable_dhcp': False}})
    return net_id


def _image(s):
    images = s.get('glance-api', '/v2/images?name=' + IMAGE_NAME)['images']
    active = [i for i in images if i['status'] == 'active']
    if active:
        return active[0]['id']
    image = s.post('glance-api', '/v2/images', {
        'name': IMAGE_NAME, 'disk_format': 'raw',
        'container_format': 'bare', 'visibility': 'public'})
    s.call('PUT', 'glance-api', '/v2/images/%s/file' % image['id'],
           raw=b'localcloud tiny image\n' * 48)
    return image['id']


def discover_compute(cloud, timeout=120):
    """Wait for nova-compute's resource provider, then map the host."""
    s = api.Session(cloud)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rps = s.call('GET', 'placement', '/resource_providers',
                     headers={'OpenStack-API-Version': 'placement 1.14'})
        if rps['resource_providers']:
            break
        time.sleep(1)
    else:
        raise RuntimeError('nova-compute never registered in placement '
                           '(see logs/nova-compute.log)')
    base.once(cloud, 'nova', 'discover-hosts', lambda: nova.manage(
        cloud, 'cell_v2', 'discover_hosts'))


def api_extensions(cloud):
    s = api.Session(cloud)
    exts = s.get('neutron-server', '/v2.0/extensions')['extensions']
    return sorted(e['alias'] for e in exts)
