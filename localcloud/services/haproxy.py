"""haproxy from Debian: the catalog endpoint of every balanced API.

One ``listen`` section per API, named after the service (``nova-api``),
bound to the API's catalog port and balancing round-robin over its
backends ``<service>-b1``, ``-b2`` (their own ports; those beyond ``up
--backends N`` are there in maintenance, ``disabled``), each checked with an
HTTP GET of the API's version document (swift: ``/healthcheck``): 2xx or
3xx is UP.  The stats socket (level admin) is the runtime API
``localcloud restart --rolling`` drains and readies backends through, and
what the plugin's ``[upgrade] uptime_haproxy_socket`` reads.

Checks: every 2 s while UP, every 0.5 s after a failure and every 1 s
while DOWN; 3 failures mark a backend DOWN, 2 successes UP again
(kolla-ansible checks every 2 s, 5 failures down, 2 successes up; a test
cloud wants a restarted backend back sooner).  ``option redispatch`` and
``retries 3``: a request whose connection to a backend is refused is sent
to the other one (kolla-ansible and OpenStack-Ansible keep haproxy's
defaults there too).  Only requests that went wrong are logged
(``dontlog-normal``), with the backend that served them and the request
id, to ``logs/haproxy.log``.
"""

import socket

from localcloud import config
from localcloud.services import base

CHECK = 'check inter 2s fastinter 500ms downinter 1s rise 2 fall 3'


def socket_path(cloud):
    return cloud.short_path('haproxy.sock')


def conf(cloud):
    return cloud.conf_dir('haproxy') / 'haproxy.cfg'


def render(cloud, apis):
    """The config text for ``apis`` (balanced Services)."""
    lines = [
        'global',
        '    maxconn 4000',
        '    stats socket %s mode 600 level admin' % socket_path(cloud),
        '    stats timeout 30s',
        '    log stdout format raw local0',
        '',
        'defaults',
        '    mode http',
        '    log global',
        '    option httplog',
        '    option dontlog-normal',
        '    option redispatch',
        '    retries 3',
        '    timeout connect 2s',
        '    timeout client 300s',
        '    timeout server 300s',
        '    timeout http-request 60s',
        '    timeout check 2s',
        '',
    ]
    for svc in apis:
        lines += [
            'listen %s' % svc.name,
            '    bind %s:%d' % (config.HOST, cloud.ports[svc.port]),
            '    balance roundrobin',
            '    capture request header X-Openstack-Request-Id len 64',
            '    option httpchk',
            '    http-check send meth GET uri %s' % svc.health,
            '    default-server %s' % CHECK,
        ]
        for index in range(1, config.MAX_BACKENDS + 1):
            name = config.backend_name(svc.name, index)
            lines.append('    server %s %s:%d%s' % (
                name, config.HOST, cloud.ports[config.backend_name(
                    svc.port, index)],
                ' disabled' if index > cloud.backends else ''))
        lines.append('')
    return '\n'.join(lines)


def configure(cloud, apis):
    """Write the config, read when haproxy starts; a running one is told
    of a change in the number of backends through its socket."""
    conf(cloud).write_text(render(cloud, apis))


def _ready(cloud):
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(str(socket_path(cloud)))
        return True
    except OSError:
        return False


SERVICES = [
    base.Service('haproxy', 'backend',
                 lambda c: ['haproxy', '-db', '-f', str(conf(c))],
                 ready=_ready, binds=config.BALANCED, probe_via='keystone',
                 aliases=('balancer', 'lb')),
]
