"""The cleanup phase: delete everything, prove nothing leaked.

Types are deleted in reverse creation order (a server before its network),
the resources of one type in parallel. Each deletion tolerates an
already-deleted resource, retries transient errors and 409s, and waits
until the resource is gone; only then is its state entry dropped, so what
could not be deleted stays recorded and a second cleanup finishes the job.
A type whose dependents are not all gone is not attempted (it would only
fail with 409s). Intents without an id are looked up by name.

Then the owner's project is listed, type by type: anything still there is
a leak (with a pre-provisioned owner only names with our prefix count).
Only with nothing failed and nothing leaked are the dedicated user and
project deleted and the state file removed.

Result record (``persistent/cleanup-<UTC timestamp>-<pid>.json``)::

    {"phase": "cleanup", "start_time": ISO, "end_time": ISO,
     "deleted": [{"type", "name", "id"}],
     "failed": [{"type", "name", "id", "error"}],
     "leaked": [{"type", "id", "name"}],
     "owner_deleted": bool, "state_removed": bool}
"""

from concurrent import futures

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.persistent import owner as owner_mod
from upgrade_tempest_plugin.persistent import resources
from upgrade_tempest_plugin.persistent import state as state_mod
from upgrade_tempest_plugin.persistent import waiting


def run(ctx, available, delete_owner=None):
    """Delete, check for leaks, delete the owner; return the record.

    ``delete_owner(owner)`` deletes the dedicated user and project (admin).
    """
    record = {'phase': 'cleanup', 'start_time': state_mod.utcnow(),
              'deleted': [], 'failed': [], 'leaked': [],
              'owner_deleted': False, 'state_removed': False}
    ctx.authenticate()
    for rtype in resources.deletion_order():
        delete_type(ctx, rtype, available, record)
    data = ctx.refresh()
    if not record['failed']:
        record['leaked'], record['failed'] = leak_check(ctx, available)
    if not record['failed'] and not record['leaked'] and not any(
            data['resources'].values()):
        owner = data.get('owner')
        if delete_owner is not None and owner:
            try:
                record['owner_deleted'] = bool(delete_owner(owner))
            except Exception as exc:
                record['failed'].append(
                    {'type': 'owner', 'name': owner.get('username'),
                     'id': owner.get('user_id'),
                     'error': errors.describe(exc)})
        if not record['failed']:
            ctx.state.remove()
            record['state_removed'] = True
    record['end_time'] = state_mod.utcnow()
    return record


def forget_unfinished_owner(state_file, owner, delete_owner):
    """Clean up after a create phase that stopped before its owner was
    complete (see ``owner.is_unfinished``); return the record.

    Nothing can have been created as that owner, and it cannot log in: so
    only delete what was made of a dedicated owner (``delete_owner(owner)``
    finds it by name), then remove the state file. A pre-provisioned
    owner is left alone and ``delete_owner`` not called.
    """
    record = {'phase': 'cleanup', 'start_time': state_mod.utcnow(),
              'deleted': [], 'failed': [], 'leaked': [],
              'owner_deleted': False}
    if owner and owner.get('provisioned') == owner_mod.CREATED:
        record['owner_deleted'] = bool(delete_owner(owner))
    state_file.remove()
    record.update(state_removed=True, end_time=state_mod.utcnow())
    return record


def _dependents_left(rtype, data):
    return [t.name for t in resources.TYPES
            if rtype.name in t.requires and data['resources'].get(t.name)]


def delete_type(ctx, rtype, available, record):
    """Delete the recorded resources of one type; fill ``record``."""
    data = ctx.refresh()
    found = state_mod.entries(data, rtype.name)
    if not found:
        return
    reason = None
    missing = resources.missing_services(rtype, available)
    if missing:
        reason = 'kept: service not available: %s' % ', '.join(missing)
    blockers = _dependents_left(rtype, data)
    if blockers:
        reason = 'kept: %s still recorded (not deleted first)' % (
            ', '.join(blockers))
    if reason:
        record['failed'] += [{'type': rtype.name, 'name': e['name'],
                              'id': e.get('id'), 'error': reason}
                             for e in found]
        return
    workers = max(1, min(ctx.settings.workers, len(found)))
    with futures.ThreadPoolExecutor(workers) as pool:
        jobs = {pool.submit(rtype.delete_one, ctx, entry): entry
                for entry in found}
        for job in futures.as_completed(jobs):
            entry = jobs[job]
            item = {'type': rtype.name, 'name': entry['name'],
                    'id': entry.get('id')}
            try:
                job.result()
            except Exception as exc:
                item['error'] = errors.describe(exc)
                record['failed'].append(item)
                continue
            ctx.state.forget(rtype.name, entry['name'])
            record['deleted'].append(item)


def leak_check(ctx, available):
    """List what the owner still has.

    Return ``(leaked, failed)``: ``[{type, id, name}]`` found, and
    ``[{type, name, id, error}]`` for listings that failed.
    """
    owner = ctx.data.get('owner') or {}
    dedicated = owner.get('provisioned') == owner_mod.CREATED
    leaked, failed = [], []
    for rtype in resources.TYPES:
        if resources.missing_services(rtype, available):
            continue
        try:
            owned = waiting.retry_transient(
                lambda: rtype.list_owned(ctx), ctx.settings.retry_timeout)
        except Exception as exc:
            failed.append({'type': 'leak_check', 'name': rtype.name,
                           'id': None, 'error': errors.describe(exc)})
            continue
        for rid, name in owned:
            if dedicated or (name or '').startswith(ctx.prefix):
                leaked.append({'type': rtype.name, 'id': rid, 'name': name})
    return leaked, failed
