"""`upgrade PROJECT --to RELEASE|VERSION`: each project's own documented
rolling upgrade, for real, against the one database.

Every project follows the same frame: build (or find) the venv of the
new release, run the project's database commands with the NEW code while
the old processes serve, swap the processes one service at a time (stop
the old, start the new), run what must wait until no old code runs, then
the project's own "database at head" check.  What differs is the recipe
below; doc/source/localcloud.rst says where each one comes from.

While a project is being upgraded, state.json says its services run the
new venv (``venvs``) except those not swapped yet (``service_venvs``):
that is the mixed-version state, visible in ``status``.
"""

import json
import re
import time
import urllib.request

from localcloud import lifecycle
from localcloud.progress import Failed
from localcloud.progress import step
from localcloud import releases
from localcloud import rolling
from localcloud import services
from localcloud.services import base
from localcloud import venvs


class Manage(object):
    """Run the project's own manage command from the new release."""

    def __init__(self, *args, note=''):
        self.args = args
        self.label = ' '.join(args) + (' (%s)' % note if note else '')

    def run(self, job):
        return job.manage(*self.args)


class Swap(object):
    """Stop each service's old process and start it from the new venv
    (an API with two backends: one backend at a time, drained)."""

    def __init__(self, *names):
        self.names = names
        self.label = 'swap ' + ', '.join(names)

    def run(self, job):
        return '; '.join(filter(None, (job.swap(services.find(name))
                                       for name in self.names)))


# The documented order of each project (sources in localcloud.rst).
RECIPES = {
    'keystone': (
        Manage('db_sync', '--expand', note='old keystone serving'),
        Manage('db_sync', '--migrate'),
        Swap('keystone'),
        Manage('db_sync', '--contract', note='new keystone serving')),
    'placement': (
        Manage('db', 'sync', note='old placement serving'),
        Swap('placement'),
        Manage('db', 'online_data_migrations')),
    'glance': (
        Manage('db', 'expand', note='old glance serving'),
        Manage('db', 'migrate'),
        Swap('glance-api'),
        Manage('db', 'contract', note='new glance serving')),
    'cinder': (
        Manage('db', 'sync', note='old cinder serving'),
        Swap('cinder-scheduler'), Swap('cinder-volume'), Swap('cinder-api'),
        Manage('db', 'online_data_migrations')),
    'neutron': (
        Manage('upgrade', '--expand', note='old neutron-server serving'),
        # Exits non-zero if contract migrations are pending: those need
        # every server stopped, which this rolling recipe refuses to hide.
        Manage('has_offline_migrations'),
        Swap('neutron-server'),
        Manage('upgrade', '--contract', note='every server on new code')),
    'nova': (
        Manage('api_db', 'sync', note='old nova serving'),
        Manage('db', 'sync'),
        Swap('nova-conductor'), Swap('nova-scheduler'), Swap('nova-api'),
        Swap('nova-compute'),
        Manage('db', 'online_data_migrations', note='every service new')),
    # No database: storage servers first, then the proxy.
    'swift': (
        Swap('swift-account'), Swap('swift-container'), Swap('swift-object'),
        Swap('swift-proxy')),
}


def project_module(name):
    for module in services.PROJECTS:
        if module.__name__.rsplit('.', 1)[1] == name:
            return module
    raise Failed('unknown project %r; known: %s' % (
        name, ', '.join(RECIPES)))


class Plan(object):
    """What an upgrade will do: from which venv to which, which actions
    (all of the recipe, or the rest of it when resuming a held upgrade),
    and where to hold (``stop_before``: a service left on the old code)."""

    def __init__(self, old, new, actions, resume=False):
        self.old, self.new, self.actions, self.resume = (
            old, new, actions, resume)


