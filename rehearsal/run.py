"""``python -m rehearsal``: the upgrade rehearsal on the local cloud."""

import argparse
import configparser
import enum
import json
import os
import re
import subprocess
import sys
import time

from localcloud import progress
from localcloud import releases
from rehearsal import plan
from rehearsal import steps as steps_mod
from rehearsal import windows as windows_mod
from upgrade_tempest_plugin.common import console

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE_S = 5.0
STEP_START = progress.START_PREFIX
# Write probes on every API for the whole upgrade, at the read series'
# rate (0.5/s: what the 2-core local cloud carries, doc/source/uptime.rst).
UPGRADE_OPTIONS = {'uptime_write_probes': 'true', 'uptime_write_rate': '0.5'}


class Exit(enum.IntEnum):
    PASSED = 0
    FAILED = 1     # a step or a check of the report failed
    # 2: bad arguments (argparse)


def exit_status(failed_steps, report_ok):
    """The exit status: PASSED only if no step failed and the report's
    checks all passed."""
    if failed_steps or not report_ok:
        return Exit.FAILED
    return Exit.PASSED


def _bin(name):
    """A console script of the environment running us (tox env, venv)."""
    return os.path.join(os.path.dirname(sys.executable), name)


class Rehearsal(object):

    def __init__(self, output_dir, out=sys.stdout, log_level=None):
        stamp = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())
        self.root = os.path.join(os.path.abspath(output_dir), stamp)
        self.run_dir = os.path.join(self.root, 'run')     # [upgrade] output
        self.workspace = os.path.join(self.root, 'workspace')
        self.logs = os.path.join(self.root, 'logs')
        for d in (self.run_dir, self.logs, os.path.join(self.root, 'home'),
                  os.path.join(self.root, 'tmp')):
            os.makedirs(d, exist_ok=True)
        # One tempest workspace per persistent resource set (the two may
        # run side by side: one stestr repository each), each with its
        # own state file; both write their results into run/.
        self.workspaces = {
            plan.FIRST_SET: self.workspace,
            plan.MIXED_SET: os.path.join(self.root, 'workspace-mixed-set')}
        self.confs = {name: os.path.join(path, 'etc', 'tempest.conf')
                      for name, path in self.workspaces.items()}
        self.conf = self.confs[plan.FIRST_SET]
        self.state_files = {
            plan.FIRST_SET: os.path.join(self.run_dir, 'persistent',
                                         'state.json'),
            plan.MIXED_SET: os.path.join(self.run_dir, 'persistent',
                                         'mixed-set-state.json')}
        self.out = out
        self.verbosity = console.flags(log_level)   # for child commands
        self.steps = steps_mod.StepLog(
            os.path.join(self.run_dir, 'rehearsal.json'), out)
        self.env = dict(os.environ, HOME=os.path.join(self.root, 'home'),
                        TMPDIR=os.path.join(self.root, 'tmp'))
        self.daemon = None
        self.haproxy_socket = None
        latest = os.path.join(os.path.abspath(output_dir), 'latest')
        if os.path.islink(latest) or not os.path.exists(latest):
            if os.path.islink(latest):
                os.unlink(latest)
            os.symlink(stamp, latest)

    # -- helpers ---------------------------------------------------------
    def localcloud(self, name, *args, **kwargs):
        return self.steps.run(
            name, [sys.executable, '-m', 'localcloud'] + list(args) +
            self.verbosity,
            cwd=REPO, log_path=os.path.join(
                self.logs, 'localcloud-%s.log' % _file_name(name)), echo=True,
            **kwargs)

    def mark(self, text):
        from upgrade_tempest_plugin.uptime import markers
        markers.add(os.path.join(self.run_dir, 'uptime'), text)
        self.out.write('           mark: %s\n' % text)

    def tempest(self, name, regex, label=None, background=False,
                resource_set=plan.FIRST_SET):
        """``tempest run`` of one persistent phase on one resource set
        (each set has its own tempest.conf naming its state file)."""
        env = dict(self.env)
        if label:
            env['UPGRADE_VERIFY_LABEL'] = label
        argv = [_bin('tempest'), 'run', '--config-file',
                self.confs[resource_set], '--regex', regex,
                '--concurrency', '2']
        log = os.path.join(self.logs, '%s.log' % _file_name(name))
        cwd = self.workspaces[resource_set]
        if not background:
            return self.steps.run(name, argv, cwd=cwd, env=env,
                                  log_path=log)
        start = self.steps.begin(name + ' (in the background)')
        handle = open(log, 'w')
        proc = subprocess.Popen(argv, cwd=cwd, env=env,
                                stdout=handle, stderr=subprocess.STDOUT)
        return name, start, proc, handle, log

    def finish(self, background):
        name, start, proc, handle, log = background
        if proc.poll() is None:
            self.out.write('[  ...  ]      waiting for %s\n' % name)
            with self.steps.ticker('waiting for ' + name):
                proc.wait()
        code = proc.wait()
        handle.close()
        return self.steps.record(
            name, start, code == 0,
            '' if code == 0 else 'exit %d; see %s' % (code, log))

    # -- steps -----------------------------------------------------------
    def cloud_status(self):
        """The local cloud's ``status --json``, or None (step failed)."""
        start = time.time()
        status = subprocess.run(
            [sys.executable, '-m', 'localcloud', 'status', '--json'],
            cwd=REPO, capture_output=True, text=True)
        try:
            return json.loads(status.stdout)
        except ValueError:
            self.steps.record('local cloud status', start, False,
                              status.stdout + status.stderr)
            return None

    def cloud_at_old_release(self):
        """The cloud up with every project at the old release: a cloud
        an earlier run upgraded (or the default one, keystone 28.1.0 and
        the rest 2026.2) is reset first, for a real upgrade."""
        state = self.cloud_status()
        if state is None:
            return False
        wanted = releases.pins(releases.RELEASE_VENVS[plan.OLD_RELEASE])
        if state.get('workspace') and (state.get('versions') != wanted
                                       or state.get('lagging')):
            self.out.write('the local cloud runs %s, not %s: resetting it '
                           'for a real upgrade\n' % (
                               _versions_text(state.get('versions')),
                               plan.OLD_RELEASE))
            if not self.localcloud('local cloud reset', 'reset')['ok']:
                return False
        if not self.localcloud('local cloud up at %s, %d backends per API'
                               % (plan.OLD_RELEASE, plan.BACKENDS), 'up',
                               '--release', plan.OLD_RELEASE, '--backends',
                               str(plan.BACKENDS))['ok']:
            return False
        state = self.cloud_status()
        if not state:
            return False
        self.steps.note('versions', {'before': state['versions']})
        self.cloud_workspace = state['workspace']
        self.haproxy_socket = state.get('haproxy_socket')
        return True

    def make_workspace(self):
        start = time.time()
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        source = os.path.join(self.cloud_workspace, 'etc', 'tempest.conf')
        if not parser.read(source):
            return self.steps.record('tempest workspace', start, False,
                                     'cannot read %s' % source)
        if not parser.has_section('upgrade'):
            parser.add_section('upgrade')
        parser.set('upgrade', 'output_dir', self.run_dir)
        for key, value in UPGRADE_OPTIONS.items():
            parser.set('upgrade', key, value)
        # each backend probed too, as haproxy's stats socket lists them
        parser.set('upgrade', 'uptime_haproxy_socket',
                   self.haproxy_socket or '')
        parser.set('DEFAULT', 'log_file', 'tempest.log')
        for resource_set, path in self.confs.items():
            workspace = self.workspaces[resource_set]
            os.makedirs(os.path.join(workspace, 'etc'), exist_ok=True)
            os.makedirs(os.path.join(workspace, 'logs'), exist_ok=True)
            parser.set('DEFAULT', 'log_dir', os.path.join(workspace, 'logs'))
            parser.set('upgrade', 'persistent_state_file',
                       self.state_files[resource_set])
            with open(path, 'w') as f:
                parser.write(f)
            os.chmod(path, 0o600)
        return self.steps.record('tempest workspace', start, True)

    def start_daemon(self):
        with self.steps.step('uptime daemon started') as result:
            result.update(self._start_daemon())
        return result['step']

    def _start_daemon(self):
        log = os.path.join(self.logs, 'uptime-daemon.log')
        self.daemon_log = open(log, 'w')
        self.daemon = subprocess.Popen(
            [_bin('upgrade-uptime'), 'run', '--daemon',
             '--config-file', self.conf],
            cwd=self.workspace, env=self.env, stdout=self.daemon_log,
            stderr=subprocess.STDOUT)
        uptime_dir = os.path.join(self.run_dir, 'uptime')
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.daemon.poll() is not None:
                return {'ok': False, 'detail': 'exited %s; see %s' % (
                    self.daemon.returncode, log)}
            logs = [f for f in os.listdir(uptime_dir)
                    if f.endswith('.jsonl') and f != 'markers.jsonl'] \
                if os.path.isdir(uptime_dir) else []
            if logs and all(os.path.getsize(os.path.join(uptime_dir, f))
                            for f in logs):
                time.sleep(BASELINE_S)      # a baseline before changes
                return {'ok': True, 'detail': ', '.join(sorted(logs))}
            time.sleep(0.5)
        return {'ok': False,
                'detail': 'no probe logged within 60 s; see %s' % log}

    def stop_daemon(self):
        with self.steps.step('uptime daemon stopped (sentinel)') as result:
            sentinel = os.path.join(self.run_dir, 'uptime', 'stop')
            with open(sentinel, 'w') as f:
                f.write('stopped by the rehearsal\n')
            try:
                code = self.daemon.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.daemon.terminate()
                code = self.daemon.wait(timeout=30)
            self.daemon_log.close()
            result.update(ok=code == 0, detail='exit %s' % code)
        if result['step']['ok']:
            self.check_windows()
        return result['step']

    def check_windows(self):
        """Each API's windows inside the steps that stopped it; none
        through the endpoint while its backends were rolled."""
        from upgrade_tempest_plugin.uptime import summary
        data = summary.load(os.path.join(self.run_dir, 'uptime'))
        with self.steps.step('uptime windows inside their steps') as result:
            problems = windows_mod.unexplained(data)
            result.update(ok=not problems,
                          detail='; '.join(problems) or 'all of them')
        with self.steps.step('endpoints up through the rolling swaps') \
                as result:
            problems, backend_windows = windows_mod.seen_through_endpoint(
                data)
            result.update(ok=not problems, detail='; '.join(problems) or (
                '0 windows through the endpoints; %d on the backends\' own '
                'series' % backend_windows))
        return result['step']

    def upgrade(self, step, resumed):
        """One ``localcloud upgrade`` command, each of its own steps
        marked as it starts."""
        prefix = plan.marker_prefix(step.project)
        self.mark(plan.start_marker(step, resumed))

        def on_line(line):
            # localcloud prints "  > <step>" as each step starts.
            if line.startswith(STEP_START):
                self.mark('%s %s' % (prefix, line[len(STEP_START):]))
        return self.localcloud(plan.step_name(step, resumed),
                               *plan.localcloud_args(step), on_line=on_line)

    def checkpoint(self, step):
        """Create the set this state calls for, then verify the sets,
        side by side."""
        self.mark('checkpoint %s' % step.label)
        if step.create:
            self.tempest('persistent.create (%s, %s)' % (
                step.create, step.label), 'persistent.create',
                resource_set=step.create)
        others = [self.tempest(
            'persistent.verify %s' % plan.verify_label(step.label, s),
            'persistent.verify', label=plan.verify_label(step.label, s),
            background=True, resource_set=s) for s in step.verify[1:]]
        self.tempest('persistent.verify %s' % step.label,
                     'persistent.verify', label=step.label,
                     resource_set=step.verify[0])
        for background in others:
            self.finish(background)

    def upgrade_all(self):
        """Every step of the plan; stop at the first upgrade that fails
        (the next ones need it), not at a failed verify."""
        resumed = plan.resumed_steps()
        for i, step in enumerate(plan.STEPS):
            if not self.upgrade(step, i in resumed)['ok']:
                self.mark('%s failed: the upgrade stops here'
                          % plan.marker_prefix(step.project))
                return False
            self.checkpoint(step)
        return True

    def check_versions(self):
        """Every project at the new release, no service left behind."""
        with self.steps.step('every project at %s' % plan.NEW_RELEASE) \
                as result:
            state = self.cloud_status()
            if state is None:
                result['detail'] = 'no status from the local cloud'
                return
            versions = dict(self.steps.facts.get('versions', {}),
                            after=state['versions'])
            self.steps.note('versions', versions)
            problems = plan.not_upgraded(
                state['versions'], releases.pins(
                    releases.RELEASE_VENVS[plan.NEW_RELEASE]),
                state.get('lagging'))
            result.update(ok=not problems, detail='; '.join(problems) or
                          _versions_text(state['versions']))

    def cleanup(self):
        """``persistent.cleanup`` of every set that has a state file;
        then nothing of either set may be left."""
        for resource_set, path in self.state_files.items():
            if os.path.exists(path):
                self.tempest('persistent.cleanup (%s)' % resource_set,
                             'persistent.cleanup', resource_set=resource_set)
        with self.steps.step('nothing left of the persistent sets') \
                as result:
            problems = left_behind(self.state_files)
            result.update(ok=not problems,
                          detail='; '.join(problems) or 'both sets gone')

    def report(self):
        # Its exit status is the verdict (1: a check failed), and its
        # output, printed below in full, says which.
        return self.steps.run(
            'report', [_bin('upgrade-report'), self.run_dir,
                       '--output-dir', os.path.join(self.root, 'report')]
            + self.verbosity,
            log_path=os.path.join(self.logs, 'report.log'), tail=False)

    def run(self):
        ok = self.cloud_at_old_release() and self.make_workspace()['ok']
        ok = ok and self.tempest('persistent.create (%s)' % plan.FIRST_SET,
                                 'persistent.create')['ok']
        ok = ok and self.start_daemon()['ok']
        if ok:
            self.upgrade_all()
            self.check_versions()
        if self.daemon is not None:
            self.stop_daemon()
        self.cleanup()
        report = self.report()
        with open(os.path.join(self.logs, 'report.log')) as f:
            self.out.write(f.read())
        failed = self.steps.failed
        self.out.write('\nRehearsal %s; outputs in %s\n' % (
            'PASSED' if not failed else 'FAILED (%s)' % ', '.join(failed),
            self.root))
        return exit_status(failed, report['ok'])


