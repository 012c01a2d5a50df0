"""MariaDB and RabbitMQ from Debian, with their own data dirs on loopback."""

import socket
import subprocess

from localcloud import config
from localcloud.services import base

DATABASES = ('keystone', 'placement', 'nova_api', 'nova', 'nova_cell0',
             'neutron', 'glance', 'cinder')


def _mycnf(cloud):
    return cloud.conf_dir('mariadb') / 'my.cnf'


def _socket(cloud):
    """MariaDB's unix socket (a unix socket path must stay under 108
    bytes)."""
    return cloud.short_path('mysqld.sock')


def configure(cloud):
    cloud.run.mkdir(parents=True, exist_ok=True)
    base.write_ini(_mycnf(cloud), {'mysqld': {
        'datadir': cloud.data_dir('mariadb'),
        'socket': _socket(cloud),
        'pid-file': cloud.run / 'mariadbd.pid',
        'port': cloud.ports['mariadb'],
        'bind-address': config.HOST,
        'skip-name-resolve': 1,
        'innodb_buffer_pool_size': '96M',
        'innodb_log_file_size': '48M',
        'innodb_flush_log_at_trx_commit': 0,
        'sync_binlog': 0,
        'performance_schema': 'OFF',
        'max_connections': 2000,
        'character-set-server': 'utf8mb4',
        'collation-server': 'utf8mb4_general_ci',
        'thread_cache_size': 64,
    }})
    rabbit = cloud.conf_dir('rabbitmq')
    (rabbit / 'rabbitmq.conf').write_text('\n'.join([
        'listeners.tcp.default = %s:%d' % (
            config.HOST, cloud.ports['rabbitmq']),
        'loopback_users = none',
        'default_user = openstack',
        'default_pass = %s' % cloud.secret('rabbit'),
        'vm_memory_high_watermark.relative = 0.2',
        'disk_free_limit.absolute = 50MB',
        'log.console = true', 'log.file = false', '']))
    (rabbit / 'enabled_plugins').write_text('[].\n')
    (rabbit / 'rabbitmq-env.conf').write_text('# localcloud: see env vars\n')


def init_datadir(cloud):
    """mariadb-install-db once per data dir (~1 s)."""
    datadir = cloud.data_dir('mariadb')
    if (datadir / 'mysql').exists():
        return False
    res = subprocess.run(
        ['mariadb-install-db', '--defaults-file=%s' % _mycnf(cloud),
         '--user=root', '--skip-test-db',
         '--auth-root-authentication-method=socket'],
        capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError('mariadb-install-db failed:\n' +
                           (res.stdout + res.stderr)[-3000:])
    return True


def sql(cloud, statements):
    res = subprocess.run(
        ['mariadb', '--socket=%s' % _socket(cloud), '-uroot', '-e',
         statements], capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError('mariadb: %s' % res.stderr.strip())
    return res.stdout


def create_databases(cloud):
    pw = cloud.secret('db')
    stmts = ['CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8mb4;' % db
             for db in DATABASES]
    for host in ('127.0.0.1', 'localhost'):
        stmts.append("CREATE USER IF NOT EXISTS 'openstack'@'%s' "
                     "IDENTIFIED BY '%s';" % (host, pw))
        stmts.append("GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'%s';"
                     % host)
    sql(cloud, '\n'.join(stmts))


def _mariadb_argv(cloud):
    return ['/usr/sbin/mariadbd', '--defaults-file=%s' % _mycnf(cloud),
            '--user=root']


def _mariadb_ready(cloud):
    return _socket(cloud).exists() and _tcp(cloud.ports['mariadb'])


def _tcp(port):
    try:
        socket.create_connection((config.HOST, port), timeout=1).close()
        return True
    except OSError:
        return False


def amqp_ready(cloud):
    """A broker is ready when it answers the AMQP 0-9-1 protocol header."""
    try:
        with socket.create_connection(
                (config.HOST, cloud.ports['rabbitmq']), timeout=2) as s:
            s.sendall(b'AMQP\x00\x00\x09\x01')
            return s.recv(1)[:1] == b'\x01'   # frame type 1: Connection.Start
    except OSError:
        return False


def _rabbit_env(cloud):
    data = cloud.data_dir('rabbitmq')
    etc = cloud.conf_dir('rabbitmq')
    return {
        'HOME': str(data),
        'RABBITMQ_NODENAME': 'localcloud@localhost',
        'RABBITMQ_NODE_IP_ADDRESS': config.HOST,
        'RABBITMQ_NODE_PORT': str(cloud.ports['rabbitmq']),
        'RABBITMQ_DIST_PORT': str(cloud.ports['rabbitmq-dist']),
        'RABBITMQ_MNESIA_BASE': str(data / 'mnesia'),
        'RABBITMQ_LOG_BASE': str(cloud.logs / 'rabbitmq'),
        'RABBITMQ_LOGS': '-',
        'RABBITMQ_CONFIG_FILE': str(etc / 'rabbitmq'),
        'RABBITMQ_CONF_ENV_FILE': str(etc / 'rabbitmq-env.conf'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': str(etc / 'enabled_plugins'),
        'RABBITMQ_PID_FILE': str(cloud.run / 'rabbitmq-beam.pid'),
        'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS':
            '+sbwt none +sbwtdcpu none +sbwtdio none',
        'ERL_EPMD_ADDRESS': config.HOST,
        'ERL_EPMD_PORT': str(cloud.ports['epmd']),
    }


SERVICES = [
    base.Service('mariadb', 'backend', _mariadb_argv, port='mariadb',
                 aliases=('mysql', 'db'), ready=_mariadb_ready,
                 probe_via='keystone'),
    base.Service('memcached', 'backend',
                 lambda c: ['memcached', '-l', config.HOST, '-p',
                            str(c.ports['memcached']), '-U', '0',
                            '-m', '64', '-u', 'root'],
                 port='memcached', ready=lambda c: _tcp(c.ports['memcached']),
                 probe_via='keystone'),
    # Started only when no epmd already listens (apt may leave one).
    base.Service('epmd', 'backend',
                 lambda c: ['epmd', '-address', config.HOST,
                            '-port', str(c.ports['epmd'])],
                 port='epmd', ready=lambda c: _tcp(c.ports['epmd'])),
    base.Service('rabbitmq', 'backend',
                 lambda c: ['/usr/lib/rabbitmq/bin/rabbitmq-server'],
                 env=_rabbit_env, port='rabbitmq', aliases=('rabbit',),
                 ready=amqp_ready),
]
