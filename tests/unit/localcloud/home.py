"""A test case whose local cloud home is a new temporary folder."""

import os
import tempfile
import unittest
from unittest import mock

from localcloud import config


class HomeTestCase(unittest.TestCase):
    """``LOCALCLOUD_HOME`` is a temporary folder; ``self.cloud`` its
    Cloud (nothing runs)."""

    def setUp(self):
        home = tempfile.TemporaryDirectory()
        self.addCleanup(home.cleanup)
        env = mock.patch.dict(os.environ, {'LOCALCLOUD_HOME': home.name})
        env.start()
        self.addCleanup(env.stop)
        self.cloud = config.Cloud()
