"""Shared class of the three persistent phases (create, verify, cleanup).

Each phase is one test class, run as its own ``tempest run``::

    tempest run --regex persistent.create    # before the upgrade
    tempest run --regex persistent.verify    # during (repeatedly) and after
    tempest run --regex persistent.cleanup   # at the end

The phase does its work once, in ``resource_setup`` (in parallel across
resources); then one test per resource type reports that type's outcome,
so a failure names the type. No dynamic credentials: ``credentials = []``;
create uses the configured admin credentials to make the owner, and every
phase acts on the resources as that owner (saved in the state file).
"""

import os
import uuid

from oslo_log import log as logging
from tempest import clients
from tempest.common import credentials_factory
from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc
from tempest import test

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.common import noretry
from upgrade_tempest_plugin.common import tracking
from upgrade_tempest_plugin import persistent
from upgrade_tempest_plugin.persistent import base as persistent_base
from upgrade_tempest_plugin.persistent import owner as owner_mod
from upgrade_tempest_plugin.persistent import resources
from upgrade_tempest_plugin.persistent import results
from upgrade_tempest_plugin.persistent import state as state_mod

CONF = config.CONF
LOG = logging.getLogger(__name__)

_ID_NAMESPACE = uuid.UUID('1f0e8a52-8d4c-4c5e-9d59-6f0c2b1a7e31')

# Errors that mean "bad input": the phase fails once (in setUpClass) with
# their message alone, without the chain of calls that led there.
EXPECTED_ERRORS = (persistent.PersistentError, lib_exc.InvalidConfiguration)


class PhaseError(Exception):
    """The phase cannot run at all (missing/corrupt state, no owner)."""


def available(service):
    """Return the ``[service_available]`` flag of ``service``."""
    return bool(getattr(CONF.service_available, service, False))


def _type_test(phase, name):
    @decorators.attr(type='persistent-%s' % phase)
    @decorators.idempotent_id(
        str(uuid.uuid5(_ID_NAMESPACE, '%s/%s' % (phase, name))))
    def test(self):
        self.check_type(name)
    test.__name__ = 'test_' + name
    test.__doc__ = 'Persistent %ss: %s phase.' % (name, phase)
    return test


def with_type_tests(cls):
    """Class decorator: add ``test_<type>`` for every resource type."""
    for rtype in resources.TYPES:
        test_method = _type_test(cls.phase, rtype.name)
        setattr(cls, test_method.__name__, test_method)
    return cls


class PersistentPhase(test.BaseTestCase):
    """One phase; subclasses set ``phase`` and implement ``run_phase``."""

    credentials = []
    phase = None

    @classmethod
    def setup_clients(cls):
        super(PersistentPhase, cls).setup_clients()
        cls.trace = tracking.Trace.from_config(CONF)

    @classmethod
    def resource_setup(cls):
        super(PersistentPhase, cls).resource_setup()
        cls.output_dir = os.path.abspath(CONF.upgrade.output_dir)
        cls.state_file = state_mod.StateFile(results.state_path(
            cls.output_dir, CONF.upgrade.persistent_state_file))
        cls.settings = persistent_base.Settings.from_conf(CONF)
        cls.record = None
        try:
            cls.record = cls.run_phase()
        except EXPECTED_ERRORS as exc:
            message = str(exc)
            LOG.error('persistent %s: %s', cls.phase, message)
            raise PhaseError(message) from None
        path = results.save(results.result_path(cls.output_dir, cls.phase),
                            cls.record)
        LOG.info('persistent %s: results saved to %s', cls.phase, path)

    @classmethod
    def resource_cleanup(cls):
        try:
            cls.trace.stats.log(LOG)
            cls.trace.stats.save(results.stats_path(cls.output_dir,
                                                    cls.phase))
        finally:
            super(PersistentPhase, cls).resource_cleanup()

    @classmethod
    def run_phase(cls):
        raise NotImplementedError

    # -- clients -----------------------------------------------------------

    @classmethod
    def manager(cls, creds):
        """tempest's clients for ``creds``; the token client without
        hidden retries (see prepare_client)."""
        return noretry.install(clients.Manager(creds), CONF,
                               CONF.service_clients.http_timeout)

    @classmethod
    def prepare_client(cls, client):
        """Trace ``client`` and give it an HTTP layer without urllib3's
        hidden retries, each request limited to [service-clients]
        http_timeout. The phases retry transient errors themselves, with
        pauses, for persistent_retry_timeout; tempest's ten silent
        retries held one call to a hung API for 11 x http_timeout."""
        return cls.trace.decorate(noretry.install(
            client, CONF, CONF.service_clients.http_timeout))

    @classmethod
    def admin_manager(cls):
        try:
            creds = credentials_factory.get_configured_admin_credentials()
        except lib_exc.InvalidConfiguration:
            raise
        except Exception as exc:
            raise owner_mod.OwnerError(
                'Cannot log in with the configured admin credentials '
                '([auth] admin_username, ...): %s'
                % errors.one_line(exc))
        return cls.manager(creds)

    @classmethod
    def owner_context(cls, owner):
        creds = credentials_factory.get_credentials(
            fill_in=False, identity_version='v3',
            **owner_mod.credential_params(owner))
        return persistent_base.Context(
            cls.manager(creds), cls.state_file, cls.settings,
            decorate=cls.prepare_client, project_id=owner.get('project_id'))

    @classmethod
    def provisioner(cls, admin):
        return owner_mod.Provisioner(
            admin, decorate=cls.prepare_client,
            roles=owner_mod.roles(available('swift'),
                                  CONF.object_storage.operator_role),
            neutron=available('neutron'))

    # -- per-type checks ---------------------------------------------------

    def skip_if_unavailable(self, name):
        missing = resources.missing_services(resources.get(name), available)
        if missing:
            raise self.skipException(
                'service not available ([service_available] %s = False)'
                % ', '.join(missing))

    def check_type(self, name):
        raise NotImplementedError
