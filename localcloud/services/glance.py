"""Glance API under gunicorn with a file store."""

import shutil

from localcloud.services import base


def conf(cloud):
    return cloud.conf_dir('glance') / 'glance-api.conf'


def configure(cloud):
    data = cloud.data_dir('glance')
    etc = cloud.conf_dir('glance')
    shutil.copy(cloud.venv(cloud.project_venv('glance')) / 'etc' / 'glance' /
                'glance-api-paste.ini', etc / 'glance-api-paste.ini')
    base.write_ini(conf(cloud), {
        'DEFAULT': {'debug': False, 'enabled_backends': 'fs:file',
                    'workers': 1},
        'database': {'connection': cloud.db_url('glance')},
        'keystone_authtoken': base.authtoken(cloud, 'glance'),
        'paste_deploy': {'flavor': 'keystone',
                         'config_file': etc / 'glance-api-paste.ini'},
        'glance_store': {'default_backend': 'fs'},
        'fs': {'filesystem_store_datadir': data / 'images'},
        'os_glance_staging_store': {
            'filesystem_store_datadir': data / 'staging'},
        'os_glance_tasks_store': {
            'filesystem_store_datadir': data / 'tasks'},
        'oslo_concurrency': {'lock_path': data / 'lock'},
    })


def manage_argv(cloud, venv):
    return [cloud.bin(venv, 'glance-manage'), '--config-file',
            str(conf(cloud))]


def prepare(cloud):
    return base.once(cloud, 'glance', 'db-sync', lambda: base.run(
        manage_argv(cloud, cloud.project_venv('glance')) + ['db_sync']))


SERVICES = [
    base.Service(
        'glance-api', 'api',
        lambda c, port: base.gunicorn(
            c, c.service_venv('glance-api', 'glance'), 'glance', port),
        balanced=True,
        env=lambda c: {'OS_GLANCE_CONFIG_DIR': str(c.conf_dir('glance'))},
        port='glance-api', aliases=('glance', 'image'), probe='/v2/images'),
]
