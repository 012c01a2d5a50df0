"""Progress on the console: each step as it starts, then its duration.

A step prints ``  > <name>`` when it starts and ``  <name>  12.3 s`` when
it ends; while it runs, a ``Ticker`` shows it is alive. On a terminal the
ticker keeps one line up to date (elapsed seconds, and what the step says
it is doing now); otherwise (a pipe, a log file, the rehearsal reading us)
it prints a plain line every ``PLAIN_EVERY`` seconds, e.g.
``  ... venvs main + keystone-28.1.0: 30 s (main: pip install)``.

The ``  > `` start lines let a program reading the output (the rehearsal)
mark the moment a phase begins, not only when it ended.
"""

import contextlib
import sys
import threading
import time

START_PREFIX = '  > '
TICK_PREFIX = '  ... '
PLAIN_EVERY = 15.0      # seconds between "still running" lines in a log
TTY_EVERY = 1.0         # seconds between updates of the live line


class Failed(Exception):
    """A step failed; the message says what and where to look."""


def is_terminal(out):
    isatty = getattr(out, 'isatty', None)
    try:
        return bool(isatty and isatty())
    except ValueError:      # closed
        return False


class Ticker(object):
    """Shows that ``name`` is still running, from a thread, until stopped.

    ``note`` (a dict) may carry ``now``: what the step is doing, updated
    by the step as it goes; it is shown after the elapsed time.
    """

    def __init__(self, name, out, note=None, every=None, tty=None,
                 clock=time.monotonic):
        self.name = name
        self.out = out
        self.note = note if note is not None else {}
        self.tty = is_terminal(out) if tty is None else tty
        self.every = every or (TTY_EVERY if self.tty else PLAIN_EVERY)
        self.clock = clock
        self.start = clock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._live = False

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def line(self):
        now = self.note.get('now')
        return '%s%s: %d s%s' % (TICK_PREFIX, self.name,
                                 self.clock() - self.start,
                                 ' (%s)' % now if now else '')

    def tick(self):
        if self.tty:
            self.out.write('\r\033[K' + self.line())
            self._live = True
        else:
            self.out.write(self.line() + '\n')
        self.out.flush()

    def _run(self):
        while not self._stop.wait(self.every):
            self.tick()

    def stop(self):
        """Stop ticking; on a terminal, erase the live line."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._live:
            self.out.write('\r\033[K')
            self.out.flush()
            self._live = False


@contextlib.contextmanager
def step(name, out=None, every=None):
    """Print that ``name`` starts, keep showing it runs, print its time.

    Yields a dict: set ``info`` for the final line, ``now`` for the ticker.
    """
    out = out or sys.stdout
    start = time.monotonic()
    note = {}
    out.write(START_PREFIX + name + '\n')
    out.flush()
    ticker = Ticker(name, out, note, every=every)
    try:
        with ticker:
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
