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


class Process(object):
    """One OS process of a service: the service itself, or one backend
    of a balanced API (``nova-api-b1``; its name is also its port's)."""

    def __init__(self, svc, name, port):
        self.svc, self.name, self.port = svc, name, port

    def __repr__(self):
        return '<Process %s>' % self.name


def processes(cloud, svc):
    """The processes ``svc`` runs as: ``cloud.backends`` of a balanced
    API, else one."""
    if not svc.balanced:
        return [Process(svc, svc.name, svc.port)]
    return [Process(svc, config.backend_name(svc.name, i),
                    config.backend_name(svc.port, i))
            for i in range(1, cloud.backends + 1)]


def find_process(cloud, name):
    """The backend process called ``name`` (``nova-api-b2``), else None."""
    for svc in services.OPENSTACK:
        for proc in processes(cloud, svc):
            if svc.balanced and proc.name == name:
                return proc
    return None


def is_external(cloud, svc):
    """epmd may already run (left by apt): then it is not ours to start."""
    return (svc.name == 'epmd' and procs.read_pid(cloud, 'epmd') is None
            and procs.port_open(cloud.ports['epmd']))


def check_ports(cloud, svcs):
    """Fail early, and clearly, if a port we need is taken by a stranger."""
    taken = []
    for svc in svcs:
        if svc.name == 'epmd':
            continue
        for proc in processes(cloud, svc):
            if procs.read_pid(cloud, proc.name):
                continue
            names = ([proc.port] if proc.port else []) + list(svc.binds) + (
                ['rabbitmq-dist'] if svc.name == 'rabbitmq' else [])
            for port_name in names:
                if procs.port_open(cloud.ports[port_name]):
                    # haproxy's ports are named after the API they serve
                    label = port_name if port_name in svc.binds else \
                        proc.name
                    taken.append((label, port_name, cloud.ports[port_name]))
    if taken:
        raise Failed('\n'.join(
            'port %d on 127.0.0.1 (%s) is already in use by a process '
            'that is not ours: stop it, or choose another port with %s=...'
            % (port, name, config.env_name(port_name))
            for name, port_name, port in taken))


def start(cloud, svc):
    """Spawn every process of svc not already running; the first one's
    pid."""
    pids = [start_process(cloud, p) for p in processes(cloud, svc)]
    return pids[0]


def start_process(cloud, proc):
    pid = procs.read_pid(cloud, proc.name)
    if pid or is_external(cloud, proc.svc):
        return pid
    svc = proc.svc
    return procs.spawn(cloud, proc.name, svc.argv(cloud, proc.port),
                       env=svc.env(cloud))


def wait_ready(cloud, svcs, timeout=READY_TIMEOUT):
    """Wait until every process of every svc is ready, and a balanced
    API also answers through haproxy; a dead one fails with its log tail.
    """
    pending = [p for s in svcs if not is_external(cloud, s)
               for p in processes(cloud, s)]
    pending += [Process(s, s.name, None) for s in svcs if s.balanced]
    deadline = time.monotonic() + timeout
    while pending:
        for proc in list(pending):
            if _ready(cloud, proc):
                pending.remove(proc)
        if not pending:
            break
        if time.monotonic() > deadline:
            raise Failed('not ready after %d s: %s\n%s' % (
                timeout, ', '.join(p.name for p in pending),
                '\n'.join(died_message(cloud, p.name, 'is not answering')
                          for p in pending)))
        procs._reap()
        time.sleep(0.2)


def _ready(cloud, proc):
    svc = proc.svc
    if svc.balanced and proc.port is None:
        # the API through haproxy: at least one backend UP there
        return svc.ready(cloud, svc.port)
    pid = procs.read_pid(cloud, proc.name)
    if pid is None:
        raise Failed(died_message(cloud, proc.name))
    # A worker without a port is ready once it has survived its
    # start-up (a bad config kills it within a second or two).
    settled = proc.port or procs.age(pid) >= WORKER_SETTLE
    return settled and svc.ready(cloud, proc.port)


def died_message(cloud, name, what='failed to start (its process exited)'):
    log = procs.logfile(cloud, name)
    return '%s %s; last lines of %s:\n%s' % (
        name, what, log, _indent(procs.log_tail(cloud, name)))


def _indent(text):
    return '\n'.join('    ' + line for line in text.splitlines())


def stop(cloud, svc):
    """Stop our processes for svc; True if one was running."""
    names = [p.name for p in processes(cloud, svc)]
    if svc.balanced and svc.name not in names:
        names.append(svc.name)      # started as one process by older code
    return any([stop_process(cloud, svc, name) for name in names])


def stop_process(cloud, svc, name):
    sig = svc.stop_signal or (signal.SIGINT if svc.kind == 'api'
                              and svc.name != 'swift-proxy'
                              else signal.SIGTERM)
    return procs.stop(cloud, name, sig=sig)


def process_state(cloud, proc):
    """(state, pid) of one process: running, not-answering, died,
    stopped, external."""
    pid = procs.read_pid(cloud, proc.name)
    if pid:
        ready = proc.svc.ready(cloud, proc.port)
        return ('running' if ready else 'not-answering'), pid
    if is_external(cloud, proc.svc):
        return 'external', None
    if procs.recorded(cloud, proc.name):
        return 'died', None
    return 'stopped', None


def service_states(cloud):
    """[(svc, state, pid)]: running, not-answering, died, stopped, external;
    a balanced API's is its worst backend's, its pid its first one's."""
    out = []
    for svc in services.ALL:
        states = [process_state(cloud, p) for p in processes(cloud, svc)]
        state = min((s for s, _ in states), key=STATE_ORDER.index)
        pid = next((pid for _, pid in states if pid), None)
        out.append((svc, state, pid))
    return out


# worst first: the state a service shows when its processes differ
STATE_ORDER = ('died', 'not-answering', 'stopped', 'running', 'external')


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
