"""The uptime summary: ``<output_dir>/uptime/summary.json``.

Built from the probe logs (``<series>.jsonl``, see ``probelog``), the run
metadata (``<series>.meta.json``) and ``markers.jsonl``, so it can be
rebuilt at any time (``upgrade-uptime summary DIR``), also after a kill.

Schema (times are epoch seconds as floats, durations and latencies are
seconds)::

    {
      "generated_at": 1767225999.0,
      "markers": [{"time": 1767225700.0, "text": "db sync start"}, ...],
      "skipped": {"glance": "not in [service_available]"},
      "services": {
        "<series>": {               # nova, cinder, neutron, swift,
                                    # keystone, glance; write probes
                                    # are separate series "<name>-write";
                                    # "<name>@<host:port>" a backend's,
                                    # "control" the probing host's own
          "uptime_pct": 99.1,       # 100 * successful / total probes
          "total_requests": 600,    # probes sent on the ticks (recovery
                                    # probes apart: "recovery_probes")
          "successful_requests": 594,
          "failed_requests": 6,
          "start_time": 1767225600.0,   # first probe sent
          "end_time": 1767225660.0,     # end of the probed period
          "service": "nova", "kind": "read" | "write" | "pulse" |
                                    "control",
          "target": "127.0.0.1:8774",   # host:port probed: the catalog
                                    # endpoint's, or the backend's
          "backend": "127.0.0.1:18774",  # backend series only
          "probe": "list servers", "rate": 10.0, "timeout": 2.0,
          "left_behind": [],        # write series only: names of probe
                                    # resources the end-of-run sweep
                                    # could not delete
          "windows": [
            {"start": ..., "end": ...,  # first failed probe .. next success
             "duration_s": 0.6, "failed_probes": 6,
             "errors": {"connection refused": 6},
             "request_ids": ["req-...", ...],   # sent by its first 20
                                    # failed probes; the rest counted in
             "request_ids_left_off": 0,
             "answered_request_ids": {"req-...": "req-..."},  # the id
                                    # the service answered, where another
             "target": "127.0.0.1:8774",
             "control": true,       # only if the control series saw it
             "control_window": {"start": ..., "end": ...},  # (see
                                    # uptime.control): not counted below
             "open": false,            # still down when the run ended
             "markers": [{"time": ..., "text": ...}]}  # phases overlapped
          ],
          "total_downtime_s": 0.6,  # windows the control saw left out
          "total_downtime_bounds": [0.4, 0.9],  # the upper bound keeps them
          "longest_downtime_s": 0.6,
          "control_windows": 0, "control_downtime_s": 0.0,
          "control_failed_requests": 0,
          "latency": {"p50": 0.02, "p95": 0.03, "p99": 0.05, "max": 0.2},
                                    # of successful probes, null if none
          "errors": {"connection refused": 6},   # failed probes per class
          "markers": [...]          # markers overlapping any window
        }
      },
      "probe_project": {            # the read probes' own project (see
        "name": "upgrade-uptime-probe-1a2b3c4d",   # uptime.probeproject)
        "project_id": "...", "user_id": "...",
        "left": []                  # what could not be removed
      }
    }
"""

import collections
import json
import os
import time

from upgrade_tempest_plugin.common import fileutil
from upgrade_tempest_plugin.uptime import control
from upgrade_tempest_plugin.uptime import markers as markers_mod
from upgrade_tempest_plugin import uptime
from upgrade_tempest_plugin.uptime import probelog
from upgrade_tempest_plugin.uptime import probeproject
from upgrade_tempest_plugin.uptime import refine
from upgrade_tempest_plugin.uptime import stats
from upgrade_tempest_plugin.uptime import thresholds as thresholds_mod
from upgrade_tempest_plugin.uptime import windows as windows_mod

FILENAME = 'summary.json'
PLAN_FILE = 'plan.json'
SEED_KEYS = ('uptime_pct', 'total_requests', 'successful_requests',
             'failed_requests', 'start_time', 'end_time')


def service_summary(records, meta=None, markers=(),
                    stall_threshold=windows_mod.STALL_THRESHOLD):
    """Summarise one series of probe records.

    ``records`` may be a list or a re-iterable ``probelog.Records``: it is
    read three times and never held in memory (latencies are counted at
    0.1 ms resolution).
    """
    meta = meta or {}
    total = ok = late = skipped = recovery = 0
    errors, latencies = {}, collections.Counter()
    first = last = None
    for r in records:
        first = r['time'] if first is None else min(first, r['time'])
        done = r['time'] + r.get('latency', 0)
        last = done if last is None else max(last, done)
        if r.get('extra'):      # a recovery probe: evidence, not a tick
            recovery += 1
            continue
        total += 1
        skipped += r.get('skipped') or 0
        if r['ok']:
            ok += 1
            latencies[round(r['latency'], 4)] += 1
        else:
            key = r.get('error') or 'unknown'
            errors[key] = errors.get(key, 0) + 1
            if r.get('answered') and key == windows_mod.TIMEOUT:
                late += 1
    start = meta.get('start_time')
    if start is None:
        start = first
    end = meta.get('end_time')
    if end is None:               # killed: end at the last probe seen
        end = last
    latency = stats.counted_summary(latencies)
    typical = (latency['p50'] or 0.0, latency['p99'] or 0.0)
    wins = windows_mod.find_windows(
        probelog.in_send_order(records), end_time=end,
        limit=meta.get('timeout'), series_start=start, latency=typical)
    stalls = windows_mod.find_stalls(probelog.in_send_order(records),
                                     stall_threshold, typical)
    durations = [w['duration_s'] for w in wins]
    out = {
        'uptime_pct': round(100.0 * ok / total, 4) if total else None,
        'total_requests': total,
        'successful_requests': ok,
        'failed_requests': total - ok,
        'start_time': start,
        'end_time': end,
        'windows': wins,
        'total_downtime_s': round(sum(durations), 6),
        'total_downtime_bounds': [
            round(sum(w['duration_bounds'][0] for w in wins), 6),
            round(sum(w['duration_bounds'][1] for w in wins), 6)],
        'longest_downtime_s': max(durations) if durations else 0.0,
        'stalls': stalls,
        'skipped_ticks': meta.get('skipped_ticks', skipped),
        'late_answers': late,
        'recovery_probes': recovery,
        'latency': latency,
        'errors': errors,
    }
    for key in ('service', 'kind', 'connection', 'probe', 'url', 'target',
                'backend', 'rate', 'timeout', 'max_outstanding',
                'left_behind'):
        if key in meta:
            out[key] = meta[key]
    if meta.get('target'):
        for item in wins + stalls:
            item['target'] = meta['target']
    attach_markers(out, markers)
    return out


