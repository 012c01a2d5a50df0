"""What every service module shares: the Service record and an INI writer."""

import logging
import subprocess
import time
import urllib.error
import urllib.request

from localcloud import config

LOG = logging.getLogger('localcloud')


class Service(object):
    """One service we run.

    kind: 'backend' (database, bus, balancer), 'api' (gunicorn/HTTP, has a
    probe), 'worker' (RPC consumers), 'storage' (swift servers).
    probe: path probed with an admin token to measure API outages; may
    contain {project_id}.  probe_via: for non-API services, the API whose
    probe shows their outage.  balanced: an API haproxy serves on its
    catalog port from ``cloud.backends`` processes of its own (``argv``
    then takes the port name to bind); health: the path haproxy's check
    and our readiness GET.  binds: other port names it listens on.
    """

    def __init__(self, name, kind, argv, env=None, port=None, aliases=(),
                 probe=None, probe_via=None, ready=None, stop_signal=None,
                 balanced=False, health='/', binds=()):
        self.name = name
        self.kind = kind
        self._argv = argv
        self._env = env
        self.port = port
        self.aliases = tuple(aliases)
        self.probe = probe
        self.probe_via = probe_via
        self._ready = ready
        self.stop_signal = stop_signal
        self.balanced = balanced
        self.health = health
        self.binds = binds

    def argv(self, cloud, port=None):
        """argv of the process; a balanced API's binds ``port`` (the port
        name of one of its backends)."""
        if self.balanced:
            return self._argv(cloud, port or config.backend_name(
                self.port, 1))
        return self._argv(cloud)

    def env(self, cloud):
        return self._env(cloud) if self._env else {}

    def ready(self, cloud, port=None):
        """True once the service (or its process on ``port``) accepts
        work."""
        if self._ready:
            return self._ready(cloud)
        port = port or self.port
        if port:
            return _http_answers(cloud, port, self.health)
        return True

    def __repr__(self):
        return '<Service %s>' % self.name


def _http_answers(cloud, port_name, path='/'):
    try:
        urllib.request.urlopen(cloud.url(port_name, path), timeout=2).close()
        return True
    except urllib.error.HTTPError as e:
        return e.code < 500
    except OSError:
        return False


def write_ini(path, sections):
    """Write {section: {key: value}} as an INI file (no interpolation)."""
    lines = []
    for section, values in sections.items():
        lines.append('[%s]' % section)
        for key, value in values.items():
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            lines.append('%s = %s' % (key, value))
        lines.append('')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines))
    return path


def authtoken(cloud, user):
    """[keystone_authtoken] for a service user in the 'service' project."""
    return {
        'www_authenticate_uri': cloud.url('keystone'),
        'auth_url': cloud.url('keystone'),
        'auth_type': 'password',
        'project_domain_name': 'Default',
        'user_domain_name': 'Default',
        'project_name': 'service',
        'username': user,
        'password': cloud.secret('service'),
        'region_name': 'RegionOne',
        'service_token_roles_required': True,
    }


def keystone_client(cloud, user):
    """Auth options for a [placement]/[neutron]/[nova]-style section."""
    opts = dict(authtoken(cloud, user))
    for key in ('www_authenticate_uri', 'service_token_roles_required'):
        del opts[key]
    opts['valid_interfaces'] = 'public'
    return opts


# Seconds an idle kept-alive connection stays open. gunicorn's default, 2,
# equals the interval of the uptime probes' kept-alive series at their
# defaults (0.5/s), so every probe of that series arrives as the server's
# idle timer runs out; a busy worker that sweeps idle connections before
# reading the request closes one with the request unread: "connection
# reset" on a healthy API (most likely what gave a 1.2 s neutron-keepalive
# window in a fresh-clone rehearsal, session 5; not reproduced against an
# idle gunicorn). Production front ends keep idle connections longer
# (Apache 5 s, haproxy setups 10 s and more).
KEEP_ALIVE_S = 10


def gunicorn(cloud, venv, app, port_name, threads=4, workers=1):
    """argv for one gunicorn master + gthread worker(s) on 127.0.0.1."""
    return [cloud.bin(venv, 'gunicorn'), '--no-control-socket',
            '--bind', '%s:%d' % (config.HOST, cloud.ports[port_name]),
            '--workers', str(workers), '--worker-class', 'gthread',
            '--threads', str(threads), '--timeout', '120',
            '--graceful-timeout', '2', '--keep-alive', str(KEEP_ALIVE_S),
            '--chdir', str(config.REPO),
            'localcloud.apps:%s()' % app]


def run(argv, what=None):
    """Run a setup command; raise with its output tail when it fails."""
    argv = [str(a) for a in argv]
    started = time.monotonic()
    res = subprocess.run(argv, capture_output=True, text=True)
    log_run(argv, res, started)
    if res.returncode:
        raise RuntimeError('%s failed (exit %d):\n%s' % (
            what or ' '.join(str(a) for a in argv[:4]), res.returncode,
            (res.stdout + res.stderr)[-3000:]))
    return res.stdout


def log_run(argv, res, started):
    """Log a command that ran (INFO) and its output (DEBUG)."""
    LOG.info('ran %s: exit %d in %.1f s', ' '.join(argv), res.returncode,
             time.monotonic() - started)
    output = (res.stdout or '') + (res.stderr or '')
    if output.strip():
        LOG.debug('output of %s:\n%s', argv[0], output.rstrip())


def once(cloud, project, step, func):
    """Run func() once per data dir; a marker file remembers it ran."""
    marker = cloud.data_dir(project) / ('.done-' + step)
    if marker.exists():
        return False
    func()
    marker.write_text('ok\n')
    return True
