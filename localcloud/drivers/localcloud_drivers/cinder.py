"""Cinder's own fake backend, able to make a volume from an image.

`cinder.tests.fake_driver.FakeLoggingVolumeDriver` creates, extends,
snapshots and deletes volumes as records, but inherits LVM's
copy_image_to_volume, which writes to a /dev/mapper device that does not
exist here.  Cinder has already fetched and checked the image (qemu-img
info) before this is called; there is no block device to write it to.
"""

from cinder.tests import fake_driver


class FakeImageVolumeDriver(fake_driver.FakeLoggingVolumeDriver):

    def copy_image_to_volume(self, context, volume, image_service, image_id,
                             disable_sparse=False):
        """Nothing to write to: the volume is a record."""
