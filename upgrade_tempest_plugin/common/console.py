"""Log lines on the console of the command-line tools: none unless asked.

By default a command prints only its own output: the log records of the
libraries it uses (tempest, oslo.*, stevedore, matplotlib, ...) and
Python warnings go nowhere. ``-v`` shows INFO and above on stderr,
``--debug`` everything.
"""

import logging
import sys

FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s'
HANDLER = 'console'   # the name of the handler setup() adds


def add_arguments(parser):
    """Add ``-v/--verbose`` and ``--debug`` to an argparse parser."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument('-v', '--verbose', dest='log_level',
                       action='store_const', const=logging.INFO,
                       help='show library log lines (INFO and above) on '
                            'stderr')
    group.add_argument('--debug', dest='log_level', action='store_const',
                       const=logging.DEBUG,
                       help='show every library log line on stderr')


def setup(level=None, stream=None):
    """Route log records and warnings: dropped, or to ``stream`` at
    ``level`` (``args.log_level`` from ``add_arguments``)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER]:
        root.removeHandler(old)
    logging.captureWarnings(True)
    if level is None:
        # A handler on the root logger keeps logging's "last resort"
        # (WARNING and above to stderr) from printing library records.
        handler = logging.NullHandler()
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.setLevel(level)
    handler.set_name(HANDLER)
    root.addHandler(handler)
    return handler


def flags(level):
    """The command-line flags that give ``level`` to a child command."""
    return {logging.INFO: ['-v'], logging.DEBUG: ['--debug']}.get(level, [])
