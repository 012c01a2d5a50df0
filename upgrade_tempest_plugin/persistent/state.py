"""The state file shared by the create, verify and cleanup phases.

The phases run as separate ``tempest run`` processes, hours apart, and each
may run several stestr workers in parallel. Everything they hand over lives
in one JSON file (schema version 1)::

    {
      "version": 1,
      "prefix": "upgrade-persistent-1a2b3c",   # every resource name starts so
      "created_at": "2026-11-24T06:00:00Z",
      "owner": {                               # null until create records it
        "provisioned": "created" | "configured",
        "username": ..., "password": ..., "project_name": ...,
        "domain_name": ..., "user_id": ..., "project_id": ...
      },
      "resources": {
        "<type>": {
          "<name>": {
            "name": ..., "index": 0,
            "id": null | "...",                # null: intent, create not done
            "ready": false | true,             # reached steady state
            "snapshot": {...},                 # fields that must not change
            ...                                # per type (parents, sha256)
          }
        }
      }
    }

Rules: the name of a resource is recorded (an *intent*) before the call that
creates it, its id right after, so an interrupted create can still be
cleaned up. Every change is a read-modify-write under an exclusive
``fcntl.flock`` on ``<file>.lock`` (threads and processes alike), and the new
content replaces the old through a temporary file and ``os.replace``, so a
reader never sees half a file and no writer loses another's entries. The file
holds a password: it is written with mode 0600 in a 0700 directory.
"""

import contextlib
import datetime
import fcntl
import json
import os
import threading

from upgrade_tempest_plugin.common import fileutil
from upgrade_tempest_plugin import persistent

VERSION = 1


class StateError(persistent.PersistentError):
    """The state file is missing, unreadable or not what we wrote."""


def utcnow():
    """Return the current UTC time as an ISO 8601 string."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def new_state(prefix):
    """Return the content of an empty state file."""
    return {'version': VERSION, 'prefix': prefix, 'created_at': utcnow(),
            'owner': None, 'resources': {}}


def validate(data, path='<state>'):
    """Raise StateError unless ``data`` is a state of our schema version."""
    if not isinstance(data, dict):
        raise StateError('%s is not a persistent state file (a JSON object '
                         'is expected).' % path)
    if data.get('version') != VERSION:
        raise StateError(
            '%s has schema version %r; this plugin reads version %d. Use '
            'the plugin release that wrote it to clean up.'
            % (path, data.get('version'), VERSION))
    for key, kind in (('prefix', str), ('resources', dict)):
        if not isinstance(data.get(key), kind):
            raise StateError('%s is damaged: "%s" is missing or not a %s.'
                             % (path, key, kind.__name__))
    if data.get('owner') is not None and not isinstance(data['owner'], dict):
        raise StateError('%s is damaged: "owner" is not an object.' % path)
    return data


class StateFile(object):
    """Locked, atomic access to one state file."""

    _thread_lock = threading.RLock()

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.lock_path = self.path + '.lock'

    def exists(self):
        return os.path.exists(self.path)

    @contextlib.contextmanager
    def locked(self):
        """Hold the exclusive lock (threads of this process, then others)."""
        with self._thread_lock:
            try:
                self._make_dir()
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise StateError('Cannot use the persistent state file %s: '
                                 '%s (check [upgrade] output_dir and '
                                 'persistent_state_file).'
                                 % (self.path, exc.strerror or exc))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    def _make_dir(self):
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700, exist_ok=True)

    def _read(self):
        try:
            with open(self.path, encoding='utf-8') as f:
                text = f.read()
        except FileNotFoundError:
            raise StateError(
                'No persistent state file at %s: run "tempest run --regex '
                'persistent.create" first (from the same workspace, with '
                'the same [upgrade] output_dir / persistent_state_file).'
                % self.path)
        except OSError as exc:
            raise StateError('Cannot read the persistent state file %s: %s'
                             % (self.path, exc.strerror or exc))
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StateError('The persistent state file %s is corrupt (not '
                             'valid JSON: %s).' % (self.path, exc))
        return validate(data, self.path)

    def _write(self, data):
        self._make_dir()
        fileutil.write_json(self.path, data, mode=0o600)

    def load(self):
        """Return the state (a dict); StateError if missing or bad."""
        if not os.path.exists(self.path):
            self._read()  # raises the "missing" error, creates nothing
        with self.locked():
            return self._read()

    def create(self, prefix):
        """Create the file if missing; return the (new or existing) state."""
        with self.locked():
            if os.path.exists(self.path):
                return self._read()
            data = new_state(prefix)
            self._write(data)
            return data

    def update(self, change):
        """Apply ``change(state)`` under the lock, save, return its result."""
        with self.locked():
            data = self._read()
            result = change(data)
            self._write(data)
            return result

    # Convenience wrappers used by the phases.

    def set_owner(self, **fields):
        """Merge ``fields`` into the owner record."""
        def change(data):
            owner = data.get('owner') or {}
            owner.update(fields)
            data['owner'] = owner
        self.update(change)

    def record_intent(self, type_name, name, **fields):
        """Record that ``name`` is about to be created (id still unknown)."""
        def change(data):
            entries = data['resources'].setdefault(type_name, {})
            entry = entries.setdefault(
                name, {'name': name, 'id': None, 'ready': False,
                       'intent_at': utcnow()})
            entry.update(fields)
            return dict(entry)
        return self.update(change)

    def record(self, type_name, name, **fields):
        """Merge ``fields`` (id, ready, snapshot, ...) into an entry."""
        def change(data):
            entries = data['resources'].setdefault(type_name, {})
            entry = entries.setdefault(name, {'name': name, 'id': None,
                                              'ready': False})
            entry.update(fields)
            return dict(entry)
        return self.update(change)

    def forget(self, type_name, name):
        """Drop an entry (its resource is gone)."""
        def change(data):
            entries = data['resources'].get(type_name, {})
            entries.pop(name, None)
            if not entries:
                data['resources'].pop(type_name, None)
        self.update(change)

    def remove(self):
        """Delete the state file (only once nothing is left)."""
        with self.locked():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


def entries(data, type_name):
    """Return the entries of one type, sorted by index then name."""
    values = list(data['resources'].get(type_name, {}).values())
    return sorted(values, key=lambda e: (e.get('index', 0), e['name']))
