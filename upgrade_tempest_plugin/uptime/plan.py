"""What one uptime run probes, how and for how long: the ``Plan``.

Built once from tempest.conf's ``[upgrade]`` options and the command's
flags (``from_config``), validated before any network call (reading
haproxy's local stats socket aside, when configured), and shared by
``upgrade-uptime run`` and the tempest uptime class, so both honour the
same options (daemon mode, rates, thresholds). ``series`` then decides
which probe series run, per API: ``<service>`` (a new connection per
probe), ``<service>-keepalive`` (one connection kept open),
``<service>-pulse`` (a cheap unauthenticated GET, five times a second, that
dates the edges of the others' windows) and, with write probes,
``<service>-write``; per backend of ``[upgrade] uptime_backends`` (or of
haproxy's stats socket, ``uptime_haproxy_socket``),
``<service>@<host:port>`` and ``<service>-pulse@<host:port>``; and the
``control`` series (``uptime.control``).
"""

import os

from upgrade_tempest_plugin import uptime
from upgrade_tempest_plugin.uptime import control
from upgrade_tempest_plugin.uptime import haproxy
from upgrade_tempest_plugin.uptime import probes
from upgrade_tempest_plugin.uptime import windows

# series kinds: (suffix, kind, connection)
READ_NEW = ('', 'read', 'new')
READ_KEEPALIVE = ('-keepalive', 'read', 'keepalive')
WRITE = ('-write', 'write', 'new')
PULSE = ('-pulse', 'pulse', 'new')
CONTROL = (control.NAME, control.KIND, control.KIND, 'new')


UptimeError = uptime.UptimeError  # the library's one base exception


class Plan(object):
    """Everything a run needs; see ``from_config``."""

    def __init__(self, config_file, output_dir, services, rate=0.5,
                 timeout=2.0, service_rates=None, write_probes=False,
                 write_rate=1.0, keepalive=True, pulse_rate=5.0,
                 recovery_interval=0.05, max_outstanding=1,
                 abandon_after=20.0,
                 stall_threshold=windows.STALL_THRESHOLD,
                 iterations=None, duration=None, sentinel=None,
                 explicit_services=False, thresholds=None,
                 backends=None, control_series=True, probe_project='own',
                 probe_role='member'):
        self.config_file = config_file
        self.output_dir = output_dir
        self.services = list(services)
        self.rate = float(rate)
        self.timeout = float(timeout)
        self.service_rates = dict(service_rates or {})
        self.write_probes = bool(write_probes)
        self.write_rate = float(write_rate)
        self.keepalive = bool(keepalive)
        self.pulse_rate = float(pulse_rate or 0.0)
        self.recovery_interval = float(recovery_interval or 0.0)
        self.max_outstanding = int(max_outstanding)
        self.abandon_after = max(float(abandon_after), self.timeout)
        self.stall_threshold = float(stall_threshold)
        self.iterations = iterations
        self.duration = duration
        self.sentinel = sentinel        # daemon mode when set
        self.explicit_services = explicit_services
        self.thresholds = dict(thresholds or {})
        self.backends = dict((k, list(v)) for k, v in
                             (backends or {}).items())
        self.control_series = bool(control_series) and self.pulse_rate > 0
        self.probe_project = probe_project
        self.probe_role = probe_role
        self.validate()

    def validate(self):
        """UptimeError naming the first bad value; no network call."""
        unknown = [s for s in self.services if s not in probes.SERVICES]
        if unknown:
            raise UptimeError('unknown service %s (known: %s)' % (
                ', '.join(unknown), ', '.join(sorted(probes.SERVICES))))
        if not self.services:
            raise UptimeError('no API to probe: empty service list')
        for name, value in [('rate', self.rate), ('timeout', self.timeout),
                            ('write rate', self.write_rate)] + [
                ('rate of %s' % k, v) for k, v in
                sorted(self.service_rates.items())]:
            if not value > 0:
                raise UptimeError('%s must be positive, got %s'
                                  % (name, value))
        bad = sorted(set(self.service_rates) - set(probes.SERVICES))
        if bad:
            raise UptimeError('service rates name unknown service %s'
                              % ', '.join(bad))
        if self.recovery_interval < 0:
            raise UptimeError('recovery interval must be 0 (off) or '
                              'positive, got %s' % self.recovery_interval)
        if self.pulse_rate < 0:
            raise UptimeError('pulse rate must be 0 (off) or positive, got '
                              '%s' % self.pulse_rate)
        bad = sorted(set(self.backends) - set(probes.SERVICES))
        if bad:
            raise UptimeError('backends name unknown service %s'
                              % ', '.join(bad))
        if self.max_outstanding < 1:
            raise UptimeError('max outstanding probes must be at least 1')
        if self.probe_project not in ('own', 'admin'):
            raise UptimeError('probe project must be "own" or "admin", got '
                              '%r' % self.probe_project)
        if self.iterations is not None and self.iterations < 1:
            raise UptimeError('iterations must be at least 1')
        if self.duration is not None and not self.duration > 0:
            raise UptimeError('duration must be positive')
        if self.sentinel and os.path.exists(self.sentinel):
            raise UptimeError(
                'sentinel %s already exists: remove it to start probing in '
                'daemon mode (it is what stops the daemon)' % self.sentinel)

    def rate_of(self, service, kind):
        if kind == 'write':
            return self.write_rate
        if kind in ('pulse', control.KIND):
            return self.pulse_rate
        return float(self.service_rates.get(service, self.rate))

    def describe_mode(self):
        if self.sentinel:
            return 'until %s appears' % self.sentinel
        if self.iterations:
            return '%d ticks each' % self.iterations
        return '%s s' % self.duration

    def to_dict(self):
        """What summary.json records of the plan (and re-judges from)."""
        return {'rate': self.rate, 'timeout': self.timeout,
                'service_rates': self.service_rates,
                'max_outstanding': self.max_outstanding,
                'abandon_after': self.abandon_after,
                'stall_threshold': self.stall_threshold,
                'keepalive': self.keepalive,
                'pulse_rate': self.pulse_rate,
                'recovery_interval': self.recovery_interval,
                'write_probes': self.write_probes,
                'write_rate': self.write_rate,
                'backends': self.backends,
                'control_series': self.control_series,
                'probe_project': self.probe_project,
                'thresholds': self.thresholds}


