"""Persistent resources: made before an upgrade, checked during and after.

Every error the library raises on bad input or a failed phase derives from
:class:`PersistentError`, so a caller catches that one class.
"""


class PersistentError(Exception):
    """Base of the persistent library's errors; the message says why."""
