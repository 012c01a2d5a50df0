"""Snapshots and their comparison."""

import unittest

from upgrade_tempest_plugin.persistent import drift


class DriftTest(unittest.TestCase):

    def test_no_difference(self):
        snap = {'size': 1, 'metadata': {'a': 'b'}, 'ips': ['2', '1']}
        self.assertEqual([], drift.compare('volume', 'v', snap,
                                           dict(snap, ips=['1', '2'])))

    def test_each_changed_field_reported(self):
        expected = {'size': 1, 'metadata': {'a': 'b'}, 'status': 'available'}
        actual = {'size': 2, 'metadata': {'a': 'c'}, 'status': 'available'}
        self.assertEqual(
            [drift.Difference('volume', 'v', 'metadata', {'a': 'b'},
                              {'a': 'c'}),
             drift.Difference('volume', 'v', 'size', 1, 2)],
            drift.compare('volume', 'v', expected, actual))

    def test_missing_field_is_none_and_new_fields_ignored(self):
        diffs = drift.compare('port', 'p', {'mac_address': 'fa:16'},
                              {'other': 1})
        self.assertEqual([drift.Difference('port', 'p', 'mac_address',
                                           'fa:16', None)], diffs)

    def test_list_order_of_dicts_ignored(self):
        a = [{'subnet_id': 's', 'ip_address': '10.0.0.3'},
             {'subnet_id': 's', 'ip_address': '10.0.0.2'}]
        self.assertEqual([], drift.compare('port', 'p', {'fixed_ips': a},
                                           {'fixed_ips': a[::-1]}))

    def test_pick_keys_and_functions(self):
        body = {'size': 3, 'attachments': [{'server_id': 'x', 'junk': 1}]}
        snap = drift.pick(body, {
            'size': 'size', 'missing': 'nope',
            'servers': lambda b: [a['server_id'] for a in b['attachments']]})
        self.assertEqual({'size': 3, 'missing': None, 'servers': ['x']}, snap)

    def test_as_dict_and_describe(self):
        d = drift.Difference('object', 'o', 'sha256', 'aa', 'bb')
        self.assertEqual({'resource_type': 'object', 'name': 'o',
                          'field': 'sha256', 'expected': 'aa',
                          'actual': 'bb'}, drift.as_dict(d))
        self.assertEqual("object o: sha256 is 'bb', expected 'aa'",
                         drift.describe(d))

    def test_outcome_and_describe_of_unreachable_missing(self):
        gone = drift.Difference('network', 'n', drift.EXISTS, True, False)
        away = drift.Difference('network', 'n', drift.REACHABLE, True,
                                'timeout')
        size = drift.Difference('volume', 'v', 'size', 1, 2)
        self.assertEqual(drift.OK, drift.outcome([]))
        self.assertEqual(drift.MISSING, drift.outcome([gone]))
        self.assertEqual(drift.UNREACHABLE, drift.outcome([away]))
        self.assertEqual(drift.CHANGED, drift.outcome([size]))
        self.assertEqual('network n: not found (HTTP 404)',
                         drift.describe(gone))
        self.assertEqual('network n: unreachable (timeout, gave up after '
                         '180 s)', drift.describe(away, 180.4))
        self.assertEqual('network n: unreachable (timeout after retries)',
                         drift.describe(away))
