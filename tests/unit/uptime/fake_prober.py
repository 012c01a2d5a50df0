"""A prober process with a fake probe, for the runner/signal unit tests.

``python -m tests.unit.uptime.fake_prober worker JSON`` runs one worker
(the real ``worker.probe_loop`` and signal handling, a fake probe);
``python -m tests.unit.uptime.fake_prober runner JSON`` runs the real
``runner.run`` over such workers.
"""

import json
import os
import subprocess
import sys
import threading
import time

from upgrade_tempest_plugin.uptime import plan
from upgrade_tempest_plugin.uptime import runner
from upgrade_tempest_plugin.uptime import worker

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def spawn(args, env=None):
    return subprocess.Popen(
        [sys.executable, '-m', 'tests.unit.uptime.fake_prober', 'worker',
         json.dumps(args)], cwd=TOP, env=env)


def probe():
    time.sleep(0.005)
    return 200


def main(role, args):
    if role == 'worker':
        stop = threading.Event()
        worker.install_signal_handlers(stop)
        worker.probe_loop(args, probe, stop, meta={'probe': 'fake'})
        return 0
    series = [('a', 'nova', 'read', 'new'), ('b', 'nova', 'read', 'new')]
    args.pop('series')
    run_plan = plan.Plan('/dev/null', args.pop('output_dir'), ['nova'],
                         **args)
    runner.run(run_plan, series, spawn=spawn)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], json.loads(sys.argv[2])))
