"""`restart SERVICE [--rolling]`: stop + start one service (or, rolling,
each backend in turn behind haproxy), measuring its API outage."""

import json
import time

from localcloud import lifecycle
from localcloud import probe
from localcloud import rolling as rolling_mod
from localcloud.progress import Failed
from localcloud import services


def probed_api(svc):
    """The API whose probe shows svc's outage (itself for an API)."""
    if svc.probe:
        return svc
    return services.find(svc.probe_via) if svc.probe_via else None


def restart(cloud, out, name, as_json=False, recover_timeout=120,
            rolling=False):
    svc = services.find(name)
    if svc is None:
        raise Failed('unknown service %r; known: %s' % (
            name, ', '.join(services.names())))
    if rolling:
        rolling_mod.check(cloud, svc)
    target = probed_api(svc)
    prober = None
    if target is not None:
        token, project_id = probe.admin_token(cloud)
        url, headers = probe.target(cloud, target, token, project_id)
        if not probe.answers_within(url, headers, 60):
            raise Failed('%s does not answer %s before the restart' % (
                target.name, url))
        prober = probe.Prober(url, headers)
        prober.start()
        time.sleep(0.3)
    t0 = time.monotonic()
    steps = []
    try:
        if rolling:
            steps = rolling_mod.restart(cloud, svc, out=None if as_json
                                        else out)
            t_stopped = t0 + sum(st['stop_s'] for st in steps)
        else:
            lifecycle.stop(cloud, svc)
            t_stopped = time.monotonic()
            lifecycle.start(cloud, svc)
            lifecycle.wait_ready(cloud, [svc])
    except BaseException:
        if prober is not None:
            prober.stop()
        raise
    t_ready = time.monotonic()
    recovered = True
    if prober is not None:
        recovered = prober.wait_recovered(recover_timeout)
        time.sleep(0.2)
        prober.stop()
    result = {
        'service': svc.name,
        'probed': target.name if target else None,
        'outage_s': _round(prober.outage) if prober else None,
        'stop_s': _round(t_stopped - t0),
        'ready_s': _round(t_ready - t0),
        'probes': prober.count if prober else 0,
        'failed_probes': prober.failed if prober else 0,
        'recovered': recovered,
    }
    if rolling:
        result['rolling'] = steps
    if as_json:
        out.write(json.dumps(result) + '\n')
    else:
        if prober is None:
            what = 'no API to probe'
        elif not recovered:
            what = '%s API did NOT recover within %d s' % (
                target.name, recover_timeout)
        else:
            what = '%s API down %.2f s (%d of %d probes failed)' % (
                target.name, result['outage_s'], result['failed_probes'],
                result['probes'])
        out.write('%srestarted %s: %s; stop %.1f s, ready after %.1f s\n'
                  % ('rolling: ' if rolling else '', svc.name, what,
                     result['stop_s'], result['ready_s']))
    return recovered


def _round(value):
    return None if value is None else round(value, 3)
