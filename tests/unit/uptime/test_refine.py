import testtools

from upgrade_tempest_plugin.uptime import refine
from upgrade_tempest_plugin.uptime import summary
from tests.unit.uptime.test_windows import simulate


def _series(service, kind, records, end):
    meta = {'service': service, 'kind': kind, 'timeout': 2.0,
            'start_time': 0.0, 'end_time': end}
    return summary.service_summary(records, meta, stall_threshold=0.25)


class RefineSimulationTest(testtools.TestCase):
    """A read series at 1/s, dated by a pulse at 10/s: the truth stays
    inside the read series' own bounds, and its estimate comes within
    max(0.1 s, 5 %) of the truth for refusals, 503s and hangs."""

    def _run(self, kind, down, up, offset):
        length = up + 4.0
        services = {
            'nova': _series('nova', 'read', simulate(
                kind, down, up, rate=1.0, length=length, offset=offset,
                seed=1), length),
            'nova-pulse': _series('nova', 'pulse', simulate(
                kind, down, up, rate=10.0, length=length, offset=0.05,
                seed=2), length)}
        own = [dict(w) for w in services['nova']['windows'] +
               services['nova']['stalls']]
        refine.refine(services)
        nova = services['nova']
        found = nova['windows'] + nova['stalls']
        self.assertEqual(1, len(found), (kind, down, up, offset, found))
        item, truth = found[0], up - down
        # the bounds are the series' own, untouched
        for key in ('start_bounds', 'end_bounds', 'duration_bounds'):
            self.assertEqual(own[0][key], item[key])
        lo, hi = item['duration_bounds']
        self.assertTrue(lo - 1e-9 <= truth <= hi + 1e-9, (truth, item))
        self.assertEqual({'start': 'pulse', 'end': 'pulse'},
                         item['estimate'], item)
        self.assertLessEqual(abs(item['duration_s'] - truth),
                             max(0.1, 0.05 * truth), (kind, truth, item))
        return item, own[0]

    def test_faults_of_known_length(self):
        worse = 0
        for kind, lengths in [('refused', (1.0, 2.0, 5.0, 10.0)),
                              ('error', (1.0, 3.0, 10.0)),
                              ('hang', (2.5, 5.0, 10.0))]:
            for length in lengths:
                for down in (3.0, 3.31, 3.77):
                    for offset in (0.0, 0.5):
                        item, own = self._run(kind, down, down + length,
                                              offset)
                        truth = length
                        worse += abs(own['duration_s'] - truth) > \
                            abs(item['duration_s'] - truth) + 0.05
        self.assertGreater(worse, 10)   # the pulse did matter

    def test_short_hang_is_a_stall_dated_by_the_pulse(self):
        for down in (3.0, 3.3):
            # a 1 s hang: the read probe sent in it waits for the end
            item, _own = self._run('hang', down + 0.0, down + 1.0,
                                   offset=down - 3.0 + 0.2)
            self.assertIn('latency', item)      # a stall, not a window


