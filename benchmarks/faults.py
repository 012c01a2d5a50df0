"""Faults of exactly known length on the local cloud's APIs (loopback only).

- ``refused``: ``iptables -I INPUT -p tcp -d 127.0.0.1 --dport PORT -j
  REJECT --reject-with tcp-reset``; new and kept-alive connections fail at
  once. Removed with ``-D`` and the same rule.
- ``hang``: SIGSTOP of the API's processes (the master and its workers),
  then SIGCONT.
- ``503``: new connections to the port are redirected (``iptables -t nat
  -I OUTPUT ... -j REDIRECT``) to a tiny server of ours that answers 503;
  connections already open stay with the API (NAT applies to new ones).

Every rule and stopped process is recorded as it is made, and ``Faults``
(a context manager) removes or resumes all of them on every exit path,
also on SIGINT/SIGTERM. Only 127.0.0.1 and our own services are touched.
"""

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time

from localcloud import services

# uptime service -> local cloud service that serves its API
API = services.UPTIME_APIS


def cloud_status(repo):
    out = subprocess.run(
        [sys.executable, '-m', 'localcloud', 'status', '--json'],
        cwd=repo, capture_output=True, text=True).stdout
    return {s['service']: s for s in json.loads(out)['services']}


def process_tree(pid):
    """``pid`` and its descendants (a gunicorn master and its workers)."""
    pids = [pid]
    out = subprocess.run(['pgrep', '-P', str(pid)], capture_output=True,
                         text=True).stdout.split()
    for child in out:
        pids.extend(process_tree(int(child)))
    return pids


def daemon_pids(proc):
    """The uptime daemon's runner (``proc``, a Popen) and its probe
    workers."""
    out = subprocess.run(['pgrep', '-P', str(proc.pid)], capture_output=True,
                         text=True).stdout
    return [proc.pid] + [int(p) for p in out.split()]


def signal_all(pids, signum):
    """Send ``signum`` to each of ``pids`` that still runs (SIGSTOP to
    pause our own processes, SIGCONT to let them go on)."""
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


class QueueSampler(threading.Thread):
    """Largest accept queue (``ss -ltn`` Recv-Q) seen on each port.

    ``ports`` maps a port to the name to report it under; ``largest``
    maps that name to the largest queue seen. ``stop()`` ends it.
    """

    def __init__(self, ports, every=0.1):
        super(QueueSampler, self).__init__(daemon=True)
        self.ports = dict(ports)
        self.every = every
        self.largest = {}
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            out = subprocess.run(['ss', '-ltnH'], capture_output=True,
                                 text=True).stdout
            for line in out.splitlines():
                fields = line.split()
                name = self.ports.get(int(fields[3].rsplit(':', 1)[1]))
                if name is not None:
                    self.largest[name] = max(self.largest.get(name, 0),
                                             int(fields[1]))
            self._done.wait(self.every)

    def stop(self):
        self._done.set()
        self.join()


class _Answer503(http.server.BaseHTTPRequestHandler):
    def _reply(self):
        body = b'{"error": "injected 503"}'
        self.send_response(503)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _reply

    def log_message(self, *args):
        pass


class Faults(object):
    """Inject faults; undo every one of them on exit."""

    def __init__(self, repo):
        self.repo = repo
        self.status = cloud_status(repo)
        self._rules = []        # iptables argv tails to delete
        self._stopped = []      # pids to SIGCONT
        self._server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), _Answer503)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever,
                         daemon=True).start()
        self._old = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._old[sig] = signal.signal(sig, self._on_signal)
        return self

    def _on_signal(self, signum, _frame):
        self.undo_all()
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        self.undo_all()
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        self._server.shutdown()
        self._server.server_close()
        return False

    def port(self, service):
        return int(self.status[API[service]]['port'])

    def pids(self, service):
        return process_tree(int(self.status[API[service]]['pid']))

    # -- one fault ----------------------------------------------------------
    def _iptables(self, table, chain, rule):
        subprocess.run(['iptables', '-t', table, '-I', chain] + rule,
                       check=True)
        self._rules.append((table, chain, rule))

    def _undo_rule(self, entry):
        table, chain, rule = entry
        subprocess.run(['iptables', '-t', table, '-D', chain] + rule,
                       check=False)
        if entry in self._rules:
            self._rules.remove(entry)

    def start(self, kind, service):
        """Start a fault; returns ``(undo, start_time)``."""
        port = str(self.port(service))
        if kind == 'refused':
            rule = ['-p', 'tcp', '-d', '127.0.0.1', '--dport', port, '-j',
                    'REJECT', '--reject-with', 'tcp-reset']
            self._iptables('filter', 'INPUT', rule)
            entry = self._rules[-1]
            return (lambda: self._undo_rule(entry)), time.time()
        if kind == '503':
            rule = ['-p', 'tcp', '-d', '127.0.0.1', '--dport', port, '-j',
                    'REDIRECT', '--to-ports',
                    str(self._server.server_address[1])]
            self._iptables('nat', 'OUTPUT', rule)
            entry = self._rules[-1]
            return (lambda: self._undo_rule(entry)), time.time()
        if kind == 'hang':
            pids = self.pids(service)
            for pid in pids:
                self._stopped.append(pid)
                os.kill(pid, signal.SIGSTOP)
            started = time.time()

            def resume():
                for pid in pids:
                    os.kill(pid, signal.SIGCONT)
                    if pid in self._stopped:
                        self._stopped.remove(pid)
            return resume, started
        raise ValueError('unknown fault kind %r' % kind)

    def inject(self, kind, service, seconds):
        """A fault of ``seconds``; returns the true ``(start, end)``."""
        undo, start = self.start(kind, service)
        try:
            time.sleep(max(0.0, start + seconds - time.time()))
        finally:
            undo()
            end = time.time()
        return start, end

    def undo_all(self):
        for entry in list(self._rules):
            self._undo_rule(entry)
        for pid in list(self._stopped):
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
            self._stopped.remove(pid)
