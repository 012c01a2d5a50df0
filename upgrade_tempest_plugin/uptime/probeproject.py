"""A project of the read probes' own: reads of bounded cost on any cloud.

An admin's "list networks" (or images) sees every project's: its cost
grows with the cloud, and on a big one sixty such calls a second are a
real load. The read probes therefore run as a user of a project made for
them (``[upgrade] uptime_probe_project = own``, the default): it holds
nothing, so listing its servers, networks (``project_id`` filter),
volumes, images (``owner`` filter) and containers with ``limit=1`` costs
the same on any cloud and still goes through keystone's token, the API's
policy and its database. Measured on the local cloud (API process CPU per
call): neutron's network list 12.4 ms as admin, 4.8 ms in the probe
project; glance's image list 4.7 -> 3.3 ms (doc/source/uptime.rst).

The runner makes the project and its user (name ``PREFIX`` + random,
a random password, role ``uptime_probe_role``) before the probes start
and removes both once they stopped; the probers get the credentials in
their environment (``ENV``), never on their command line. Write probes
and the pulse are unchanged (writes need admin: regions, QoS specs).

Everything here takes the identity clients as arguments, so it is tested
without a cloud.
"""

import json
import os
import secrets

from upgrade_tempest_plugin.common import fileutil

PREFIX = 'upgrade-uptime-probe-'
DESCRIPTION = 'made by upgrade-uptime for its read probes; removed when ' \
              'they stop'
ENV = 'UPGRADE_UPTIME_PROBE_CREDENTIALS'
RECORD = 'probe_project.json'   # in the run's directory while it exists


class ProbeProject(object):
    """The project, its user and the user's password."""

    def __init__(self, name, project_id, user_id, password, domain_id):
        self.name = name
        self.project_id = project_id
        self.user_id = user_id
        self.password = password
        self.domain_id = domain_id

    def credentials(self):
        """What a prober needs to get a token in the project."""
        return {'username': self.name, 'password': self.password,
                'user_domain_id': self.domain_id,
                'project_name': self.name,
                'project_domain_id': self.domain_id,
                'project_id': self.project_id}

    def environ(self, base):
        """``base`` (a dict) plus the credentials in ``ENV``."""
        return dict(base, **{ENV: json.dumps(self.credentials())})

    def to_dict(self):
        """What summary.json records (no password)."""
        return {'name': self.name, 'project_id': self.project_id,
                'user_id': self.user_id}


def save(directory, made):
    """Note ``made`` (no password) in ``directory`` until it is removed:
    a run killed before removing it leaves this record, and the summary
    rebuilt from the directory names the project to delete by hand."""
    fileutil.write_json(os.path.join(directory, RECORD), made.to_dict())


def forget(directory):
    try:
        os.unlink(os.path.join(directory, RECORD))
    except FileNotFoundError:
        pass


def recorded(directory):
    """The record ``save`` left in ``directory``, or None."""
    try:
        with open(os.path.join(directory, RECORD)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def from_environ(environ):
    """The credentials ``ProbeProject.environ`` put there, or None."""
    value = environ.get(ENV)
    return json.loads(value) if value else None


def _role_id(roles_client, role):
    found = roles_client.list_roles(name=role)['roles']
    if not found:
        raise LookupError('role %r not found in keystone' % role)
    return found[0]['id']


def create(projects_client, users_client, roles_client, domain_id, role):
    """Make the project, its user with ``role`` on it; a ProbeProject.

    If a step fails, what was made is removed before the error goes on.
    """
    name = PREFIX + secrets.token_hex(4)
    password = secrets.token_urlsafe(24)
    made = ProbeProject(name, None, None, password, domain_id)
    try:
        made.project_id = projects_client.create_project(
            name, domain_id=domain_id,
            description=DESCRIPTION)['project']['id']
        made.user_id = users_client.create_user(
            name=name, password=password, domain_id=domain_id,
            default_project_id=made.project_id,
            description=DESCRIPTION)['user']['id']
        roles_client.create_user_role_on_project(
            made.project_id, made.user_id, _role_id(roles_client, role))
    except Exception:
        remove(projects_client, users_client, made)
        raise
    return made


def remove(projects_client, users_client, made):
    """Delete the user, then the project; return the messages of what
    could not be deleted ([] when both are gone)."""
    left = []
    for kind, ident, delete in (
            ('user', made.user_id, users_client.delete_user),
            ('project', made.project_id, projects_client.delete_project)):
        if not ident:
            continue
        try:
            delete(ident)
        except Exception as exc:
            if type(exc).__name__ == 'NotFound':
                continue
            from upgrade_tempest_plugin.common import errors
            left.append('probe %s %s (%s) not deleted: %s' % (
                kind, made.name, ident, errors.one_line(exc)))
    return left
