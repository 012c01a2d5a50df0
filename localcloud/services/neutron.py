"""Neutron API (ML2, router plugin) under gunicorn; no agents.

Ports are bound by our own mechanism driver (localcloud/drivers).
"""

from localcloud.services import base


def _files(cloud):
    etc = cloud.conf_dir('neutron')
    return etc / 'neutron.conf', etc / 'ml2_conf.ini'


def configure(cloud):
    data = cloud.data_dir('neutron')
    neutron_conf, ml2_conf = _files(cloud)
    base.write_ini(neutron_conf, {
        'DEFAULT': {
            'debug': False, 'host': 'localcloud',
            'core_plugin': 'ml2', 'service_plugins': 'router',
            'transport_url': cloud.transport_url,
            'auth_strategy': 'keystone', 'allow_overlapping_ips': True,
            'api_workers': 1, 'rpc_workers': 0,
            'rpc_state_report_workers': 0,
            'notify_nova_on_port_status_changes': False,
            'notify_nova_on_port_data_changes': False,
            'state_path': data,
            'api_paste_config':
                cloud.venv(cloud.project_venv('neutron')) / 'etc' / 'neutron' /
                'api-paste.ini',
        },
        'database': {'connection': cloud.db_url('neutron')},
        'keystone_authtoken': base.authtoken(cloud, 'neutron'),
        'nova': base.keystone_client(cloud, 'nova'),
        'oslo_concurrency': {'lock_path': data / 'lock'},
        'oslo_messaging_notifications': {'driver': 'noop'},
    })
    base.write_ini(ml2_conf, {
        'ml2': {'type_drivers': 'flat,vlan,vxlan',
                'tenant_network_types': 'vxlan',
                'mechanism_drivers': 'localcloud_bind',
                'extension_drivers': 'port_security'},
        'ml2_type_flat': {'flat_networks': 'public'},
        'ml2_type_vxlan': {'vni_ranges': '1:10000'},
        'securitygroup': {'firewall_driver': 'noop'},
    })


def manage_argv(cloud, venv):
    neutron_conf, ml2_conf = _files(cloud)
    return [cloud.bin(venv, 'neutron-db-manage'), '--config-file',
            str(neutron_conf), '--config-file', str(ml2_conf)]


def prepare(cloud):
    return base.once(cloud, 'neutron', 'db-upgrade', lambda: base.run(
        manage_argv(cloud, cloud.project_venv('neutron'))
        + ['upgrade', 'heads']))


SERVICES = [
    base.Service(
        'neutron-server', 'api',
        lambda c, port: base.gunicorn(
            c, c.service_venv('neutron-server', 'neutron'), 'neutron', port),
        balanced=True,
        env=lambda c: {'OS_NEUTRON_CONFIG_DIR': str(c.conf_dir('neutron')),
                       'OS_NEUTRON_CONFIG_FILES':
                           'neutron.conf;ml2_conf.ini'},
        port='neutron-server', aliases=('neutron', 'network', 'neutron-api'),
        probe='/v2.0/networks'),
]
