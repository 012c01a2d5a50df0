"""One progress line per step, with its duration.

With ``LOCALCLOUD_STEP_STARTS=1`` in the environment each step also prints
``  > <name>`` when it starts, so that a program reading the output (the
rehearsal) can mark the moment a phase begins, not only when it ended.
"""

import contextlib
import os
import sys
import time

START_PREFIX = '  > '


class Failed(Exception):
    """A step failed; the message says what and where to look."""


@contextlib.contextmanager
def step(name, out=None):
    out = out or sys.stdout
    start = time.monotonic()
    note = {}
    if os.environ.get('LOCALCLOUD_STEP_STARTS'):
        out.write(START_PREFIX + name + '\n')
        out.flush()
    try:
        yield note
    except Exception:
        out.write('  %-44s FAILED after %.1f s\n' % (
            name, time.monotonic() - start))
        out.flush()
        raise
    extra = ('  (%s)' % note['info']) if note.get('info') else ''
    out.write('  %-44s %6.1f s%s\n' % (name, time.monotonic() - start,
                                       extra))
    out.flush()
