"""Options of the API uptime probes (``[upgrade]`` group)."""

from oslo_config import cfg

from upgrade_tempest_plugin.uptime import windows

SERVICES = ('keystone', 'nova', 'neutron', 'cinder', 'glance', 'swift')

OPTS = [
    cfg.ListOpt('uptime_services',
                default=list(SERVICES),
                help='APIs to probe, one OS process each. Known: %s. '
                     'Services absent from [service_available] or from the '
                     'catalog are skipped with a reason.'
                     % ', '.join(SERVICES)),
    cfg.FloatOpt('uptime_rate',
                 default=0.5, min=0.05,
                 help='Read probes per second per series (two read series '
                      'per API, interleaved: one probe of the user\'s call '
                      'per second per API). Their windows\' edges are dated '
                      'by the pulse series and by recovery probes; their '
                      'bounds come from their own probes. 0.5/s is what '
                      'the 2-core local cloud carries with its users\' p95 '
                      'within ~10 %; raise it where the cloud has headroom '
                      '(see doc/source/uptime.rst, "Choosing the rates").'),
    cfg.DictOpt('uptime_service_rates',
                default={},
                help='Per-API read probe rates overriding uptime_rate, e.g. '
                     '"keystone:2" where token validation is costly.'),
    cfg.FloatOpt('uptime_request_timeout',
                 default=2.0, min=0.05,
                 help='Time limit of one probe in seconds; a probe not '
                      'answered by then fails as "timeout" from its send '
                      'time. urllib3 retries are disabled for probes.'),
    cfg.IntOpt('uptime_max_outstanding',
               default=1, min=1,
               help='Probes of one series that may be open at once. A tick '
                    'that finds them all open is skipped and counted, '
                    'never sent on a new connection: a struggling API is '
                    'not left a backlog of requests we gave up on.'),
    cfg.FloatOpt('uptime_abandon_after',
                 default=20.0, min=0.1,
                 help='Seconds a probe past its time limit keeps waiting '
                      'for its answer (it already counts as failed); its '
                      'late answer tells when the API served again.'),
    cfg.FloatOpt('uptime_stall_threshold',
                 default=windows.STALL_THRESHOLD, min=0.01,
                 help='A probe answered in time but this much slower than '
                      'the series\' median is reported as a stall (e.g. '
                      'a hang shorter than the time limit).'),
    cfg.BoolOpt('uptime_keepalive_series',
                default=True,
                help='Also probe each API over one kept-alive connection '
                     '(series "<service>-keepalive"), beside the series '
                     'with a new connection per probe.'),
    cfg.FloatOpt('uptime_pulse_rate',
                 default=5.0, min=0.0,
                 help='Pulse probes per second per API (series '
                      '"<service>-pulse"): a GET of the API\'s version '
                      'document with no token, ~1-3 ms of the API\'s CPU. '
                      'They date the edges of the read series\' windows '
                      '(to ~0.1 s at 5/s); each window\'s bounds still '
                      'come from its own series. 0: no pulse series.'),
    cfg.StrOpt('uptime_backends',
               default='',
               help='Backends of load-balanced APIs, each probed straight '
                    'as well as through the catalog endpoint: '
                    '"nova=127.0.0.1:18774|127.0.0.1:28774,neutron=...". '
                    'Each backend gets a read series "<service>@<host:port>" '
                    '(the endpoint\'s call, its URL\'s host and port '
                    'replaced) and a pulse "<service>-pulse@<host:port>". '
                    'They name the backend that failed; the thresholds '
                    'judge the endpoint series only. Wins over '
                    'uptime_haproxy_socket.'),
    cfg.StrOpt('uptime_haproxy_socket',
               default='',
               help='Path of haproxy\'s stats socket: when set and '
                    'uptime_backends is not, the backends are read from '
                    'its "show stat" when the run starts. A proxy is taken '
                    'for an API by its name (nova-api, nova_api, '
                    'keystone_internal, neutron-server, swift-proxy, ...; '
                    'see doc/source/uptime.rst); every server of it is a '
                    'backend.'),
    cfg.StrOpt('uptime_probe_project',
               default='own', choices=['own', 'admin'],
               help='Whose resources the read probes list. "own": a '
                    'project and user the run makes before probing (role '
                    'uptime_probe_role) and removes after; it holds '
                    'nothing, so each read costs the same on any cloud '
                    '(an admin\'s listing sees every project\'s). '
                    '"admin": the configured admin, in its project (the '
                    'tool then makes nothing in keystone). Write probes '
                    'always run as the admin.'),
    cfg.StrOpt('uptime_probe_role',
               default='member',
               help='Role of the read probes\' user on their own project: '
                    'one that may list servers, networks, volumes, images '
                    'and the project\'s swift account (an operator role '
                    'of swift\'s keystoneauth).'),
    cfg.BoolOpt('uptime_control_series',
                default=True,
                help='Also probe a tiny HTTP endpoint the runner serves on '
                     '127.0.0.1 (series "control", at the pulse rate; off '
                     'without pulses): a window of another series that the '
                     'control saw too is trouble on the probing host, '
                     'flagged and not counted as downtime.'),
    cfg.FloatOpt('uptime_recovery_interval',
                 default=0.05, min=0.0,
                 help='After a probe found the connection refused or reset '
                      '(the API\'s process absent: probing it costs it '
                      'nothing), probe again every this many seconds '
                      'between the ticks until it is not, so the end of '
                      'the outage is dated to that interval. These '
                      'recovery probes are not counted in uptime_pct. 0: '
                      'off.'),
    cfg.IntOpt('uptime_iterations',
               default=0, min=0,
               help='Ticks per series (probes sent, plus ticks skipped '
                    'while a probe was still open) of the tempest uptime '
                    'test and of upgrade-uptime run; 0 means run for '
                    'uptime_duration.'),
    cfg.FloatOpt('uptime_duration',
                 default=60.0, min=0.1,
                 help='Seconds the tempest uptime test probes for (unless '
                      'uptime_iterations or uptime_until_sentinel is set).'),
    cfg.BoolOpt('uptime_until_sentinel',
                default=False,
                help='Make the tempest uptime test probe until the sentinel '
                     'file appears (daemon mode inside tempest).'),
    cfg.StrOpt('uptime_sentinel',
               help='Sentinel file that stops daemon-mode probing when it '
                    'appears. Default: <output_dir>/uptime/stop.'),
    cfg.StrOpt('uptime_output_dir',
               help='Directory for probe logs, markers and summary.json. '
                    'Default: <output_dir>/uptime.'),
    cfg.BoolOpt('uptime_write_probes',
                default=False,
                help='Also run write probes (create and delete a small '
                     'resource) as separate series named "<service>-write".'),
    cfg.FloatOpt('uptime_write_rate',
                 default=1.0, min=0.1,
                 help='Write probes per second per API.'),
    cfg.FloatOpt('uptime_max_total_downtime',
                 min=0,
                 help='Fail the uptime test when an API was down longer '
                      'than this many seconds in total (unset: no limit).'),
    cfg.FloatOpt('uptime_max_window',
                 min=0,
                 help='Fail the uptime test when a single downtime window '
                      'lasted longer than this many seconds (unset: no '
                      'limit).'),
    cfg.FloatOpt('uptime_min_pct',
                 min=0, max=100,
                 help='Fail the uptime test when an API answered less than '
                      'this percentage of probes (unset: no limit).'),
]
