"""Options shared by every part of the plugin (``[upgrade]`` group).

The tracking defaults are written out here rather than imported, so that
loading the plugin's options does not load the tracking package; a unit
test keeps them equal to ``tracking.DEFAULT_WHITELIST`` and
``tracking.DEFAULT_MAX_TRACES``.
"""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('output_dir',
               default='upgrade_output',
               help='Directory where the plugin writes what it records '
                    '(persistent state, uptime probe logs and summaries, '
                    'saved call statistics). A relative path is taken from '
                    'the current directory, i.e. the tempest workspace '
                    'that "tempest run" is started in.'),
    cfg.ListOpt('trace_whitelist',
                default=['is_resource_deleted', 'wait_for_server_termination',
                         'wait_for_resource_deletion'],
                help='Names of functions or methods; a failed API call whose '
                     'stack (calling frames or traceback) passes through one '
                     'of them is counted as a pass, because the failure is '
                     'expected there (e.g. NotFound while waiting for a '
                     'deletion). Any exception under such a frame counts '
                     'as a pass. A name with a dot (Class.method) is '
                     'matched against the qualified name of the frame.'),
    cfg.ListOpt('trace_whitelist_errors',
                default=[],
                help='Names of exception classes (e.g. NotFound). If set, a '
                     'failure under a trace_whitelist frame is counted as a '
                     'pass only when it is one of them or a subclass; any '
                     'other error there (e.g. a 503 while a waiter polls for '
                     'a deletion) is a failure. Empty: any exception.'),
    cfg.IntOpt('trace_max_stack_traces',
               default=20,
               min=0,
               help='How many distinct failure stack traces to keep per API '
                    'method; further distinct traces are only counted.'),
]