def attach_markers(svc, markers):
    """Markers overlapping each window and stall of series ``svc``, and
    all of them in ``svc['markers']``."""
    markers = list(markers)
    touched = []
    for w in svc['windows'] + svc['stalls']:
        w['markers'] = markers_mod.overlapping(markers, w['start'], w['end'])
        touched.extend(m for m in w['markers'] if m not in touched)
    svc['markers'] = touched


def build(directory, skipped=None, only=None):
    """Build the summary of the series logged in ``directory``.

    ``only``: names of the series to include (default: every log found).
    The plan the run recorded (``plan.json``) gives the stall threshold
    and the thresholds each series is judged against; the violations are
    written into the summary (per series and in ``violations``), so
    whoever reads it (``upgrade-report``) judges the same way.
    """
    plan = read_plan(directory)
    markers = markers_mod.load(directory)
    services = {}
    for series in probelog.series_in(directory):
        if only is not None and series not in only:
            continue
        # markers are attached once, below, when the edges are final
        services[series] = service_summary(
            probelog.Records(directory, series),
            probelog.read_meta(directory, series), (),
            stall_threshold=plan.get('stall_threshold',
                                     windows_mod.STALL_THRESHOLD))
    refine.refine(services)         # edges dated by the pulse series
    control.flag(services)          # trouble on the probing host
    for series, svc in services.items():
        svc['control_failed_requests'] = control.failed_in(
            probelog.Records(directory, series), svc['windows'])
        attach_markers(svc, markers)
    result = {'generated_at': time.time(), 'markers': markers,
              'skipped': dict(skipped or {}), 'services': services,
              'plan': plan}
    limits = plan.get('thresholds') or {}
    violations = thresholds_mod.check(
        result, limits.get('max_total_downtime'), limits.get('max_window'),
        limits.get('min_pct'))
    for svc in services.values():
        svc['violations'] = []
    for v in violations:
        services[v['service']]['violations'].append(v)
    result['violations'] = violations
    project = probeproject.recorded(directory)
    if project:     # still there, or the run ended before removing it
        result['probe_project'] = dict(project, left=[
            'probe project %s (%s) and its user %s: not removed when this '
            'summary was built (a run still probing removes them when it '
            'stops; after a killed run, delete them by hand)' % (
                project['name'], project['project_id'],
                project['user_id'])])
    return result


def write_plan(directory, plan):
    """Record the run's plan (``plan.json``) for later rebuilds."""
    return fileutil.write_json(os.path.join(directory, PLAN_FILE), plan)


def read_plan(directory):
    """The plan the run recorded; {} if it recorded none (a run from
    before plan.json existed). A plan.json that cannot be read is an
    UptimeError: judging without the run's thresholds would pass silently
    what the run set out to fail."""
    path = os.path.join(directory, PLAN_FILE)
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as f:
            plan = json.load(f)
    except (OSError, ValueError) as exc:
        raise uptime.UptimeError('cannot read %s (the run\'s thresholds): '
                                 '%s' % (path, exc))
    if not isinstance(plan, dict):
        raise uptime.UptimeError('cannot read %s (the run\'s thresholds): '
                                 'not a JSON object' % path)
    return plan


def write(directory, summary):
    """Write ``summary`` to ``directory``/summary.json; return the path."""
    return fileutil.write_json(os.path.join(directory, FILENAME), summary)


def left_behind(result):
    """``{series: [names]}`` of the write probe resources that the
    end-of-run sweep could not delete (to delete by hand), and under
    ``probe project`` what is left of the read probes' own project."""
    left = {name: list(svc['left_behind'])
            for name, svc in sorted(result.get('services', {}).items())
            if svc.get('left_behind')}
    project = result.get('probe_project') or {}
    if project.get('left'):
        left['probe project'] = list(project['left'])
    return left


def left_behind_messages(result):
    return ['%s: probe resources left behind (delete by hand): %s'
            % (name, ', '.join(names))
            for name, names in left_behind(result).items()]


def load(directory):
    with open(os.path.join(directory, FILENAME)) as f:
        return json.load(f)
