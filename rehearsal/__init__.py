"""The main job: an upgrade rehearsal on the local cloud, end to end.

Steps (each printed with its duration, recorded in
``<output>/run/rehearsal.json`` for the report):

1. ``python3 -m localcloud up`` (keystone starts at the older release);
2. a tempest workspace of our own whose ``[upgrade] output_dir`` is
   ``<output>/run``;
3. ``tempest run --regex persistent.create``;
4. the uptime daemon (``upgrade-uptime run --daemon``) in the background;
5. the real keystone rolling upgrade (expand, migrate, swap, contract),
   its own steps marked as phases;
6. while ``persistent.verify`` (label ``during``) runs, a restart of every
   other API service one by one, each marked;
7. ``persistent.verify`` again (label ``after``);
8. the sentinel stops the daemon; ``persistent.cleanup``;
9. ``upgrade-report`` builds JSON, JUnit XML, HTML and PNG.

Exit status 0 only if every step and every check of the report passed.
"""
