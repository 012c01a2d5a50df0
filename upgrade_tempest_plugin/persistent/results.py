"""Where the persistent phases write what they found, for the report.

Under ``<output_dir>``:

- ``persistent/state.json``: the state file (see ``state``), unless
  ``[upgrade] persistent_state_file`` says otherwise;
- ``persistent/create-<UTC timestamp>-<pid>.json``: one create run
  (schema in ``create``);
- ``persistent/verify/<UTC timestamp>-<pid>.json``: one verify run
  (schema in ``verify``);
- ``persistent/cleanup-<UTC timestamp>-<pid>.json``: one cleanup run
  (schema in ``cleanup``);
- ``stats/persistent-<phase>-<pid>.json``: the Trace statistics of the
  phase's API calls.
"""

import datetime
import os

from upgrade_tempest_plugin.common import fileutil


def timestamp():
    """Return a UTC timestamp usable in a file name, sortable."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime('%Y%m%dT%H%M%S.%fZ')


def state_path(output_dir, configured=''):
    """Return the state file path: configured, else the default."""
    if configured:
        return os.path.abspath(configured)
    return os.path.abspath(os.path.join(output_dir, 'persistent',
                                        'state.json'))


def result_path(output_dir, phase):
    """Return a new result file path for ``phase`` (one per run)."""
    name = '%s-%d.json' % (timestamp(), os.getpid())
    if phase == 'verify':
        return os.path.join(output_dir, 'persistent', 'verify', name)
    return os.path.join(output_dir, 'persistent',
                        '%s-%s' % (phase, name))


def stats_path(output_dir, phase):
    return os.path.join(output_dir, 'stats', 'persistent-%s-%d.json'
                        % (phase, os.getpid()))


def save(path, record):
    """Write ``record`` as JSON to ``path`` atomically; return the path."""
    return fileutil.write_json(path, record, default=str)
