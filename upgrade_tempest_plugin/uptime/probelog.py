"""Per-series JSON-lines probe log, appended and flushed per probe.

``<dir>/<series>.jsonl``: one line per finished probe::

    {"seq": 12, "time": 1767225600.123, "latency": 0.0123,
     "ok": true, "status": 200, "error": null, "answered": true,
     "skipped": 0, "request_id": "req-<uuid4>",
     "response_request_id": "req-<uuid4>"}

``time`` is when the probe was sent (epoch seconds), ``latency`` seconds
until it ended, ``status`` the HTTP status if any, ``error`` the error
class (see ``upgrade_tempest_plugin.common.errors``; ``timeout`` when no
answer came within the time limit), ``answered`` whether the API sent an
HTTP answer at all (a time-out answered late says when the API served
again), ``skipped`` the ticks not sent just before this probe because a
probe was still open, ``request_id`` the id the probe sent
(``X-Openstack-Request-Id``), ``response_request_id`` the one the
service answered with (absent when it answered none). The control
series' ``prober late`` lines (``"late": <ticks missed>``) stand for
ticks its prober missed (see ``schedule``). Lines are written as probes
end, so a line may follow a later-sent one when several probes are open
at once. Every line is flushed as it is written, so killing the prober
loses only probes in flight; nothing is kept in memory.

``<dir>/<series>.meta.json`` describes the run: service, kind,
connection, rate, timeout, pid, target (the host:port probed), backend
(backend series), start_time and (once it ended) end_time, sent,
skipped_ticks, late_ticks.
"""

import heapq
import json
import os
import threading

from upgrade_tempest_plugin.common import fileutil


def log_path(directory, series):
    return os.path.join(directory, '%s.jsonl' % series)


def meta_path(directory, series):
    return os.path.join(directory, '%s.meta.json' % series)


class ProbeLog(object):
    """Append probe results to ``<dir>/<series>.jsonl`` (truncated first)."""

    def __init__(self, directory, series):
        os.makedirs(directory, exist_ok=True)
        self.path = log_path(directory, series)
        self._file = open(self.path, 'w')
        self._lock = threading.Lock()

    def write(self, record):
        line = json.dumps(record, sort_keys=True)
        with self._lock:
            self._file.write(line + '\n')
            self._file.flush()

    def close(self):
        with self._lock:
            self._file.close()


class Records(object):
    """The records of a probe log, read from the file at each iteration
    (a torn last line is skipped): a series of any length is summarised
    without holding it in memory."""

    def __init__(self, directory, series):
        self.path = log_path(directory, series)

    def __iter__(self):
        with open(self.path) as f:
            for line in f:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue


def read(directory, series):
    """Return the records of a probe log as a list."""
    return list(Records(directory, series))


def in_send_order(records, slack=256):
    """``records`` sorted by send time, holding at most ``slack`` of them.

    Records are logged as probes end; with a few probes open at once a
    record may follow up to ``max_outstanding`` later-sent ones, far less
    than ``slack``.
    """
    heap = []
    for n, rec in enumerate(records):
        heapq.heappush(heap, (rec['time'], n, rec))
        if len(heap) > slack:
            yield heapq.heappop(heap)[2]
    while heap:
        yield heapq.heappop(heap)[2]


def write_meta(directory, series, meta):
    fileutil.write_json(meta_path(directory, series), meta)


def read_meta(directory, series):
    try:
        with open(meta_path(directory, series)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def series_in(directory):
    """Names of the series that have a probe log in ``directory``."""
    return sorted(name[:-len('.jsonl')] for name in os.listdir(directory)
                  if name.endswith('.jsonl') and name != 'markers.jsonl')