class RefineRulesTest(testtools.TestCase):

    def _svc(self, kind, windows, stalls=()):
        return {'service': 'glance', 'kind': kind, 'windows': windows,
                'stalls': list(stalls)}

    def _win(self, start, end, sb, eb, open_=False):
        return {'start': start, 'end': end, 'duration_s': end - start,
                'start_bounds': list(sb), 'end_bounds': list(eb),
                'duration_bounds': [max(0.0, eb[0] - sb[1]),
                                    eb[1] - sb[0]], 'open': open_}

    def test_pulse_edges_outside_the_bounds_are_ignored(self):
        services = {
            'glance': self._svc('read', [self._win(10.5, 13.5, (10, 11),
                                                   (13, 14))]),
            'glance-pulse': self._svc('pulse', [self._win(
                12.0, 12.5, (11.9, 12.0), (12.4, 12.6))])}
        refine.refine(services)
        w = services['glance']['windows'][0]
        self.assertEqual((10.5, 13.5, 3.0), (w['start'], w['end'],
                                             w['duration_s']))
        self.assertEqual({'start': 'own', 'end': 'own'}, w['estimate'])

    def test_nearest_edge_inside_and_totals_recomputed(self):
        services = {
            'glance': self._svc('read', [
                self._win(10.5, 13.5, (10, 11), (13, 14)),
                self._win(20.5, 21.5, (20, 21), (21, 22))]),
            'glance-pulse': self._svc('pulse', [
                self._win(10.1, 10.2, (10.05, 10.1), (10.15, 10.25)),
                self._win(10.6, 13.2, (10.55, 10.6), (13.15, 13.25))],
                stalls=[{'start': 20.2, 'end': 21.9}])}
        refine.refine(services)
        first, second = services['glance']['windows']
        self.assertEqual((10.6, 13.2), (first['start'], first['end']))
        self.assertEqual((20.2, 21.9), (second['start'], second['end']))
        self.assertAlmostEqual(2.6 + 1.7,
                               services['glance']['total_downtime_s'])
        self.assertAlmostEqual(2.6,
                               services['glance']['longest_downtime_s'])
        # the pulse's own windows stand as they were
        self.assertEqual(10.1, services['glance-pulse']['windows'][0][
            'start'])

    def test_open_window_keeps_its_end_and_no_pulse_means_own(self):
        services = {
            'glance': self._svc('read', [self._win(10.5, 30.0, (10, 11),
                                                   (29, 30), open_=True)]),
            'nova': self._svc('read', [self._win(1.5, 2.5, (1, 2),
                                                 (2, 3))]),
            'glance-pulse': self._svc('pulse', [self._win(
                10.7, 29.5, (10.65, 10.7), (29.5, 30), open_=True)])}
        services['nova']['service'] = 'nova'
        refine.refine(services)
        w = services['glance']['windows'][0]
        self.assertEqual((10.7, 30.0), (w['start'], w['end']))
        self.assertEqual({'start': 'pulse', 'end': 'own'}, w['estimate'])
        self.assertEqual({'start': 'own', 'end': 'own'},
                         services['nova']['windows'][0]['estimate'])

    def test_estimate_stays_inside_the_duration_bounds(self):
        win = self._win(10.5, 13.5, (10, 11), (13, 14))
        win['duration_bounds'] = [2.9, 4.0]      # e.g. a held probe
        services = {
            'glance': self._svc('read', [win]),
            'glance-pulse': self._svc('pulse', [
                self._win(10.9, 13.1, (10.85, 10.9), (13.05, 13.15))])}
        refine.refine(services)
        self.assertAlmostEqual(2.9, services['glance']['windows'][0][
            'duration_s'])


class BackendRefineTest(testtools.TestCase):
    """A backend's series is dated by that backend's pulse only."""

    def test_each_by_its_own_pulse(self):
        length = 12.0

        def series(kind, backend, down, up, rate, seed):
            meta = {'service': 'nova', 'kind': kind, 'timeout': 2.0,
                    'start_time': 0.0, 'end_time': length}
            if backend:
                meta['backend'] = backend
            return summary.service_summary(simulate(
                'refused', down, up, rate=rate, length=length, offset=0.3,
                seed=seed), meta, stall_threshold=0.25)
        services = {
            # backend A down 3.0-5.0, backend B down 7.0-9.0; the
            # endpoint's pulse saw neither (the balancer routed around)
            'nova-pulse': series('pulse', None, 20.0, 20.0, 10.0, 1),
            'nova@a:1': series('read', 'a:1', 3.0, 5.0, 1.0, 2),
            'nova-pulse@a:1': series('pulse', 'a:1', 3.0, 5.0, 10.0, 3),
            'nova@b:1': series('read', 'b:1', 7.0, 9.0, 1.0, 4),
            'nova-pulse@b:1': series('pulse', 'b:1', 7.0, 9.0, 10.0, 5)}
        refine.refine(services)
        for name, truth in (('nova@a:1', (3.0, 5.0)),
                            ('nova@b:1', (7.0, 9.0))):
            [w] = services[name]['windows']
            self.assertEqual({'start': 'pulse', 'end': 'pulse'},
                             w['estimate'], name)
            self.assertAlmostEqual(truth[0], w['start'], delta=0.15)
            self.assertAlmostEqual(truth[1], w['end'], delta=0.15)
