"""Virtualenvs built from the pinned constraints kept in the repo.

`main` holds every service at 2026.2 (and keystone 30.0.0); `2026.1`
every service at the older release; `keystone-<version>` an older
keystone alone.  A marker file with a hash of what was asked makes a
second `up` skip pip entirely.
"""

import hashlib
import subprocess
import sys
import threading
import time

from localcloud import config
from localcloud import releases
from localcloud.services import base

MAIN_REQUIREMENTS = (
    'keystone==30.0.0', 'openstack-placement', 'nova==34.0.0',
    'neutron==29.0.0', 'glance==33.0.0', 'cinder==29.0.0', 'swift==2.38.3',
    'tempest==47.0.0', 'gunicorn', 'python-openstackclient',
    'python-swiftclient', 'pymysql', 'pymemcache')
# pymemcache: keystone's cache backend (without a cache a token validation
# costs ~2 s of CPU under load and every other service waits on it).
KEYSTONE_REQUIREMENTS = ('gunicorn', 'pymysql', 'pymemcache')


def constraints_for(name):
    """The frozen set for a venv: main, 2026.1 or keystone-<version>."""
    return releases.constraints_file(name)


def requirements_for(name):
    if name == 'main':
        return list(MAIN_REQUIREMENTS)
    if releases.release_of(name):
        # A whole release: every project at the version its file pins.
        return ['%s==%s' % (releases.DISTRIBUTIONS[p], v) for p, v in
                sorted(releases.pins(name).items())] + list(
                    KEYSTONE_REQUIREMENTS)
    version = name.split('-', 1)[1]
    return ['keystone==' + version] + list(KEYSTONE_REQUIREMENTS)


def with_drivers(name):
    """Venvs running nova, neutron and cinder also get our drivers."""
    return releases.release_of(name) is not None


def _wanted(name):
    digest = hashlib.sha256()
    digest.update(' '.join(requirements_for(name)).encode())
    path = constraints_for(name)
    if path.exists():
        digest.update(path.read_bytes())
    if with_drivers(name):
        drivers = config.PACKAGE / 'drivers'
        for f in [drivers / 'pyproject.toml'] + sorted(
                (drivers / 'localcloud_drivers').glob('*.py')):
            digest.update(f.read_bytes())
    return digest.hexdigest()


def ready(cloud, name):
    marker = cloud.venv(name) / '.localcloud-ok'
    return marker.exists() and marker.read_text() == _wanted(name)


def build(cloud, name):
    """Create or update venv `name`; pip only runs when something changed."""
    path = cloud.venv(name)
    if ready(cloud, name):
        return False
    if not (path / 'bin' / 'python').exists():
        _run([sys.executable, '-m', 'venv', str(path)])
    pip = [str(path / 'bin' / 'python'), '-m', 'pip', 'install', '-q',
           '--disable-pip-version-check']
    cons = constraints_for(name)
    argv = pip + (['-c', str(cons)] if cons.exists() else [])
    _run(argv + requirements_for(name))
    if with_drivers(name):
        # Our ML2 driver (binds ports without an agent) + cinder fake backend.
        _run(pip + ['--no-deps',
                    str(config.PACKAGE / 'drivers')])
    (path / '.localcloud-ok').write_text(_wanted(name))
    return True


def build_all(cloud, names, note=None):
    """Build venvs side by side (pip is mostly download/unpack wait).

    ``note['now']`` says which are still being built (for the progress
    ticker); returns e.g. ``main built in 50.2 s, keystone-28.1.0 present``.
    """
    import concurrent.futures
    note = note if note is not None else {}
    running = set(names)
    lock = threading.Lock()

    def one(name):
        started = time.monotonic()
        try:
            built = build(cloud, name)
        finally:
            with lock:
                running.discard(name)
                note['now'] = ('building ' + ', '.join(sorted(running))
                               if running else 'done')
        return ('%s built in %.1f s' % (name, time.monotonic() - started)
                if built else '%s present' % name)
    note['now'] = 'building ' + ', '.join(sorted(names))
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        return ', '.join(pool.map(one, names))


def _run(argv, attempts=2):
    """Run pip (or venv); one retry, as an index may hiccup."""
    for attempt in range(attempts):
        started = time.monotonic()
        res = subprocess.run(argv, capture_output=True, text=True)
        base.log_run(argv, res, started)
        if res.returncode == 0:
            return
        time.sleep(3)
    if res.returncode:
        raise RuntimeError('%s failed:\n%s' % (
            ' '.join(argv[:6]), (res.stdout + res.stderr)[-4000:]))
