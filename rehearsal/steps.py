"""Run and record the steps of the rehearsal."""

import subprocess
import sys
import time

from upgrade_tempest_plugin.common import fileutil


class StepLog(object):
    """Print each step with its duration and keep them in a JSON file."""

    def __init__(self, path, out=sys.stdout):
        self.path = path
        self.out = out
        self.steps = []

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
        fileutil.write_json(self.path, {'steps': self.steps},
                            sort_keys=False)

    @property
    def failed(self):
        return [s['name'] for s in self.steps if not s['ok']]

    def run(self, name, argv, cwd=None, env=None, log_path=None,
            on_line=None, tail=True):
        """Run ``argv``; its output goes to ``log_path`` (and ``on_line``).

        Returns the step record; a non-zero exit marks the step failed and
        names the log whose tail explains it.
        """
        start = time.time()
        self.out.write('[  ...  ]      %s\n' % name)
        self.out.flush()
        log = open(log_path, 'w') if log_path else None
        try:
            proc = subprocess.Popen(argv, cwd=cwd, env=env,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            last = []
            for line in proc.stdout:
                if log:
                    log.write(line)
                    log.flush()
                last = (last + [line.rstrip()])[-15:]
                if on_line:
                    on_line(line.rstrip())
            code = proc.wait()
        except OSError as exc:
            return self.record(name, start, False, 'cannot run %s: %s'
                               % (argv[0], exc))
        finally:
            if log:
                log.close()
        if code != 0:
            detail = 'exit %d; log %s' % (code, log_path or '-')
            if tail:
                detail += '; last lines:\n    ' + '\n    '.join(last)
            return self.record(name, start, False, detail)
        return self.record(name, start, True)
