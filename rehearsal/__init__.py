"""The main job: an upgrade rehearsal on the local cloud, end to end.

Steps (each printed with its duration, recorded in
``<output>/run/rehearsal.json`` for the report, with each project's
version before and after):

1. ``python3 -m localcloud up --release 2026.1`` (``reset`` first when
   the cloud runs anything else);
2. two tempest workspaces of our own whose ``[upgrade] output_dir`` is
   ``<output>/run``, one per persistent resource set (each its own
   ``persistent_state_file``), write probes on;
3. ``tempest run --regex persistent.create`` (the first set);
4. the uptime daemon (``upgrade-uptime run --daemon``) in the background;
5. every project upgraded to 2026.2 in the steps of ``rehearsal.plan``
   (``localcloud upgrade``, cinder and nova held in their mixed-version
   state, then resumed), each marked as it starts and as each of its own
   commands starts; after each, a checkpoint: ``persistent.verify`` with
   the step's label, and in nova's mixed state ``persistent.create`` of
   the second set, verified from then on;
6. every project at 2026.2 (``localcloud status --json``);
7. the sentinel stops the daemon; each API's windows inside its own
   project's upgrade steps (``rehearsal.windows``);
8. ``persistent.cleanup`` of both sets; nothing of them left;
9. ``upgrade-report`` builds JSON, JUnit XML, HTML and PNG.

Exit status 0 only if every step and every check of the report passed.
"""
