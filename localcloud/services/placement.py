"""Placement under gunicorn."""

from localcloud.services import base


def conf(cloud):
    return cloud.conf_dir('placement') / 'placement.conf'


def configure(cloud):
    base.write_ini(conf(cloud), {
        'DEFAULT': {'debug': False},
        'placement_database': {'connection': cloud.db_url('placement')},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': base.authtoken(cloud, 'placement'),
    })


def manage_argv(cloud, venv):
    return [cloud.bin(venv, 'placement-manage'), '--config-file',
            str(conf(cloud))]


def prepare(cloud):
    return base.once(cloud, 'placement', 'db-sync', lambda: base.run(
        manage_argv(cloud, cloud.project_venv('placement')) + ['db', 'sync']))


SERVICES = [
    base.Service(
        'placement', 'api',
        lambda c, port: base.gunicorn(
            c, c.service_venv('placement', 'placement'), 'placement', port),
        balanced=True,
        env=lambda c: {'OS_PLACEMENT_CONFIG_DIR':
                       str(c.conf_dir('placement'))},
        port='placement', aliases=('placement-api',),
        probe='/resource_providers'),
]
