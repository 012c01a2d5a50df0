"""The create phase: make every configured persistent resource.

Types are created in order (a type after those it requires); the
resources of one type in parallel. Creation is resumable: what the state
file already has ready is kept, an interrupted create (intent without id)
is looked up by name and adopted, the rest is created.

Result record (``persistent/create-<UTC timestamp>-<pid>.json``)::

    {"phase": "create", "start_time": ISO, "end_time": ISO,
     "prefix": str, "owner": {"username", "project_id", "provisioned"},
     "types": {"<type>": {"wanted": int, "ready": int,
                          "errors": [{"name", "error"}],
                          "skipped": null | "<reason>"}}}
"""

from concurrent import futures

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.persistent import resources
from upgrade_tempest_plugin.persistent import state as state_mod


def run(ctx, available, types=None):
    """Create what is missing; return the result record (a dict).

    ``available(service)`` says if a ``[service_available]`` service is on.
    """
    record = {'phase': 'create', 'start_time': state_mod.utcnow(),
              'prefix': ctx.prefix, 'types': {}}
    owner = ctx.data.get('owner') or {}
    ctx.authenticate()
    record['owner'] = {k: owner.get(k) for k in
                       ('username', 'project_id', 'provisioned')}
    for rtype in types or resources.creation_order():
        record['types'][rtype.name] = create_type(ctx, rtype, available)
    record['end_time'] = state_mod.utcnow()
    return record


def create_type(ctx, rtype, available):
    """Create the missing resources of one type; return its summary."""
    wanted = rtype.wanted(ctx)
    summary = {'wanted': wanted, 'ready': 0, 'errors': [], 'skipped': None}
    missing = resources.missing_services(rtype, available)
    if missing:
        summary['skipped'] = ('service not available: %s'
                              % ', '.join(missing))
        return summary
    ctx.refresh()
    workers = max(1, min(ctx.settings.workers, wanted))
    with futures.ThreadPoolExecutor(workers) as pool:
        jobs = {pool.submit(rtype.create_one, ctx, index):
                ctx.name(rtype.name, index) for index in range(wanted)}
        for job in futures.as_completed(jobs):
            try:
                job.result()
                summary['ready'] += 1
            except Exception as exc:
                summary['errors'].append(
                    {'name': jobs[job], 'error': errors.describe(exc)})
    summary['errors'].sort(key=lambda e: e['name'])
    ctx.refresh()
    return summary
