"""Do the uptime windows fall inside the steps that touched their API?

The rehearsal marks every step of each project's upgrade (``upgrade
nova: start ...``, ``upgrade nova: swap nova-api``, ...) and each
checkpoint (``checkpoint after-nova``); a window lists the markers whose
phase it overlaps. A window of an API none of whose own project's upgrade
steps it overlaps (a window in another project's upgrade, in a
checkpoint, or before the first marker) is downtime the upgrade did not
explain (or a false one of ours): the rehearsal fails.
"""

from rehearsal import plan

# uptime service -> marker prefixes of the steps that may stop its API.
# The uptime services are named as their projects; placement has no
# uptime probe (nova's calls to it are not what the probes time).
STEPS = {service: (plan.marker_prefix(service),)
         for service in ('keystone', 'nova', 'neutron', 'cinder', 'glance',
                         'swift')}


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
