"""haproxy's runtime API over its stats socket: read the state of the
backends, drain and ready one (``show stat``, ``set server ... state``).
"""

import csv
import io
import socket
import time

from localcloud.progress import Failed
from localcloud.services import haproxy


def command(cloud, line, timeout=5):
    """Send one runtime API command; its answer (text)."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(timeout)
        sock.connect(str(haproxy.socket_path(cloud)))
        sock.sendall(line.encode() + b'\n')
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b''.join(chunks).decode('utf-8', 'replace')


def parse_stat(text):
    """``show stat`` CSV -> [row dict]; the header line starts '# '."""
    return list(csv.DictReader(io.StringIO(text.lstrip('# '))))


def servers(cloud):
    """{(proxy, server): row} of every backend server; {} if haproxy does
    not answer."""
    try:
        rows = parse_stat(command(cloud, 'show stat'))
    except OSError:
        return {}
    return {(r['pxname'], r['svname']): r for r in rows
            if r['svname'] not in ('FRONTEND', 'BACKEND')}


def set_state(cloud, proxy, server, state):
    """``set server PROXY/SERVER state ready|drain|maint``."""
    answer = command(cloud, 'set server %s/%s state %s' % (
        proxy, server, state)).strip()
    if answer:
        raise Failed('haproxy refused "set server %s/%s state %s": %s' % (
            proxy, server, state, answer))


def wait_for(cloud, proxy, server, test, what, timeout=60):
    """Poll ``show stat`` until ``test(row)``; the row.  Failed after
    ``timeout`` s, naming ``what`` was awaited and the last status."""
    deadline = time.monotonic() + timeout
    row = None
    while True:
        row = servers(cloud).get((proxy, server))
        if row is not None and test(row):
            return row
        if time.monotonic() > deadline:
            raise Failed('%s/%s: no %s after %d s (haproxy says %s)' % (
                proxy, server, what, timeout,
                row and '%s, %s sessions' % (row['status'], row['scur'])))
        time.sleep(0.1)
