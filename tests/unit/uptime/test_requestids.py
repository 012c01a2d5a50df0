import re
import threading

import testtools

from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import requestids
from upgrade_tempest_plugin.uptime import schedule
from tests.unit.uptime import fakes

ID = re.compile(r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-'
                r'[a-f0-9]{12}$')     # the form oslo.middleware accepts


class FakeHttp(object):
    """Records each request; answers with ``answer`` headers."""

    def __init__(self, answer=None):
        self.calls = []
        self.answer = answer or {}

    def request(self, url, method, headers=None, body=None):
        self.calls.append((url, method, dict(headers or {})))
        resp = dict(self.answer, status='200')
        return resp, b''


class TagTest(testtools.TestCase):

    def test_new_ids_are_oslo_form_and_differ(self):
        a, b = requestids.new(), requestids.new()
        self.assertRegex(a, ID)
        self.assertNotEqual(a, b)

    def test_sends_the_bound_id_on_every_call_and_notes_the_answer(self):
        http = requestids.tag(FakeHttp({'x-openstack-request-id': 'req-s'}))
        with requestids.sending('req-mine') as ids:
            http.request('http://h/a', 'POST', headers={'X-A': '1'})
            http.request('http://h/b', 'DELETE')
        self.assertEqual([{'X-A': '1', requestids.HEADER: 'req-mine'},
                          {requestids.HEADER: 'req-mine'}],
                         [c[2] for c in http.calls])
        self.assertEqual('req-s', ids.answered)
        self.assertIsNone(requestids.current())

    def test_nova_compat_header_and_no_answer(self):
        http = requestids.tag(FakeHttp({'x-compute-request-id': 'req-n'}))
        with requestids.sending('req-1') as ids:
            http.request('http://h/', 'GET')
        self.assertEqual('req-n', ids.answered)
        http = requestids.tag(FakeHttp())
        with requestids.sending('req-2') as ids:
            http.request('http://h/', 'GET')
        self.assertIsNone(ids.answered)

    def test_unbound_sends_nothing(self):
        http = requestids.tag(FakeHttp())
        http.request('http://h/', 'GET', headers={'X-A': '1'})
        self.assertEqual({'X-A': '1'}, http.calls[0][2])

    def test_bound_per_thread(self):
        http = requestids.tag(FakeHttp())
        seen = {}

        def probe(name):
            with requestids.sending(name):
                http.request('http://h/%s' % name, 'GET')
                seen[name] = requestids.current().request_id
        threads = [threading.Thread(target=probe, args=('req-%d' % i,))
                   for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual({'req-%d' % i: 'req-%d' % i for i in range(5)},
                         seen)
        for url, _m, headers in http.calls:
            self.assertEqual(url.rsplit('/', 1)[1],
                             headers[requestids.HEADER])


class BackendRouteTest(testtools.TestCase):

    def test_at_backend_keeps_scheme_path_and_query(self):
        self.assertEqual(
            'http://127.0.0.1:18774/compute/v2.1/servers?limit=1',
            probes.at_backend('http://127.0.0.1:8774/compute/v2.1/servers'
                              '?limit=1', '127.0.0.1:18774'))
        self.assertEqual('127.0.0.1:8774', probes.target_of(
            'http://127.0.0.1:8774/compute/v2.1'))

    def test_route_sends_every_request_to_the_backend(self):
        http = probes.route(requestids.tag(FakeHttp()), '127.0.0.1:28774')
        with requestids.sending('req-1'):
            http.request('http://127.0.0.1:8774/v2.1/servers', 'GET')
        self.assertEqual([('http://127.0.0.1:28774/v2.1/servers', 'GET',
                           {requestids.HEADER: 'req-1'})], http.calls)


class SchedulerIdsTest(testtools.TestCase):

    def test_each_probe_sends_its_own_id_also_when_held(self):
        clock = fakes.FakeClock()
        http = requestids.tag(FakeHttp({'x-openstack-request-id': 'req-s'}))
        release = threading.Event()
        self.addCleanup(release.set)
        calls = []

        def probe():
            calls.append(1)
            http.request('http://h/', 'GET')
            if len(calls) == 3:
                release.wait(30)        # held past the end
            return 200
        results = []
        sched = schedule.Scheduler(probe, 10.0, 0.5, results.append,
                                   clock=clock)
        sched.run(lambda: False, iterations=5)
        results.sort(key=lambda r: r['seq'])
        sent = [c[2][requestids.HEADER] for c in http.calls]
        self.assertEqual(sent, [r['request_id'] for r in results])
        self.assertEqual(3, len(set(sent)))
        for r in results[:2]:
            self.assertEqual('req-s', r['response_request_id'])
        held = results[2]       # given up on: its id, no answer
        self.assertEqual('timeout', held['error'])
        self.assertNotIn('response_request_id', held)

    def test_late_ticks_recorded_only_when_asked(self):
        for record_late, expected in ((None, 0), (0.25, 1)):
            clock = fakes.FakeClock()
            results = []

            def probe():
                if len(results) == 2:   # the prober "paused" 1 s
                    clock.now += 1.0
                return 200
            sched = schedule.Scheduler(probe, 10.0, 0.5, results.append,
                                       clock=clock, record_late=record_late)
            sched.run(lambda: False, iterations=30)
            late = [r for r in results if r.get('late')]
            self.assertEqual(expected, len(late), results)
            self.assertGreaterEqual(sched.late_ticks, 8)
            if late:
                r = late[0]
                self.assertEqual(schedule.PROBER_LATE, r['error'])
                self.assertFalse(r['ok'])
                self.assertFalse(r['answered'])
                self.assertGreaterEqual(r['latency'], 0.9)
                self.assertEqual(sched.late_ticks, r['late'])
