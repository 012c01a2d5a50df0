"""Debian packages the cloud needs, installed once when missing."""

import os
import pathlib
import subprocess
import time

from localcloud.services import base

# qemu-utils: cinder runs `qemu-img info` on images it makes volumes from.
# iptables: the uptime fault benchmark and functional tests refuse
# connections to an API's loopback port for an exact time.
# memcached: keystone's cache, shared by its workers.
# haproxy: the catalog endpoint of every API, in front of its backends.
PACKAGES = ('mariadb-server', 'rabbitmq-server', 'qemu-utils', 'memcached',
            'iptables', 'haproxy')
POLICY = pathlib.Path('/usr/sbin/policy-rc.d')


def missing(packages=PACKAGES):
    out = []
    for name in packages:
        res = subprocess.run(
            ['dpkg-query', '-W', '-f=${Status}', name],
            capture_output=True, text=True)
        if 'install ok installed' not in res.stdout:
            out.append(name)
    return out


def install(packages):
    """apt-get update + install, with services kept from auto-starting."""
    if os.geteuid() != 0:
        raise RuntimeError('need root to install %s' % ' '.join(packages))
    wrote_policy = not POLICY.exists()
    if wrote_policy:
        POLICY.write_text('#!/bin/sh\n# localcloud: no autostart\nexit 101\n')
        POLICY.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    try:
        for argv in (['apt-get', 'update', '-q'],
                     ['apt-get', 'install', '-y', '-q',
                      '--no-install-recommends'] + list(packages)):
            for attempt in (1, 2):     # one retry: mirrors hiccup
                started = time.monotonic()
                res = subprocess.run(argv, env=env, capture_output=True,
                                     text=True)
                base.log_run(argv, res, started)
                if res.returncode == 0:
                    break
                time.sleep(5)
            if res.returncode:
                raise RuntimeError('%s failed:\n%s' % (
                    ' '.join(argv), res.stdout[-3000:] + res.stderr[-3000:]))
    finally:
        if wrote_policy:
            POLICY.unlink()
