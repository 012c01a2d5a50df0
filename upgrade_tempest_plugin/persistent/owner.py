"""The owner of the persistent resources: a dedicated project and user.

Dynamic credentials cannot own anything that must outlive a ``tempest run``
(tempest deletes their project at class teardown), so the create phase
makes a project and a user of its own with the configured admin
credentials, records them in the state file *before* creating them (names
and password) and their ids after, and verify/cleanup log in as that user.
With ``[upgrade] persistent_owner_username`` set, that pre-provisioned user
is the owner instead, and cleanup leaves it alone.
"""

import secrets

from upgrade_tempest_plugin import persistent
from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import state as state_mod
from upgrade_tempest_plugin.persistent import waiting

CREATED = 'created'
CONFIGURED = 'configured'


class OwnerError(persistent.PersistentError):
    """The owner could not be set up or is not usable."""


def is_complete(owner):
    """Return True if ``owner`` has everything needed to log in."""
    if not owner:
        return False
    needed = ('username', 'password', 'project_name', 'domain_name')
    if owner.get('provisioned') == CREATED:
        needed += ('user_id', 'project_id')
    return all(owner.get(k) for k in needed)


def configured(upgrade):
    """Return the pre-provisioned owner of ``[upgrade]`` (the options
    group), or None if ``persistent_owner_username`` is not set."""
    if not upgrade.persistent_owner_username:
        return None
    return {'username': upgrade.persistent_owner_username,
            'password': upgrade.persistent_owner_password,
            'project_name': upgrade.persistent_owner_project_name,
            'domain_name': upgrade.persistent_owner_domain_name}


def load(state_file):
    """Return the owner recorded in ``state_file`` (a StateFile).

    StateError if the state file has no owner one can log in as: the
    create phase stopped before it was made (create resumes).
    """
    owner = state_file.load().get('owner')
    if not is_complete(owner):
        raise state_mod.StateError(
            '%s records no usable owner: the create phase was interrupted '
            'before the owner was made. Run "tempest run --regex '
            'persistent.create" again (it resumes).' % state_file.path)
    return owner


def is_unfinished(data):
    """Whether the create phase recorded in ``data`` (a loaded state)
    stopped before its owner was complete, so nothing can have been
    created as the owner: cleanup then has no one to log in as, and only
    the owner itself (if made) and the state file are left to delete."""
    return not is_complete(data.get('owner')) and not any(
        data['resources'].values())


def roles(object_storage, operator_role):
    """Roles the dedicated owner gets on its project: ``member``, and
    swift's ``[object-storage] operator_role`` if ``object_storage`` (swift
    lets only that role create containers)."""
    wanted = ['member']
    if object_storage:
        wanted.append(operator_role)
    return wanted


def credential_params(owner):
    """Return the keyword arguments of tempest's ``get_credentials``."""
    return {'username': owner['username'], 'password': owner['password'],
            'project_name': owner['project_name'],
            'user_domain_name': owner['domain_name'],
            'project_domain_name': owner['domain_name']}


class Provisioner(object):
    """Makes and deletes the owner with admin clients."""

    def __init__(self, admin, decorate=None, roles=('member',),
                 neutron=True):
        self.admin = admin
        self.neutron = neutron
        self._decorate = decorate or (lambda client: client)
        self.roles = tuple(dict.fromkeys(r for r in roles if r))

    def _client(self, attr):
        return self._decorate(getattr(self.admin, attr))

    def _domain_id(self, domain_name):
        body = self._client('domains_client').list_domains(name=domain_name)
        if not body['domains']:
            raise OwnerError('identity domain %r not found' % domain_name)
        return body['domains'][0]['id']

    def _find(self, client, key, name):
        call = getattr(self._client(client), 'list_' + key)
        if key == 'projects':   # this one takes a dict of filters
            body = call(params={'name': name})
        else:
            body = call(name=name)
        return [item['id'] for item in body[key] if item.get('name') == name]

    def ensure(self, state, configured=None, domain_name='Default'):
        """Return the owner recorded in ``state`` (a StateFile), making it
        first if needed. ``configured``: pre-provisioned owner fields."""
        owner = state.load().get('owner')
        if is_complete(owner):
            return owner
        if configured and configured.get('username'):
            state.set_owner(provisioned=CONFIGURED, **configured)
            return state.load()['owner']
        if not owner:
            prefix = state.load()['prefix']
            state.set_owner(provisioned=CREATED,
                            username=prefix + '-user',
                            password=secrets.token_urlsafe(24),
                            project_name=prefix + '-project',
                            domain_name=domain_name)
            owner = state.load()['owner']
        domain_id = self._domain_id(owner['domain_name'])
        if not owner.get('project_id'):
            found = self._find('projects_client', 'projects',
                               owner['project_name'])
            project_id = found[0] if found else self._client(
                'projects_client').create_project(
                    name=owner['project_name'], domain_id=domain_id,
                    description='upgrade_tempest_plugin persistent '
                                'resources')['project']['id']
            state.set_owner(project_id=project_id)
            owner['project_id'] = project_id
        if not owner.get('user_id'):
            found = self._find('users_v3_client', 'users', owner['username'])
            user_id = found[0] if found else self._client(
                'users_v3_client').create_user(
                    name=owner['username'], password=owner['password'],
                    project_id=owner['project_id'],
                    domain_id=domain_id)['user']['id']
            self._grant_roles(owner['project_id'], user_id)
            state.set_owner(user_id=user_id)
        return state.load()['owner']

    def _grant_roles(self, project_id, user_id):
        roles = self._client('roles_v3_client')
        for role in self.roles:
            found = [r['id'] for r in roles.list_roles(name=role)['roles']]
            if not found:
                raise OwnerError('role %r not found in keystone' % role)
            roles.create_user_role_on_project(project_id, user_id, found[0])

    def delete(self, owner, timeout=60):
        """Delete the owner's user and project if the create phase made
        them (and neutron's "default" security group of the project)."""
        if not owner or owner.get('provisioned') != CREATED:
            return False
        project_id = owner.get('project_id') or next(iter(self._find(
            'projects_client', 'projects', owner['project_name'])), None)
        user_id = owner.get('user_id') or next(iter(self._find(
            'users_v3_client', 'users', owner['username'])), None)
        if project_id and self.neutron:
            self._delete_default_groups(project_id, timeout)
        if user_id:
            waiting.retry_transient(lambda: base.ignore_not_found(
                self._client('users_v3_client').delete_user, user_id),
                timeout)
        if project_id:
            waiting.retry_transient(lambda: base.ignore_not_found(
                self._client('projects_client').delete_project, project_id),
                timeout)
        return True

    def _delete_default_groups(self, project_id, timeout):
        client = self._client('security_groups_client')

        def delete_all():
            # no project filter: neutron would make the project a new
            # default group while listing it
            groups = client.list_security_groups(
                name='default')['security_groups']
            for group in groups:
                if group.get('project_id') != project_id:
                    continue
                base.ignore_not_found(client.delete_security_group,
                                      group['id'])
        waiting.retry_transient(delete_all, timeout)
