"""What every persistent resource type shares: the create/verify/delete loop.

A resource type (``ResourceType`` subclass, one per kind of resource in the
``compute``, ``network``, ``volume``, ``storage`` and ``image`` modules)
only says how to create, show, snapshot, check, delete and find one
resource; the loops here do the bookkeeping: intent before the create
call, id after it, waiting for the steady state, the drift snapshot,
retrying transient errors, tolerating already-deleted resources.
"""

import dataclasses
import os
import time

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin import persistent
from upgrade_tempest_plugin.persistent import drift
from upgrade_tempest_plugin.persistent import state as state_mod
from upgrade_tempest_plugin.persistent import waiting


class CreateError(persistent.PersistentError):
    """A resource could not be created or did not get ready."""


class LoginError(persistent.PersistentError):
    """The owner of the persistent resources cannot log in."""


@dataclasses.dataclass
class Settings(object):
    """What the phases need from ``[upgrade]`` and tempest.conf."""

    counts: dict = dataclasses.field(default_factory=dict)
    build_timeout: float = 300
    build_interval: float = 1
    retry_timeout: float = 120
    workers: int = 16
    object_size: int = 4096
    image_ref: str = ''
    flavor_ref: str = ''
    volume_size: int = 1

    @classmethod
    def from_conf(cls, conf):
        """Build Settings from a tempest CONF object."""
        from upgrade_tempest_plugin.persistent import options
        up = conf.upgrade
        return cls(
            counts={name: getattr(up, 'persistent_%s_count' % name)
                    for name, _d, _w in options.COUNTS},
            build_timeout=up.persistent_build_timeout,
            build_interval=min(conf.compute.build_interval, 1),
            retry_timeout=up.persistent_retry_timeout,
            workers=up.persistent_workers,
            object_size=up.persistent_object_size,
            image_ref=conf.compute.image_ref,
            flavor_ref=conf.compute.flavor_ref,
            volume_size=conf.volume.volume_size)


class Context(object):
    """The owner's clients, the state file and the settings of one phase."""

    def __init__(self, clients, state_file, settings, decorate=None,
                 project_id=None):
        self.clients = clients
        self.state = state_file
        self.settings = settings
        self.project_id = project_id
        self.admin = None   # admin clients, for what only an admin may do
        self._decorate = decorate or (lambda client: client)
        self.data = None
        self.refresh()

    def client(self, attr):
        """Return the owner's (traced) service client ``attr``."""
        return self._decorate(getattr(self.clients, attr))

    def admin_client(self, attr):
        """Return the admin's client ``attr`` (the owner's if no admin)."""
        admin = getattr(self, 'admin', None)
        if admin is None:
            return self.client(attr)
        return self._decorate(getattr(admin, attr))

    def authenticate(self):
        """Get the owner's token once, before threads need it.

        Otherwise every worker thread of the pool finds the token cache
        empty and asks keystone for a token of its own at the same time.
        """
        provider = getattr(self.clients, 'auth_provider', None)
        if provider is None:
            return
        try:
            waiting.retry_transient(
                provider.get_auth, self.settings.retry_timeout,
                transient=lambda exc: waiting.is_transient(exc) and (
                    errors.http_status(exc) != 401))
        except Exception as exc:
            creds = getattr(provider, 'credentials', None)
            raise LoginError('Cannot log in as the owner of the persistent '
                             'resources (user %s, project %s): %s'
                             % (getattr(creds, 'username', '?'),
                                getattr(creds, 'project_name', '?'),
                                errors.one_line(exc)))

    def refresh(self):
        """Re-read the state file (after another type was created)."""
        self.data = self.state.load()
        return self.data

    @property
    def prefix(self):
        return self.data['prefix']

    def name(self, type_name, index):
        return '%s-%s-%d' % (self.prefix, type_name.replace('_', '-'), index)

    def entries(self, type_name, ready=True):
        found = state_mod.entries(self.data, type_name)
        return [e for e in found if e.get('ready') or not ready]

    def parent(self, type_name, index, required=True):
        """The ready entry of type ``type_name`` that resource ``index``
        uses."""
        found = self.entries(type_name)
        if not found:
            if required:
                raise CreateError('needs a persistent %s and none is ready '
                                  '(see [upgrade] persistent_%s_count and '
                                  'the test of that type)'
                                  % (type_name, type_name))
            return None
        return found[index % len(found)]


