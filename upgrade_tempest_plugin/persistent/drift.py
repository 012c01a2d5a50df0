"""Attribute drift: what must not change about a persistent resource.

At create time each resource type takes a *snapshot*: a flat dict of the
fields that an upgrade must leave alone (sizes, flavors, CIDRs, gateway,
port IPs and MACs, metadata, attachments, security group rules, key
fingerprints, checksums, the steady status, ...). Values are normalised to
plain JSON (lists sorted where order means nothing) so the snapshot can be
stored in the state file and compared later. ``compare`` diffs a stored
snapshot against a fresh one and returns one ``Difference`` per field.
"""

import collections
import json

Difference = collections.namedtuple(
    'Difference', ['resource_type', 'name', 'field', 'expected', 'actual'])
Difference.__doc__ = 'One field of one resource that is not as expected.'

# Fields that, when they differ, mean "the resource is not there / not
# usable" rather than drift of an attribute.
EXISTS = 'exists'
REACHABLE = 'reachable'
CREATED = 'created'

# What the Differences of one resource mean, worst first. Unreachable is
# not drift: the resource may be intact behind an API that did not answer.
NOT_CREATED = 'not created'
UNREACHABLE = 'unreachable'
MISSING = 'missing'
CHANGED = 'changed'
OK = 'ok'
OUTCOMES = (NOT_CREATED, UNREACHABLE, MISSING, CHANGED)
_OUTCOME_OF_FIELD = {CREATED: NOT_CREATED, REACHABLE: UNREACHABLE,
                     EXISTS: MISSING}


def as_dict(difference):
    """Return a Difference as a JSON-friendly dict."""
    return dict(difference._asdict())


def outcome(differences):
    """Return what the Differences of ONE resource mean (see OUTCOMES)."""
    found = {_OUTCOME_OF_FIELD.get(d.field, CHANGED) for d in differences}
    for name in OUTCOMES:
        if name in found:
            return name
    return OK


def describe(difference, waited=None):
    """Return a one-line human description of a Difference.

    ``waited``: seconds spent on the resource, said of an unreachable one.
    """
    what = '%s %s' % (difference.resource_type, difference.name)
    if difference.field == REACHABLE:
        return '%s: unreachable (%s%s)' % (
            what, difference.actual, ', gave up after %.0f s' % waited
            if waited else ' after retries')
    if difference.field == EXISTS:
        return '%s: not found (HTTP 404)' % what
    if difference.field == CREATED:
        return '%s: never finished by the create phase' % what
    return ('%s %s: %s is %r, expected %r'
            % (difference.resource_type, difference.name, difference.field,
               difference.actual, difference.expected))


def normalise(value):
    """Return ``value`` as plain, comparable JSON data.

    Tuples become lists; lists of scalars or of dicts are sorted (by their
    JSON text) because the APIs do not promise an order; dict keys stay.
    """
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [normalise(v) for v in value]
        return sorted(items, key=_sort_key)
    return value


def _sort_key(value):
    return json.dumps(value, sort_keys=True, default=str)


def pick(body, fields):
    """Return a snapshot of ``fields`` of an API body.

    ``fields`` maps a snapshot field name to either a key of ``body`` or a
    function of ``body``. A missing key gives None.
    """
    snap = {}
    for field, source in fields.items():
        if callable(source):
            value = source(body)
        else:
            value = body.get(source) if isinstance(body, dict) else None
        snap[field] = normalise(value)
    return snap


def compare(resource_type, name, expected, actual):
    """Return the Differences between two snapshots, sorted by field.

    Only fields of ``expected`` are compared (a newer API may add fields);
    a field missing from ``actual`` compares as None.
    """
    diffs = []
    for field in sorted(expected):
        want = normalise(expected[field])
        got = normalise(actual.get(field))
        if want != got:
            diffs.append(Difference(resource_type, name, field, want, got))
    return diffs
