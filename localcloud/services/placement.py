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


def prepare(cloud):
    return base.once(cloud, 'placement', 'db-sync', lambda: base.run(
        [cloud.bin('main', 'placement-manage'), '--config-file', conf(cloud),
         'db', 'sync']))


SERVICES = [
    base.Service(
        'placement', 'api',
        lambda c: base.gunicorn(c, 'main', 'placement', 'placement'),
        env=lambda c: {'OS_PLACEMENT_CONFIG_DIR':
                       str(c.conf_dir('placement'))},
        port='placement', aliases=('placement-api',),
        probe='/resource_providers'),
]
