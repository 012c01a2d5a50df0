"""Probes: one tempest service client per API, built from tempest.conf.

Each probe process builds ONE client (plus the auth provider it needs)
with ``build(service, kind, conf, timeout)`` and calls the returned
function once per tick. The HTTP layer of both the client and the auth
provider's token client is replaced by ``common.noretry.NoRetryHttp``: no
urllib3 retries (tempest's default would retry up to 10 times) and a total
time limit per request.

Read probes (default): keystone validates a token (``GET /v3/auth/tokens``,
a real identity call every probe), nova lists servers, neutron lists
networks, cinder lists volumes, glance lists images, swift lists the
account's containers, each with ``limit=1``, as the user of the probes'
own empty project (``probeproject``; neutron's and glance's listings
filtered to it), so a probe costs the same on any cloud. Write probes
(series ``<service>-write``) create and delete a small resource, as the
admin. Pulse probes (series ``<service>-pulse``) GET the
API's version document at the root of its catalog endpoint (swift:
``/info``), with no token: cheap enough to send five times a second, they
date the edges of the read series' windows (``uptime.refine``).

Tokens: the auth provider caches its token until shortly before it expires,
so while keystone is down the other APIs are still probed with the cached
token, as real clients holding a token would be. A probe whose token must be
renewed while keystone is down fails like the client would.

Every HTTP call of a probe carries the probe's request id
(``requestids``). A *backend* series (``build(..., backend='host:port')``)
makes the same call straight at one backend of a load-balanced API: the
catalog endpoint's URL with its netloc replaced (``at_backend``); tokens
still come through keystone's catalog endpoint.
"""

import importlib
import logging
import re
from urllib import parse

from tempest.lib import auth
from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.common import noretry
from upgrade_tempest_plugin.uptime import probeproject
from upgrade_tempest_plugin.uptime import pulsehttp
from upgrade_tempest_plugin.uptime import requestids
from upgrade_tempest_plugin.uptime import writes

# service -> ([service_available] option, tempest.conf group)
SERVICES = {
    'keystone': (None, 'identity'),
    'nova': ('nova', 'compute'),
    'neutron': ('neutron', 'network'),
    'cinder': ('cinder', 'volume'),
    'glance': ('glance', 'image'),
    'swift': ('swift', 'object-storage'),
}

_READ = {
    'keystone': ('tempest.lib.services.identity.v3.identity_client',
                 'IdentityClient', 'token validate'),
    'nova': ('tempest.lib.services.compute.servers_client',
             'ServersClient', 'list servers'),
    'neutron': ('tempest.lib.services.network.networks_client',
                'NetworksClient', 'list networks'),
    'cinder': ('tempest.lib.services.volume.v3.volumes_client',
               'VolumesClient', 'list volumes'),
    'glance': ('tempest.lib.services.image.v2.images_client',
               'ImagesClient', 'list images'),
    'swift': ('tempest.lib.services.object_storage.account_client',
              'AccountClient', 'list containers'),
}

_WRITE = {
    'keystone': ('tempest.lib.services.identity.v3.regions_client',
                 'RegionsClient', 'create+delete region'),
    'nova': ('tempest.lib.services.compute.keypairs_client',
             'KeyPairsClient', 'create+delete keypair'),
    'neutron': ('tempest.lib.services.network.networks_client',
                'NetworksClient', 'create+delete network'),
    'cinder': ('tempest.lib.services.volume.v3.qos_client',
               'QosSpecsClient', 'create+delete qos spec'),
    'glance': ('tempest.lib.services.image.v2.images_client',
               'ImagesClient', 'create+delete image record'),
    'swift': ('tempest.lib.services.object_storage.container_client',
              'ContainerClient', 'create+delete container'),
}

NAME_PREFIX = writes.NAME_PREFIX
LOG = logging.getLogger(__name__)


def describe(service, kind='read'):
    """Name of the probe, e.g. 'list servers'."""
    if kind == 'pulse':
        return 'GET %s (no token)' % ('/info' if service == 'swift'
                                      else 'version document')
    return (_WRITE if kind == 'write' else _READ)[service][2]


_VERSION = re.compile(r'^v\d+(\.\d+)?$')