def random_payload(size):
    return os.urandom(size)


class ResourceType(object):
    """One kind of persistent resource; subclasses fill in the API calls."""

    name = None            # type name used in state, options and reports
    services = ()          # [service_available] keys this type needs
    requires = ()          # types whose resources this one uses
    steady = ()            # statuses that are fine (empty: no status)
    transitional = ()      # statuses worth waiting for
    error_statuses = ('ERROR', 'error', 'killed', 'error_deleting')

    # -- API, per type -------------------------------------------------

    def create(self, ctx, entry):
        """Issue the create call; return fields to record (with 'id')."""
        raise NotImplementedError

    def finish(self, ctx, entry):
        """Follow-up calls after the id is recorded (rules, attach, ...)."""

    def show(self, ctx, entry):
        """Return the API body of the resource (NotFound if gone)."""
        raise NotImplementedError

    def status(self, body):
        return body.get('status') if isinstance(body, dict) else None

    def snapshot(self, ctx, entry, body):
        """Return the dict of fields that must not change."""
        return {}

    def checks(self, ctx, entry, body):
        """Return Differences found by data/cross-service checks."""
        return []

    def delete(self, ctx, entry):
        raise NotImplementedError

    def is_resource_deleted(self, ctx, entry):
        try:
            self.show(ctx, entry)
        except Exception as exc:
            if waiting.is_not_found(exc):
                return True
            raise
        return False

    def find(self, ctx, name):
        """Return the ids of resources called ``name`` (interrupted create)."""
        return []

    def list_owned(self, ctx):
        """Return ``[(id, name)]`` of what the owner has of this type."""
        return []

    # -- shared loops --------------------------------------------------

    def wanted(self, ctx):
        return ctx.settings.counts.get(self.name, 0)

    def wait_ready(self, ctx, entry):
        """Poll until the resource is in a steady state; return its body."""
        if not self.steady:
            return self.show(ctx, entry)
        seen = {}

        def ready():
            body = self.show(ctx, entry)
            seen['status'] = self.status(body)
            if seen['status'] in self.error_statuses:
                raise CreateError('%s %s went to status %s'
                                  % (self.name, entry['name'],
                                     seen['status']))
            return body if seen['status'] in self.steady else None
        try:
            return waiting.wait_for(
                ready, ctx.settings.build_timeout,
                ctx.settings.build_interval, self.name)
        except waiting.WaitTimeout:
            raise CreateError('%s %s is still %s after %d s'
                              % (self.name, entry['name'],
                                 seen.get('status'),
                                 ctx.settings.build_timeout))

    def create_one(self, ctx, index):
        """Create resource ``index`` unless the state already has it."""
        name = ctx.name(self.name, index)
        entry = ctx.data['resources'].get(self.name, {}).get(name)
        if entry and entry.get('ready'):
            return entry
        if not entry or not entry.get('id'):
            interrupted = entry is not None
            entry = ctx.state.record_intent(self.name, name, index=index)
            fields = self._create_or_adopt(ctx, entry, interrupted)
            entry = ctx.state.record(self.name, name, **fields)
        self.finish(ctx, entry)
        body = self.wait_ready(ctx, entry)
        snap = self.snapshot(ctx, entry, body)
        return ctx.state.record(self.name, name, ready=True, snapshot=snap,
                                created_at=state_mod.utcnow())

    # Pauses before re-checking a resource found changed or missing: an
    # API that has just restarted can answer 404 for every route, or
    # partial data (nova listing no security groups while neutron
    # starts), for a moment. Real drift is still there after them.
    confirm_pauses = (1, 2, 4)

    def _create_or_adopt(self, ctx, entry, look_first):
        """Create, or adopt what an earlier attempt made (found by name).

        A create call that failed transiently (503, refused, time-out) may
        or may not have made the resource, so look it up by name before
        trying again.
        """
        attempts = waiting.pauses(ctx.settings.retry_timeout)
        while True:
            try:
                ids = self.find(ctx, entry['name']) if look_first else []
                return {'id': ids[0]} if ids else self.create(ctx, entry)
            except Exception as exc:
                pause = next(attempts, None) if waiting.is_transient(
                    exc) else None
                if pause is None:
                    raise
                _sleep(pause)
                look_first = True

    def verify_one(self, ctx, entry):
        """Return the Differences of one resource (empty: all is well).

        Read-only. Transient errors and transitional statuses are retried,
        and differences are reported only if they are still there after
        ``confirm_pauses``, all within ONE deadline of ``retry_timeout``
        seconds: the last call starts before it, so an unreachable
        resource is given up on after at most ``retry_timeout`` plus one
        call's time (``[service-clients] http_timeout``).
        """
        if not entry.get('id') or not entry.get('ready'):
            return [drift.Difference(self.name, entry['name'],
                                     drift.CREATED, True, False)]
        deadline = waiting.Deadline(ctx.settings.retry_timeout, _clock)
        diffs = self._verify_retrying(ctx, entry, deadline)
        for pause in self.confirm_pauses:
            left = deadline.left()
            if not diffs or left <= 0:
                break
            _sleep(min(pause, left))
            diffs = self._verify_retrying(ctx, entry, deadline)
        return diffs

    def _verify_retrying(self, ctx, entry, deadline):
        name = entry['name']
        attempts = deadline.pauses()
        while True:
            try:
                return self._verify_once(ctx, entry)
            except _Again as again:
                pause = next(attempts, None)
                if pause is None:
                    return [again.difference]
                _sleep(pause)
            except Exception as exc:
                if waiting.is_not_found(exc):
                    return [drift.Difference(self.name, name, drift.EXISTS,
                                             True, False)]
                transient = waiting.is_transient(exc)
                pause = next(attempts, None) if transient else None
                if pause is None:
                    return [drift.Difference(self.name, name,
                                             drift.REACHABLE, True,
                                             errors.classify(exc))]
                _sleep(pause)

    def _verify_once(self, ctx, entry):
        body = self.show(ctx, entry)
        expected = entry.get('snapshot') or {}
        status = self.status(body)
        if self.steady and status in self.transitional:
            raise _Again(drift.Difference(
                self.name, entry['name'], 'status',
                expected.get('status', self.steady[0]), status))
        diffs = []
        if self.steady and 'status' not in expected and (
                status not in self.steady):
            diffs.append(drift.Difference(self.name, entry['name'],
                                          'status', self.steady[0], status))
        actual = self.snapshot(ctx, entry, body)
        diffs += drift.compare(self.name, entry['name'], expected, actual)
        diffs += self.checks(ctx, entry, body)
        return diffs

    def delete_one(self, ctx, entry):
        """Delete one resource (all of them if an intent matches several).

        Tolerates already-deleted resources, retries transient errors and
        409s (a dependent resource still going away) for up to
        ``retry_timeout`` s, waits until gone; all of it within ONE
        deadline of ``retry_timeout + build_timeout`` seconds.
        """
        settings = ctx.settings
        deadline = waiting.Deadline(
            settings.retry_timeout + settings.build_timeout, _clock)
        ids = [entry['id']] if entry.get('id') else self.find(
            ctx, entry['name'])
        for rid in ids:
            target = dict(entry, id=rid)
            retries = waiting.Deadline(
                min(settings.retry_timeout, deadline.left()), _clock)
            waiting.retry_transient(
                lambda: self._delete_quietly(ctx, target), sleep=_sleep,
                retry_also=_is_conflict, deadline=retries)
            waiting.wait_for(
                lambda: self.is_resource_deleted(ctx, target),
                interval=settings.build_interval,
                what='%s %s deletion' % (self.name, entry['name']),
                sleep=_sleep, deadline=deadline)

    def _delete_quietly(self, ctx, entry):
        try:
            self.delete(ctx, entry)
        except Exception as exc:
            if not waiting.is_not_found(exc):
                raise


class _Again(Exception):
    """Internal: the resource is in a transitional state, look again."""

    def __init__(self, difference):
        super(_Again, self).__init__(difference)
        self.difference = difference


def _is_conflict(exc):
    return errors.http_status(exc) == 409


def _sleep(seconds):
    time.sleep(seconds)


def _clock():
    return time.monotonic()


def ignore_not_found(call, *args, **kwargs):
    """Call, returning None on HTTP 404."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:
        if waiting.is_not_found(exc):
            return None
        raise
