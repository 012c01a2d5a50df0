"""Do the uptime windows fall inside the steps that touched their API?

The rehearsal marks every step of each project's upgrade (``upgrade
nova: start ...``, ``upgrade nova: swap nova-api``, ...) and each
checkpoint (``checkpoint after-nova``); a window lists the markers whose
phase it overlaps.

``unexplained``: a window of an API none of whose own project's upgrade
steps it overlaps (a window in another project's upgrade, in a
checkpoint, or before the first marker) is downtime the upgrade did not
explain (or a false one of ours): the rehearsal fails.

``seen_through_endpoint``: the cloud runs two backends per API behind
haproxy and each API's swap is a drained rolling restart; a window of a
series through the catalog endpoint (not a backend's own, not the
control) seen down during its own API's swap (between its first and its
last failed probe: ``report.tables.seen_span``) is an error users saw
while the balancer was meant to hide the restart: the rehearsal fails.
Seen down, not estimated: a marker is dated when the rehearsal reads
localcloud's line, some tens of milliseconds after the step began on a
busy machine, and a window's estimated edges lie anywhere between a
good and a failed probe (0.2 s apart for a pulse, 2 s for a write), so
the first backend's window often began by its estimate 0.02-0.09 s
before its swap's marker (2026-11-30), and a 503 of one write probe in
the short swap of a swift storage server is estimated to last into the
next step.
"""

from localcloud import services
from rehearsal import plan
from upgrade_tempest_plugin.report import tables

# uptime service -> marker prefixes of the steps that may stop its API.
# The uptime services are named as their projects; placement has no
# uptime probe (nova's calls to it are not what the probes time).
STEPS = {service: (plan.marker_prefix(service),)
         for service in ('keystone', 'nova', 'neutron', 'cinder', 'glance',
                         'swift')}

# uptime service -> the local cloud's API service haproxy balances
API = services.UPTIME_APIS


def swap_marker(service):
    """The marker of the rolling swap of ``service``'s API."""
    return '%s swap %s' % (plan.marker_prefix(service), API[service])


def unexplained(summary):
    """Messages for windows outside their API's own steps."""
    out = []
    for name, svc in sorted(summary.get('services', {}).items()):
        prefixes = STEPS.get(svc.get('service'), ())
        for w in svc.get('windows', []):
            texts = [m['text'] for m in w.get('markers', [])]
            if not any(t.startswith(prefixes) for t in texts):
                out.append('%s: window of %.3f s at %.3f outside its '
                           'steps (markers: %s)' % (
                               name, w['duration_s'], w['start'],
                               ', '.join(texts) or 'none'))
    return out


def seen_through_endpoint(summary):
    """(messages, backend windows): a message for each window through the
    endpoint that overlaps its API's rolling swap, and for each probed
    API with a backend none of whose series had a window in that swap (it
    was not rolled, or not probed); the number of backend windows in the
    swaps."""
    out, seen, backends = [], {}, {}
    for name, svc in sorted(summary.get('services', {}).items()):
        service = svc.get('service')
        if service not in API or svc.get('kind') == 'control':
            continue
        backends.setdefault(service, set())
        if svc.get('backend'):
            backends[service].add(svc['backend'])
        swap = swap_marker(service)
        for w in svc.get('windows', []):
            if not any(text == swap and inside >= 0
                       for text, inside in tables.phase_overlaps(w)):
                continue
            if svc.get('backend'):
                seen[svc['backend']] = seen.get(svc['backend'], 0) + 1
                continue
            out.append('%s: window of %.3f s (%d failed: %s; request ids '
                       '%s) during %s' % (
                           name, w['duration_s'], w.get('failed_probes', 0),
                           ', '.join(sorted(w.get('errors') or {})),
                           ', '.join(w.get('request_ids') or []) or 'none',
                           swap))
    for service, targets in sorted(backends.items()):
        if not targets:
            out.append('%s: no backend probed (uptime_haproxy_socket)'
                       % service)
        out += ['%s@%s: no window of its own during %s (not rolled?)' % (
            service, t, swap_marker(service))
            for t in sorted(targets) if not seen.get(t)]
    return out, sum(seen.values())
