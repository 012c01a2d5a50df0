"""Run the probes: one OS process per API series, then the summary.

``plan.series`` decides which series run (and why others are skipped),
``run`` starts one ``worker`` process per series, all on one schedule
grid, forwards SIGINT/SIGTERM to them, waits, and writes ``summary.json``
from their probe logs. The workers stop on their own after their
iterations or duration, or in daemon mode when the sentinel appears.
With a ``control`` series the runner also serves its control endpoint
(``control.Server``, a thread) for as long as the workers run.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import time

from upgrade_tempest_plugin.uptime import control
from upgrade_tempest_plugin.uptime import plan as plan_mod
from upgrade_tempest_plugin.uptime import probeproject
from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import summary as summary_mod

LOG = logging.getLogger(__name__)


def fetch_catalog(conf, timeout):
    """Service types in the admin token's catalog; UptimeError if none."""
    try:
        provider = probes.auth_provider(conf, timeout)
        probes.authenticate(provider, conf)
        return probes.catalog_types(provider)
    except Exception as exc:
        from upgrade_tempest_plugin.common import errors
        raise plan_mod.UptimeError(
            'cannot authenticate to keystone at %s: %s (%s)' % (
                conf.identity.uri_v3, errors.classify(exc),
                errors.one_line(exc)))


def _spawn(args, env=None):
    cmd = [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.worker',
           json.dumps(args)]
    return subprocess.Popen(cmd, env=env)


def make_project(projects, series):
    """The read probes' own project (``probeproject``), or None when
    ``projects`` is None or no read series runs; UptimeError if it
    cannot be made."""
    if projects is None or not any(kind == 'read'
                                   for _n, _s, kind, _c in series):
        return None
    try:
        return projects.make()
    except Exception as exc:
        from upgrade_tempest_plugin.common import errors
        raise plan_mod.UptimeError(
            'cannot make the read probes\' own project (set [upgrade] '
            'uptime_probe_project = admin to probe as the admin): %s' %
            errors.one_line(exc))


def remove_project(projects, project):
    """Remove ``project``; the messages of what is left ([]: nothing)."""
    try:
        return projects.remove(project)
    except Exception as exc:
        from upgrade_tempest_plugin.common import errors
        return ['probe project %s (%s) not removed: %s' % (
            project.name, project.project_id, errors.one_line(exc))]


def run(plan, series, skipped=None, handle_signals=True, spawn=_spawn,
        projects=None):
    """Probe ``series`` in one process each; return the summary dict.

    ``plan`` (a ``plan.Plan``) says how and for how long; its sentinel
    (daemon mode) stops the run when it appears and must not exist at
    start. With ``handle_signals`` SIGINT/SIGTERM are forwarded to the
    workers, which stop cleanly, so the summary is still written.
    ``projects`` (``probes.keystone_projects``) makes the read probes'
    own project before they start and removes it once they stopped.
    """
    if plan.sentinel and os.path.exists(plan.sentinel):
        plan.validate()         # raises UptimeError naming the sentinel
    output_dir = plan.output_dir
    os.makedirs(output_dir, exist_ok=True)
    summary_mod.write_plan(output_dir, plan.to_dict())
    project = make_project(projects, series)
    if project:
        probeproject.save(output_dir, project)
    try:
        skipped, probed = _run(plan, series, skipped, handle_signals, spawn,
                               project)
    finally:
        left = remove_project(projects, project) if project else []
        for message in left:
            LOG.warning('%s', message)
        if project and not left:
            probeproject.forget(output_dir)
    # built once, with the probers done and their project removed
    result = summary_mod.build(output_dir, skipped, only=probed)
    if project:
        result['probe_project'] = dict(project.to_dict(), left=left)
    summary_mod.write(output_dir, result)
    return result


def _run(plan, series, skipped, handle_signals, spawn, project):
    """Start the probers and wait for them; ``(skipped, names probed)``."""
    output_dir = plan.output_dir
    procs = {}
    stopping = []

    def forward(signum, _frame):
        stopping.append(signum)
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    old = {}
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, forward)
    phases = grid_phases(series)
    epoch = time.time()     # one grid for all the probers
    server = None
    try:
        if any(kind == control.KIND for _n, _s, kind, _c in series):
            server = control.Server()
        for name, service, kind, conn in series:
            if stopping:
                break
            phase = phases[name]
            extra = {}
            if kind == control.KIND:
                extra = {'url': server.url,
                         'record_late': plan.stall_threshold}
            env = project.environ(os.environ) \
                if project and kind == 'read' else None
            procs[name] = spawn(dict(extra, **{
                'series': name, 'service': service, 'kind': kind,
                'connection': conn,
                'config_file': os.path.abspath(plan.config_file),
                'output_dir': os.path.abspath(output_dir),
                'rate': plan.rate_of(service, kind),
                'timeout': plan.timeout,
                'max_outstanding': plan.max_outstanding,
                'abandon_after': plan.abandon_after,
                'recovery_interval': plan.recovery_interval,
                'iterations': plan.iterations,
                'duration': plan.duration, 'sentinel': plan.sentinel,
                'phase': phase, 'epoch': epoch,
                'backend': plan_mod.backend_of(name),
                'parent': os.getpid()}), env=env)
        failed = {}
        for name, proc in procs.items():
            rc = _wait(proc)
            if rc != 0:
                failed[name] = 'prober exited with %s (see %s.log)' % (
                    rc, os.path.join(output_dir, name))
    finally:
        if server is not None:
            server.close()
        for sig, handler in old.items():
            signal.signal(sig, handler)
    return dict(skipped or {}, **failed), set(procs)


def grid_phases(series):
    """Each series' phase on the common grid (a fraction of its interval).

    The read series of one API interleave: half an interval apart,
    together they sample the API twice per interval. The APIs are spread
    over the interval: on a small cloud six probes sent at the same
    instant (and their six APIs answering at once) saturate its cores for
    some milliseconds every tick, and the users whose calls fall into
    those bursts wait: with reads at 1/s and pulses at 10/s all in phase,
    the users' p95 rose by 41 %; spread, by 18 % (60 s runs of the
    probe-effect benchmark), against ~equal p50s.
    A backend's series are spread as one more API (``nova@host:port``);
    the control, which costs the cloud nothing, sits between the first
    API's read and its pulse.
    """
    def group(name, service):
        backend = plan_mod.backend_of(name)
        return service + '@' + backend if backend else service

    groups = []
    for name, service, kind, _conn in series:
        if kind != control.KIND and group(name, service) not in groups:
            groups.append(group(name, service))
    reads = {}
    for name, service, kind, _conn in series:
        if kind == 'read':
            key = group(name, service)
            reads[key] = reads.get(key, 0) + 1
    phases, order = {}, {}
    for name, service, kind, _conn in series:
        if kind == control.KIND:
            phases[name] = 0.25 / max(len(groups), 1)
            continue
        key = group(name, service)
        offset = groups.index(key) / float(len(groups))
        if kind == 'read':
            k = order.get(key, 0)
            order[key] = k + 1
            phases[name] = (k + offset) / float(reads[key])
        elif kind == 'pulse':
            phases[name] = (offset + 0.5 / len(groups)) % 1.0
        else:
            phases[name] = offset
    return phases


def _wait(proc):
    while True:
        try:
            return proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
        except InterruptedError:    # pragma: no cover - py3 retries
            time.sleep(0.1)
