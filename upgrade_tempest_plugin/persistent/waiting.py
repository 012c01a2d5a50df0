"""Retrying through service restarts, and waiting for a status.

During an upgrade an API may answer 503, refuse connections or time out for
a few seconds while it restarts. Those errors are *transient*: the phases
retry them until a deadline, with a growing pause, and only then report.
Anything else (404, 403, a schema mismatch, ...) is a real answer.
"""

import time

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin import persistent

# 401 too: a service that cannot reach keystone (restarting) to validate a
# token that was fine a moment ago answers 401. A wrong password is caught
# earlier, when the token is first fetched (see base.Context.authenticate).
TRANSIENT_STATUSES = (401, 500, 502, 503, 504)
TRANSIENT_KINDS = (errors.CONNECTION_REFUSED, errors.CONNECTION_RESET,
                   errors.TIMEOUT)
# Raised by tempest's auth provider when keystone answers a token request
# with an unexpected status (e.g. 503 while it restarts).
TRANSIENT_NAMES = ('IdentityError',)


class WaitTimeout(persistent.PersistentError):
    """A resource did not reach the wanted state in time."""


def is_transient(exc):
    """Return True if ``exc`` looks like a service being briefly away."""
    status = errors.http_status(exc)
    if status is not None:
        return status in TRANSIENT_STATUSES
    if type(exc).__name__ in TRANSIENT_NAMES:
        return True
    return errors.classify(exc) in TRANSIENT_KINDS


def is_not_found(exc):
    """Return True if ``exc`` is an HTTP 404."""
    return errors.http_status(exc) == 404


class Deadline(object):
    """One time limit shared by every retry and pause of one resource.

    A resource's retries, its confirmation pauses and its waits all draw
    on the same deadline, so they cannot add up: whatever happens, the
    last call starts before ``seconds`` have passed.
    """

    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self.start = clock()
        self.at = self.start + seconds

    def left(self):
        """Return the seconds left (0 once the deadline has passed)."""
        return max(0.0, self.at - self._clock())

    def elapsed(self):
        return self._clock() - self.start

    def pauses(self, first=0.5, longest=5.0):
        """Yield pause lengths, doubling up to ``longest``, until the
        deadline; a pause never reaches past it."""
        pause = first
        while True:
            left = self.left()
            if left <= 0:
                return
            yield min(pause, left)
            pause = min(pause * 2, longest)


def pauses(timeout, first=0.5, longest=5.0, clock=time.monotonic):
    """Yield pause lengths, doubling up to ``longest``, until ``timeout``.

    ``for pause in pauses(t): ...; time.sleep(pause)`` retries for about
    ``timeout`` seconds; the loop ends when the deadline has passed.
    """
    return Deadline(timeout, clock).pauses(first, longest)


def retry_transient(call, timeout=None, sleep=time.sleep, retry_also=(),
                    transient=None, deadline=None):
    """Return ``call()``, retrying transient errors for ``timeout`` seconds.

    ``deadline`` (a Deadline) replaces ``timeout`` when several retries
    share one limit. ``retry_also`` is a predicate on the exception for
    more errors to retry (e.g. a 409 while a dependent resource is still
    going away); ``transient`` replaces ``is_transient``. The last error
    is raised when the time is up.
    """
    transient = transient or is_transient
    attempts = (deadline or Deadline(timeout)).pauses()
    while True:
        try:
            return call()
        except Exception as exc:
            if not (transient(exc) or (retry_also and retry_also(exc))):
                raise
            pause = next(attempts, None)
            if pause is None:
                raise
            sleep(pause)


def wait_for(check, timeout=None, interval=1.0, what='resource',
             sleep=time.sleep, clock=time.monotonic, deadline=None):
    """Call ``check()`` until it returns a true value; return that value.

    ``check`` may raise transient errors (retried). ``deadline`` (a
    Deadline) replaces ``timeout``. WaitTimeout names ``what`` and the
    time waited.
    """
    deadline = deadline or Deadline(timeout, clock)
    while True:
        try:
            result = check()
        except Exception as exc:
            if not is_transient(exc):
                raise
            result = None
        if result:
            return result
        left = deadline.left()
        if left <= 0:
            raise WaitTimeout('%s not done within %d s'
                              % (what, deadline.seconds))
        sleep(min(interval, left))
