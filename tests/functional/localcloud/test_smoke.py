"""A real tempest smoke subset against the local cloud's workspace:
identity, compute servers, network, volume and object storage must pass.

Tempest is the one installed next to this interpreter (the tox env has
tempest 47 and our plugin); HOME and TMPDIR point at temporary folders.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

from testtools.content import text_content

from tests.functional.localcloud import base

SMOKE = (
    r'tempest\.api\.identity\.v3\.test_tokens',
    r'tempest\.api\.identity\.admin\.v3\.test_users\.UsersV3TestJSON',
    r'tempest\.api\.compute\.servers\.test_create_server\.ServersTestJSON',
    r'tempest\.api\.network\.test_networks\.NetworksTest\.',
    r'tempest\.api\.volume\.test_volumes_get',
    r'tempest\.api\.object_storage\.test_object_services\.ObjectTest\.',
    r'tempest\.api\.object_storage\.test_container_services\.',
)
AREAS = ('identity', 'compute', 'network', 'volume', 'object_storage')


class TestTempestSmoke(base.CloudTestCase):

    def test_smoke_subset_passes(self):
        tmp = tempfile.mkdtemp(prefix='localcloud-smoke-')
        self.addCleanup(shutil.rmtree, tmp, True)
        # A private copy of the workspace: its own .stestr repository.
        ws = os.path.join(tmp, 'workspace')
        os.makedirs(os.path.join(ws, 'etc'))
        shutil.copy(self.cloud.workspace / 'etc' / 'tempest.conf',
                    os.path.join(ws, 'etc', 'tempest.conf'))
        tempest = os.path.join(os.path.dirname(sys.executable), 'tempest')
        res = subprocess.run(
            [tempest, 'run', '--config-file',
             os.path.join(ws, 'etc', 'tempest.conf'), '--concurrency', '2',
             '--regex', '|'.join(SMOKE)],
            cwd=ws, env=base.tempest_env(tmp), capture_output=True,
            text=True, timeout=1200)
        tail = res.stdout[-6000:] + res.stderr[-3000:]
        self.addDetail('tempest', text_content(tail))
        self.assertEqual(0, res.returncode, tail)
        passed = int(re.search(r'- Passed: (\d+)', res.stdout).group(1))
        failed = int(re.search(r'- Failed: (\d+)', res.stdout).group(1))
        self.assertEqual(0, failed)
        self.assertGreater(passed, 50)
        for area in AREAS:
            self.assertRegex(res.stdout,
                             r'tempest\.api\.%s\.\S+ \[[\d.]+s\] \.\.\. ok'
                             % area)
