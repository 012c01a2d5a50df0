"""Run and record the steps of the rehearsal, showing them on the console.

Each step prints ``[  ...  ]      <name>`` as it starts and ``[  12.3 s] ok
<name>`` when it ends. While it runs, the console shows it is alive: the
progress lines of a ``localcloud`` command are echoed as they come
(``echo=True``); for other commands (tempest) a ticker says how long the
step has run and the last line the command printed (one plain line every
15 s when the console is not a terminal; see ``localcloud.progress``).
"""

import contextlib
import subprocess
import sys
import time

from localcloud import progress
from upgrade_tempest_plugin.common import fileutil

ECHO_INDENT = ' ' * 9     # child lines under the step names


class StepLog(object):
    """Print each step with its duration and keep them in a JSON file."""

    def __init__(self, path, out=sys.stdout):
        self.path = path
        self.out = out
        self.steps = []
        self.facts = {}      # saved beside the steps (e.g. versions)

    def record(self, name, start, ok, detail=''):
        end = time.time()
        step = {'name': name, 'ok': ok, 'start_time': start,
                'end_time': end, 'duration_s': round(end - start, 3),
                'detail': detail}
        self.steps.append(step)
        self.out.write('[%6.1f s] %-4s %s%s\n' % (
            end - start, 'ok' if ok else 'FAIL', name,
            (': ' + detail) if detail and not ok else ''))
        self.out.flush()
        self._save()
        return step

    def _save(self):
        fileutil.write_json(self.path, dict(self.facts, steps=self.steps),
                            sort_keys=False)

    def note(self, key, value):
        """Keep ``value`` under ``key`` in the JSON file, beside the
        steps."""
        self.facts[key] = value
        self._save()

    @property
    def failed(self):
        return [s['name'] for s in self.steps if not s['ok']]

    def begin(self, name):
        """Print that step ``name`` starts; return its start time."""
        self.out.write('[  ...  ]      %s\n' % name)
        self.out.flush()
        return time.time()

    def ticker(self, name, note=None):
        """A ``localcloud.progress.Ticker`` for step ``name`` (a context
        manager): shows the step is alive until it ends."""
        return progress.Ticker(name, self.out, note, every=self.tick_every)

    tick_every = None      # None: localcloud.progress's default

    @contextlib.contextmanager
    def step(self, name):
        """A step done here: begin, tick while the body runs, then record.

        The body fills the yielded dict's ``ok`` and ``detail``; the step
        record is in its ``step`` afterwards.
        """
        start = self.begin(name)
        result = {'ok': False, 'detail': ''}
        with self.ticker(name):
            yield result
        result['step'] = self.record(name, start, result['ok'],
                                     result['detail'])

    def run(self, name, argv, cwd=None, env=None, log_path=None,
            on_line=None, tail=True, echo=False):
        """Run ``argv``; its output goes to ``log_path`` (and ``on_line``).

        ``echo``: also print its lines on the console (a command that
        prints its own progress); otherwise a ticker shows the step runs.
        Returns the step record; a non-zero exit marks the step failed and
        names the log whose tail explains it.
        """
        start = self.begin(name)
        log = open(log_path, 'w') if log_path else None
        note = {}
        ticker = None
        try:
            proc = subprocess.Popen(argv, cwd=cwd, env=env,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            if not echo:
                ticker = self.ticker(name, note).__enter__()
            last = []
            for line in proc.stdout:
                if log:
                    log.write(line)
                    log.flush()
                line = line.rstrip()
                last = (last + [line])[-15:]
                if echo:
                    self.out.write(ECHO_INDENT + line + '\n')
                    self.out.flush()
                elif line.strip():
                    note['now'] = _shorten(line.strip())
                if on_line:
                    on_line(line)
            code = proc.wait()
        except OSError as exc:
            return self.record(name, start, False, 'cannot run %s: %s'
                               % (argv[0], exc))
        finally:
            if ticker:
                ticker.stop()
            if log:
                log.close()
        if code != 0:
            detail = 'exit %d; log %s' % (code, log_path or '-')
            if tail:
                detail += '; last lines:\n    ' + '\n    '.join(last)
            return self.record(name, start, False, detail)
        return self.record(name, start, True)


def _shorten(line, width=70):
    return line if len(line) <= width else line[:width - 3] + '...'
