"""The CLI's commands as plain functions: (cloud, out, ...) -> ok (bool).

A command returns False when it ran but found things not as wanted (a
process of ours left after `down`, a service not up in `status`); it
raises ``progress.Failed`` when it could not do its job. ``cli.exit_status``
turns that into the exit status.
"""

import concurrent.futures
import json
import os
import shutil
import time

from localcloud import balancer
from localcloud import bootstrap
from localcloud import config
from localcloud import debs
from localcloud import lifecycle
from localcloud import procs
from localcloud.progress import Failed
from localcloud.progress import step
from localcloud import releases
from localcloud import services
from localcloud.services import backends as infra
from localcloud.services import haproxy
from localcloud.services import keystone
from localcloud.services import swift
from localcloud import tempestconf
from localcloud import venvs


def choose_release(cloud, release):
    """`up --release R`: every project from R's venv.  A cloud whose data
    already exists keeps its versions; asking for others is an error."""
    if release is None:
        return
    if release not in releases.RELEASE_VENVS:
        raise Failed('unknown release %r; known: %s' % (
            release, ', '.join(sorted(releases.RELEASE_VENVS))))
    venv = releases.RELEASE_VENVS[release]
    wanted = {p: venv for p in releases.DISTRIBUTIONS}
    current = versions(cloud)
    exists = (cloud.data / 'keystone' / '.bootstrapped').exists()
    if exists and current != {p: releases.version_in(venv, p)
                              for p in wanted}:
        raise Failed('this cloud already runs %s; `python3 -m localcloud '
                     'reset` first to start it at %s' % (
                         _describe(current), release))
    cloud.state['venvs'] = wanted
    cloud.state.pop('service_venvs', None)
    cloud.state['keystone_version'] = releases.version_in(venv, 'keystone')
    cloud.save()


def versions(cloud):
    """{project: version} each project's services run (its venv's pin)."""
    return {p: releases.version_in(cloud.project_venv(p), p)
            for p in releases.DISTRIBUTIONS}


def lagging(cloud):
    """{service: version} of services a rolling upgrade has not reached."""
    return {svc: releases.version_in(venv, project)
            for svc, venv in cloud.state.get('service_venvs', {}).items()
            for project in [_project_of(svc)]}


def _project_of(service_name):
    for project in services.PROJECTS:
        if any(s.name == service_name for s in project.SERVICES):
            return project.__name__.rsplit('.', 1)[1]
    return None


def _describe(vers):
    return ', '.join('%s %s' % item for item in sorted(vers.items()))


def choose_backends(cloud, out, backends):
    """`up --backends N`: N processes per balanced API (saved).  Backends
    beyond N are put in maintenance in a running haproxy, then stopped;
    haproxy's config says the same for its next start."""
    if backends is not None:
        if not 1 <= backends <= config.MAX_BACKENDS:
            raise Failed('--backends must be 1 to %d, got %d' % (
                config.MAX_BACKENDS, backends))
        cloud.state['backends'] = backends
        cloud.save()
        tempestconf.update_upgrade(cloud)
    lb = balancer.servers(cloud)
    for svc in _balanced():
        for index in range(cloud.backends + 1, config.MAX_BACKENDS + 1):
            name = config.backend_name(svc.name, index)
            if (svc.name, name) in lb:
                balancer.set_state(cloud, svc.name, name, 'maint')
            if lifecycle.stop_process(cloud, svc, name):
                out.write('stopped %s (%d backends per API now)\n' % (
                    name, cloud.backends))
    haproxy.configure(cloud, _balanced())


def ready_backends(cloud):
    """Backends 1..N in service in haproxy (it may have started with
    fewer, or an earlier `up --backends` took some out)."""
    lb = balancer.servers(cloud)
    for svc in _balanced():
        for proc in lifecycle.processes(cloud, svc):
            row = lb.get((svc.name, proc.name))
            if row is not None and row['status'].startswith('MAINT'):
                balancer.set_state(cloud, svc.name, proc.name, 'ready')


