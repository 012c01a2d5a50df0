"""Run the probes: one OS process per API series, then the summary.

``plan`` decides which series run (and why others are skipped), ``run``
starts one ``worker`` process per series, forwards SIGINT/SIGTERM to them,
waits, and writes ``summary.json`` from their probe logs. The workers stop
on their own after their iterations or duration, or in daemon mode when
the sentinel appears.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import time

from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import summary as summary_mod

LOG = logging.getLogger(__name__)


class UptimeError(Exception):
    """Bad input: a clear one-line message for the operator."""


def default_dirs(conf):
    """Return ``(output_dir, sentinel)`` from the ``[upgrade]`` options."""
    up = conf.upgrade
    out = up.uptime_output_dir or os.path.join(up.output_dir, 'uptime')
    return out, up.uptime_sentinel or os.path.join(out, 'stop')


def check_sentinel(sentinel):
    if os.path.exists(sentinel):
        raise UptimeError(
            'sentinel %s already exists: remove it to start probing in '
            'daemon mode (it is what stops the daemon)' % sentinel)


def plan(conf, services, write_probes=False, explicit=False,
         catalog=None):
    """Return ``(series, skipped)``.

    ``series`` is a list of ``(name, service, kind)``; ``skipped`` maps a
    service to the reason it is not probed. ``catalog`` is the set of
    service types in the catalog (None: not checked). With ``explicit``
    (services named by the operator) an unavailable service is an error.
    """
    series, skipped = [], {}
    for service in services:
        reason = probes.unavailable_reason(service, conf)
        if reason is None and catalog is not None:
            ctype = probes.catalog_type(service, conf)
            if ctype not in catalog:
                reason = 'catalog has no service of type %r' % ctype
        if reason is not None:
            if explicit:
                raise UptimeError('cannot probe %s: %s' % (service, reason))
            skipped[service] = reason
            continue
        series.append((service, service, 'read'))
        if write_probes:
            series.append(('%s-write' % service, service, 'write'))
    if not series:
        raise UptimeError('no API to probe (%s)' % (
            '; '.join('%s: %s' % kv for kv in sorted(skipped.items()))
            or 'empty service list'))
    return series, skipped


def fetch_catalog(conf, timeout):
    """Service types in the admin token's catalog; UptimeError if none."""
    try:
        provider = probes.auth_provider(conf, timeout)
        probes.authenticate(provider, conf)
        return probes.catalog_types(provider)
    except Exception as exc:
        from upgrade_tempest_plugin.common import errors
        raise UptimeError('cannot authenticate to keystone at %s: %s (%s)'
                          % (conf.identity.uri_v3, errors.classify(exc),
                             str(exc).splitlines()[0] if str(exc) else ''))


def _spawn(args):
    cmd = [sys.executable, '-m', 'upgrade_tempest_plugin.uptime.worker',
           json.dumps(args)]
    return subprocess.Popen(cmd)


def run(config_file, series, output_dir, rate, timeout, iterations=None,
        duration=None, sentinel=None, write_rate=None, skipped=None,
        handle_signals=True, spawn=_spawn, service_rates=None):
    """Probe ``series`` in one process each; return the summary dict.

    ``sentinel`` (daemon mode) stops the run when it appears; it must not
    exist at start. ``service_rates`` maps a service to its own read
    probe rate (e.g. a keystone whose token validation is costly). With
    ``handle_signals`` SIGINT/SIGTERM are forwarded
    to the workers, which stop cleanly, so the summary is still written.
    """
    if sentinel:
        check_sentinel(sentinel)
    os.makedirs(output_dir, exist_ok=True)
    procs = {}
    stopping = []

    def forward(signum, _frame):
        stopping.append(signum)
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    old = {}
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, forward)
    try:
        for name, service, kind in series:
            if stopping:
                break
            procs[name] = spawn({
                'series': name, 'service': service, 'kind': kind,
                'config_file': os.path.abspath(config_file),
                'output_dir': os.path.abspath(output_dir),
                'rate': ((write_rate or rate) if kind == 'write' else
                         float((service_rates or {}).get(service, rate))),
                'timeout': timeout, 'iterations': iterations,
                'duration': duration, 'sentinel': sentinel,
                'parent': os.getpid()})
        failed = {}
        for name, proc in procs.items():
            rc = _wait(proc)
            if rc != 0:
                failed[name] = 'prober exited with %s (see %s.log)' % (
                    rc, os.path.join(output_dir, name))
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    skipped = dict(skipped or {}, **failed)
    result = summary_mod.build(output_dir, skipped, only=set(procs))
    summary_mod.write(output_dir, result)
    return result


def _wait(proc):
    while True:
        try:
            return proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
        except InterruptedError:    # pragma: no cover - py3 retries
            time.sleep(0.1)
