"""Which methods of a tempest service client are API calls to trace.

The public methods that the client's class and its service-specific
parents define (``show_volume``, ``create_server``...), plus the polling
methods of ``RestClient`` in :data:`BASE_API_METHODS`. The HTTP plumbing
of ``RestClient`` (``get``, ``post``, ``request``, ``raw_request``,
``get_headers``...), the ``get_schema`` of service base classes, private
names, properties, class and static methods are left alone.
"""

import inspect

# RestClient methods that are API calls (or poll them), not plumbing.
BASE_API_METHODS = ('is_resource_deleted', 'wait_for_resource_deletion',
                    'is_resource_active', 'wait_for_resource_activation')
# Plumbing that service-specific base classes add to RestClient's.
EXTRA_PLUMBING = frozenset(('get_schema',))


def _rest_client_class():
    try:
        from tempest.lib.common import rest_client
    except ImportError:  # pragma: no cover - tempest is a requirement
        return None
    return rest_client.RestClient


def api_methods(client_class):
    """Return the sorted names of the API methods of a client class."""
    base = _rest_client_class()
    if base is not None and issubclass(client_class, base):
        skip_classes = set(base.__mro__)
        plumbing = set(EXTRA_PLUMBING)
        for klass in base.__mro__:
            plumbing.update(vars(klass))
        plumbing.difference_update(BASE_API_METHODS)
        extra = BASE_API_METHODS
    else:
        skip_classes = {object}
        plumbing = set()
        extra = ()
    seen = set()
    names = []
    for klass in client_class.__mro__:
        for name, value in vars(klass).items():
            if name in seen:
                continue
            seen.add(name)
            if (klass not in skip_classes and not name.startswith('_')
                    and name not in plumbing and inspect.isfunction(value)):
                names.append(name)
    for name in extra:
        if name not in names and inspect.isfunction(
                inspect.getattr_static(client_class, name, None)):
            names.append(name)
    return sorted(names)
