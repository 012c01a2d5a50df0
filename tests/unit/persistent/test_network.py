"""Ports nova leaves behind are deleted, as admin, and only those."""

import unittest

from upgrade_tempest_plugin.persistent import base
from upgrade_tempest_plugin.persistent import network


class FakePorts(object):
    def __init__(self, ports):
        self.ports = ports
        self.deleted = []

    def list_ports(self, **filters):
        return {'ports': [p for p in self.ports
                          if all(p.get(k) == v for k, v in filters.items())]}

    def delete_port(self, port_id):
        self.deleted.append(port_id)


class FakeServers(object):
    def list_servers(self):
        return {'servers': [{'id': 'alive'}]}


class Clients(object):
    def __init__(self, ports):
        self.ports_client = ports
        self.servers_client = FakeServers()


class FakeState(object):
    def load(self):
        return {'version': 1, 'prefix': 'p', 'resources': {}, 'owner': None}


class OrphanPortsTest(unittest.TestCase):

    def test_only_ports_of_gone_servers_deleted_by_admin(self):
        owner_ports = FakePorts([
            {'id': 'orphan', 'device_owner': 'compute:nova',
             'device_id': 'gone', 'network_id': 'n'},
            {'id': 'in-use', 'device_owner': 'compute:nova',
             'device_id': 'alive', 'network_id': 'n'},
            {'id': 'router', 'device_owner': 'network:router_interface',
             'device_id': 'r', 'network_id': 'n'},
            {'id': 'ours', 'device_owner': '', 'device_id': '',
             'network_id': 'n'}])
        admin_ports = FakePorts([])
        ctx = base.Context(Clients(owner_ports), FakeState(),
                           base.Settings())
        ctx.admin = Clients(admin_ports)
        self.assertEqual(1, network.delete_orphan_ports(ctx, network_id='n'))
        self.assertEqual(['orphan'], admin_ports.deleted)
        self.assertEqual([], owner_ports.deleted)
