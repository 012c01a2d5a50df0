"""Helpers for the local cloud's functional tests: run the CLI, talk to it.

The cloud is brought up once by tox (`python -m localcloud up`) before
stestr runs; every test calls `up` again, which is quick when it is up.
"""

import json
import os
import subprocess
import sys
import time

import testtools

from localcloud import api
from localcloud import config

REPO = str(config.REPO)


def run(*args, timeout=900, env=None):
    """Run `python -m localcloud ARGS`; the CompletedProcess."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, '-m', 'localcloud'] + list(args),
                          cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def cli(*args, timeout=900, env=None):
    """Run `python -m localcloud ARGS`; (exit code, stdout, stderr)."""
    res = run(*args, timeout=timeout, env=env)
    return res.returncode, res.stdout, res.stderr


def json_line(stdout):
    """The last JSON line a --json command printed."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith('{')]
    return json.loads(lines[-1])


class CloudTestCase(testtools.TestCase):

    def setUp(self):
        super(CloudTestCase, self).setUp()
        code, out, err = cli('up')
        self.assertEqual(0, code, 'localcloud up failed:\n%s%s' % (out, err))
        self.cloud = config.Cloud()

    def admin(self):
        return api.Session(self.cloud)

    def wait_2xx(self, svc_name, timeout=60):
        """Wait until an authenticated GET on svc's probe path is 2xx."""
        from localcloud import probe
        from localcloud import services
        svc = services.find(svc_name)
        token, project_id = probe.admin_token(self.cloud)
        url, headers = probe.target(self.cloud, svc, token, project_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if probe.once(url, headers, timeout=5):
                return
            time.sleep(0.2)
        self.fail('%s never answered 2xx at %s' % (svc_name, url))


def tempest_env(tmp):
    """HOME and TMPDIR of our own for tempest (workspace.yaml, locks)."""
    env = dict(os.environ)
    for name in ('HOME', 'TMPDIR'):
        path = os.path.join(tmp, name.lower())
        os.makedirs(path, exist_ok=True)
        env[name] = path
    return env
