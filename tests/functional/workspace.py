"""A private tempest workspace on the local cloud, for one test.

``tempest init`` in a temporary directory (with its own HOME and TMPDIR,
so nothing of the user's is read or written, and without
TEMPEST_CONFIG_DIR/TEMPEST_CONFIG, so tempest reads the workspace's
config), and the local cloud's
tempest.conf copied into it with the test's own log dir, lock path and
``[upgrade]`` options.
"""

import configparser
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# The local cloud's home, as localcloud itself finds it (tools/fresh-run
# and other checkouts set LOCALCLOUD_HOME).
HOME = os.environ.get('LOCALCLOUD_HOME') or os.path.join(REPO, '.localcloud')
CONF = os.environ.get('LOCALCLOUD_TEMPEST_CONF', os.path.join(
    HOME, 'workspace', 'etc', 'tempest.conf'))
TEMPEST = os.path.join(os.path.dirname(sys.executable), 'tempest')


def make(tmp, upgrade, edits=None):
    """Create ``<tmp>/ws``; return ``(ws, env, conf)``.

    ``upgrade``: the ``[upgrade]`` options; ``edits``: other options,
    ``{(section, option): value}``; ``conf`` the parsed copy as written to
    ``<ws>/etc/tempest.conf``.
    """
    env = dict(os.environ, HOME=os.path.join(tmp, 'home'),
               TMPDIR=os.path.join(tmp, 'tmp'))
    # These would make tempest read another tempest.conf than the
    # workspace's (tempest's own set_config_path exports them).
    for name in ('TEMPEST_CONFIG_DIR', 'TEMPEST_CONFIG'):
        env.pop(name, None)
    for d in ('home', 'tmp'):
        os.makedirs(os.path.join(tmp, d))
    subprocess.run([TEMPEST, 'init', 'ws'], cwd=tmp, env=env, check=True,
                   capture_output=True, timeout=120)
    ws = os.path.join(tmp, 'ws')
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(CONF)
    conf.set('DEFAULT', 'log_dir', os.path.join(ws, 'logs'))
    conf['oslo_concurrency'] = {'lock_path': os.path.join(tmp, 'locks')}
    conf['upgrade'] = upgrade
    for (section, option), value in (edits or {}).items():
        if not conf.has_section(section):
            conf.add_section(section)
        conf.set(section, option, value)
    with open(os.path.join(ws, 'etc', 'tempest.conf'), 'w') as f:
        conf.write(f)
    return ws, env, conf
