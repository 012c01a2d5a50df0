"""Which release of each project every pinned venv holds.

A venv is named after its constraints file: ``main`` (constraints.txt,
the 2026.2 release), ``2026.1`` (constraints-2026.1.txt) and
``keystone-28.1.0``.  The versions are read from those files, so the
files stay the one place where a version is written down.
"""

from localcloud import config
from localcloud.progress import Failed

OLD_RELEASE = '2026.1'
NEW_RELEASE = '2026.2'
# release name -> venv holding every project at that release
RELEASE_VENVS = {OLD_RELEASE: OLD_RELEASE, NEW_RELEASE: 'main'}
# project -> its distribution on the package registry
DISTRIBUTIONS = {
    'keystone': 'keystone', 'placement': 'openstack-placement',
    'nova': 'nova', 'neutron': 'neutron', 'glance': 'glance',
    'cinder': 'cinder', 'swift': 'swift',
}


def constraints_file(venv):
    if venv == 'main':
        return config.CONSTRAINTS
    return config.PACKAGE / ('constraints-%s.txt' % venv)


def known_venvs():
    """main first, then every constraints-<name>.txt, sorted."""
    names = sorted(p.name[len('constraints-'):-len('.txt')]
                   for p in config.PACKAGE.glob('constraints-*.txt'))
    return ['main'] + names


def pins(venv):
    """{project: version} pinned in `venv`'s constraints file."""
    dists = {d.lower(): p for p, d in DISTRIBUTIONS.items()}
    found = {}
    for line in constraints_file(venv).read_text().splitlines():
        name, sep, version = line.strip().partition('==')
        if sep and name.lower() in dists:
            found[dists[name.lower()]] = version.strip()
    return found


def version_in(venv, project):
    return pins(venv).get(project)


def release_of(venv):
    for release, name in RELEASE_VENVS.items():
        if name == venv:
            return release
    return None


def key(version):
    """Sortable form of a version such as 33.0.2 or 2.37.4."""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split('.'))


def target_venv(project, to):
    """The venv holding `project` at `to` (a release name or a version).

    Raises Failed, with one line naming what is available, when neither
    a release nor any pinned set has it.
    """
    if project not in DISTRIBUTIONS:
        raise Failed('unknown project %r; known: %s' % (
            project, ', '.join(DISTRIBUTIONS)))
    if to in RELEASE_VENVS:
        return RELEASE_VENVS[to]
    for venv in known_venvs():
        if version_in(venv, project) == to:
            return venv
    have = ['%s (%s)' % (version_in(v, project), release_of(v) or v)
            for v in known_venvs() if version_in(v, project)]
    raise Failed('%s %s is in none of our pinned sets; available: %s, or '
                 'a release: %s' % (project, to, ', '.join(have),
                                    ', '.join(sorted(RELEASE_VENVS))))
