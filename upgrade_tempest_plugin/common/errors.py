"""Name the kind of failure a service client call ended with, and say it
in one line.

Operators read these names in stats, probe logs and reports, so they are
short and stable: ``HTTP 503`` for an HTTP error answer, ``connection
refused`` / ``connection reset`` / ``timeout`` for failures below HTTP
(tempest does not wrap urllib3's errors), otherwise the exception's class
name (e.g. ``InvalidHTTPResponseBody``), or for urllib3's ``MaxRetryError``
the class name of the error it gave up on (e.g. ``NameResolutionError``).

``one_line(exc)`` is the message of an exception on one line (for logs and
error messages), ``describe(exc)`` the kind of failure and that line: the
one way the plugin turns an exception into text.
"""

import errno
import socket

CONNECTION_REFUSED = 'connection refused'
CONNECTION_RESET = 'connection reset'
TIMEOUT = 'timeout'

MAX_LINE = 300   # characters of a one-line message kept


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


def _text(exc, limit):
    try:
        text = ' '.join(str(exc).split())
    except Exception:   # a broken __str__ must not hide the failure
        text = ''
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return text


def one_line(exc, limit=MAX_LINE):
    """Return the message of ``exc`` on one line, at most ``limit``
    characters (runs of white space, new lines included, become one
    space); the class name if the message is empty."""
    return _text(exc, limit) or type(exc).__name__


def describe(exc, limit=MAX_LINE):
    """Return ``'<kind>: <message>'``: :func:`classify`'s name for the
    failure and the one-line message (the kind alone if there is none)."""
    text = _text(exc, limit)
    kind = classify(exc)
    return '%s: %s' % (kind, text) if text else kind