def root_url(base_url, service):
    """The unauthenticated URL a pulse probe GETs, from a catalog endpoint.

    The endpoint's path is cut before its first version segment (and
    what follows it, e.g. a project id), where every API serves its
    version document (``/compute/v2.1`` -> ``/compute/``); swift's proxy
    serves ``/info`` there instead (its root is a 404).
    """
    parts = parse.urlsplit(base_url)
    kept = []
    for segment in parts.path.split('/'):
        if _VERSION.match(segment):
            break
        if segment:
            kept.append(segment)
    path = '/' + ''.join(s + '/' for s in kept)
    if service == 'swift':
        path += 'info'
    return parse.urlunsplit((parts.scheme, parts.netloc, path, '', ''))


class PulseError(Exception):
    """A pulse answered with an HTTP error (carries its status)."""

    def __init__(self, status):
        super(PulseError, self).__init__('HTTP %d' % status)
        self.status_code = status


def pulse(http, url):
    """A probe that GETs ``url`` with ``http`` (a ``pulsehttp.PlainHttp``).

    Success: an answer below 400 (the version list is a 300).
    """
    def probe():
        resp, _body = http.request(url, 'GET')
        if resp.status >= 400:
            raise PulseError(resp.status)
        return resp.status
    return probe


def at_backend(url, backend):
    """``url`` with its netloc (host:port) replaced by ``backend``."""
    parts = parse.urlsplit(url)
    return parse.urlunsplit((parts.scheme, backend) + tuple(parts[2:]))


def route(http, backend):
    """Make ``http`` (changed in place, returned) send every request to
    ``backend`` instead of the URL's own host and port."""
    request = http.request

    def routed(url, method, *args, **kwargs):
        return request(at_backend(url, backend), method, *args, **kwargs)

    http.request = routed
    return http


def target_of(url):
    """The netloc a URL reaches (the endpoint or backend of a series)."""
    return parse.urlsplit(url).netloc


def catalog_type(service, conf):
    return getattr(conf, SERVICES[service][1].replace('-', '_')).catalog_type


def unavailable_reason(service, conf):
    """Why ``service`` cannot be probed per tempest.conf, or None."""
    if service not in SERVICES:
        return 'unknown service (known: %s)' % ', '.join(sorted(SERVICES))
    flag = SERVICES[service][0]
    if flag and not getattr(conf.service_available, flag):
        return '[service_available] %s = False' % flag
    return None


def auth_provider(conf, timeout, credentials=None):
    """A KeystoneV3AuthProvider with the configured admin credentials, or
    with ``credentials`` (a dict: ``probeproject.ProbeProject.credentials``).
    """
    if credentials:
        creds = auth.KeystoneV3Credentials(**{
            k: v for k, v in credentials.items() if k != 'project_id'})
    else:
        from tempest.common import credentials_factory
        creds = credentials_factory.get_configured_admin_credentials(
            fill_in=False)
    provider = auth.KeystoneV3AuthProvider(
        creds, conf.identity.uri_v3,
        disable_ssl_certificate_validation=(
            conf.identity.disable_ssl_certificate_validation),
        ca_certs=conf.identity.ca_certificates_file,
        http_timeout=timeout)
    provider.auth_client.http_obj = noretry.from_conf(conf, timeout)
    return provider


def authenticate(provider, conf, limit=60.0):
    """Get the first token before probing starts, allowing ``limit`` s.

    Setting up is not part of the measurement: a busy keystone may take
    longer than one probe's time limit to issue a token. Later renewals
    use the probe's own limit.
    """
    short = provider.auth_client.http_obj
    provider.auth_client.http_obj = noretry.from_conf(conf, limit)
    try:
        provider.set_auth()
    finally:
        provider.auth_client.http_obj = short


