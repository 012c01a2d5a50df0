"""Sphinx configuration of the upgrade_tempest_plugin documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath('../..'))

project = 'upgrade_tempest_plugin'
copyright = '2026, upgrade_tempest_plugin developers'
extensions = [
    'sphinx.ext.autodoc',
    'oslo_config.sphinxext',
]
master_doc = 'index'
exclude_patterns = []
html_theme = 'alabaster'
autodoc_member_order = 'bysource'
