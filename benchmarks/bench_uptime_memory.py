"""Memory of a prober over a million probes, and of the summary after.

Runs the real prober loop (``uptime.worker.probe_loop``: the scheduler,
a thread per probe, the JSON-lines probe log) with a fake probe that
answers at once (one in 500 is refused), as fast as it
goes, until ``--probes`` were sent (default 10^6), sampling its RSS every
few seconds; then builds ``summary.json`` from that log (``summary.build``)
and reports the peak RSS it took.

Target: RSS growth <= 50 MB over 10^6 probes, for both.

Usage::

    python benchmarks/bench_uptime_memory.py [--probes 1000000]
        [--rate 4000]
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time

from upgrade_tempest_plugin.uptime import summary
from upgrade_tempest_plugin.uptime import worker

TARGET_MB = 50.0


def rss_mb():
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf('SC_PAGE_SIZE') / 2.0 ** 20


class FakeProbe(object):
    """Answers at once; sets ``done`` after ``limit`` probes."""

    def __init__(self, limit):
        self.n = 0
        self.limit = limit
        self.done = threading.Event()

    def __call__(self):
        self.n += 1
        if self.n >= self.limit:
            self.done.set()
        if self.n % 500 == 0:
            raise ConnectionRefusedError(111, 'refused')
        return 200


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--probes', type=int, default=10 ** 6)
    p.add_argument('--rate', type=float, default=4000.0)
    args = p.parse_args(argv)
    out = tempfile.mkdtemp(prefix='bench-memory-')
    try:
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.wait(2.0):
                samples.append((time.monotonic(), rss_mb()))
        threading.Thread(target=sample, daemon=True).start()
        before = rss_mb()
        start = time.monotonic()
        probe = FakeProbe(args.probes)
        sched = worker.probe_loop(
            {'output_dir': out, 'series': 'fake', 'service': 'fake',
             'kind': 'read', 'rate': args.rate, 'timeout': 2.0},
            probe, probe.done)
        took = time.monotonic() - start
        stop.set()
        after = rss_mb()
        print('prober: %d probes sent, %d ticks skipped, %.0f s, log %.1f '
              'MB' % (sched.sent, sched.skipped, took, os.path.getsize(
                  os.path.join(out, 'fake.jsonl')) / 2.0 ** 20))
        # the first samples include thread-stack warm-up
        warm = samples[1][1] if len(samples) > 1 else before
        peak = max([s[1] for s in samples] + [after])
        print('prober RSS: %.1f MB at start, %.1f MB after warm-up, peak '
              '%.1f MB, %.1f MB at the end: growth %.1f MB' % (
                  before, warm, peak, after, peak - warm))
        grew = peak - warm
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        start = time.monotonic()
        result = summary.build(out)
        took = time.monotonic() - start
        peak_after = resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss / 1024.0
        svc = result['services']['fake']
        print('summary: %d probes, %d failed, %d windows, built in %.1f s; '
              'peak RSS %.1f -> %.1f MB (+%.1f MB)' % (
                  svc['total_requests'], svc['failed_requests'],
                  len(svc['windows']), took, base, peak_after,
                  peak_after - base))
        ok = grew <= TARGET_MB and peak_after - base <= TARGET_MB
        print('target (<= %.0f MB growth over %d probes): %s' % (
            TARGET_MB, sched.sent, 'met' if ok else 'MISSED'))
        return 0 if ok else 1
    finally:
        shutil.rmtree(out, True)


if __name__ == '__main__':
    sys.exit(main())
