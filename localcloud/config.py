"""Where things live, which ports and versions to use, saved state."""

import hashlib
import json
import os
import pathlib
import secrets

REPO = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = REPO / 'localcloud'
CONSTRAINTS = PACKAGE / 'constraints.txt'

# The keystone release the cloud starts at; `upgrade keystone --to` moves
# it forward.  28.1.0 -> 30.0.0 has real expand/migrate/contract steps.
OLD_KEYSTONE = '28.1.0'
MAIN_KEYSTONE = '30.0.0'

DEFAULT_PORTS = {
    'mariadb': 3306,
    'rabbitmq': 5672,
    'rabbitmq-dist': 25672,
    'epmd': 4369,
    'memcached': 11211,
    'keystone': 5000,
    'placement': 8778,
    'nova-api': 8774,
    'neutron-server': 9696,
    'glance-api': 9292,
    'cinder-api': 8776,
    'swift-proxy': 8080,
    'swift-object': 6200,
    'swift-container': 6201,
    'swift-account': 6202,
}

HOST = '127.0.0.1'

# APIs served by haproxy on their catalog port, each from BACKENDS
# processes of its own on ports <port>-b1, <port>-b2 (default: the catalog
# port + 10000, + 20000).  `up --backends N` chooses N (saved in state).
BALANCED = ('keystone', 'placement', 'nova-api', 'neutron-server',
            'glance-api', 'cinder-api', 'swift-proxy')
MAX_BACKENDS = 2
# One by default: a second backend of every API costs ~1 GiB of RSS (past
# the 3 GiB budget) and ~5 s of `up` on the 2-core machine, and the fault
# benchmarks and tests hang "the API's processes" (one process group);
# doc/source/localcloud.rst has the figures.
DEFAULT_BACKENDS = 1


def backend_name(name, index):
    """'nova-api-b2': the process (and port name) of nova-api's second
    backend."""
    return '%s-b%d' % (name, index)


for _name in BALANCED:
    for _i in range(1, MAX_BACKENDS + 1):
        DEFAULT_PORTS[backend_name(_name, _i)] = (DEFAULT_PORTS[_name]
                                                  + 10000 * _i)


def env_name(port_name):
    """LOCALCLOUD_PORT_NOVA_API for 'nova-api'."""
    return 'LOCALCLOUD_PORT_' + port_name.upper().replace('-', '_')


class Cloud(object):
    """Paths, ports and the saved state of one local cloud."""

    def __init__(self, home=None):
        home = (home or os.environ.get('LOCALCLOUD_HOME')
                or REPO / '.localcloud')
        self.home = pathlib.Path(home).resolve()
        self.etc = self.home / 'etc'
        self.data = self.home / 'data'
        self.logs = self.home / 'logs'
        self.run = self.home / 'run'
        self.venvs = self.home / 'venvs'
        self.workspace = self.home / 'workspace'
        self.state_file = self.home / 'state.json'
        self.state = self._load_state()
        self.ports = self._ports()

    def _load_state(self):
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def _ports(self):
        """Env var, else the ports saved at the first `up`, else default."""
        saved = self.state.get('ports', {})
        ports = {}
        for name, default in DEFAULT_PORTS.items():
            value = os.environ.get(env_name(name)) or saved.get(name, default)
            ports[name] = int(value)
        return ports

    def save(self):
        self.home.mkdir(parents=True, exist_ok=True)
        self.state['ports'] = self.ports
        tmp = self.state_file.with_suffix('.tmp')
        tmp.write_text(json.dumps(self.state, indent=2, sort_keys=True))
        tmp.replace(self.state_file)

    def secret(self, name):
        """A password made once per cloud and kept in state.json."""
        secrets_ = self.state.setdefault('secrets', {})
        if name not in secrets_:
            secrets_[name] = secrets.token_hex(8)
            self.save()
        return secrets_[name]

    @property
    def backends(self):
        """Backends per balanced API (``up --backends``, saved)."""
        return int(self.state.get('backends', DEFAULT_BACKENDS))

    def short_path(self, filename):
        """run/<filename>, or a path under /tmp when that is too long for
        a unix socket (108 bytes)."""
        path = self.run / filename
        if len(str(path)) < 100:
            return path
        short = pathlib.Path('/tmp/localcloud-%s' % hashlib.sha1(
            str(self.home).encode()).hexdigest()[:10])
        short.mkdir(exist_ok=True)
        return short / filename

    # --- derived values -------------------------------------------------
    def url(self, port_name, path=''):
        return 'http://%s:%d%s' % (HOST, self.ports[port_name], path)

    @property
    def auth_url(self):
        return self.url('keystone', '/v3')

    @property
    def keystone_version(self):
        return self.state.get('keystone_version', OLD_KEYSTONE)

    def project_venv(self, project):
        """The venv `project` runs from: state.json ``venvs``, else the
        default cloud's (keystone from its own old venv, the rest main)."""
        venvs = self.state.get('venvs', {})
        if project in venvs:
            return venvs[project]
        if project == 'keystone':
            version = self.keystone_version
            return ('main' if version == MAIN_KEYSTONE
                    else 'keystone-' + version)
        return 'main'

    def service_venv(self, service, project):
        """The venv one service runs from: its project's, unless a rolling
        upgrade has not reached it yet (state.json ``service_venvs``)."""
        return (self.state.get('service_venvs', {}).get(service)
                or self.project_venv(project))

    def venv(self, name):
        return self.venvs / name

    def bin(self, venv, prog):
        return str(self.venv(venv) / 'bin' / prog)

    @property
    def keystone_venv(self):
        return self.project_venv('keystone')

    def db_url(self, db):
        return 'mysql+pymysql://openstack:%s@%s:%d/%s?charset=utf8' % (
            self.secret('db'), HOST, self.ports['mariadb'], db)

    @property
    def transport_url(self):
        return 'rabbit://openstack:%s@%s:%d/' % (
            self.secret('rabbit'), HOST, self.ports['rabbitmq'])

    def conf_dir(self, project):
        path = self.etc / project
        path.mkdir(parents=True, exist_ok=True)
        return path

    def data_dir(self, name):
        path = self.data / name
        path.mkdir(parents=True, exist_ok=True)
        return path
