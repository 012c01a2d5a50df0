"""The pulse's HTTP: one GET on a new connection, with the standard library.

The pulse and the control series send five requests a second each, so
what a request costs the probing host matters (the host is often the
cloud's own, as on the local cloud). tempest's ``ClosingHttp`` builds a
urllib3 pool for every request; measured on the local cloud, a pulse
every 0.2 s took 1.03 ms of the prober's CPU that way against 0.52 ms with
``http.client`` (notes: 300 GETs of keystone's version document each).

Same contract as tempest's HTTP objects where the probes use it:
``request(url, method, headers=None, body=None)`` returns ``(response,
body)``, the response a dict of lower-case headers with ``status``; no
retries; ``timeout`` bounds the connect and each read (the scheduler
judges the probe's own time limit). Failures are the standard library's
(``ConnectionRefusedError``, ``ConnectionResetError``,
``RemoteDisconnected``, ``TimeoutError``), which ``errors.classify``
names like urllib3's.
"""

import http.client
import ssl
from urllib import parse


class Response(dict):
    """Lower-case headers, plus ``status`` and ``reason``."""

    def __init__(self, resp):
        super(Response, self).__init__(
            (k.lower(), v) for k, v in resp.getheaders())
        self.status = resp.status
        self.reason = resp.reason
        self['status'] = str(resp.status)


class PlainHttp(object):

    def __init__(self, timeout, disable_ssl_certificate_validation=False,
                 ca_certs=None):
        self.timeout = timeout
        self._context = None
        self._insecure = disable_ssl_certificate_validation
        self._ca_certs = ca_certs

    def _tls(self):
        if self._context is None:
            context = ssl.create_default_context(cafile=self._ca_certs)
            if self._insecure:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._context = context
        return self._context

    def request(self, url, method, headers=None, body=None):
        parts = parse.urlsplit(url)
        if parts.scheme == 'https':
            conn = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.timeout,
                context=self._tls())
        else:
            conn = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=self.timeout)
        path = parts.path or '/'
        if parts.query:
            path += '?' + parts.query
        try:
            conn.request(method, path, body=body,
                         headers=dict(headers or {}, Connection='close'))
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp), data
        finally:
            conn.close()


def from_conf(conf, timeout):
    """A PlainHttp with tempest.conf's TLS settings."""
    return PlainHttp(
        timeout,
        disable_ssl_certificate_validation=(
            conf.identity.disable_ssl_certificate_validation),
        ca_certs=conf.identity.ca_certificates_file)
