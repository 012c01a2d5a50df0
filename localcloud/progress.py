"""One progress line per step, with its duration."""

import contextlib
import sys
import time


class Failed(Exception):
    """A step failed; the message says what and where to look."""


@contextlib.contextmanager
def step(name, out=None):
    out = out or sys.stdout
    start = time.monotonic()
    note = {}
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
