"""`upgrade keystone --to VERSION`: a real rolling upgrade.

1. build the new release's venv (main venv for 30.0.0),
2. `db_sync --expand` with the NEW code while the old keystone serves,
3. `db_sync --migrate`,
4. swap processes: stop the old gunicorn, start the new one,
5. `db_sync --contract` while the new one serves,
6. `db_sync --check` must report nothing left to do.
Both releases share the database and the fernet keys, so tokens issued
before the upgrade still validate after it.
"""

import time

from localcloud import config
from localcloud import lifecycle
from localcloud.progress import Failed
from localcloud.progress import step
from localcloud import restart
from localcloud import services
from localcloud.services import keystone
from localcloud import venvs


def venv_for(version):
    return 'main' if version == config.MAIN_KEYSTONE else 'keystone-' + version


DISTRIBUTIONS = {'placement': 'openstack_placement'}


def installed_version(cloud, project):
    """Version of `project` in the main venv, from its dist-info."""
    dist = DISTRIBUTIONS.get(project, project)
    found = sorted(cloud.venv('main').glob(
        'lib/python3*/site-packages/%s-*.dist-info' % dist))
    if not found:
        return None
    return found[0].name[len(dist) + 1:-len('.dist-info')]


def same_version_restart(cloud, out, project, to):
    """Other services: an "upgrade" to the installed version is a restart
    of each of the project's processes (no second release is proven)."""
    module = {m.__name__.rsplit('.', 1)[1]: m for m in services.PROJECTS}
    if project not in module:
        raise Failed('unknown project %r; known: %s' % (
            project, ', '.join(sorted(module))))
    have = installed_version(cloud, project)
    if to != have:
        raise Failed('%s: only a restart at the installed version %s is '
                     'supported (keystone has a real version pair)' % (
                         project, have))
    ok = True
    for svc in module[project].SERVICES:
        ok = restart.restart(cloud, out, svc.name) and ok
    return ok


def upgrade(cloud, out, service, to):
    if service != 'keystone':
        return same_version_restart(cloud, out, service, to)
    current = cloud.keystone_version
    if current == to:
        out.write('keystone is already at %s\n' % to)
        return True
    if _key(to) < _key(current):
        raise Failed('refusing to downgrade keystone %s -> %s' % (current, to))
    ks = services.find('keystone')
    if not lifecycle.service_states(cloud) or not _running(cloud, ks):
        raise Failed('keystone is not running: run `up` first')
    t0 = time.monotonic()
    new = venv_for(to)
    out.write('upgrading keystone %s -> %s\n' % (current, to))
    with step('venv ' + new, out) as note:
        note['info'] = 'built' if venvs.build(cloud, new) else 'present'
    with step('db_sync --expand (old keystone serving)', out):
        keystone.manage(cloud, new, 'db_sync', '--expand')
    with step('db_sync --migrate', out):
        keystone.manage(cloud, new, 'db_sync', '--migrate')
    with step('swap keystone processes', out):
        lifecycle.stop(cloud, ks)
        cloud.state['keystone_version'] = to
        cloud.save()
        lifecycle.start(cloud, ks)
        lifecycle.wait_ready(cloud, [ks])
    with step('db_sync --contract (new keystone serving)', out):
        keystone.manage(cloud, new, 'db_sync', '--contract')
    with step('db_sync --check', out) as note:
        text = keystone.manage(cloud, new, 'db_sync', '--check')
        note['info'] = '; '.join(line.strip() for line in text.splitlines()
                                 if line.startswith(('Expand:', 'Contract:')))
    out.write('keystone upgraded to %s in %.1f s\n' % (
        to, time.monotonic() - t0))
    return True


def _running(cloud, svc):
    return any(s is svc and state == 'running'
               for s, state, _ in lifecycle.service_states(cloud))


def _key(version):
    return tuple(int(p) for p in version.split('.'))
