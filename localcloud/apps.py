"""WSGI entry points for gunicorn: ``localcloud.apps:keystone()`` etc.

This module is imported by gunicorn inside the service venvs.  The
OpenStack WSGI modules parse ``sys.argv`` with oslo.config at import and
choke on gunicorn's own options, so reset it first.
"""

import importlib
import os
import shlex
import sys


def _load(module):
    sys.argv = [sys.argv[0]] + shlex.split(
        os.environ.get('LOCALCLOUD_WSGI_ARGS', ''))
    return importlib.import_module(module).application


def keystone():
    return _load('keystone.wsgi.api')


def placement():
    return _load('placement.wsgi.api')


def nova():
    return _load('nova.wsgi.osapi_compute')


def neutron():
    return _load('neutron.wsgi.api')


def glance():
    return _load('glance.wsgi.api')


def cinder():
    return _load('cinder.wsgi.api')