def wait_backends_up(cloud):
    """Every backend 1..N UP by haproxy's checks."""
    for svc in _balanced():
        for proc in lifecycle.processes(cloud, svc):
            balancer.wait_for(cloud, svc.name, proc.name,
                              lambda r: r['status'] == 'UP',
                              'UP from its checks')


def _balanced():
    return [s for s in services.OPENSTACK if s.balanced]


def up(cloud, out, release=None, backends=None):
    t0 = time.monotonic()
    choose_release(cloud, release)
    choose_backends(cloud, out, backends)
    if lifecycle.all_up(cloud) and cloud.state.get('workspace'):
        out.write('localcloud is already up (%d services, home %s)\n' % (
            len(services.ALL), cloud.home))
        _warn_disk(cloud, out)
        return True
    out.write('localcloud up (home %s)\n' % cloud.home)
    lifecycle.check_ports(cloud, services.ALL)
    cloud.state.setdefault('keystone_version', config.OLD_KEYSTONE)
    cloud.save()
    with step('debian packages', out) as note:
        missing = debs.missing()
        if missing:
            note['now'] = 'apt-get install ' + ' '.join(missing)
            debs.install(missing)
        note['info'] = ('installed ' + ' '.join(missing)) if missing \
            else 'present'
    names = sorted({'main'} | {cloud.project_venv(p)
                               for p in releases.DISTRIBUTIONS}
                   | set(cloud.state.get('service_venvs', {}).values()))
    with step('venvs ' + ' + '.join(names), out) as note:
        note['info'] = venvs.build_all(cloud, names, note)
    with step('configuration files', out):
        infra.configure(cloud)
        for project in services.PROJECTS:
            project.configure(cloud)
    db, mc, epmd, rabbit, lb = (services.find(n) for n in (
        'mariadb', 'memcached', 'epmd', 'rabbitmq', 'haproxy'))
    with step('mariadb, memcached, rabbitmq, haproxy', out):
        infra.init_datadir(cloud)
        for svc in (db, mc, epmd, rabbit, lb):
            lifecycle.start(cloud, svc)
        lifecycle.wait_ready(cloud, [db])
        infra.create_databases(cloud)
        lifecycle.wait_ready(cloud, [mc, epmd, rabbit, lb])
    ks = services.find('keystone')
    with step('keystone %s' % cloud.keystone_version, out):
        keystone.prepare(cloud)
        lifecycle.start(cloud, ks)
        lifecycle.wait_ready(cloud, [ks])
    with step('identity: users, roles, catalog', out):
        bootstrap.identity(cloud)
    for project in services.PROJECTS[1:]:
        name = project.__name__.rsplit('.', 1)[1]
        with step('%s: setup + start' % name, out):
            project.prepare(cloud)
            for svc in project.SERVICES:
                lifecycle.start(cloud, svc)
    with step('all services answering', out):
        ready_backends(cloud)
        lifecycle.wait_ready(cloud, services.OPENSTACK)
        wait_backends_up(cloud)
    with step('nova-compute registered', out):
        bootstrap.discover_compute(cloud)
    with step('flavors, networks, image', out):
        res = bootstrap.resources(cloud)
        cloud.state['resources'] = res
    with step('tempest workspace', out) as note:
        conf = tempestconf.write(cloud, res, bootstrap.api_extensions(cloud))
        tempestconf.write_openrc(cloud, res['admin_project_id'])
        cloud.state['workspace'] = str(cloud.workspace)
        note['info'] = str(conf)
    cloud.save()
    rss = sum(_rss(cloud, svc) for svc in services.ALL)
    out.write('localcloud is up in %.1f s: %d services (%d backends per '
              'API behind haproxy), RSS %.2f GiB; workspace %s; '
              'credentials %s\n' % (
                  time.monotonic() - t0, len(services.ALL), cloud.backends,
                  rss / 2.0 ** 30, cloud.workspace,
                  cloud.home / 'admin-openrc'))
    _warn_disk(cloud, out)
    return True


