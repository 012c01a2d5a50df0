"""A rolling restart of one balanced API behind haproxy, one backend at a
time, as an operator does it with haproxy's runtime API:

0. wait until the other backends are UP (they carry the traffic);
1. ``set server API/BACKEND state drain``: no new requests go to it;
2. wait until haproxy counts no session on it;
3. stop it (the same signal as ``stop``), and wait until haproxy's
   checks see it DOWN (so the UP that follows is a check of the new
   process, not a stale one);
4. start it, wait until it answers on its own port, then until haproxy's
   checks say it is up again (``DRAIN``: up, still drained);
5. ``set server API/BACKEND state ready``; then the next backend.

``restart_backend`` does steps 1-5 for one process whatever starts it, and
``restart(..., before_first_start=...)`` lets a rolling upgrade swap each
backend's code the same way (``upgrade`` does, for every API with two
backends or more: ``possible``).
"""

import time

from localcloud import balancer
from localcloud import lifecycle
from localcloud.progress import Failed

DRAIN_TIMEOUT = 60
CHECK_TIMEOUT = 60


def check(cloud, svc):
    """Failed (one line) unless ``svc`` can be restarted rolling."""
    if not svc.balanced:
        raise Failed('%s is not behind haproxy: --rolling is for the '
                     'balanced APIs (%s)' % (svc.name, ', '.join(
                         s for s in _balanced_names())))
    if cloud.backends < 2:
        raise Failed('%s runs one backend (this cloud was brought up with '
                     '--backends %d): a rolling restart needs two; '
                     '`python3 -m localcloud up --backends 2`' % (
                         svc.name, cloud.backends))
    if not balancer.servers(cloud):
        raise Failed('haproxy does not answer on %s: is the cloud up?'
                     % balancer.haproxy.socket_path(cloud))


def possible(cloud, svc):
    """Whether ``svc`` can be rolled: a balanced API, two backends."""
    return svc.balanced and cloud.backends >= 2


def _balanced_names():
    from localcloud import services
    return [s.name for s in services.OPENSTACK if s.balanced]


def restart(cloud, svc, out=None, before_first_start=None):
    """Restart every backend of ``svc`` in turn; a list of per-backend
    timings (seconds): drain, stop, start to answering, to haproxy UP.

    ``before_first_start()`` runs once, after the first backend stopped
    and before it starts: a rolling upgrade points the service at its new
    venv there (``upgrade.Upgrade.swap`` without its stop and start), so
    each backend comes back on the new code in turn.
    """
    steps = []
    hook = [before_first_start] if before_first_start else []
    for proc in lifecycle.processes(cloud, svc):
        def start(p=proc):
            while hook:
                hook.pop()()
            lifecycle.start_process(cloud, p)
        step = restart_backend(cloud, proc, start)
        steps.append(step)
        if out is not None:
            out.write('  %s: drained in %.1f s (%d sessions at drain), '
                      'stopped in %.1f s, answering after %.1f s, haproxy '
                      'UP after %.1f s\n' % (
                          proc.name, step['drain_s'], step['sessions'],
                          step['stop_s'], step['start_s'], step['up_s']))
    return steps


def restart_backend(cloud, proc, start):
    """Drain, stop, ``start()``, wait for haproxy's UP, ready: one
    backend.  Left drained or in whatever state it failed in, with the
    reason, if a step times out."""
    api, name = proc.svc.name, proc.name
    for other in lifecycle.processes(cloud, proc.svc):
        if other.name != name:      # they carry the traffic meanwhile
            balancer.wait_for(cloud, api, other.name,
                              lambda r: r['status'] == 'UP',
                              'UP from its checks', CHECK_TIMEOUT)
    t0 = time.monotonic()
    sessions = int(balancer.wait_for(cloud, api, name, lambda r: True,
                                     'row')['scur'])
    balancer.set_state(cloud, api, name, 'drain')
    balancer.wait_for(cloud, api, name, lambda r: r['scur'] == '0',
                      'end of its sessions', DRAIN_TIMEOUT)
    t_drained = time.monotonic()
    lifecycle.stop_process(cloud, proc.svc, name)
    balancer.wait_for(cloud, api, name,
                      lambda r: r['status'].startswith('DOWN'),
                      'DOWN from its checks', CHECK_TIMEOUT)
    t_stopped = time.monotonic()
    start()
    _wait_answering(cloud, proc)
    t_started = time.monotonic()
    balancer.wait_for(cloud, api, name, lambda r: r['status'] == 'DRAIN',
                      'UP from its checks', CHECK_TIMEOUT)
    balancer.set_state(cloud, api, name, 'ready')
    t_up = time.monotonic()
    return {'backend': name, 'sessions': sessions,
            'drain_s': round(t_drained - t0, 3),
            'stop_s': round(t_stopped - t_drained, 3),
            'start_s': round(t_started - t_stopped, 3),
            'up_s': round(t_up - t_stopped, 3)}


def _wait_answering(cloud, proc, timeout=lifecycle.READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not lifecycle.process_state(cloud, proc)[0] == 'running':
        if lifecycle.process_state(cloud, proc)[0] == 'died':
            raise Failed(lifecycle.died_message(cloud, proc.name))
        if time.monotonic() > deadline:
            raise Failed(lifecycle.died_message(cloud, proc.name,
                                                'is not answering'))
        time.sleep(0.2)
