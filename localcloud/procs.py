"""Start, find and stop the processes we started, by PID file only.

Each process is started in a new session, so its PID is also the id of a
process group holding it and any children it forks (gunicorn workers,
erlang helpers).  A PID file holds "<pid> <start time>" so a recycled PID
is never mistaken for ours.  Nothing here looks processes up by name.
"""

import errno
import os
import signal
import socket
import subprocess
import time


class ProcError(Exception):
    pass


def _stat(pid):
    """(state, pgid, start time) of a process, or None if gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rindex(')') + 2:].split()
    return fields[0], int(fields[2]), fields[19]


def pidfile(cloud, name):
    return cloud.run / (name + '.pid')


def logfile(cloud, name):
    return cloud.logs / (name + '.log')


def read_pid(cloud, name):
    """Our recorded PID for `name` if that very process still runs."""
    try:
        pid, start = pidfile(cloud, name).read_text().split()
    except (OSError, ValueError):
        return None
    stat = _stat(int(pid))
    if stat is None or stat[0] in ('Z', 'X') or stat[2] != start:
        return None
    return int(pid)


def age(pid):
    """Seconds since process `pid` started (0 if it is gone)."""
    stat = _stat(pid)
    if stat is None:
        return 0.0
    with open('/proc/uptime') as f:
        uptime = float(f.read().split()[0])
    return uptime - int(stat[2]) / os.sysconf('SC_CLK_TCK')


def recorded(cloud, name):
    return pidfile(cloud, name).exists()


def group(pgid):
    """Live PIDs in process group `pgid`."""
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat and stat[1] == pgid and stat[0] not in ('Z', 'X'):
                pids.append(int(entry))
    return pids


def rss_bytes(pgid):
    total = 0
    for pid in group(pgid):
        try:
            with open('/proc/%d/status' % pid) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def spawn(cloud, name, argv, env=None, cwd=None):
    """Start argv in its own session, output to logs/<name>.log."""
    cloud.run.mkdir(parents=True, exist_ok=True)
    cloud.logs.mkdir(parents=True, exist_ok=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(logfile(cloud, name), 'ab') as log:
        log.write(('--- %s starting: %s\n' % (
            time.strftime('%Y-%m-%d %H:%M:%S'), ' '.join(argv))).encode())
        log.flush()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, env=full_env, cwd=cwd or cloud.home,
            start_new_session=True)
    stat = _stat(proc.pid)
    pidfile(cloud, name).write_text('%d %s\n' % (proc.pid, stat[2]))
    return proc.pid


def stop(cloud, name, sig=signal.SIGTERM, timeout=20):
    """Stop our process group for `name`; True if something was running."""
    path = pidfile(cloud, name)
    pid = read_pid(cloud, name)
    if pid is None:
        path.unlink(missing_ok=True)
        return False
    _signal_group(pid, sig)
    deadline = time.monotonic() + timeout
    while group(pid) and time.monotonic() < deadline:
        _reap()
        time.sleep(0.05)
    if group(pid):
        _signal_group(pid, signal.SIGKILL)
        while group(pid):
            _reap()
            time.sleep(0.05)
    path.unlink(missing_ok=True)
    return True


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except OSError as e:
        if e.errno != errno.ESRCH:
            raise


def _reap():
    """Collect exited children of this CLI so they do not linger."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def port_open(port, host='127.0.0.1', timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def log_tail(cloud, name, lines=25):
    try:
        with open(logfile(cloud, name), 'rb') as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode('utf-8', 'replace')
    except OSError:
        return '(no log)'
    return '\n'.join(text.splitlines()[-lines:])