def _warn_disk(cloud, out):
    warning = swift.disk_warning(cloud)
    if warning:
        out.write(warning + '\n')


def down(cloud, out, purge=False, honour_keep_up=False):
    if honour_keep_up and os.environ.get('LOCALCLOUD_KEEP_UP'):
        out.write('localcloud kept up (LOCALCLOUD_KEEP_UP is set)\n')
        return True
    t0 = time.monotonic()
    # OpenStack services stop side by side (graceful stops take seconds
    # each), then the backends they were using, in reverse start order.
    stopped = _stop_all(cloud, out, services.OPENSTACK)
    stopped += _stop_all(cloud, out, list(reversed(services.BACKENDS)),
                         parallel=False)
    if not stopped:
        out.write('localcloud: nothing running (no process of ours)\n')
    else:
        out.write('localcloud down: stopped %d services in %.1f s\n' % (
            len(stopped), time.monotonic() - t0))
    left = lifecycle.leftovers(cloud)
    for pid, cmd in left:
        out.write('WARNING: process %d still runs from our home: %s\n' % (
            pid, cmd))
    if purge:
        _purge(cloud, out)
    return not left


def _names(svc):
    """Every process name svc may run under (any number of backends)."""
    if not svc.balanced:
        return [svc.name]
    return [svc.name] + [config.backend_name(svc.name, i)
                         for i in range(1, config.MAX_BACKENDS + 1)]


def _stop_all(cloud, out, svcs, parallel=True):
    running = []
    for svc in svcs:
        for name in _names(svc):
            pid = procs.read_pid(cloud, name)
            if pid is None:
                procs.pidfile(cloud, name).unlink(missing_ok=True)
            else:
                running.append((svc, name, pid))

    def stop(item):
        start = time.monotonic()
        lifecycle.stop_process(cloud, item[0], item[1])
        return time.monotonic() - start

    if parallel and running:
        with concurrent.futures.ThreadPoolExecutor(len(running)) as pool:
            took = list(pool.map(stop, running))
    else:
        took = [stop(item) for item in running]
    for (svc, name, pid), seconds in zip(running, took):
        label = 'stop %s (pid %d)' % (name, pid)
        out.write('  %-44s %6.1f s\n' % (label, seconds))
    return [name for svc, name, _ in running]


def _purge(cloud, out):
    """Remove data, configs, logs and state; keep the venvs (slow to build).
    """
    for sub in ('data', 'etc', 'logs', 'run', 'workspace'):
        shutil.rmtree(cloud.home / sub, ignore_errors=True)
    for name in ('state.json', 'admin-openrc', 'clouds.yaml'):
        (cloud.home / name).unlink(missing_ok=True)
    out.write('localcloud: data wiped (venvs kept); the next `up` starts '
              'again at keystone %s\n' % config.OLD_KEYSTONE)


def _rss(cloud, svc):
    return sum(procs.rss_bytes(pid) for pid in (
        procs.read_pid(cloud, p.name)
        for p in lifecycle.processes(cloud, svc)) if pid)


def _backend_rows(cloud, svc, lb):
    """A balanced API's backends: process state and haproxy's view."""
    rows = []
    for proc in lifecycle.processes(cloud, svc):
        state, pid = lifecycle.process_state(cloud, proc)
        seen = lb.get((svc.name, proc.name), {})
        rows.append({'name': proc.name, 'state': state, 'pid': pid,
                     'port': cloud.ports[proc.port],
                     'rss_bytes': procs.rss_bytes(pid) if pid else 0,
                     'haproxy': seen.get('status'),
                     'sessions': int(seen['scur']) if seen else None,
                     'log': str(procs.logfile(cloud, proc.name))})
    return rows


