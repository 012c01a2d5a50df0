"""Where things live, which ports and versions to use, saved state."""

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
