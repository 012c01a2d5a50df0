"""Cinder: API under gunicorn, scheduler and volume with the fake driver
shipped in the cinder wheel (create, extend, snapshot, delete; no data),
through our subclass that also accepts images (localcloud/drivers).

Cinder hard-codes `sudo cinder-rootwrap`; we are root and Debian's image
has no sudo, so a `sudo` that just execs its arguments goes on PATH.
"""

import os

from localcloud import config
from localcloud.services import base


def conf(cloud):
    return cloud.conf_dir('cinder') / 'cinder.conf'


def _bin_dir(cloud):
    path = cloud.data_dir('cinder') / 'bin'
    path.mkdir(exist_ok=True)
    return path


def configure(cloud):
    data = cloud.data_dir('cinder')
    venv = cloud.venv(cloud.project_venv('cinder'))
    venv_etc = venv / 'etc'
    etc = cloud.conf_dir('cinder')
    sudo = _bin_dir(cloud) / 'sudo'
    sudo.write_text('#!/bin/sh\n# localcloud: we are root already\n'
                    'exec "$@"\n')
    sudo.chmod(0o755)
    base.write_ini(etc / 'rootwrap.conf', {'DEFAULT': {
        'filters_path': '%s,%s' % (venv_etc / 'cinder' / 'rootwrap.d',
                                   venv_etc / 'os-brick' / 'rootwrap.d'),
        'exec_dirs': '%s,/usr/sbin,/usr/bin,/sbin,/bin' % (venv / 'bin'),
        'use_syslog': False,
    }})
    base.write_ini(conf(cloud), {
        'DEFAULT': {
            'debug': False, 'host': 'localcloud', 'my_ip': config.HOST,
            'transport_url': cloud.transport_url,
            'auth_strategy': 'keystone', 'state_path': data,
            'enabled_backends': 'fake', 'osapi_volume_workers': 1,
            'api_paste_config': venv_etc / 'cinder' / 'api-paste.ini',
            'resource_query_filters_file':
                venv_etc / 'cinder' / 'resource_filters.json',
            'rootwrap_config': etc / 'rootwrap.conf',
            'glance_catalog_info': 'image:glance:publicURL',
            'graceful_shutdown_timeout': 5,
        },
        'database': {'connection': cloud.db_url('cinder')},
        'keystone_authtoken': base.authtoken(cloud, 'cinder'),
        'nova': base.keystone_client(cloud, 'nova'),
        'service_user': dict(base.keystone_client(cloud, 'cinder'),
                             send_service_user_token=True),
        'oslo_concurrency': {'lock_path': data / 'lock'},
        'oslo_messaging_notifications': {'driver': 'noop'},
        'fake': {
            'volume_driver': 'localcloud_drivers.cinder.'
                             'FakeImageVolumeDriver',
            'volume_backend_name': 'fake'},
    })


def manage_argv(cloud, venv):
    return [cloud.bin(venv, 'cinder-manage'), '--config-file',
            str(conf(cloud))]


def prepare(cloud):
    return base.once(cloud, 'cinder', 'db-sync', lambda: base.run(
        manage_argv(cloud, cloud.project_venv('cinder')) + ['db', 'sync']))


def _env_for(service):
    def env(cloud):
        # cinder-rootwrap and friends from the service's own release.
        path = '%s:%s:%s' % (
            _bin_dir(cloud),
            cloud.venv(cloud.service_venv(service, 'cinder')) / 'bin',
            os.environ.get('PATH', '/usr/bin:/bin'))
        return {'PATH': path,
                'LOCALCLOUD_WSGI_ARGS': '--config-file %s' % conf(cloud)}
    return env


def _worker(binary):
    return lambda c: [c.bin(c.service_venv(binary, 'cinder'), binary),
                      '--config-file', str(conf(c))]


SERVICES = [
    base.Service(
        'cinder-api', 'api',
        lambda c, port: base.gunicorn(
            c, c.service_venv('cinder-api', 'cinder'), 'cinder', port),
        balanced=True,
        env=_env_for('cinder-api'), port='cinder-api',
        aliases=('cinder', 'volume'),
        probe='/v3/{project_id}/volumes'),
    base.Service('cinder-scheduler', 'worker', _worker('cinder-scheduler'),
                 env=_env_for('cinder-scheduler'), probe_via='cinder-api'),
    base.Service('cinder-volume', 'worker', _worker('cinder-volume'),
                 env=_env_for('cinder-volume'), probe_via='cinder-api'),
]
