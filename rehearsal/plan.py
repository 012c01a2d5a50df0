"""What the rehearsal upgrades, in which order, and where it checks.

Every project goes from 2026.1 to 2026.2 with ``localcloud upgrade``, in
the order of the projects' own upgrade documentation (sources in
doc/source/localcloud.rst, "Upgrade recipes"): keystone; placement,
glance, cinder, neutron; nova's control services, then nova-compute;
swift.  Cinder and nova are held in their mixed-version state
(``--stop-before``): cinder with the new scheduler beside the old
cinder-volume and cinder-api, nova with the new conductor, scheduler and
API beside the old nova-compute.  In nova's mixed state a second set of
persistent resources is created; both sets are verified once nova-compute
runs the new code and again at the end.

Each step is marked as it starts (``upgrade <project>: start ...``) and
as each of localcloud's own steps starts (``upgrade <project>: <step>``);
after each step a ``checkpoint <label>`` marker and ``persistent.verify``
with that label.  ``rehearsal.windows`` allows an API's downtime only
inside its own project's ``upgrade <project>:`` markers.
"""

import collections

OLD_RELEASE = '2026.1'
NEW_RELEASE = '2026.2'
# Backends per API behind haproxy: with two, each API's swap is a drained
# rolling restart (localcloud.rolling) and the endpoint should stay up.
BACKENDS = 2

# The persistent resource sets: the first, created before any upgrade,
# and the one created in nova's mixed-version state.
FIRST_SET = 'first set'
MIXED_SET = 'mixed set'

Step = collections.namedtuple('Step', 'project hold label verify create')
Step.__doc__ = """One ``localcloud upgrade`` command and its checkpoint.

``hold``: the service the upgrade stops before (mixed versions), None for
the whole upgrade or the rest of a held one; ``label``: the checkpoint's
``UPGRADE_VERIFY_LABEL``; ``verify``: the resource sets verified there;
``create``: the set created in this state, before the verify, or None.
"""

STEPS = (
    Step('keystone', None, 'after-keystone', (FIRST_SET,), None),
    Step('placement', None, 'after-placement', (FIRST_SET,), None),
    Step('glance', None, 'after-glance', (FIRST_SET,), None),
    Step('cinder', 'cinder-volume', 'mixed-cinder', (FIRST_SET,), None),
    Step('cinder', None, 'after-cinder', (FIRST_SET,), None),
    Step('neutron', None, 'after-neutron', (FIRST_SET,), None),
    Step('nova', 'nova-compute', 'mixed-nova', (FIRST_SET,), MIXED_SET),
    Step('nova', None, 'after-nova', (FIRST_SET, MIXED_SET), None),
    Step('swift', None, 'after-all', (FIRST_SET, MIXED_SET), None),
)

PROJECTS = ('keystone', 'placement', 'glance', 'cinder', 'neutron', 'nova',
            'swift')


def marker_prefix(project):
    """Every marker of ``project``'s upgrade starts with this."""
    return 'upgrade %s:' % project


def start_marker(step, resumed):
    text = '%s start (-> %s' % (marker_prefix(step.project), NEW_RELEASE)
    if step.hold:
        text += ', held before %s' % step.hold
    elif resumed:
        text += ', resumed'
    return text + ')'


def step_name(step, resumed):
    """The rehearsal step of the upgrade command, as the console shows
    it."""
    if step.hold:
        return 'upgrade %s -> %s until %s (mixed versions)' % (
            step.project, NEW_RELEASE, step.hold)
    if resumed:
        return 'upgrade %s -> %s: the rest' % (step.project, NEW_RELEASE)
    return 'upgrade %s -> %s' % (step.project, NEW_RELEASE)


def resumed_steps(steps=STEPS):
    """The indexes of the steps that resume a held upgrade."""
    held = set()
    out = set()
    for i, step in enumerate(steps):
        if step.project in held and not step.hold:
            out.add(i)
            held.discard(step.project)
        if step.hold:
            held.add(step.project)
    return out


def localcloud_args(step):
    args = ['upgrade', step.project, '--to', NEW_RELEASE]
    if step.hold:
        args += ['--stop-before', step.hold]
    return args


def verify_label(label, resource_set):
    """The verify label of one set at a checkpoint: the first set's is
    the checkpoint's own, the mixed set's says which set it is."""
    if resource_set == FIRST_SET:
        return label
    return '%s (%s)' % (label, resource_set)


def not_upgraded(after, wanted, lagging=None):
    """Messages for projects not at their wanted version and services a
    held upgrade left on the old code; empty when the upgrade is done."""
    out = ['%s at %s, not %s' % (p, after.get(p), v)
           for p, v in sorted(wanted.items()) if after.get(p) != v]
    out += ['%s still runs %s' % item
            for item in sorted((lagging or {}).items())]
    return out
