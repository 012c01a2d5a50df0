"""What does tracking.Trace cost per call?

Times, in microseconds per call (best of several repeats):

* a bare method of a plain object, then the same method traced;
* a real tempest ``VolumesClient`` call over fake HTTP (``http_obj``
  replaced, so tempest's request, status checks and schema validation
  run), raw and traced: ``delete_volume`` (small schema) and
  ``show_volume`` (full volume schema);
* the failure path: a 404 counted as a failure, and the same 404 under a
  whitelisted frame (counted as a pass), raw and traced.

Usage::

    python benchmarks/bench_tracking.py [--number 200000] [--repeat 5]

Prints the figures; asserts nothing (timings depend on the machine). The
target is an overhead of at most 2 us per call over the bare method.
"""

import argparse
import json
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tempest.lib import exceptions as lib_exc  # noqa: E402
from tempest.lib.services.volume.v3 import volumes_client  # noqa: E402
from tempest.tests.lib import fake_auth_provider  # noqa: E402
from tempest.tests.lib import fake_http  # noqa: E402

from upgrade_tempest_plugin.common import tracking  # noqa: E402

VOLUME_ID = '2f0a0b1e-6c2e-4a57-9d5f-0c6f3e7a9b11'
VOLUME = {'volume': {
    'id': VOLUME_ID, 'name': 'bench', 'status': 'available', 'size': 1,
    'attachments': [], 'links': [], 'encrypted': False,
    'updated_at': None, 'created_at': '2026-01-01T00:00:00.000000',
    'replication_status': None,
    'user_id': '9a3b5c4d-1e2f-4a6b-8c7d-0e1f2a3b4c5d',
    'availability_zone': 'nova', 'metadata': {}, 'description': None,
    'multiattach': False, 'consistencygroup_id': None, 'bootable': 'false',
    'volume_type': None, 'snapshot_id': None, 'source_volid': None}}


class Bare(object):
    def method(self, value):
        return value


class FakeHttp(object):
    """Answers every request from a fixed (status, body) by method."""

    def __init__(self, answers):
        self.answers = answers

    def request(self, url, method, **kwargs):
        status, body = self.answers[method]
        resp = fake_http.fake_http_response(
            {'content-type': 'application/json'}, status=status)
        return resp, body


def make_client():
    client = volumes_client.VolumesClient(
        fake_auth_provider.FakeAuthProvider(), 'volume', 'regionOne')
    client.http_obj = FakeHttp({'DELETE': (202, ''),
                                'GET': (200, json.dumps(VOLUME))})
    return client


def per_call(raw, traced, number, repeat):
    """Best microseconds per call of raw and traced, runs interleaved."""
    best = [float('inf'), float('inf')]
    for _ in range(repeat):
        for index, func in enumerate((raw, traced)):
            seconds = timeit.timeit(func, number=number)
            best[index] = min(best[index], seconds / number * 1e6)
    return best


def line(label, raw, traced, number, repeat):
    raw_us, traced_us = per_call(raw, traced, number, repeat)
    print('%-40s raw %9.3f us  traced %9.3f us  overhead %7.3f us'
          % (label, raw_us, traced_us, traced_us - raw_us))


def is_resource_deleted(call):
    """Named like the whitelisted waiter: failures under it are passes."""
    try:
        call()
    except lib_exc.NotFound:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--number', type=int, default=200000,
                        help='calls per repeat for the bare method')
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args(argv)
    number, repeat = args.number, args.repeat
    http_number = max(number // 50, 100)
    slow_number = max(number // 2000, 20)

    print('Python %s, tempest client calls over fake HTTP'
          % sys.version.split()[0])
    bare = Bare()
    traced = tracking.Trace().decorate(Bare())
    line('bare method', lambda: bare.method(1), lambda: traced.method(1),
         number, repeat)

    raw_client = make_client()
    trace = tracking.Trace()
    client = trace.decorate(make_client())
    line('VolumesClient.delete_volume (fake HTTP)',
         lambda: raw_client.delete_volume(VOLUME_ID),
         lambda: client.delete_volume(VOLUME_ID), http_number, repeat)
    line('VolumesClient.show_volume (fake HTTP)',
         lambda: raw_client.show_volume(VOLUME_ID),
         lambda: client.show_volume(VOLUME_ID), slow_number, repeat)

    for c in (raw_client, client):
        c.http_obj = FakeHttp({'GET': (404, '{"itemNotFound": {}}')})

    def fail(c):
        def call():
            try:
                c.show_volume(VOLUME_ID)
            except lib_exc.NotFound:
                pass
        return call

    line('show_volume 404, counted as failure', fail(raw_client),
         fail(client), http_number, repeat)
    line('show_volume 404, whitelisted (pass)',
         lambda: is_resource_deleted(
             lambda: raw_client.show_volume(VOLUME_ID)),
         lambda: is_resource_deleted(lambda: client.show_volume(VOLUME_ID)),
         http_number, repeat)
    calls = sum(m.calls for m in trace.stats.methods().values())
    print('traced calls counted: %d' % calls)
    return 0


if __name__ == '__main__':
    sys.exit(main())
