"""Name the kind of failure a service client call ended with.

Operators read these names in stats, probe logs and reports, so they are
short and stable: ``HTTP 503`` for an HTTP error answer, ``connection
refused`` / ``connection reset`` / ``timeout`` for failures below HTTP
(tempest does not wrap urllib3's errors), otherwise the exception's class
name (e.g. ``InvalidHTTPResponseBody``), or for urllib3's ``MaxRetryError``
the class name of the error it gave up on (e.g. ``NameResolutionError``).
"""

import errno
import socket

CONNECTION_REFUSED = 'connection refused'
CONNECTION_RESET = 'connection reset'
TIMEOUT = 'timeout'


def http_status(exc):
    """Return the HTTP status carried by a tempest.lib exception, or None."""
    resp = getattr(exc, 'resp', None)
    status = None
    if resp is not None:
        status = getattr(resp, 'status', None)
        if status is None and hasattr(resp, 'get'):
            status = resp.get('status')
    if status is None:
        status = getattr(exc, 'status_code', None)
    try:
        return int(status) if status is not None else None
    except (TypeError, ValueError):
        return None


def _causes(exc):
    """Yield exc and the chain of errors it wraps (urllib3 nests them)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        nxt = getattr(exc, 'reason', None)
        if not isinstance(nxt, BaseException):
            nxt = exc.__cause__ or exc.__context__
        exc = nxt


def classify(exc):
    """Return a short, stable name for the kind of failure ``exc`` is."""
    status = http_status(exc)
    if status is not None:
        return 'HTTP %d' % status
    for err in _causes(exc):
        name = type(err).__name__
        if isinstance(err, ConnectionRefusedError) or (
                isinstance(err, OSError)
                and err.errno == errno.ECONNREFUSED):
            return CONNECTION_REFUSED
        if isinstance(err, ConnectionResetError) or name in (
                'ProtocolError', 'RemoteDisconnected'):
            return CONNECTION_RESET
        if isinstance(err, (socket.timeout, TimeoutError)) or name in (
                'ReadTimeoutError', 'ConnectTimeoutError', 'TimeoutError',
                'TimeoutException'):
            return TIMEOUT
        if name == 'NewConnectionError' and 'refused' in str(err).lower():
            return CONNECTION_REFUSED
    reason = getattr(exc, 'reason', None)
    if type(exc).__name__ == 'MaxRetryError' and isinstance(
            reason, BaseException):
        return type(reason).__name__
    return type(exc).__name__
