"""tempest's HTTP layer without urllib3's hidden retries.

``tempest.lib.common.http`` retries GET/PUT/DELETE/HEAD up to 10 times,
without back-off: with ``[service-clients] http_timeout = 60`` one call to
a hung API can take ~11 minutes, and a refused connection is retried at
once, ten times, to no use. Callers that handle failures themselves (the
uptime probes: a failure is a measurement; the persistent phases: they
retry transient errors with pauses, for ``persistent_retry_timeout``)
call ``install(client, conf, timeout)``.
"""

import urllib3

from tempest.lib.common import http


class NoRetryHttp(http.ClosingHttp):
    """tempest's HTTP layer without retries and with a total time limit."""

    def __init__(self, timeout, **kwargs):
        super(NoRetryHttp, self).__init__(
            timeout=urllib3.Timeout(total=timeout), **kwargs)
        self.limit = timeout

    def urlopen(self, method, url, redirect=True, **kw):
        kw['retries'] = urllib3.util.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5,
            raise_on_redirect=False)
        return super(NoRetryHttp, self).urlopen(method, url, redirect, **kw)


class _Response(dict):
    """The response object tempest's RestClient expects (as ClosingHttp's)."""

    def __init__(self, info, url):
        for key, value in info.getheaders().items():
            self[str(key).lower()] = value
        self.status = info.status
        self['status'] = str(self.status)
        self.reason = info.reason
        self.version = info.version
        self['content-location'] = url


class KeepAliveHttp(NoRetryHttp):
    """NoRetryHttp that keeps its connection open between requests.

    tempest's ClosingHttp sends ``Connection: close`` and drops its pools
    after every request: every call is a new TCP connection. Real clients
    (keystoneauth sessions, the dashboard) keep connections alive, and a
    graceful restart fails the two kinds differently (a kept connection is
    closed under the client; a new one is refused or queued), so the
    uptime probes measure both. One connection per host (``maxsize=1``).
    """

    def __init__(self, timeout, **kwargs):
        super(KeepAliveHttp, self).__init__(timeout, **kwargs)
        self.connection_pool_kw['maxsize'] = 1

    def request(self, url, method, *args, **kwargs):
        retries = urllib3.util.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5,
            raise_on_redirect=False)
        r = urllib3.poolmanager.PoolManager.request(
            self, method, url, *args, retries=retries, **kwargs)
        if not kwargs.get('preload_content', True):
            return r, b''
        return _Response(r, url), r.data


def from_conf(conf, timeout, keepalive=False):
    """A NoRetryHttp (or KeepAliveHttp) with tempest.conf's TLS settings."""
    cls = KeepAliveHttp if keepalive else NoRetryHttp
    return cls(
        timeout,
        disable_ssl_certificate_validation=(
            conf.identity.disable_ssl_certificate_validation),
        ca_certs=conf.identity.ca_certificates_file)


def install(target, conf, timeout, keepalive=False):
    """Give ``target`` an HTTP layer without hidden retries; return it.

    ``target`` is a service client, an auth provider (its token client
    gets the layer) or a ``tempest.clients.Manager`` (its auth provider's
    token client: the service clients it hands out are separate, install
    on each). Each request is limited to ``timeout`` seconds in all.
    Installing again with the same ``timeout`` and ``keepalive`` keeps the
    layer in place (and its kept-alive connection); another ``timeout``
    replaces it.
    """
    holder = target
    if not hasattr(holder, 'http_obj'):         # not a service client
        if hasattr(holder, 'auth_provider'):    # a clients Manager
            holder = holder.auth_provider
        holder = holder.auth_client             # an auth provider's
    cls = KeepAliveHttp if keepalive else NoRetryHttp
    current = getattr(holder, 'http_obj', None)
    if type(current) is not cls or current.limit != timeout:
        holder.http_obj = from_conf(conf, timeout, keepalive=keepalive)
    return target
