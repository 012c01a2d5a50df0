"""tempest's HTTP layer without urllib3's hidden retries.

``tempest.lib.common.http`` retries GET/PUT/DELETE/HEAD up to 10 times,
without back-off: with ``[service-clients] http_timeout = 60`` one call to
a hung API can take ~11 minutes, and a refused connection is retried at
once, ten times, to no use. Callers that handle failures themselves (the
uptime probes: a failure is a measurement; the persistent phases: they
retry transient errors with pauses, for ``persistent_retry_timeout``) set
``client.http_obj = from_conf(conf, timeout)``.
"""

import urllib3

from tempest.lib.common import http


class NoRetryHttp(http.ClosingHttp):
    """tempest's HTTP layer without retries and with a total time limit."""

    def __init__(self, timeout, **kwargs):
        super(NoRetryHttp, self).__init__(
            timeout=urllib3.Timeout(total=timeout), **kwargs)

    def urlopen(self, method, url, redirect=True, **kw):
        kw['retries'] = urllib3.util.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5,
            raise_on_redirect=False)
        return super(NoRetryHttp, self).urlopen(method, url, redirect, **kw)


def from_conf(conf, timeout):
    """A NoRetryHttp with tempest.conf's TLS settings ([identity])."""
    return NoRetryHttp(
        timeout,
        disable_ssl_certificate_validation=(
            conf.identity.disable_ssl_certificate_validation),
        ca_certs=conf.identity.ca_certificates_file)
