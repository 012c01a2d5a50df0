"""python3 -m localcloud up|down|status|start|stop|restart|upgrade|reset

Usage:
  up [--release R] [--backends N]
                             bring everything up (idempotent); R=2026.1
                             runs every project from the older release;
                             N processes per API behind haproxy (1-2)
  down [--purge]             stop what we started (by PID file); exit 1
                             if a process of ours is still left
  status [--json]            what runs, what died (with its log), RSS
  start|stop SERVICE         one service (name or alias), or one backend
                             of an API (nova-api-b2; haproxy not told)
  restart SERVICE [--json] [--rolling]
                             stop + start, report the API outage;
                             --rolling: one backend at a time, drained
                             in haproxy first
  upgrade PROJECT --to R|V   the project's documented rolling upgrade to
                             release R (2026.2) or version V;
                             --stop-before SERVICE holds it there (mixed
                             versions), the same command again resumes
  reset                      down + wipe data: next `up` starts afresh
Every command takes -v (log lines: each setup command run) or --debug
(also their output) after its name, e.g. `up -v`.
Exit status: 0 done, 1 done but not as wanted (a process of ours left,
not all up, an API not back), 2 the command failed (one line on stderr).
Home: $LOCALCLOUD_HOME (default <repo>/.localcloud); ports: env vars
LOCALCLOUD_PORT_<SERVICE> (e.g. LOCALCLOUD_PORT_KEYSTONE=5000).
"""

import argparse
import contextlib
import enum
import fcntl
import sys

from localcloud import commands
from localcloud import config
from localcloud import console
from localcloud.progress import Failed
from localcloud import restart
from localcloud import services
from localcloud import upgrade


class Exit(enum.IntEnum):
    OK = 0
    NOT_OK = 1     # the command ran and found things not as wanted
    FAILED = 2     # the command could not do its job (one line on stderr)


def exit_status(ok):
    """The exit status of a command that returned ``ok`` (None: it
    raised a failure, already reported)."""
    if ok is None:
        return Exit.FAILED
    return Exit.OK if ok else Exit.NOT_OK


def parser():
    p = argparse.ArgumentParser(
        prog='python3 -m localcloud', description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 2)[2] + '\nServices: %s' % ', '.join(
            services.names()))
    common = argparse.ArgumentParser(add_help=False)
    console.add_arguments(common)
    sub = p.add_subparsers(dest='command', required=True)

    def add(name):
        return sub.add_parser(name, parents=[common])
    up_cmd = add('up')
    up_cmd.add_argument('--release', help='start every project at this '
                        'release (2026.1 or 2026.2); default: keystone '
                        '28.1.0, the rest 2026.2')
    up_cmd.add_argument('--backends', type=int, metavar='N',
                        help='processes per API behind haproxy, 1 to %d '
                        '(default %d; saved for the next `up`)' % (
                            config.MAX_BACKENDS, config.DEFAULT_BACKENDS))
    down = add('down')
    down.add_argument('--purge', action='store_true',
                      help='also wipe data (same as reset)')
    down.add_argument('--honour-keep-up', action='store_true',
                      help='do nothing when LOCALCLOUD_KEEP_UP is set '
                      '(for tox on a shared dev cloud)')
    add('reset')
    status = add('status')
    status.add_argument('--json', action='store_true')
    for name in ('start', 'stop', 'restart'):
        cmd = add(name)
        cmd.add_argument('service')
        if name == 'restart':
            cmd.add_argument('--json', action='store_true')
            cmd.add_argument('--rolling', action='store_true',
                             help='one backend at a time: drain it in '
                             'haproxy, restart it, wait for haproxy\'s '
                             'check to say UP, ready it; then the next')
    up = add('upgrade')
    up.add_argument('service')
    up.add_argument('--to', required=True)
    up.add_argument('--stop-before', metavar='SERVICE',
                    help='hold the upgrade before swapping SERVICE (old '
                    'and new code side by side); the same command without '
                    'it resumes')
    return p


def main(argv=None, out=None):
    args = parser().parse_args(argv)
    console.setup(args.log_level)
    out = out or sys.stdout
    cloud = config.Cloud()
    if args.command == 'status':
        return int(_run(args, cloud, out))
    with _exclusive(cloud):
        # Another command may have changed the state while we waited.
        return int(_run(args, config.Cloud(), out))


@contextlib.contextmanager
def _exclusive(cloud):
    """One changing command at a time per home (tests run them in parallel).
    """
    cloud.home.mkdir(parents=True, exist_ok=True)
    with open(cloud.home / '.lock', 'w') as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write('localcloud: waiting for another localcloud '
                             'command to finish\n')
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run(args, cloud, out):
    """Run the command; return its exit status."""
    try:
        return exit_status(_dispatch(args, cloud, out))
    except Failed as e:
        sys.stderr.write('localcloud %s: ERROR: %s\n' % (args.command, e))
    except (RuntimeError, OSError) as e:
        sys.stderr.write('localcloud %s: ERROR: %s: %s\n' % (
            args.command, type(e).__name__, e))
    return exit_status(None)


def _dispatch(args, cloud, out):
    if args.command == 'up':
        return commands.up(cloud, out, release=args.release,
                           backends=args.backends)
    if args.command in ('down', 'reset'):
        return commands.down(
            cloud, out, purge=(args.command == 'reset' or args.purge),
            honour_keep_up=getattr(args, 'honour_keep_up', False))
    if args.command == 'status':
        return commands.status(cloud, out, as_json=args.json)
    if args.command == 'start':
        return commands.start_one(cloud, out, args.service)
    if args.command == 'stop':
        return commands.stop_one(cloud, out, args.service)
    if args.command == 'restart':
        return restart.restart(cloud, out, args.service, as_json=args.json,
                               rolling=args.rolling)
    if args.command == 'upgrade':
        return upgrade.upgrade(cloud, out, args.service, args.to,
                               stop_before=args.stop_before)
    raise Failed('unknown command %r' % args.command)
