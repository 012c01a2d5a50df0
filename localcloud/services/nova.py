"""Nova: API under gunicorn, conductor, scheduler and a fake-driver compute.

The fake virt driver keeps servers as records: no guest OS, no console,
no ping or ssh.
"""

import shutil

from localcloud import config
from localcloud.services import base


def conf(cloud):
    return cloud.conf_dir('nova') / 'nova.conf'


def configure(cloud):
    data = cloud.data_dir('nova')
    etc = cloud.conf_dir('nova')
    # The WSGI app reads the first file of OS_NOVA_CONFIG_FILES as paste.
    venv = cloud.venv(cloud.project_venv('nova'))
    shutil.copy(venv / 'etc' / 'nova' / 'api-paste.ini',
                etc / 'api-paste.ini')
    client = base.keystone_client
    base.write_ini(conf(cloud), {
        'DEFAULT': {
            'debug': False, 'host': 'localcloud', 'my_ip': config.HOST,
            'transport_url': cloud.transport_url,
            # FakeDriverWithoutFakeNodes + the host's uptime, registered by
            # our launcher (localcloud_drivers.nova). Its node uuid is
            # stable (state_path/compute_id), unlike FakeDriver's
            # per-process one that makes a second start refuse to run.
            'compute_driver': 'localcloud_fake.FakeDriver',
            'state_path': data, 'instances_path': data / 'instances',
            'allow_resize_to_same_host': True,
            'vif_plugging_is_fatal': False, 'vif_plugging_timeout': 0,
            'use_rootwrap_daemon': False,
            'osapi_compute_workers': 1, 'metadata_workers': 1,
            'graceful_shutdown_timeout': 5,
        },
        'api': {'auth_strategy': 'keystone'},
        'wsgi': {'api_paste_config': etc / 'api-paste.ini'},
        'api_database': {'connection': cloud.db_url('nova_api')},
        'database': {'connection': cloud.db_url('nova')},
        'keystone_authtoken': base.authtoken(cloud, 'nova'),
        'placement': client(cloud, 'placement'),
        'neutron': dict(client(cloud, 'neutron'),
                        service_metadata_proxy=False),
        'glance': {'valid_interfaces': 'public', 'region_name': 'RegionOne'},
        'cinder': {'os_region_name': 'RegionOne',
                   'catalog_info': 'block-storage:cinder:publicURL'},
        # Neutron only lets a service (token with the service role) delete
        # a port bound to a server.
        'service_user': dict(client(cloud, 'nova'),
                             send_service_user_token=True),
        # Rolling upgrades: new control services cap the RPC version they
        # send to nova-compute at what the oldest running compute reports.
        'upgrade_levels': {'compute': 'auto'},
        'conductor': {'workers': 1},
        'scheduler': {'workers': 1,
                      'discover_hosts_in_cells_interval': 10},
        'oslo_messaging_notifications': {'driver': 'noop'},
        'oslo_concurrency': {'lock_path': data / 'lock'},
        'vnc': {'enabled': False},
        'spice': {'enabled': False},
        'serial_console': {'enabled': False},
    })


def manage_argv(cloud, venv):
    return [cloud.bin(venv, 'nova-manage'), '--config-file', str(conf(cloud))]


def manage(cloud, *args):
    return base.run(manage_argv(cloud, cloud.project_venv('nova'))
                    + list(args), 'nova-manage ' + ' '.join(args[:2]))


def prepare(cloud):
    def cells():
        manage(cloud, 'api_db', 'sync')
        manage(cloud, 'cell_v2', 'map_cell0', '--database_connection',
               cloud.db_url('nova_cell0'))
        if 'cell1' not in manage(cloud, 'cell_v2', 'list_cells'):
            manage(cloud, 'cell_v2', 'create_cell', '--name', 'cell1',
                   '--transport-url', cloud.transport_url,
                   '--database_connection', cloud.db_url('nova'))
        manage(cloud, 'db', 'sync')
    return base.once(cloud, 'nova', 'cells', cells)


def _worker(binary):
    return lambda c: [c.bin(c.service_venv(binary, 'nova'), binary),
                      '--config-file', str(conf(c))]


SERVICES = [
    base.Service(
        'nova-api', 'api',
        lambda c, port: base.gunicorn(
            c, c.service_venv('nova-api', 'nova'), 'nova', port),
        balanced=True,
        env=lambda c: {'OS_NOVA_CONFIG_DIR': str(c.conf_dir('nova')),
                       'OS_NOVA_CONFIG_FILES': 'api-paste.ini;nova.conf'},
        port='nova-api', aliases=('nova', 'compute'), probe='/v2.1/flavors'),
    base.Service('nova-conductor', 'worker', _worker('nova-conductor'),
                 probe_via='nova-api'),
    base.Service('nova-scheduler', 'worker', _worker('nova-scheduler'),
                 probe_via='nova-api'),
    base.Service('nova-compute', 'worker',
                 lambda c: [c.bin(c.service_venv('nova-compute', 'nova'),
                                  'python'), '-m',
                            'localcloud_drivers.nova', '--config-file',
                            str(conf(c))],
                 probe_via='nova-api'),
]