def left_behind(state_files):
    """Messages for each resource set whose state file is still there.

    Cleanup removes a set's state file only once every resource is
    deleted, its listing of the owner's project found nothing left and
    the dedicated owner is deleted: a state file left says what is not.
    """
    out = []
    for resource_set, path in sorted(state_files.items()):
        if not os.path.exists(path):
            continue
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as exc:
            out.append('%s: state file %s left, unreadable: %s'
                       % (resource_set, path, exc))
            continue
        kinds = sorted('%s x%d' % (k, len(v)) for k, v in
                       (data.get('resources') or {}).items() if v)
        out.append('%s: %s left (state file %s)' % (
            resource_set, ', '.join(kinds) or 'its owner', path))
    return out


def _versions_text(versions):
    return ', '.join('%s %s' % item for item in sorted(
        (versions or {}).items()))


def _file_name(step_name):
    """A log file name for a step: its name, each run of other
    characters than letters, digits, dots and dashes made one dash."""
    return re.sub(r'[^\w.-]+', '-', step_name).strip('-')


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m rehearsal',
        description='Upgrade rehearsal on the embedded local cloud: '
                    'bring it up at %s, create persistent resources, probe '
                    'every API (reads and writes), upgrade all seven '
                    'projects to %s for real in the documented order '
                    '(cinder and nova held in a mixed-version phase), '
                    'verify after each step, clean up, report.' % (
                        plan.OLD_RELEASE, plan.NEW_RELEASE))
    parser.add_argument('--output-dir', default=os.path.join(
        REPO, 'rehearsal-output'), help='each run gets a timestamped '
        'folder here; "latest" points to the newest (default: %(default)s)')
    console.add_arguments(parser)
    args = parser.parse_args(argv)
    console.setup(args.log_level)
    return int(Rehearsal(args.output_dir, log_level=args.log_level).run())
