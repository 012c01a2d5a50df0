"""API uptime while the cloud is upgraded.

Steps:

1. Before the upgrade starts, run ``tempest run --regex
   upgrade_tempest_plugin.tests.uptime`` (with ``[upgrade]
   uptime_until_sentinel = True`` it probes until the sentinel file
   appears; else for ``uptime_iterations`` probes or ``uptime_duration``
   seconds).
2. Upgrade; mark phases with ``upgrade-uptime mark "db sync start"``.
3. Touch the sentinel (daemon mode). The class writes
   ``<output_dir>/uptime/summary.json``; each test checks one API against
   the ``[upgrade]`` thresholds and names the window that broke them.
   APIs not available (``[service_available]``, catalog) are skipped.
"""

from oslo_log import log as logging
from tempest import config
from tempest.lib import decorators
from tempest import test

from upgrade_tempest_plugin.uptime import cmd
from upgrade_tempest_plugin.uptime import plan
from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import runner
from upgrade_tempest_plugin.uptime import summary

CONF = config.CONF
LOG = logging.getLogger(__name__)


class UptimeTest(test.BaseTestCase):
    """Probe every configured API in its own process, then judge each."""

    credentials = []

    @classmethod
    def resource_setup(cls):
        super(UptimeTest, cls).resource_setup()
        cls.result = {'services': {}, 'skipped': {}}
        cls.series = []
        # One Plan for this class and `upgrade-uptime run`: the same
        # options mean the same run (daemon mode, rates, thresholds).
        # Bad input (keystone unreachable, the sentinel already there, no
        # API left to probe) is an error of the class: plan.UptimeError,
        # one line, and tempest run exits non-zero. APIs absent from the
        # catalog or [service_available] are skipped, each with its reason.
        run_plan = plan.from_config(
            CONF, cmd.find_config(getattr(CONF, '_path', None)))
        catalog = runner.fetch_catalog(CONF, run_plan.timeout)
        cls.series, skipped = plan.series(run_plan, CONF, catalog=catalog)
        cls.result = runner.run(
            run_plan, cls.series, skipped=skipped, handle_signals=False,
            projects=probes.keystone_projects(CONF, run_plan))

    def _check(self, service):
        if service in self.result['skipped']:
            self.skipTest(self.result['skipped'][service])
        names = [s[0] for s in self.series if s[1] == service]
        if not names:
            self.skipTest('%s is not in [upgrade] uptime_services' % service)
        for name in names:
            if name in self.result['skipped']:
                self.fail('%s: %s' % (name, self.result['skipped'][name]))
        mine = {'services': {n: self.result['services'][n] for n in names}}
        for name, svc in mine['services'].items():
            LOG.info('%s: uptime %s%%, %d windows, %.3f s down', name,
                     svc['uptime_pct'], len(svc['windows']),
                     svc['total_downtime_s'])
        problems = [v['message'] for svc in mine['services'].values()
                    for v in svc.get('violations', [])]
        problems += summary.left_behind_messages(mine)
        if problems:
            self.fail('\n'.join(problems))

    @decorators.attr(type='uptime')
    @decorators.idempotent_id('e757a39c-d971-4f21-9e88-e27c1641a424')
    def test_keystone_uptime(self):
        self._check('keystone')

    @decorators.attr(type='uptime')
    @decorators.idempotent_id('81142bd0-86be-4d19-9e4e-010f4b774152')
    def test_nova_uptime(self):
        self._check('nova')

    @decorators.attr(type='uptime')
    @decorators.idempotent_id('46702198-d41a-4490-a0d8-fb6b611742e4')
    def test_neutron_uptime(self):
        self._check('neutron')

    @decorators.attr(type='uptime')
    @decorators.idempotent_id('0ec90270-45f2-49e3-adc1-6c3ab7792b8e')
    def test_cinder_uptime(self):
        self._check('cinder')

    @decorators.attr(type='uptime')
    @decorators.idempotent_id('d6511e47-f8b0-41e7-8ea4-4f4b93247b07')
    def test_glance_uptime(self):
        self._check('glance')

    @decorators.attr(type='uptime')
    @decorators.idempotent_id('a52e5cef-0a61-44e4-99e8-f68992d553ca')
    def test_swift_uptime(self):
        self._check('swift')
