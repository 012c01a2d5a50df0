"""nova-compute with a fake hypervisor that tells its host's uptime.

nova's fake drivers do not implement ``get_host_uptime`` (the base class
raises NotImplementedError, the API answers 501), so tempest's
``test_get_hypervisor_uptime`` -- selected by ``tempest run --regex
uptime`` -- fails on them. ``FakeDriver`` answers like the libvirt
driver, with the text of uptime(1), read from /proc.

nova loads ``compute_driver`` from the ``nova.virt`` package only
(``load_compute_driver`` prefixes ``nova.virt.``), so ``main`` registers
the driver there as ``nova.virt.localcloud_fake`` and runs nova-compute's
own main: ``compute_driver = localcloud_fake.FakeDriver``.
"""

import sys
import time


def host_uptime(proc='/proc'):
    """The host's uptime in uptime(1)'s words, e.g.
    ``" 08:31:06 up 2 days,  2:39,  load average: 1.47, 2.22, 2.51"``."""
    with open(proc + '/uptime') as f:
        seconds = int(float(f.read().split()[0]))
    with open(proc + '/loadavg') as f:
        load = f.read().split()[:3]
    days, rest = divmod(seconds, 86400)
    hours, minutes = divmod(rest // 60, 60)
    up = '%2d:%02d' % (hours, minutes)
    if days:
        up = '%d day%s, %s' % (days, '' if days == 1 else 's', up)
    return ' %s up %s,  load average: %s' % (
        time.strftime('%H:%M:%S'), up, ', '.join(load))


def main():
    # nova.cmd.compute patches the standard library on import: it must
    # come before any other nova module.
    from nova.cmd import compute
    from nova.virt import fake

    class FakeDriver(fake.FakeDriverWithoutFakeNodes):
        """The single-node fake driver, with the host's uptime."""

        def get_host_uptime(self):
            return host_uptime()

    module = type(sys)('nova.virt.localcloud_fake')
    module.FakeDriver = FakeDriver
    sys.modules[module.__name__] = module
    sys.argv[0] = 'nova-compute'
    compute.main()


if __name__ == '__main__':
    main()
