"""tracking.api_methods: which client methods are API calls."""


from tempest.lib.services.volume.v3 import volumes_client
import testtools

from tests.unit import fakes
from upgrade_tempest_plugin.common import tracking


class TestApiMethods(testtools.TestCase):

    def test_volume_client_api_methods(self):
        names = tracking.api_methods(volumes_client.VolumesClient)
        for name in ('show_volume', 'create_volume', 'delete_volume',
                     'list_volumes', 'is_resource_deleted',
                     'wait_for_resource_deletion'):
            self.assertIn(name, names)
        for name in ('get', 'post', 'put', 'delete', 'head', 'patch', 'copy',
                     'request', 'raw_request', 'get_headers', 'get_schema',
                     'response_checker', 'expected_success',
                     'validate_response', 'resource_type', 'get_versions',
                     '__init__', '_error_checker', 'is_absolute_limit'):
            self.assertNotIn(name, names)

    def test_plain_object(self):
        class Thing(object):
            def public(self):
                return 1

            def _private(self):
                return 2

            @property
            def prop(self):
                return 3

        self.assertEqual(['public'], tracking.api_methods(Thing))

    def test_object_storage_clients(self):
        self.assertIn('create_container',
                      tracking.api_methods(type(fakes.containers())))
        self.assertIn('create_object',
                      tracking.api_methods(type(fakes.objects())))