def plan(cloud, project, to, stop_before=None):
    """The Plan of an upgrade; Failed (one line) if it cannot be done,
    before anything is changed."""
    module = project_module(project)
    new = releases.target_venv(project, to)
    recipe = RECIPES[project]
    pinned = {s.name: cloud.state.get('service_venvs', {}).get(s.name)
              for s in module.SERVICES}
    held = [name for name, venv in pinned.items() if venv]
    if held:
        # A held upgrade: only going on to the same target makes sense.
        if new != cloud.project_venv(project):
            raise Failed('%s is in the middle of an upgrade to %s (%s not '
                         'yet swapped); finish it first' % (
                             project, releases.version_in(
                                 cloud.project_venv(project), project),
                             ', '.join(held)))
        old = pinned[held[0]]
        first = next(i for i, a in enumerate(recipe)
                     if isinstance(a, Swap) and set(a.names) & set(held))
        actions, resume = recipe[first:], True
    else:
        old, actions, resume = cloud.project_venv(project), recipe, False
        have = releases.version_in(old, project)
        want = releases.version_in(new, project)
        if want == have:
            raise Failed('%s is already at %s' % (project, have))
        if releases.key(want) < releases.key(have):
            raise Failed('refusing to downgrade %s %s -> %s (no project '
                         'supports a database downgrade)' % (
                             project, have, want))
    if stop_before is not None:
        to_swap = [n for a in actions if isinstance(a, Swap)
                   for n in a.names]
        if stop_before not in to_swap[1:]:
            raise Failed('--stop-before %s: not one of the services this '
                         'upgrade swaps after the first (%s)' % (
                             stop_before, ', '.join(to_swap[1:]) or
                             'none'))
        cut = next(i for i, a in enumerate(actions)
                   if isinstance(a, Swap) and stop_before in a.names)
        actions = actions[:cut]
    states = {svc.name: state for svc, state, _ in
              lifecycle.service_states(cloud)}
    down = [s.name for s in module.SERVICES
            if states.get(s.name) != 'running']
    if down:
        raise Failed('%s not running (%s): run `up` first' % (
            ', '.join(down), ', '.join(states.get(n, '?') for n in down)))
    return Plan(old, new, actions, resume)


class Upgrade(object):
    """One project's upgrade in progress."""

    def __init__(self, cloud, out, project, old, new):
        self.cloud, self.out, self.project = cloud, out, project
        self.module = project_module(project)
        self.old, self.new = old, new

    def manage(self, *args):
        argv = self.module.manage_argv(self.cloud, self.new)
        return base.run(argv + list(args), '%s %s' % (
            argv[0].rsplit('/', 1)[1], ' '.join(args)))

    def begin(self):
        """The project's config now names the new venv; its running
        services stay pinned to the old one until swapped."""
        state = self.cloud.state
        pinned = state.setdefault('service_venvs', {})
        for svc in self.module.SERVICES:
            pinned[svc.name] = self.old
        state.setdefault('venvs', {})[self.project] = self.new
        self.cloud.save()
        self.module.configure(self.cloud)

    def swap(self, svc):
        """``svc`` on the new code: stopped and started, or, for an API
        with two backends or more behind haproxy, rolled one backend at a
        time (drained, stopped, started on the new venv, readied), as in
        ``restart --rolling``; returns the rolling steps' timings."""
        if rolling.possible(self.cloud, svc):
            steps = rolling.restart(self.cloud, svc,
                                    before_first_start=lambda: self._switch(
                                        svc))
            return 'rolled, UP again after its stop: ' + ', '.join(
                '%s %.1f s' % (s['backend'].rsplit('-', 1)[1], s['up_s'])
                for s in steps)
        lifecycle.stop(self.cloud, svc)
        self._switch(svc)
        lifecycle.start(self.cloud, svc)
        lifecycle.wait_ready(self.cloud, [svc])
        return ''

    def _switch(self, svc):
        """From now on ``svc`` starts from the new venv."""
        self.cloud.state['service_venvs'].pop(svc.name, None)
        if svc.name == 'keystone':
            self.cloud.state['keystone_version'] = releases.version_in(
                self.new, 'keystone')
        self.cloud.save()

    def finish(self):
        if not self.cloud.state.get('service_venvs'):
            self.cloud.state.pop('service_venvs', None)
        self.cloud.save()


