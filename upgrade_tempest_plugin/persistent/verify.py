"""The verify phase: are the persistent resources still there, unchanged?

For every resource in the state file, in parallel (a thread pool of
``[upgrade] persistent_workers``), as the owning user:

- it exists and is reachable, in its steady status (transitional statuses
  and transient errors are retried for ``persistent_retry_timeout`` s);
- the fields snapshotted at create time are unchanged (``drift``);
- data integrity (objects hash to the recorded SHA-256, ETag and image
  checksum unchanged) and cross-service consistency (neutron sees a
  server's ports; nova sees the attachment cinder reports).

Read-only and idempotent: it can run in a loop during the upgrade.

Result record, one file per run, ``<output_dir>/persistent/verify/<UTC
timestamp>-<pid>.json``::

    {
      "phase": "verify",
      "label": str,              # $UPGRADE_VERIFY_LABEL, or ""
      "start_time": ISO 8601 UTC, "end_time": ISO 8601 UTC,
      "duration": float,         # seconds spent verifying
      "resources_checked": [{"type": str, "name": str, "id": str|null,
                             "ok": bool,
                             "outcome": "ok" | "changed" | "missing" |
                                        "unreachable" | "not created",
                             "seconds": float}],   # time spent on it
      "differences": [{"resource_type": str, "name": str, "field": str,
                       "expected": any, "actual": any}],
      "skipped": {"<type>": "<reason>"}   # service not available
    }

Fields of a difference: a snapshot field (``size``, ``metadata``,
``fixed_ips``, ``etag``, ...), or ``exists`` (expected true, actual
false: 404), ``reachable`` (actual: the kind of error after retries),
``created`` (the create phase never finished it), ``status``, ``sha256``,
``neutron_ports``, ``nova_attachment``. A resource's ``outcome`` says what
its differences mean: ``unreachable`` (the API did not answer it, so
nothing is known about it), ``missing`` (404), ``changed`` (drift), ``not
created``.
"""

import os
import time
from concurrent import futures

from upgrade_tempest_plugin.persistent import drift
from upgrade_tempest_plugin.persistent import resources
from upgrade_tempest_plugin.persistent import state as state_mod

LABEL_ENV = 'UPGRADE_VERIFY_LABEL'


def run(ctx, available, types=None):
    """Verify every recorded resource; return the result record."""
    record = {'phase': 'verify', 'label': os.environ.get(LABEL_ENV, ''),
              'start_time': state_mod.utcnow(), 'resources_checked': [],
              'differences': [], 'skipped': {}}
    started = time.monotonic()
    ctx.authenticate()
    data = ctx.refresh()
    jobs = []
    for rtype in types or resources.creation_order():
        found = state_mod.entries(data, rtype.name)
        missing = resources.missing_services(rtype, available)
        if missing:
            if found:
                record['skipped'][rtype.name] = (
                    'service not available: %s' % ', '.join(missing))
            continue
        jobs += [(rtype, entry) for entry in found]
    workers = max(1, min(ctx.settings.workers, len(jobs)))
    with futures.ThreadPoolExecutor(workers) as pool:
        for (rtype, entry), (diffs, seconds) in zip(
                jobs, pool.map(lambda job: _timed_verify(ctx, *job), jobs)):
            record['resources_checked'].append(
                {'type': rtype.name, 'name': entry['name'],
                 'id': entry.get('id'), 'ok': not diffs,
                 'outcome': drift.outcome(diffs), 'seconds': seconds})
            record['differences'] += [drift.as_dict(d) for d in diffs]
    record['end_time'] = state_mod.utcnow()
    record['duration'] = round(time.monotonic() - started, 3)
    return record


def _timed_verify(ctx, rtype, entry):
    started = time.monotonic()
    diffs = rtype.verify_one(ctx, entry)
    return diffs, round(time.monotonic() - started, 3)


def differences_of(record, type_name):
    """Return the Differences of one type from a verify record."""
    return [drift.Difference(**d) for d in record['differences']
            if d['resource_type'] == type_name]


def failures(record, type_name):
    """Return what went wrong with the resources of one type, as text.

    One paragraph per outcome (unreachable, missing, changed, ...), e.g.
    ``1 of 1 networks unreachable:`` then one line per difference; ''
    when every resource is fine. Unreachable is not reported as changed:
    nothing is known about a resource its API did not answer for.
    """
    checked = [r for r in record['resources_checked']
               if r['type'] == type_name]
    diffs = differences_of(record, type_name)
    by_name = {}
    for diff in diffs:
        by_name.setdefault(diff.name, []).append(diff)
    seconds = {r['name']: r.get('seconds') for r in checked}
    paragraphs = []
    for outcome in drift.OUTCOMES:
        names = sorted(n for n, found in by_name.items()
                       if drift.outcome(found) == outcome)
        if not names:
            continue
        lines = [drift.describe(diff, seconds.get(name))
                 for name in names for diff in by_name[name]]
        paragraphs.append('%d of %d %ss %s:\n%s' % (
            len(names), len(checked), type_name, outcome, '\n'.join(lines)))
    return '\n'.join(paragraphs)
