"""Write probes that leave nothing behind.

A write probe creates a small resource with a name of its own
(``uptime-probe-<hex>``) and deletes it. During an upgrade either call may
fail: the delete in an outage, or the create after the server acted on it
but before its answer arrived. ``WriteProbe`` records each name before the
create and forgets it only once the delete succeeded, and ``sweep`` (run
when probing has stopped) finds and deletes what is left -- only those
names, never anything else.
"""

import logging
import threading
import time
import uuid

from tempest.lib import exceptions as lib_exc

from upgrade_tempest_plugin.common import errors

NAME_PREFIX = 'uptime-probe-'
LOG = logging.getLogger(__name__)


def new_name():
    return NAME_PREFIX + uuid.uuid4().hex[:12]


class WriteProbe(object):
    """``probe()`` = ``create(name)`` then ``delete(ident)``.

    ``create(name)`` returns the resource's identifier, ``delete(ident)``
    the HTTP status; ``lookup(name)`` returns the identifiers of the
    resources called ``name`` (none if the create never took effect).
    """

    def __init__(self, create, delete, lookup, name=new_name):
        self._create = create
        self._delete = delete
        self._lookup = lookup
        self._name = name
        self._lock = threading.Lock()
        self._undeleted = set()

    def __call__(self):
        name = self._name()
        with self._lock:
            self._undeleted.add(name)
        ident = self._create(name)
        status = self._delete(ident)
        with self._lock:
            self._undeleted.discard(name)
        return status

    @property
    def undeleted(self):
        """Names created (or maybe created) and not deleted, sorted."""
        with self._lock:
            return sorted(self._undeleted)

    def sweep(self, attempts=3, pause=2.0, sleep=time.sleep):
        """Delete what the probes left; return the names still there.

        Each name is looked up and every resource found deleted (already
        gone counts as deleted); a name whose lookup or delete fails is
        tried again after ``pause`` seconds, ``attempts`` times in all.
        """
        for attempt in range(attempts):
            if attempt:
                sleep(pause)
            for name in self.undeleted:
                try:
                    for ident in self._lookup(name):
                        try:
                            self._delete(ident)
                        except lib_exc.NotFound:
                            pass
                        LOG.info('sweep: deleted %s (%s)', name, ident)
                except Exception as exc:
                    LOG.warning('sweep: %s still there: %s', name,
                                errors.one_line(exc))
                    continue
                with self._lock:
                    self._undeleted.discard(name)
            if not self.undeleted:
                break
        return self.undeleted


def exists(show):
    """A ``lookup`` for resources whose identifier is their name:
    ``[name]`` if ``show(name)`` finds it, ``[]`` on NotFound."""
    def lookup(name):
        try:
            show(name)
        except lib_exc.NotFound:
            return []
        return [name]
    return lookup