def status(cloud, out, as_json=False):
    rows = []
    total = 0
    lb = balancer.servers(cloud)
    for svc, state, pid in lifecycle.service_states(cloud):
        rss = _rss(cloud, svc)
        total += rss
        row = {'service': svc.name, 'state': state, 'pid': pid,
               'rss_bytes': rss,
               'log': str(procs.logfile(cloud, svc.name))}
        if svc.port:
            row['port'] = cloud.ports[svc.port]
            row['url'] = cloud.url(svc.port) if svc.kind == 'api' else None
        if svc.balanced:
            row['backends'] = _backend_rows(cloud, svc, lb)
            dead = [b for b in row['backends']
                    if b['state'] in ('died', 'not-answering')]
            row['log'] = (dead or row['backends'])[0]['log']
        rows.append(row)
    ok = all(r['state'] in ('running', 'external') for r in rows)
    report = {'up': ok, 'home': str(cloud.home),
              'keystone_version': cloud.keystone_version,
              'versions': versions(cloud), 'lagging': lagging(cloud),
              'backends': cloud.backends,
              'haproxy_socket': str(haproxy.socket_path(cloud)),
              'rss_bytes': total, 'workspace': cloud.state.get('workspace'),
              'services': rows}
    if as_json:
        out.write(json.dumps(report) + '\n')
        return ok
    for r in rows:
        _status_line(out, r['service'], r, via=' (haproxy)'
                     if r.get('backends') else '')
        for b in r.get('backends', []):
            _status_line(out, '  ' + b['name'], b, haproxy=b['haproxy'] and
                         'haproxy %s, %d sessions' % (b['haproxy'],
                                                      b['sessions']))
    out.write('versions: %s\n' % _describe(report['versions']))
    if report['lagging']:
        out.write('not yet upgraded: %s\n' % _describe(report['lagging']))
    out.write('keystone %s; %d backends per API behind haproxy; total RSS '
              '%.2f GiB; %s\n' % (
                  cloud.keystone_version, cloud.backends, total / 2.0 ** 30,
                  'all up' if ok else 'NOT all up'))
    return ok


def _status_line(out, label, r, via='', haproxy=None):
    line = '%-18s %-14s %7s %8s' % (
        label, r['state'], r['pid'] or '-',
        '%d MiB' % (r['rss_bytes'] // 2 ** 20) if r['pid'] else '')
    if r.get('port'):
        line += '  127.0.0.1:%d%s' % (r['port'], via)
    if haproxy:
        line += '  ' + haproxy
    if r['state'] in ('died', 'not-answering'):
        line += '  <-- %s, see %s' % (r['state'].upper(), r['log'])
    out.write(line.rstrip() + '\n')


def _service(name):
    svc = services.find(name)
    if svc is None:
        raise Failed('unknown service %r; known: %s' % (
            name, ', '.join(services.names())))
    return svc


def _target(cloud, name):
    """(svc, process or None) for a service name or one backend's
    (``nova-api-b2``)."""
    proc = lifecycle.find_process(cloud, name)
    if proc is not None:
        return proc.svc, proc
    return _service(name), None


def stop_one(cloud, out, name):
    """Stop a service, or one backend of it (haproxy is not told: its
    checks find out, as after a crash)."""
    svc, proc = _target(cloud, name)
    t0 = time.monotonic()
    if proc is not None:
        stopped = lifecycle.stop_process(cloud, svc, proc.name)
    else:
        stopped = lifecycle.stop(cloud, svc)
    label = proc.name if proc else svc.name
    if stopped:
        out.write('stopped %s in %.1f s\n' % (label,
                                              time.monotonic() - t0))
    else:
        out.write('%s was not running\n' % label)
    return True


def start_one(cloud, out, name):
    svc, proc = _target(cloud, name)
    t0 = time.monotonic()
    todo = [proc] if proc else lifecycle.processes(cloud, svc)
    todo = [p for p in todo if not procs.read_pid(cloud, p.name)]
    label = proc.name if proc else svc.name
    if not todo:
        out.write('%s is already running\n' % label)
        return True
    if proc is None:
        lifecycle.check_ports(cloud, [svc])
    for p in todo:
        lifecycle.start_process(cloud, p)
    lifecycle.wait_ready(cloud, [svc])
    out.write('started %s in %.1f s\n' % (label, time.monotonic() - t0))
    return True
