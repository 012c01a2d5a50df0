"""Swift: proxy (keystone auth) + account/container/object servers, one
replica on one plain directory, each server one process (workers = 0).

Every server's `swift_dir` points at our etc/swift, where swift also reads
swift.conf (nothing is written to /etc/swift).
"""

import shutil
import urllib.request

from localcloud import config
from localcloud.services import base

SERVERS = {'account': 'swift-account', 'container': 'swift-container',
           'object': 'swift-object'}
# The storage servers refuse a write that would leave less than this share
# of their disk free (swift's ``fallocate_reserve``, default 1 %): HTTP
# 507, which the proxy turns into 503 for the user. Seen 2026-11-30: 1.8
# GB free of 252 GB, every container PUT of tempest's smoke tests 503.
FALLOCATE_RESERVE = 0.01


def disk_warning(cloud, usage=None):
    """One line when swift's disk has less free than swift's reserve (its
    writes then fail), else None; ``usage`` as ``shutil.disk_usage``."""
    usage = usage or shutil.disk_usage(str(cloud.home))  # holds _devices
    reserve = usage.total * FALLOCATE_RESERVE
    if usage.free >= reserve:
        return None
    return ('warning: %.1f GB free on the disk of %s, less than swift '
            'keeps in reserve (1 %% of %.0f GB = %.1f GB): swift refuses '
            'writes (HTTP 507, 503 through the proxy) until space is freed'
            % (usage.free / 1e9, _devices(cloud), usage.total / 1e9,
               reserve / 1e9))


def _etc(cloud):
    return cloud.conf_dir('swift')


def _devices(cloud):
    return cloud.data_dir('swift')


def configure(cloud):
    base.write_ini(_etc(cloud) / 'swift.conf', {
        'swift-hash': {'swift_hash_path_suffix': 'localcloud',
                       'swift_hash_path_prefix': 'localcloud'},
        'storage-policy:0': {'name': 'Policy-0', 'default': 'yes'},
    })
    (_devices(cloud) / 'd1').mkdir(exist_ok=True)
    for server, port_name in SERVERS.items():
        base.write_ini(_etc(cloud) / ('%s-server.conf' % server), {
            'DEFAULT': {'bind_ip': config.HOST,
                        'bind_port': cloud.ports[port_name],
                        'workers': 0, 'mount_check': False,
                        'devices': _devices(cloud),
                        'swift_dir': _etc(cloud), 'log_level': 'WARNING'},
            'pipeline:main': {'pipeline': 'healthcheck %s-server' % server},
            'app:%s-server' % server: {'use': 'egg:swift#%s' % server},
            'filter:healthcheck': {'use': 'egg:swift#healthcheck'},
            '%s-replicator' % server: {}, '%s-updater' % server: {},
            '%s-auditor' % server: {},
        })
    auth = base.authtoken(cloud, 'swift')
    auth.update({'paste.filter_factory':
                 'keystonemiddleware.auth_token:filter_factory',
                 'delay_auth_decision': True})
    del auth['service_token_roles_required']
    middlewares = ('catch_errors gatekeeper healthcheck proxy-logging '
                   'listing_formats bulk tempurl formpost '
                   'authtoken keystoneauth staticweb copy container-quotas '
                   'account-quotas slo dlo versioned_writes symlink '
                   'proxy-logging').split()
    sections = {
        'DEFAULT': {'bind_ip': config.HOST,
                    'workers': 0,
                    'swift_dir': _etc(cloud), 'log_level': 'WARNING'},
        'pipeline:main': {'pipeline': ' '.join(middlewares +
                                               ['proxy-server'])},
        'app:proxy-server': {
            'use': 'egg:swift#proxy', 'account_autocreate': True,
            'allow_account_management': True,
            # Without this the proxy shuns a restarted backend for 60 s.
            'error_suppression_interval': 1,
            'node_timeout': 10, 'conn_timeout': 1},
        'filter:authtoken': auth,
        'filter:keystoneauth': {
            'use': 'egg:swift#keystoneauth',
            'operator_roles': 'admin, member',
            'reseller_admin_role': 'ResellerAdmin'},
    }
    for name in set(middlewares) - {'authtoken', 'keystoneauth'}:
        egg = name.replace('-', '_')
        sections['filter:%s' % name] = {'use': 'egg:swift#%s' % egg}
    # One file per backend: the proxy reads its port from its config.
    for index in range(1, config.MAX_BACKENDS + 1):
        port_name = config.backend_name('swift-proxy', index)
        sections['DEFAULT']['bind_port'] = cloud.ports[port_name]
        base.write_ini(_proxy_conf(cloud, port_name), sections)


def _proxy_conf(cloud, port_name):
    return _etc(cloud) / ('proxy-server-%s.conf' % port_name)


def prepare(cloud):
    def rings():
        builder = cloud.bin(cloud.project_venv('swift'), 'swift-ring-builder')
        for server, port_name in SERVERS.items():
            path = _etc(cloud) / ('%s.builder' % server)
            base.run([builder, path, 'create', 8, 1, 1])
            base.run([builder, path, 'add', 'r1z1-%s:%d/d1' % (
                config.HOST, cloud.ports[port_name]), 1])
            base.run([builder, path, 'rebalance'])
    return base.once(cloud, 'swift', 'rings', rings)


def _server(kind, name):
    return lambda c: [c.bin(c.service_venv(name, 'swift'),
                            'swift-%s-server' % kind),
                      str(_etc(c) / ('%s-server.conf' % kind))]


def _healthy(port_name):
    def check(cloud):
        try:
            urllib.request.urlopen(cloud.url(port_name, '/healthcheck'),
                                   timeout=2).close()
            return True
        except OSError:
            return False
    return check


SERVICES = [
    base.Service(name, 'storage', _server(server, name), port=name,
                 ready=_healthy(name), probe_via='swift-proxy')
    for server, name in SERVERS.items()
] + [
    base.Service('swift-proxy', 'api',
                 lambda c, port: [
                     c.bin(c.service_venv('swift-proxy', 'swift'),
                           'swift-proxy-server'), str(_proxy_conf(c, port))],
                 port='swift-proxy', balanced=True, health='/healthcheck',
                 aliases=('swift', 'object-store', 'swift-proxy-server'),
                 probe='/v1/AUTH_{project_id}'),
]
