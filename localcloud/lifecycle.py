"""up / down / status / start / stop for the whole cloud or one service."""

import os
import signal
import time

from localcloud import config
from localcloud import procs
from localcloud.progress import Failed
from localcloud import services

READY_TIMEOUT = 240
WORKER_SETTLE = 3.0


def is_external(cloud, svc):
    """epmd may already run (left by apt): then it is not ours to start."""
    return (svc.name == 'epmd' and procs.read_pid(cloud, 'epmd') is None
            and procs.port_open(cloud.ports['epmd']))


def check_ports(cloud, svcs):
    """Fail early, and clearly, if a port we need is taken by a stranger."""
    taken = []
    for svc in svcs:
        if svc.port is None or procs.read_pid(cloud, svc.name):
            continue
        if svc.name == 'epmd':
            continue
        names = [svc.port] + (['rabbitmq-dist'] if svc.name == 'rabbitmq'
                              else [])
        for port_name in names:
            if procs.port_open(cloud.ports[port_name]):
                taken.append((svc.name, port_name, cloud.ports[port_name]))
    if taken:
        raise Failed('\n'.join(
            'port %d on 127.0.0.1 (%s) is already in use by a process '
            'that is not ours: stop it, or choose another port with %s=...'
            % (port, svc_name, config.env_name(port_name))
            for svc_name, port_name, port in taken))


def start(cloud, svc):
    """Spawn svc unless our process for it already runs; returns pid."""
    pid = procs.read_pid(cloud, svc.name)
    if pid or is_external(cloud, svc):
        return pid
    return procs.spawn(cloud, svc.name, svc.argv(cloud), env=svc.env(cloud))


def wait_ready(cloud, svcs, timeout=READY_TIMEOUT):
    """Wait until every svc is ready; a dead one fails with its log tail."""
    pending = [s for s in svcs if not is_external(cloud, s)]
    deadline = time.monotonic() + timeout
    while pending:
        for svc in list(pending):
            pid = procs.read_pid(cloud, svc.name)
            if pid is None:
                raise Failed(died_message(cloud, svc))
            # A worker without a port is ready once it has survived its
            # start-up (a bad config kills it within a second or two).
            settled = svc.port or procs.age(pid) >= WORKER_SETTLE
            if settled and svc.ready(cloud):
                pending.remove(svc)
        if not pending:
            break
        if time.monotonic() > deadline:
            raise Failed('not ready after %d s: %s\n%s' % (
                timeout, ', '.join(s.name for s in pending),
                '\n'.join(died_message(cloud, s, 'is not answering')
                          for s in pending)))
        procs._reap()
        time.sleep(0.2)


def died_message(cloud, svc, what='failed to start (its process exited)'):
    log = procs.logfile(cloud, svc.name)
    return '%s %s; last lines of %s:\n%s' % (
        svc.name, what, log, _indent(procs.log_tail(cloud, svc.name)))


def _indent(text):
    return '\n'.join('    ' + line for line in text.splitlines())


def stop(cloud, svc):
    """Stop our process for svc; True if one was running."""
    sig = svc.stop_signal or (signal.SIGINT if svc.kind == 'api'
                              and svc.name != 'swift-proxy'
                              else signal.SIGTERM)
    return procs.stop(cloud, svc.name, sig=sig)


def service_states(cloud):
    """[(svc, state, pid)]: running, not-answering, died, stopped, external.
    """
    out = []
    for svc in services.ALL:
        pid = procs.read_pid(cloud, svc.name)
        if pid:
            state = 'running' if svc.ready(cloud) else 'not-answering'
        elif is_external(cloud, svc):
            state = 'external'
        elif procs.recorded(cloud, svc.name):
            state = 'died'
        else:
            state = 'stopped'
        out.append((svc, state, pid))
    return out


def all_up(cloud):
    return all(state in ('running', 'external')
               for _, state, _ in service_states(cloud))


def leftovers(cloud):
    """Live processes running our venvs, configs or data dirs: should be
    none after `down` (reported, never killed by name)."""
    marks = tuple(str(cloud.home / d) + '/' for d in ('venvs', 'etc', 'data'))
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode('utf-8',
                                                           'replace')
        except OSError:
            continue
        if any(mark in cmd for mark in marks):
            found.append((int(entry), cmd.strip()[:160]))
    return found