def default_dirs(conf):
    """Return ``(output_dir, sentinel)`` from the ``[upgrade]`` options."""
    up = conf.upgrade
    out = up.uptime_output_dir or os.path.join(up.output_dir, 'uptime')
    return out, up.uptime_sentinel or os.path.join(out, 'stop')


def parse_rates(text):
    """``"keystone=2,nova=5"`` (or ``:``) -> ``{'keystone': 2.0, ...}``."""
    try:
        return dict((k.strip(), float(v)) for k, v in (
            item.replace(':', '=', 1).split('=', 1)
            for item in text.split(',') if item.strip()))
    except ValueError:
        raise UptimeError('service rates want SVC=RATE,...: %s' % text)


def parse_backends(text):
    """``"nova=127.0.0.1:18774|127.0.0.1:28774,neutron=..."`` ->
    ``{'nova': ['127.0.0.1:18774', '127.0.0.1:28774'], ...}``."""
    out = {}
    for item in (text or '').split(','):
        if not item.strip():
            continue
        service, sep, hosts = item.partition('=')
        netlocs = [h.strip() for h in hosts.split('|') if h.strip()]
        if not sep or not service.strip() or not netlocs:
            raise UptimeError('uptime_backends wants SVC=HOST:PORT|HOST:PORT'
                              ',...: %r' % item.strip())
        for netloc in netlocs:
            host, colon, port = netloc.rpartition(':')
            if not colon or not host or not port.isdigit() or \
                    not 0 < int(port) < 65536:
                raise UptimeError('uptime_backends: %r is not HOST:PORT'
                                  % netloc)
        out.setdefault(service.strip(), []).extend(
            n for n in netlocs if n not in out.get(service.strip(), []))
    return out


def configured_backends(up, services):
    """``uptime_backends`` if set, else those haproxy's stats socket
    (``uptime_haproxy_socket``) lists for ``services``, else none."""
    if up.uptime_backends or not up.uptime_haproxy_socket:
        return parse_backends(up.uptime_backends)
    return haproxy.discover(up.uptime_haproxy_socket, services)


