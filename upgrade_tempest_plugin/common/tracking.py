"""Count passes and failures of tempest service client calls.

Placeholder until the tracking module lands (issue 2).
"""

DEFAULT_WHITELIST = ('is_resource_deleted', 'wait_for_server_termination',
                     'wait_for_resource_deletion')
DEFAULT_MAX_TRACES = 20
