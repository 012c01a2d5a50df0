"""The services of the local cloud, in start order."""

from localcloud.services import backends
from localcloud.services import cinder
from localcloud.services import glance
from localcloud.services import haproxy
from localcloud.services import keystone
from localcloud.services import neutron
from localcloud.services import nova
from localcloud.services import placement
from localcloud.services import swift

# Projects in setup order: configure() writes config files (every `up`),
# prepare() does one-time DB/ring setup (marker files make it idempotent).
PROJECTS = (keystone, placement, nova, neutron, glance, cinder, swift)

BACKENDS = backends.SERVICES + haproxy.SERVICES
OPENSTACK = [svc for project in PROJECTS for svc in project.SERVICES]
ALL = BACKENDS + OPENSTACK

# The uptime probes' API names (``[upgrade] uptime_services``) -> the
# service that serves each API (placement has no uptime probe).
UPTIME_APIS = {'keystone': 'keystone', 'nova': 'nova-api',
               'neutron': 'neutron-server', 'cinder': 'cinder-api',
               'glance': 'glance-api', 'swift': 'swift-proxy'}


def find(name):
    """Service by name or alias, else None."""
    for svc in ALL:
        if name == svc.name or name in svc.aliases:
            return svc
    return None


def names():
    return [svc.name for svc in ALL]
