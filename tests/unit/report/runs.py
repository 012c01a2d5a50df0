"""Build run directories for the report tests with the writers of the
uptime, tracking and persistent parts themselves, so that a format change
there breaks these tests instead of silently breaking the report."""

import json
import os

from upgrade_tempest_plugin.common import tracking
from upgrade_tempest_plugin.uptime import markers
from upgrade_tempest_plugin.uptime import probelog
from upgrade_tempest_plugin.uptime import summary

T0 = 1795000000.0          # 2026-11-18T11:06:40Z


def write_uptime(run_dir, outages, seconds=20, rate=10, thresholds=None,
                 meta=None):
    """Probe logs for each series in ``outages``: {name: [(start, end)]}
    (offsets from T0 in seconds during which probes fail); ``thresholds``
    as a run's plan records them. A series ``<api>-<kind>`` is recorded
    as the runner does: service ``<api>``, keepalive or write; ``meta``:
    {name: {key: value}} recorded on top (e.g. the control's kind)."""
    directory = os.path.join(run_dir, 'uptime')
    if thresholds:
        os.makedirs(directory, exist_ok=True)
        summary.write_plan(directory, {'thresholds': thresholds})
    for name, down in outages.items():
        log = probelog.ProbeLog(directory, name)
        for seq in range(seconds * rate):
            t = T0 + seq / float(rate)
            failing = any(a <= t - T0 < b for a, b in down)
            log.write({'seq': seq, 'time': t, 'latency': 0.02,
                       'ok': not failing, 'status': 503 if failing else 200,
                       'error': 'HTTP 503' if failing else None})
        log.close()
        api, _, kind = name.partition('-')
        probelog.write_meta(directory, name, {
            'service': api, 'kind': 'write' if kind == 'write' else 'read',
            'connection': 'keepalive' if kind == 'keepalive' else 'new',
            'rate': float(rate),
            'timeout': 2.0, 'start_time': T0,
            'end_time': T0 + seconds, **(meta or {}).get(name, {})})
    markers.add(directory, 'restart nova', now=T0 + 4.9)
    markers.add(directory, 'restart done', now=T0 + 9.0)
    summary.write(directory, summary.build(directory))
    return directory


def write_verify(run_dir, label, start_offset, differences=()):
    directory = os.path.join(run_dir, 'persistent', 'verify')
    os.makedirs(directory, exist_ok=True)
    diffs = [dict(zip(('resource_type', 'name', 'field', 'expected',
                       'actual'), d)) for d in differences]
    bad = {(d['resource_type'], d['name']) for d in diffs}
    checked = [{'type': t, 'name': n, 'id': 'id-%s' % n,
                'ok': (t, n) not in bad}
               for t, n in (('volume', 'vol-1'), ('object', 'obj-1'),
                            ('server', 'srv-1'))]
    path = os.path.join(directory, '%s.json' % label)
    with open(path, 'w') as f:
        json.dump({'phase': 'verify', 'label': label,
                   'start_time': T0 + start_offset,
                   'end_time': T0 + start_offset + 2.0,
                   'resources_checked': checked, 'differences': diffs}, f)
    return path


def write_stats(run_dir, name, passes, failures=0):
    stats = tracking.Stats()
    method = stats.method_stats('VolumesClient', 'show_volume')
    for _ in range(passes):
        method.add_pass(0.01)
    for _ in range(failures):
        method.add_failure(0.02, 'HTTP 503', 'ServerFault', 'boom',
                           ['x.py:1 in f'])
    return stats.save(os.path.join(run_dir, 'stats', '%s.json' % name))


APIS = ('barbican', 'cinder', 'designate', 'glance', 'heat', 'keystone',
        'neutron', 'nova', 'octavia', 'swift')
KINDS = ('', '-keepalive', '-lb', '-write')


def write_many_lanes(run_dir, apis=APIS, kinds=KINDS, seconds=20, rate=2):
    """A run with ``len(apis) * len(kinds)`` series (40 by default), each
    down once (a short window, at a time of its own) and some twice, with
    verify runs: the crowded timeline the PNG must keep readable."""
    outages = {}
    for a, api in enumerate(apis):
        for k, kind in enumerate(kinds):
            start = 1.0 + (a * len(kinds) + k) * (seconds - 3.0) / (
                len(apis) * len(kinds))
            down = [(start, start + 1.0)]
            if (a + k) % 5 == 0:
                down.append((seconds - 2.0, seconds - 1.0))
            outages[api + kind] = down
    directory = write_uptime(run_dir, outages, seconds=seconds, rate=rate)
    write_verify(run_dir, 'during', 6.0)
    write_verify(run_dir, 'after', seconds - 1.0,
                 [('volume', 'vol-1', 'size', 1, 2)])
    return directory