class KeystoneProjects(object):
    """Makes and removes the read probes' own project
    (``probeproject``) with the admin's identity clients."""

    def __init__(self, conf, role, limit=60.0):
        self.conf = conf
        self.role = role
        self.limit = limit      # setting up is not part of the measurement
        self._clients = None

    def clients(self):
        if self._clients is None:
            from tempest.lib.services.identity.v3 import projects_client
            from tempest.lib.services.identity.v3 import roles_client
            from tempest.lib.services.identity.v3 import users_client
            provider = auth_provider(self.conf, self.limit)
            authenticate(provider, self.conf, self.limit)
            params = _client_params('keystone', self.conf, self.limit)
            made = []
            for cls in (projects_client.ProjectsClient,
                        users_client.UsersClient, roles_client.RolesClient):
                client = cls(provider, **params)
                client.http_obj = noretry.from_conf(self.conf, self.limit)
                made.append(client)
            domain = provider.auth_data[1]['project']['domain']['id']
            self._clients = made + [domain]
        return self._clients

    def make(self):
        projects, users, roles, domain = self.clients()
        return probeproject.create(projects, users, roles, domain,
                                   self.role)

    def remove(self, made):
        projects, users, _roles, _domain = self.clients()
        return probeproject.remove(projects, users, made)


def keystone_projects(conf, run_plan):
    """A KeystoneProjects when the plan wants the probes' own project."""
    if run_plan.probe_project != 'own':
        return None
    return KeystoneProjects(conf, run_plan.probe_role)


def catalog_types(provider):
    """Service types in the token's catalog (authenticates if needed)."""
    _token, data = provider.get_auth()
    return {entry.get('type') for entry in data.get('catalog', [])}


def _client_params(service, conf, timeout):
    from tempest import config as tempest_config
    group = SERVICES[service][1]
    params = tempest_config.service_client_config(group)
    if group == 'identity':
        params['endpoint_type'] = conf.identity.v3_endpoint_type
    for key in ('build_timeout', 'build_interval'):
        params.pop(key, None)
    params['http_timeout'] = timeout
    return params


def build(service, kind, conf, timeout, provider=None, keepalive=False,
          backend=None, credentials=None):
    """Build ONE client for ``service`` and its probe function.

    ``timeout`` bounds each HTTP request (the scheduler's abandon limit:
    the probe's own time limit is judged by the scheduler). With
    ``keepalive`` the client keeps one connection open between probes.

    Returns ``(client, probe)``; ``probe()`` returns the HTTP status of
    the (last) call and raises on failure. The caller may wrap the client
    (e.g. with ``tracking.Trace.decorate``) before probing: ``probe`` looks
    the methods up on the client at call time. ``probe.sweep()``, once
    probing has stopped, deletes what write probes left behind and returns
    the names it could not delete ([] for read probes). For ``kind``
    'pulse' the client only finds the endpoint (``probe.url``): the probe
    itself sends no token. With ``backend`` (``host:port``) the probe
    goes to that backend instead of the catalog endpoint's host and port.
    ``probe.target`` is the host:port it reaches. With ``credentials``
    (the probes' own project, ``probeproject``) a read probe runs as that
    project's user and lists that project's resources only.
    """
    table = _WRITE if kind == 'write' else _READ
    module, cls, _name = table[service]
    if provider is None:
        provider = auth_provider(conf, timeout, credentials)
        try:
            authenticate(provider, conf)
        except Exception as exc:    # the probes will try (and fail) again
            LOG.warning('no token before probing: %s', exc)
    client = getattr(importlib.import_module(module), cls)(
        provider, **_client_params(service, conf, timeout))
    client.http_obj = requestids.tag(
        noretry.from_conf(conf, timeout, keepalive=keepalive))
    requestids.tag(provider.auth_client.http_obj)
    if kind == 'pulse':
        url = root_url(client.base_url, service)
        if backend:
            url = at_backend(url, backend)
        probe = pulse(requestids.tag(pulsehttp.from_conf(conf, timeout)), url)
        probe.url = url
        probe.sweep = list
        probe.target = target_of(url)
        return client, probe
    if backend:
        route(client.http_obj, backend)
    if kind == 'write':
        probe = _WRITE_PROBES[service](client, provider)
    else:
        probe = _READ_PROBES[service](
            client, provider, (credentials or {}).get('project_id'))
    wrapped = reauth_on_401(probe, provider)
    wrapped.sweep = getattr(probe, 'sweep', list)
    wrapped.target = backend or _endpoint_target(client)
    return client, wrapped