def upgrade(cloud, out, project, to, stop_before=None):
    """Run the project's recipe; with ``stop_before`` hold it before that
    service's swap (the mixed-version state), to be resumed by running
    the same upgrade again."""
    p = plan(cloud, project, to, stop_before)
    have = releases.version_in(p.old, project)
    want = releases.version_in(p.new, project)
    t0 = time.monotonic()
    out.write('%s %s %s -> %s\n' % (
        'resuming the upgrade of' if p.resume else 'upgrading', project,
        have, want))
    with step('venv ' + p.new, out) as note:
        note['info'] = 'built' if venvs.build(cloud, p.new) else 'present'
    job = Upgrade(cloud, out, project, p.old, p.new)
    if not p.resume:
        job.begin()
    for action in p.actions:
        with step(action.label, out) as note:
            note['info'] = _summary(action.run(job))
    job.finish()
    if stop_before:
        out.write('%s held before %s: mixed versions (%s)\n' % (
            project, stop_before, ', '.join(
                '%s %s' % (name, releases.version_in(venv, project))
                for name, venv in sorted(
                    cloud.state.get('service_venvs', {}).items()))))
        return True
    with step('at head: ' + CHECKS[project][0], out) as note:
        note['info'] = CHECKS[project][1](job, want)
    out.write('%s upgraded %s -> %s in %.1f s\n' % (
        project, have, want, time.monotonic() - t0))
    return True


def _summary(text, width=70):
    lines = [ln.strip() for ln in (text or '').splitlines() if ln.strip()]
    return (lines[-1][:width]) if lines else ''


# --- "database at head": each project's own check -----------------------

def _keystone_check(job, version):
    text = job.manage('db_sync', '--check')   # non-zero unless at head
    return '; '.join(ln.strip() for ln in text.splitlines()
                     if ln.startswith(('Expand:', 'Contract:')))


def _glance_check(job, version):
    return _summary(job.manage('db', 'check'))    # exits 3/4/5 if not


REVISION = re.compile(r'^([0-9a-f]{12})\b(.*)$')


def neutron_heads_ok(text):
    """`neutron-db-manage current` output: every revision at its head."""
    revs = [m.groups() for m in map(REVISION.match, text.splitlines()) if m]
    return bool(revs) and all('(head)' in rest for _, rest in revs), revs


def _neutron_check(job, version):
    ok, revs = neutron_heads_ok(job.manage('current'))
    if not ok:
        raise Failed('neutron database not at head: %s' % (
            revs or 'no revision found'))
    return 'current: ' + ', '.join(r for r, _ in revs) + ' (head)'


def alembic_head(cloud, venv, package):
    """Head revision of the alembic scripts in `package` (new release)."""
    # Migration folders may lack __init__.py (namespace packages).
    code = ('import importlib.util; from alembic.script import '
            'ScriptDirectory; spec = importlib.util.find_spec(%r); '
            'print(ScriptDirectory(list(spec.submodule_search_locations)[0])'
            '.get_current_head())' % package)
    return base.run([cloud.bin(venv, 'python'), '-c', code],
                    'alembic head of ' + package).strip()


def _version_vs_head(pairs):
    """pairs: [(manage args, migrations package)]; each version == head."""
    def check(job, version):
        seen = []
        for args, package in pairs:
            have = _summary(job.manage(*args)).split()[-1]
            head = alembic_head(job.cloud, job.new, package)
            if have != head:
                raise Failed('%s: %s, head is %s' % (' '.join(args), have,
                                                     head))
            seen.append('%s %s' % (' '.join(args), have))
        return ', '.join(seen) + ' = head'
    return check


def _swift_check(job, version):
    """No database: the proxy's /info reports the new release."""
    with urllib.request.urlopen(job.cloud.url('swift-proxy', '/info'),
                                timeout=10) as resp:
        info = json.loads(resp.read())
    running = info.get('swift', {}).get('version')
    if running != version:
        raise Failed('swift /info reports %s, not %s' % (running, version))
    return 'proxy /info: swift %s' % running


CHECKS = {
    'keystone': ('keystone-manage db_sync --check', _keystone_check),
    'glance': ('glance-manage db check', _glance_check),
    'neutron': ('neutron-db-manage current', _neutron_check),
    'nova': ('nova-manage api_db version, db version', _version_vs_head([
        (('api_db', 'version'), 'nova.db.api.migrations'),
        (('db', 'version'), 'nova.db.main.migrations')])),
    'cinder': ('cinder-manage db version', _version_vs_head([
        (('db', 'version'), 'cinder.db.migrations')])),
    'placement': ('placement-manage db version', _version_vs_head([
        (('db', 'version'), 'placement.db.sqlalchemy.alembic')])),
    'swift': ('swift proxy /info', _swift_check),
}