def backend_of(name):
    """The backend (host:port) a series name probes, or None
    (``nova-pulse@127.0.0.1:18774`` -> ``127.0.0.1:18774``)."""
    return name.partition('@')[2] or None


def from_config(conf, config_file, services=None, output_dir=None,
                rate=None, timeout=None, service_rates=None,
                write_probes=None, daemon=None, iterations=None,
                duration=None, sentinel=None, pulse_rate=None):
    """A validated Plan from ``[upgrade]``; arguments override options.

    Mode: ``daemon`` (or ``[upgrade] uptime_until_sentinel``) probes until
    the sentinel appears; else ``iterations``, ``duration``,
    ``uptime_iterations``, ``uptime_duration``, in that order.
    """
    up = conf.upgrade
    default_out, default_sentinel = default_dirs(conf)
    out = output_dir or default_out
    if output_dir and not up.uptime_sentinel:
        default_sentinel = os.path.join(output_dir, 'stop')
    if daemon is None:
        daemon = bool(up.uptime_until_sentinel) and not (
            iterations or duration)
    if daemon:
        iterations = duration = None
    elif not (iterations or duration):
        if up.uptime_iterations:
            iterations = up.uptime_iterations
        else:
            duration = up.uptime_duration
    rates = dict((k, float(v)) for k, v in
                 (up.uptime_service_rates or {}).items())
    if service_rates:
        rates = parse_rates(service_rates) if isinstance(
            service_rates, str) else dict(service_rates)
    return Plan(
        config_file, out,
        services or list(up.uptime_services),
        rate=rate or up.uptime_rate,
        timeout=timeout or up.uptime_request_timeout,
        service_rates=rates,
        write_probes=(write_probes or up.uptime_write_probes),
        write_rate=up.uptime_write_rate,
        keepalive=up.uptime_keepalive_series,
        pulse_rate=(up.uptime_pulse_rate if pulse_rate is None
                    else pulse_rate),
        recovery_interval=up.uptime_recovery_interval,
        max_outstanding=up.uptime_max_outstanding,
        abandon_after=up.uptime_abandon_after,
        stall_threshold=up.uptime_stall_threshold,
        iterations=iterations, duration=duration,
        sentinel=(sentinel or default_sentinel) if daemon else None,
        explicit_services=bool(services),
        backends=configured_backends(up, services or up.uptime_services),
        control_series=up.uptime_control_series,
        probe_project=up.uptime_probe_project,
        probe_role=up.uptime_probe_role,
        thresholds={'max_total_downtime': up.uptime_max_total_downtime,
                    'max_window': up.uptime_max_window,
                    'min_pct': up.uptime_min_pct})


def series(plan, conf, catalog=None):
    """Return ``(series, skipped)``.

    ``series``: ``(name, service, kind, connection)`` tuples; ``skipped``
    maps a service to why it is not probed. ``catalog``: service types in
    the catalog (None: not checked). Services named by the operator must
    be available.
    """
    out, skipped = [], {}
    for service in plan.services:
        reason = probes.unavailable_reason(service, conf)
        if reason is None and catalog is not None:
            ctype = probes.catalog_type(service, conf)
            if ctype not in catalog:
                reason = 'catalog has no service of type %r' % ctype
        if reason is not None:
            if plan.explicit_services:
                raise UptimeError('cannot probe %s: %s' % (service, reason))
            skipped[service] = reason
            continue
        kinds = [READ_NEW] + ([READ_KEEPALIVE] if plan.keepalive else [])
        kinds += [PULSE] if plan.pulse_rate else []
        kinds += [WRITE] if plan.write_probes else []
        for suffix, kind, conn in kinds:
            out.append((service + suffix, service, kind, conn))
        for backend in plan.backends.get(service, []):
            out.append(('%s@%s' % (service, backend), service, 'read',
                        'new'))
            if plan.pulse_rate:
                out.append(('%s-pulse@%s' % (service, backend), service,
                            'pulse', 'new'))
    if out and plan.control_series:
        out.append(CONTROL)
    if not out:
        raise UptimeError('no API to probe (%s)' % (
            '; '.join('%s: %s' % kv for kv in sorted(skipped.items()))
            or 'empty service list'))
    return out, skipped
