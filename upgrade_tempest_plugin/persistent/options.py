"""Options of the persistent resources (``[upgrade]`` group)."""

from oslo_config import cfg

# (resource type, default count, what one of them is). The order is the
# order of creation; ``persistent_<type>_count`` options are made from it.
COUNTS = (
    ('keypair', 1, 'nova key pairs'),
    ('security_group', 1, 'neutron security groups (with two rules each)'),
    ('network', 1, 'neutron networks'),
    ('subnet', 1, 'IPv4 subnets, spread over the persistent networks'),
    ('router', 1, 'routers, each with an interface on one persistent '
                  'subnet'),
    ('port', 1, 'ports on the persistent networks'),
    ('server', 1, 'servers, each with a persistent key pair and security '
                  'group, on a persistent network'),
    ('volume', 1, 'cinder volumes (with metadata)'),
    ('volume_snapshot', 1, 'snapshots of the persistent volumes'),
    ('volume_attachment', 1, 'extra volumes, each attached to a persistent '
                             'server'),
    ('container', 1, 'swift containers (with metadata)'),
    ('object', 3, 'swift objects with a random payload, spread over the '
                  'persistent containers'),
    ('image', 1, 'glance images with a small random payload'),
)

OPTS = [
    cfg.IntOpt('persistent_%s_count' % name, default=default, min=0,
               help='How many persistent %s the create phase makes '
                    '(0: none).' % what)
    for name, default, what in COUNTS
] + [
    cfg.StrOpt('persistent_state_file',
               default='',
               help='JSON file that records the persistent resources, their '
                    'owner and the snapshot of their attributes, between '
                    'the create, verify and cleanup phases. Holds the '
                    "owner's password (written with mode 0600). Empty: "
                    '<output_dir>/persistent/state.json.'),
    cfg.StrOpt('persistent_owner_username',
               default='',
               help='Pre-provisioned user that owns the persistent '
                    'resources. Empty: the create phase makes a dedicated '
                    'project and user with the configured admin credentials '
                    '(and cleanup deletes them).'),
    cfg.StrOpt('persistent_owner_password',
               default='',
               secret=True,
               help='Password of persistent_owner_username.'),
    cfg.StrOpt('persistent_owner_project_name',
               default='',
               help='Project of persistent_owner_username.'),
    cfg.StrOpt('persistent_owner_domain_name',
               default='Default',
               help='Domain of the pre-provisioned user and its project.'),
    cfg.IntOpt('persistent_build_timeout',
               default=300,
               min=1,
               help='Seconds to wait for one persistent resource to reach '
                    'its steady state on creation. Cleanup gives up on '
                    'deleting one resource (delete retries and the wait '
                    'for it to disappear) after persistent_retry_timeout '
                    '+ this.'),
    cfg.IntOpt('persistent_retry_timeout',
               default=120,
               min=0,
               help='Deadline in seconds for verifying one resource: its '
                    'retries after transient errors (5xx, connection '
                    'refused/reset, time-outs: a service restarting), '
                    'while it is in a transitional state, and the '
                    're-checks that confirm a difference all happen '
                    'within it. An unreachable resource is given up on '
                    'after at most this + [service-clients] http_timeout. '
                    'Cleanup retries the delete call of one resource as '
                    'long, and gives up on it after this + '
                    'persistent_build_timeout.'),
    cfg.IntOpt('persistent_workers',
               default=16,
               min=1,
               help='Threads that create, verify or delete persistent '
                    'resources in parallel.'),
    cfg.IntOpt('persistent_object_size',
               default=4096,
               min=1,
               help='Size in bytes of the random payload of each persistent '
                    'object and image.'),
]
