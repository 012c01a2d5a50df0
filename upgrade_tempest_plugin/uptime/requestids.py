"""Request ids: each probe sends its own, and notes the one answered.

Every probe sends ``X-Openstack-Request-Id: req-<uuid4>`` (made by the
scheduler when the probe is due, so a probe given up on still has one) on
each HTTP call it makes (a write probe's create and delete, a token
renewal), and notes the id the service answered with
(``x-openstack-request-id``, nova's ``x-compute-request-id``; swift's
``tx...`` transaction id) on its last call that answered one. Both go to
the probe log, and the failed probes' ids to each window of the summary,
so an operator finds them in the services' logs.

What a service does with the id we send differs (oslo.middleware's
``RequestId`` keeps a valid ``req-<uuid>`` as the *global* request id,
next to a local id of its own): see doc/source/uptime.rst.

The probe runs in its own thread; ``sending`` binds its id to that thread
and ``tag`` makes an HTTP object (``tempest.lib.common.http.ClosingHttp``
and its kin, called ``request(url, method, headers=..., ...)``) send the
bound id and note the answer. Outside ``sending`` a tagged HTTP object
sends nothing more (setting up: the first token).
"""

import threading
import uuid

HEADER = 'X-Openstack-Request-Id'
# the headers a service answers its request id in, first found wins
ANSWER_HEADERS = ('x-openstack-request-id', 'x-compute-request-id')

_local = threading.local()


def new():
    """A fresh request id in the form oslo.middleware accepts."""
    return 'req-%s' % uuid.uuid4()


class sending(object):
    """Bind ``request_id`` to this thread's HTTP calls (a context).

    ``answered``: the id the service answered with on the last call that
    answered one (None when none did: refused, held, or a balancer's own
    error page).
    """

    def __init__(self, request_id):
        self.request_id = request_id
        self.answered = None

    def __enter__(self):
        _local.current = self
        return self

    def __exit__(self, *_exc):
        _local.current = None
        return False


def current():
    """The ``sending`` bound to this thread, or None."""
    return getattr(_local, 'current', None)


def answer_of(resp):
    """The request id a response carries, or None.

    ``resp``: tempest's response dict (lower-case header keys) or a raw
    urllib3 response (streamed).
    """
    headers = getattr(resp, 'headers', None)
    for name in ANSWER_HEADERS:
        value = None
        if isinstance(resp, dict):
            value = resp.get(name)
        elif headers is not None:
            value = headers.get(name)
        if value:
            return value
    return None


def tag(http):
    """Make ``http`` send the bound request id and note the answer.

    Changes ``http`` in place (its ``request``) and returns it.
    """
    request = http.request

    def tagged(url, method, *args, **kwargs):
        probe = current()
        if probe is None or not probe.request_id:
            return request(url, method, *args, **kwargs)
        headers = dict(kwargs.get('headers') or {})
        headers[HEADER] = probe.request_id
        kwargs['headers'] = headers
        resp, body = request(url, method, *args, **kwargs)
        answered = answer_of(resp)
        if answered:
            probe.answered = answered
        return resp, body

    http.request = tagged
    return http
