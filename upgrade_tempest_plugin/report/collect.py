"""Read a run directory into the combined report.

A run directory is the ``[upgrade] output_dir`` of a run (local cloud or a
real cloud), or a copy of it::

    <dir>/uptime/summary.json, <series>.jsonl, markers.jsonl
    <dir>/persistent/verify/*.json     one file per verify run
    <dir>/stats/*.json                 saved tracking.Stats, any process
    <dir>/rehearsal.json               steps of a rehearsal (optional)

Every part is optional, but a directory holding none of them is an error.

The combined report (``report.json``), schema version 1; times are ISO 8601
UTC strings, durations seconds::

    {
      "schema_version": 1,
      "generated_at": "2026-11-24T10:00:00.000Z",
      "source": "/path/to/run",
      "verdict": {"passed": false,   # failed steps, verify differences,
                                     # uptime threshold violations, write
                                     # probe resources left behind
                  "failures": ["persistent verify after: 2 differences",
                               ...]},
      "uptime": {                  # null when no uptime summary was found
        "services": {"nova": {     # the uptime summary's entry, with the
            "uptime_pct": ..., "total_requests": ..., ...,  # seed keys
            "windows": [...],      # start/end and start_bounds/
                                   # end_bounds as ISO times
            "stalls": [...], "latency": {...}, "errors": {...},
            "violations": [...]}}, # threshold violations, if recorded
        "skipped": {"glance": "reason"},
        "thresholds": {"max_window": 1.0, ...}},  # the run's plan; {}
                                   # when it recorded none
      "markers": [{"time": "...", "text": "keystone upgrade: start"}],
      "persistent": [              # one entry per verify run, by start time
        {"file": "verify/...json", "label": "after", "passed": true,
         "start_time": "...", "end_time": "...",
         "resources_checked": [{"type": "volume", "name": "...",
                                "id": "...", "ok": true}],
         "differences": [{"resource_type": "volume", "name": "...",
                          "field": "size", "expected": 1, "actual": 2}]}],
      "stats": {"VolumesClientJSON:get_volume": {"passes": 6225,
                "failures": 0, "errors": {}, "latency": {...}}},
      "steps": [{"name": "keystone upgrade", "ok": true,
                 "start_time": "...", "end_time": "...",
                 "duration_s": 14.2, "detail": "..."}],
      "versions": {"before": {"nova": "33.0.2", ...},   # a rehearsal's
                   "after": {"nova": "34.0.0", ...}}    # projects; {}
    }
"""

import glob
import json
import os
import time

from upgrade_tempest_plugin.common import tracking
from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import tables
from upgrade_tempest_plugin.report import timeutil
from upgrade_tempest_plugin import uptime as uptime_lib
from upgrade_tempest_plugin.uptime import markers as markers_mod
from upgrade_tempest_plugin.uptime import probelog
from upgrade_tempest_plugin.uptime import summary as uptime_summary

SCHEMA_VERSION = 1
REHEARSAL_FILE = 'rehearsal.json'

_TIME_KEYS = ('start_time', 'end_time', 'start', 'end', 'time',
              'generated_at', 'start_bounds', 'end_bounds')


ReportError = report_mod.ReportError   # the run directory cannot be read


def _load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        raise ReportError('cannot read %s: %s' % (path, exc))


