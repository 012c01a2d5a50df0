"""The persistent resource types, in the order they are created.

Cleanup goes the other way: a type is deleted before the types it requires.
"""

from upgrade_tempest_plugin.persistent import compute
from upgrade_tempest_plugin.persistent import image
from upgrade_tempest_plugin.persistent import network
from upgrade_tempest_plugin.persistent import options
from upgrade_tempest_plugin.persistent import storage
from upgrade_tempest_plugin.persistent import volume

_ALL = {cls.name: cls() for module in (compute, network, volume, storage,
                                       image)
        for cls in module.TYPES}

# creation order = the order of the count options
TYPES = tuple(_ALL[name] for name, _default, _what in options.COUNTS)
NAMES = tuple(t.name for t in TYPES)


def get(name):
    """Return the resource type called ``name``."""
    return _ALL[name]


def creation_order():
    return TYPES


def deletion_order():
    return tuple(reversed(TYPES))


def missing_services(rtype, available):
    """Return the services ``rtype`` needs that ``available(svc)`` denies."""
    return [svc for svc in rtype.services if not available(svc)]