def _endpoint_target(client):
    """The catalog endpoint's host:port; None when no token could be had
    yet (the probes will fail and say why)."""
    try:
        return target_of(client.base_url)
    except Exception as exc:
        LOG.warning('no endpoint yet: %s', exc)
        return None


def reauth_on_401(probe, provider):
    """Drop the cached token after a 401, as real clients do.

    The failed probe still counts (clients see that 401 first); the next
    one authenticates again, e.g. after keystone's keys or database
    changed under a token issued before.
    """
    def wrapped():
        try:
            return probe()
        except lib_exc.Unauthorized:
            provider.clear_auth()
            raise
    return wrapped


def _status(result):
    resp = getattr(result, 'response', None)
    if resp is None and isinstance(result, tuple):
        resp = result[0]
    status = getattr(resp, 'status', None)
    return int(status) if status is not None else None


def _in_project(params, key, project_id):
    """``params`` with ``key=project_id`` when the probe has a project of
    its own: an admin's listing sees every project's resources."""
    return dict(params, **{key: project_id}) if project_id else params


# (client, auth provider, own project id or None) -> probe
_READ_PROBES = {
    'keystone': lambda c, p, _pid: lambda: _status(
        c.show_token(p.get_token())),
    'nova': lambda c, p, _pid: lambda: _status(c.list_servers(limit=1)),
    'neutron': lambda c, p, pid: lambda: _status(c.list_networks(
        **_in_project({'limit': 1, 'fields': 'id'}, 'project_id', pid))),
    'cinder': lambda c, p, _pid: lambda: _status(
        c.list_volumes(params={'limit': 1})),
    'glance': lambda c, p, pid: lambda: _status(c.list_images(
        params=_in_project({'limit': 1}, 'owner', pid))),
    'swift': lambda c, p, _pid: lambda: _status(
        c.list_account_containers(params={'limit': 1})),
}


# Write probes: (create(name) -> ident, delete(ident) -> response,
# lookup(name) -> [ident]) per API. Methods are looked up on the client at
# call time, like the read probes', so a Trace wrapping the client after
# build() sees every call.

def _by_name(create, delete, show):
    """(create, delete, lookup) of a resource identified by its name."""
    def create_named(name):
        create(name)
        return name
    return create_named, delete, writes.exists(show)


def _write_keystone(c):
    return _by_name(lambda name: c.create_region(region_id=name),
                    lambda rid: c.delete_region(rid),
                    lambda rid: c.show_region(rid))


def _write_nova(c):
    return _by_name(lambda name: c.create_keypair(name=name),
                    lambda name: c.delete_keypair(name),
                    lambda name: c.show_keypair(name))


def _write_neutron(c):
    return (lambda name: c.create_network(name=name)['network']['id'],
            lambda net_id: c.delete_network(net_id),
            lambda name: [n['id'] for n in
                          c.list_networks(name=name)['networks']])


def _write_cinder(c):
    return (lambda name: c.create_qos(name=name)['qos_specs']['id'],
            lambda qos_id: c.delete_qos(qos_id),
            lambda name: [q['id'] for q in c.list_qos()['qos_specs']
                          if q['name'] == name])


def _write_glance(c):
    def create(name):
        return c.create_image(name=name, container_format='bare',
                              disk_format='raw', visibility='private')['id']
    return (create, lambda image_id: c.delete_image(image_id),
            lambda name: [i['id'] for i in c.list_images(
                params={'name': name})['images']])


def _write_swift(c):
    return _by_name(lambda name: c.create_container(name),
                    lambda name: c.delete_container(name),
                    lambda name: c.list_container_metadata(name))


def _write_probe(maker):
    """A WriteProbe over ``maker(client)``'s (create, delete, lookup)."""
    def make(c, p):
        create, delete, lookup = maker(c)
        return writes.WriteProbe(
            create, lambda ident: _status(delete(ident)), lookup)
    return make


_WRITE_PROBES = {
    'keystone': _write_probe(_write_keystone),
    'nova': _write_probe(_write_nova),
    'neutron': _write_probe(_write_neutron),
    'cinder': _write_probe(_write_cinder),
    'glance': _write_probe(_write_glance),
    'swift': _write_probe(_write_swift),
}