def _iso(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timeutil.to_iso(timeutil.to_epoch(value))
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return _iso_times(value)


def _iso_times(value):
    """Copy ``value`` with the epoch times under known keys made ISO."""
    if isinstance(value, dict):
        return {k: (_iso(v) if k in _TIME_KEYS else _iso_times(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_times(v) for v in value]
    return value


def _uptime(run_dir):
    directory = os.path.join(run_dir, 'uptime')
    if not os.path.isdir(directory):
        return None, [], {}
    if os.path.exists(os.path.join(directory, uptime_summary.FILENAME)):
        summary = _load_json(
            os.path.join(directory, uptime_summary.FILENAME))
    elif probelog.series_in(directory):
        # The prober was killed before it wrote a summary: rebuild it.
        try:
            summary = uptime_summary.build(directory)
        except uptime_lib.UptimeError as exc:
            raise ReportError(str(exc))
    else:
        return None, [], {}
    series = {}
    for name in summary.get('services', {}):
        try:
            series[name] = probelog.read(directory, name)
        except OSError:
            series[name] = []
    markers = summary.get('markers') or markers_mod.load(directory)
    uptime = {'services': summary.get('services', {}),
              'skipped': summary.get('skipped', {}),
              'thresholds': (summary.get('plan') or {}).get('thresholds')
              or {}}
    return uptime, markers, series


def _persistent(run_dir):
    runs = []
    pattern = os.path.join(run_dir, 'persistent', 'verify', '*.json')
    for path in sorted(glob.glob(pattern)):
        data = _load_json(path)
        differences = data.get('differences', [])
        checked = data.get('resources_checked', [])
        passed = data.get('passed')
        if passed is None:
            passed = not differences and all(
                r.get('ok', True) for r in checked)
        run = dict(data)
        run.update(file=os.path.relpath(path, os.path.join(
            run_dir, 'persistent')), passed=bool(passed),
            label=data.get('label') or '')
        runs.append(run)
    runs.sort(key=lambda r: timeutil.to_epoch(r.get('start_time')) or 0)
    return runs


def _stats(run_dir):
    paths = sorted(glob.glob(os.path.join(run_dir, 'stats', '*.json')))
    if not paths:
        return {}
    try:
        merged = tracking.Stats.merged(
            [tracking.Stats.load(p) for p in paths])
    except Exception as exc:
        raise ReportError('cannot read call statistics in %s: %s'
                          % (os.path.join(run_dir, 'stats'), exc))
    out = {}
    for (client, method), m in sorted(merged.methods().items()):
        latency = m.latency.to_dict()
        latency.pop('buckets', None)
        out['%s:%s' % (client, method)] = {
            'passes': m.passes, 'failures': m.failures,
            'whitelisted': m.whitelisted, 'errors': dict(m.errors),
            'latency': latency}
    return out


def _rehearsal(run_dir):
    """(steps, versions) of a rehearsal's ``rehearsal.json``."""
    path = os.path.join(run_dir, REHEARSAL_FILE)
    if not os.path.exists(path):
        return [], {}
    data = _load_json(path)
    return data.get('steps', []), data.get('versions') or {}


def verdict(report):
    """Return (passed, failures): every check the report can judge."""
    failures = []
    for step in report['steps']:
        if not step.get('ok', True):
            failures.append('step failed: %s' % step.get('name'))
    for run in report['persistent']:
        if not run['passed']:
            count = len(run.get('differences', []))
            failures.append('persistent verify %s: %d difference(s)' % (
                run['label'] or run['file'], count))
    services = (report['uptime'] or {}).get('services', {})
    for name, entry in sorted(services.items()):
        for violation in entry.get('violations', []):
            failures.append('uptime %s: %s' % (
                name, tables.violation_text(violation, window=True)))
    failures += ['uptime ' + m for m in
                 uptime_summary.left_behind_messages(report['uptime'] or {})]
    return not failures, failures


def collect(run_dir):
    """Return (report, series): the combined report and the probe logs.

    ``series`` maps each uptime series to its probe records (epoch
    times); it feeds the charts and is not part of ``report.json``.
    """
    if not os.path.isdir(run_dir):
        raise ReportError('no such run directory: %s' % run_dir)
    uptime, markers, series = _uptime(run_dir)
    steps, versions = _rehearsal(run_dir)
    report = {
        'schema_version': SCHEMA_VERSION,
        'generated_at': timeutil.to_iso(time.time()),
        'source': os.path.abspath(run_dir),
        'uptime': uptime,
        'markers': markers,
        'persistent': _persistent(run_dir),
        'stats': _stats(run_dir),
        'steps': steps,
        'versions': versions,
    }
    if not (uptime or report['persistent'] or report['stats']
            or report['steps']):
        raise ReportError(
            '%s holds no uptime summary or probe logs (uptime/), verify '
            'results (persistent/verify/), call statistics (stats/) or '
            'rehearsal steps (%s)' % (run_dir, REHEARSAL_FILE))
    passed, failures = verdict(report)
    report['verdict'] = {'passed': passed, 'failures': failures}
    return _iso_times(report), series
