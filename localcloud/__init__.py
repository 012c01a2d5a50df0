"""A real OpenStack cloud from PyPI on 127.0.0.1, for our functional tests.

Stdlib only: the CLI runs with any python3.11.  The services themselves run
from virtualenvs built under ``$LOCALCLOUD_HOME`` (see ``venvs.py``).
"""
