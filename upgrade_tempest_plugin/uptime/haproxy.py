"""Backends of the APIs, read from haproxy's stats socket.

``[upgrade] uptime_haproxy_socket`` names the socket (``stats socket``
in haproxy's ``global`` section; any level can ``show stat``). Its
``show stat`` CSV has one row per proxy (``FRONTEND``, ``BACKEND``) and
one per server, whose ``addr`` is the server's ``host:port``. A proxy
(``listen`` or ``backend`` section) is taken for an API by its name:
lower-cased, ``_`` read as ``-``, and one suffix ``-api``, ``-server``,
``-proxy``, ``-internal``, ``-external`` or ``-public`` dropped, it must
be the API's name in ``uptime_services`` or the project's service name:

    nova-api, nova_api, nova          -> nova
    keystone, keystone_internal       -> keystone
    neutron-server, neutron_server    -> neutron
    cinder-api, glance-api            -> cinder, glance
    swift-proxy, swift_api            -> swift

(kolla-ansible's and OpenStack-Ansible's names and the local cloud's);
``nova_metadata`` or ``nova_novncproxy`` stay unmatched. Every server of
a matched proxy is a backend, UP, DOWN or drained (one going down is what
the operator wants to see), except one in maintenance (``MAINT``: taken
out of service on purpose when the run starts). ``uptime_backends``, when
set, wins over this.
"""

import csv
import io
import socket

from upgrade_tempest_plugin import uptime

SUFFIXES = ('-api', '-server', '-proxy', '-internal', '-external',
            '-public')
# names a project's API goes by, beyond the uptime service's own
ALIASES = {'identity': 'keystone', 'compute': 'nova', 'network': 'neutron',
           'volume': 'cinder', 'block-storage': 'cinder',
           'image': 'glance', 'object-store': 'swift',
           'object': 'swift'}


def show_stat(path, timeout=5.0):
    """``show stat`` over the unix socket at ``path``; UptimeError (one
    line) when it cannot be read."""
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.sendall(b'show stat\n')
            chunks = []
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
    except OSError as exc:
        raise uptime.UptimeError(
            'uptime_haproxy_socket: cannot read haproxy stats from %s: %s'
            % (path, exc.strerror or exc))
    return b''.join(chunks).decode('utf-8', 'replace')


def parse_stat(text):
    """``show stat`` CSV -> [dict per row], keyed by the header's names
    (``# pxname,svname,...``). UptimeError if it is not that CSV."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines or not lines[0].startswith('# pxname,svname,'):
        raise uptime.UptimeError(
            'uptime_haproxy_socket: not the CSV of "show stat": %r'
            % (lines[0][:80] if lines else text[:80]))
    lines[0] = lines[0][2:]
    return list(csv.DictReader(io.StringIO('\n'.join(lines))))


def service_of(proxy, services):
    """The uptime service a proxy named ``proxy`` serves, or None."""
    name = proxy.lower().replace('_', '-')
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            name = name[:-len(suffix)]
            break
    name = ALIASES.get(name, name)
    return name if name in services else None


def backends(rows, services):
    """``{service: [host:port, ...]}`` from parsed ``show stat`` rows, in
    the order haproxy lists the servers, each address once."""
    out = {}
    for row in rows:
        if row.get('svname') in ('FRONTEND', 'BACKEND', None):
            continue
        service = service_of(row.get('pxname', ''), services)
        addr = row.get('addr') or ''
        if service is None or ':' not in addr or \
                row.get('status', '').startswith('MAINT'):
            continue
        found = out.setdefault(service, [])
        if addr not in found:
            found.append(addr)
    return out


def discover(path, services):
    """The backends haproxy at ``path`` balances, for ``services``."""
    return backends(parse_stat(show_stat(path)), services)
