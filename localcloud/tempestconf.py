"""A ready tempest workspace: $LOCALCLOUD_HOME/workspace/etc/tempest.conf.

Flags match what really runs: the fake hypervisor has no guest (no
validation, snapshots, consoles), cinder runs the fake backend, neutron's
extensions are read from the API.  `[upgrade]` is left to its defaults,
but for ``uptime_haproxy_socket`` when the APIs run two backends or more
(``up --backends``): the uptime probes then also probe each backend.
"""

import configparser

from localcloud.services import base
from localcloud.services import haproxy


def write(cloud, res, extensions):
    ws = cloud.workspace
    for sub in ('etc', 'logs', 'tempest_lock'):
        (ws / sub).mkdir(parents=True, exist_ok=True)
    # An empty stestr repository (what `stestr init` writes), so `tempest
    # run -l` works here too; `tempest run` writes .stestr.conf itself.
    repo = ws / '.stestr'
    if not repo.exists():
        repo.mkdir()
        (repo / 'format').write_text('1\n')
        (repo / 'next-stream').write_text('0\n')
    conf = ws / 'etc' / 'tempest.conf'
    base.write_ini(conf, {
        'DEFAULT': {'log_dir': ws / 'logs', 'log_file': 'tempest.log'},
        'oslo_concurrency': {'lock_path': ws / 'tempest_lock'},
        'auth': {'admin_username': 'admin',
                 'admin_password': cloud.secret('admin'),
                 'admin_project_name': 'admin',
                 'admin_domain_name': 'Default',
                 'use_dynamic_credentials': True,
                 'create_isolated_networks': True},
        'identity': {'uri_v3': cloud.auth_url, 'auth_version': 'v3',
                     'region': 'RegionOne', 'v3_endpoint_type': 'public'},
        'identity-feature-enabled': {'application_credentials': True,
                                     'access_rules': True,
                                     'project_tags': True},
        'compute': {'image_ref': res['image_ref'],
                    'image_ref_alt': res['image_ref'],
                    'flavor_ref': res['flavor_ref'],
                    'flavor_ref_alt': res['flavor_ref_alt'],
                    'region': 'RegionOne', 'min_microversion': '2.1',
                    'max_microversion': 'latest', 'build_timeout': 180},
        'compute-feature-enabled': {
            'snapshot': False, 'console_output': False,
            'resize': True, 'cold_migration': False,
            'live_migration': False, 'vnc_console': False,
            'spice_console': False, 'serial_console': False,
            'rescue': True, 'change_password': False,
            'interface_attach': True, 'shelve': False, 'suspend': True,
            'pause': True, 'config_drive': False, 'personality': False,
            'attach_encrypted_volume': False, 'volume_multiattach': False,
            'block_migration_for_live_migration': False},
        'network': {'public_network_id': res['public_network_id'],
                    'floating_network_name': 'public',
                    'region': 'RegionOne'},
        'network-feature-enabled': {'api_extensions': ','.join(extensions),
                                    'ipv6': True,
                                    'ipv6_subnet_attributes': True,
                                    'port_security': True,
                                    'floating_ips': True},
        'validation': {'run_validation': False},
        'image': {'region': 'RegionOne'},
        'image-feature-enabled': {'import_image': False},
        'volume': {'catalog_type': 'block-storage', 'region': 'RegionOne',
                   'backend_names': 'fake', 'storage_protocol': 'fake',
                   'min_microversion': '3.0', 'max_microversion': 'latest',
                   'volume_size': 1, 'build_timeout': 120},
        'volume-feature-enabled': {'backup': False, 'multi_backend': False,
                                   'snapshot': True, 'clone': True,
                                   'manage_snapshot': False,
                                   'manage_volume': False,
                                   'extend_attached_volume': False},
        'object-storage': {'region': 'RegionOne',
                           'operator_role': 'member',
                           'reseller_admin_role': 'ResellerAdmin'},
        'object-storage-feature-enabled': {'discoverability': True,
                                           'container_sync': False},
        'placement': {'region': 'RegionOne'},
        'service_available': {
            'keystone': True, 'nova': True, 'neutron': True,
            'glance': True, 'cinder': True, 'swift': True,
            'placement': True, 'heat': False, 'horizon': False,
            'ironic': False, 'octavia': False, 'designate': False,
            'manila': False, 'barbican': False},
        'upgrade': upgrade_options(cloud),
    })
    return conf


def update_upgrade(cloud):
    """Rewrite ``[upgrade]`` of an existing tempest.conf (after ``up
    --backends`` changed the number of backends)."""
    conf = cloud.workspace / 'etc' / 'tempest.conf'
    if not conf.exists():
        return
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf)
    parser.remove_section('upgrade')
    parser['upgrade'] = {k: str(v) for k, v in
                         upgrade_options(cloud).items()}
    with open(conf, 'w') as f:
        parser.write(f)


def upgrade_options(cloud):
    """``[upgrade]``: haproxy's stats socket when there are backends to
    tell apart (each one adds two probe series per API)."""
    if cloud.backends < 2:
        return {}
    return {'uptime_haproxy_socket': haproxy.socket_path(cloud)}


def write_openrc(cloud, project_id):
    """admin-openrc and clouds.yaml next to the workspace."""
    pw = cloud.secret('admin')
    (cloud.home / 'admin-openrc').write_text('\n'.join([
        'export OS_AUTH_URL=%s' % cloud.auth_url,
        'export OS_IDENTITY_API_VERSION=3',
        'export OS_USERNAME=admin', 'export OS_PASSWORD=%s' % pw,
        'export OS_PROJECT_NAME=admin', 'export OS_USER_DOMAIN_ID=default',
        'export OS_PROJECT_DOMAIN_ID=default',
        'export OS_REGION_NAME=RegionOne', '']))
    (cloud.home / 'clouds.yaml').write_text('\n'.join([
        'clouds:', '  localcloud:', '    region_name: RegionOne',
        '    auth:', '      auth_url: %s' % cloud.auth_url,
        '      username: admin', '      password: %s' % pw,
        '      project_name: admin', '      user_domain_id: default',
        '      project_domain_id: default', '']))
