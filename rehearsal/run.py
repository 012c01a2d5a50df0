"""``python -m rehearsal``: the upgrade rehearsal on the local cloud."""

import argparse
import configparser
import enum
import json
import os
import subprocess
import sys
import time

from localcloud import progress
from rehearsal import steps as steps_mod
from rehearsal import windows as windows_mod
from upgrade_tempest_plugin.common import console

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OLD_KEYSTONE = '28.1.0'
NEW_KEYSTONE = '30.0.0'
# Every API but keystone is "upgraded" by a restart with the same version.
RESTARTS = ('nova-api', 'neutron-server', 'cinder-api', 'glance-api',
            'swift-proxy')
BASELINE_S = 5.0
SETTLE_S = 3.0
STEP_START = progress.START_PREFIX


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
        self.conf = os.path.join(self.workspace, 'etc', 'tempest.conf')
        self.out = out
        self.verbosity = console.flags(log_level)   # for child commands
        self.steps = steps_mod.StepLog(
            os.path.join(self.run_dir, 'rehearsal.json'), out)
        self.env = dict(os.environ, HOME=os.path.join(self.root, 'home'),
                        TMPDIR=os.path.join(self.root, 'tmp'))
        self.daemon = None
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
                self.logs, 'localcloud-%s.log' % args[0]), echo=True,
            **kwargs)

    def mark(self, text):
        from upgrade_tempest_plugin.uptime import markers
        markers.add(os.path.join(self.run_dir, 'uptime'), text)
        self.out.write('           mark: %s\n' % text)

    def tempest(self, name, regex, label=None, background=False):
        env = dict(self.env)
        if label:
            env['UPGRADE_VERIFY_LABEL'] = label
        argv = [_bin('tempest'), 'run', '--config-file', self.conf,
                '--regex', regex, '--concurrency', '2']
        log = os.path.join(self.logs, '%s.log' % name.replace(' ', '-'))
        if not background:
            return self.steps.run(name, argv, cwd=self.workspace, env=env,
                                  log_path=log)
        start = self.steps.begin(name + ' (in the background)')
        handle = open(log, 'w')
        proc = subprocess.Popen(argv, cwd=self.workspace, env=env,
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

    def cloud_at_old_keystone(self):
        if not self.localcloud('local cloud up', 'up')['ok']:
            return False
        state = self.cloud_status()
        if state and state.get('keystone_version') != OLD_KEYSTONE:
            # The keystone of this cloud was upgraded by an earlier run:
            # a real upgrade needs the old release again, so start anew.
            self.out.write('keystone is at %s, not %s: resetting the local '
                           'cloud for a real upgrade\n'
                           % (state.get('keystone_version'), OLD_KEYSTONE))
            if not (self.localcloud('local cloud reset', 'reset')['ok']
                    and self.localcloud('local cloud up', 'up')['ok']):
                return False
            state = self.cloud_status()
        if not state:
            return False
        self.cloud_workspace = state['workspace']
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
        parser.set('DEFAULT', 'log_dir', os.path.join(self.workspace,
                                                      'logs'))
        parser.set('DEFAULT', 'log_file', 'tempest.log')
        os.makedirs(os.path.join(self.workspace, 'etc'), exist_ok=True)
        os.makedirs(os.path.join(self.workspace, 'logs'), exist_ok=True)
        with open(self.conf, 'w') as f:
            parser.write(f)
        os.chmod(self.conf, 0o600)
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
        """Each API's windows inside the steps that stopped it."""
        from upgrade_tempest_plugin.uptime import summary
        with self.steps.step('uptime windows inside their steps') as result:
            problems = windows_mod.unexplained(
                summary.load(os.path.join(self.run_dir, 'uptime')))
            result.update(ok=not problems,
                          detail='; '.join(problems) or 'all of them')
        return result['step']

    def upgrade_keystone(self):
        self.mark('keystone upgrade %s -> %s: start'
                  % (OLD_KEYSTONE, NEW_KEYSTONE))

        def on_line(line):
            # localcloud prints "  > <step>" as each step starts.
            if line.startswith(STEP_START):
                self.mark('keystone upgrade: %s' % line[len(STEP_START):])
        step = self.localcloud('keystone upgrade %s -> %s' % (
            OLD_KEYSTONE, NEW_KEYSTONE), 'upgrade', 'keystone', '--to',
            NEW_KEYSTONE, on_line=on_line)
        self.mark('keystone upgrade: done')
        return step

    def restarts(self):
        for service in RESTARTS:
            time.sleep(SETTLE_S)
            self.mark('restart %s' % service)
            self.localcloud('restart %s' % service, 'restart', service)
        time.sleep(SETTLE_S)
        self.mark('restarts done')

    def report(self):
        # Its exit status is the verdict (1: a check failed), and its
        # output, printed below in full, says which.
        return self.steps.run(
            'report', [_bin('upgrade-report'), self.run_dir,
                       '--output-dir', os.path.join(self.root, 'report')]
            + self.verbosity,
            log_path=os.path.join(self.logs, 'report.log'), tail=False)

    def run(self):
        ok = self.cloud_at_old_keystone() and self.make_workspace()['ok']
        ok = ok and self.tempest('persistent.create',
                                 'persistent.create')['ok']
        ok = ok and self.start_daemon()['ok']
        if ok:
            self.upgrade_keystone()
            during = self.tempest('persistent.verify during upgrade',
                                  'persistent.verify', label='during',
                                  background=True)
            self.restarts()
            self.finish(during)
            self.tempest('persistent.verify after upgrade',
                         'persistent.verify', label='after')
        if self.daemon is not None:
            self.stop_daemon()
        if ok or os.path.exists(os.path.join(self.run_dir, 'persistent')):
            self.tempest('persistent.cleanup', 'persistent.cleanup')
        report = self.report()
        with open(os.path.join(self.logs, 'report.log')) as f:
            self.out.write(f.read())
        failed = self.steps.failed
        self.out.write('\nRehearsal %s; outputs in %s\n' % (
            'PASSED' if not failed else 'FAILED (%s)' % ', '.join(failed),
            self.root))
        return exit_status(failed, report['ok'])


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m rehearsal',
        description='Upgrade rehearsal on the embedded local cloud: '
                    'create persistent resources, probe every API, upgrade '
                    'keystone for real and restart the other APIs, verify, '
                    'clean up, report.')
    parser.add_argument('--output-dir', default=os.path.join(
        REPO, 'rehearsal-output'), help='each run gets a timestamped '
        'folder here; "latest" points to the newest (default: %(default)s)')
    console.add_arguments(parser)
    args = parser.parse_args(argv)
    console.setup(args.log_level)
    return int(Rehearsal(args.output_dir, log_level=args.log_level).run())
