"""Keystone (identity v3, fernet) under gunicorn, from the venv of its
current release (state.json keystone_version)."""

import subprocess
import time

from localcloud import config
from localcloud.services import base


def conf(cloud):
    return cloud.conf_dir('keystone') / 'keystone.conf'


def configure(cloud):
    data = cloud.data_dir('keystone')
    base.write_ini(conf(cloud), {
        'DEFAULT': {'debug': False},
        'database': {'connection': cloud.db_url('keystone'),
                     'max_pool_size': 10, 'max_overflow': 20},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': data / 'fernet-keys'},
        'credential': {'key_repository': data / 'credential-keys'},
        # bcrypt's default 12 rounds costs ~0.2 s of CPU per password check.
        'identity': {'password_hash_rounds': 4},
        # Shared by both workers through memcached, so invalidation holds.
        'cache': {'enabled': True, 'backend': 'dogpile.cache.pymemcache',
                  'memcache_servers': '%s:%d' % (
                      config.HOST, cloud.ports['memcached'])},
    })


def manage_argv(cloud, venv):
    return [cloud.bin(venv, 'keystone-manage'), '--config-file',
            str(conf(cloud))]


def manage(cloud, venv, *args):
    """keystone-manage from `venv`; returns its output, raises on error."""
    argv = manage_argv(cloud, venv) + list(args)
    started = time.monotonic()
    res = subprocess.run(argv, capture_output=True, text=True)
    base.log_run(argv, res, started)
    if res.returncode:
        raise RuntimeError('keystone-manage %s failed:\n%s' % (
            ' '.join(args), (res.stdout + res.stderr)[-3000:]))
    return res.stdout + res.stderr


def prepare(cloud):
    """db_sync, key repositories and bootstrap, once per data dir."""
    marker = cloud.data_dir('keystone') / '.bootstrapped'
    if marker.exists():
        return False
    venv = cloud.keystone_venv
    manage(cloud, venv, 'db_sync')
    for what in ('fernet_setup', 'credential_setup'):
        manage(cloud, venv, what, '--keystone-user', 'root',
               '--keystone-group', 'root')
    manage(cloud, venv, 'bootstrap',
           '--bootstrap-password', cloud.secret('admin'),
           '--bootstrap-username', 'admin',
           '--bootstrap-project-name', 'admin',
           '--bootstrap-role-name', 'admin',
           '--bootstrap-service-name', 'keystone',
           '--bootstrap-region-id', 'RegionOne',
           '--bootstrap-admin-url', cloud.auth_url,
           '--bootstrap-internal-url', cloud.auth_url,
           '--bootstrap-public-url', cloud.auth_url)
    marker.write_text('bootstrapped at %s\n' % cloud.keystone_version)
    return True


def _env(cloud):
    return {'OS_KEYSTONE_CONFIG_DIR': str(cloud.conf_dir('keystone'))}


SERVICES = [
    base.Service(
        'keystone', 'api',
        # One worker is enough once tokens are cached in memcached
        # (a validation costs ~7 ms); a second one costs ~150 MiB.
        lambda c, port: base.gunicorn(
            c, c.service_venv('keystone', 'keystone'), 'keystone', port,
            threads=8),
        balanced=True,
        env=_env, port='keystone', aliases=('identity',),
        probe='/v3/auth/tokens'),
]
