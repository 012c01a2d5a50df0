"""Do the uptime windows fall inside the steps that touched their API?

The rehearsal marks each step (``keystone upgrade ...``, ``restart
nova-api``, ...); a window lists the markers whose phase it overlaps. A
window of an API none of whose own steps it overlaps is downtime the
upgrade did not explain (or a false one of ours): the rehearsal fails.
"""

# uptime service -> marker prefixes of the steps that stop its API
STEPS = {
    'keystone': ('keystone upgrade',),
    'nova': ('restart nova-api',),
    'neutron': ('restart neutron-server',),
    'cinder': ('restart cinder-api',),
    'glance': ('restart glance-api',),
    'swift': ('restart swift-proxy',),
}


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
