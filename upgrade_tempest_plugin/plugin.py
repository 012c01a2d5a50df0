"""Entry point that tempest loads through ``tempest.test_plugins``."""

import os

from tempest import config
from tempest.test_discover import plugins

from upgrade_tempest_plugin import config as upgrade_config


class UpgradeTempestPlugin(plugins.TempestPlugin):

    def load_tests(self):
        """Return the test directory and the top directory for discovery."""
        package_dir = os.path.dirname(os.path.abspath(__file__))
        base_path = os.path.dirname(package_dir)
        test_dir = os.path.join(base_path, 'upgrade_tempest_plugin', 'tests')
        return test_dir, base_path

    def register_opts(self, conf):
        """Register the ``[upgrade]`` group with tempest's configuration."""
        for group, opts in upgrade_config.OPTIONS:
            config.register_opt_group(conf, group, opts)

    def get_opt_lists(self):
        """List the plugin's options for the sample config."""
        return [(group.name, opts) for group, opts in upgrade_config.OPTIONS]

    def get_service_clients(self):
        """The plugin uses tempest's own service clients only."""
        return []
