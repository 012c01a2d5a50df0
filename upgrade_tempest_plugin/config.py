"""The ``[upgrade]`` option group of tempest.conf.

Each part of the plugin keeps its options next to its code, in an
``options`` module holding a plain ``OPTS`` list; this module only collects
them. ``OPTIONS`` is the one table that feeds both ``register_opts`` and
``get_opt_lists`` of the plugin (and ``oslo-config-generator``), so the
registered and the documented options cannot drift apart.
"""

from oslo_config import cfg

from upgrade_tempest_plugin.common import options as common_options
from upgrade_tempest_plugin.persistent import options as persistent_options
from upgrade_tempest_plugin.uptime import options as uptime_options

GROUP = cfg.OptGroup(
    name='upgrade',
    title='Upgrade testing options',
    help='Options of upgrade_tempest_plugin: call tracking, persistent '
         'resources and API uptime probes.')

OPTIONS = [
    (GROUP, common_options.OPTS
     + persistent_options.OPTS
     + uptime_options.OPTS),
]


def list_opts():
    """Return the option table in the form oslo-config-generator expects."""
    return [(group, list(opts)) for group, opts in OPTIONS]
