"""Wrap the API methods of a tempest service client and count every call.

See doc/source/tracking.rst for what counts as a pass, a failure and a
whitelisted failure. The pass path reads ``time.perf_counter`` twice and
hands the duration to :meth:`.MethodStats.add_pass` (a list append);
stacks are only walked when a call raises.
"""

import functools
import sys
import threading
import time

from upgrade_tempest_plugin.common import errors
from upgrade_tempest_plugin.common.tracking import failure
from upgrade_tempest_plugin.common.tracking import methods
from upgrade_tempest_plugin.common.tracking.method_stats import (
    DEFAULT_MAX_TRACES)
from upgrade_tempest_plugin.common.tracking.stats import Stats

DEFAULT_WHITELIST = ('is_resource_deleted', 'wait_for_server_termination',
                     'wait_for_resource_deletion')

_DECORATE_LOCK = threading.Lock()
_TAG = '_upgrade_tracking'


def _bind(attr, client, cls):
    """Bind a class attribute to the client as attribute lookup would."""
    get = getattr(type(attr), '__get__', None)
    return attr if get is None else get(attr, client, cls)


def _tags(obj):
    tags = getattr(obj, _TAG, ())
    return tags if isinstance(tags, tuple) else ()


class _Fixed(object):
    """Stands for the class when a wrapper wraps an instance attribute:
    its one attribute never changes, so the wrapper always calls it."""

    def __init__(self, name, inner):
        setattr(self, name, inner)


class _Target(object):
    """All that one wrapper reads at each call, in one closure variable.

    tempest's ``find_test_caller`` walks every frame above each HTTP
    request, twice per request, and reads each frame's ``f_locals`` twice:
    up to Python 3.12 that copies every local and closure variable of the
    wrapper into a dict, and each local not yet bound (a ``result`` or an
    ``except ... as exc`` while the call runs) costs a KeyError raised and
    cleared inside CPython, four times per request. So during the call the
    wrapper has only bound locals (``args``, ``kwargs``, ``start``) and
    this object, and no ``self`` or ``cls``, which that walk also reads.
    """

    __slots__ = ('owner', 'name', 'func', 'bound', 'client', 'inner',
                 'add_pass', 'stats', 'trace')

    def __init__(self, trace, client, owner, name, inner):
        self.trace = trace
        self.client = client
        self.name = name
        self.inner = inner
        self.stats = trace.stats.method_stats(owner.__name__, name)
        self.add_pass = self.stats.add_pass
        if inner is None:
            self.owner = owner
            self.func = getattr(owner, name)
            self.bound = _bind(self.func, client, owner)
        else:
            self.owner = _Fixed(name, inner)
            self.func = self.bound = inner

    def current(self):
        """The method as the class has it now, bound to the client."""
        if self.inner is not None:
            return self.inner
        return _bind(getattr(self.owner, self.name), self.client,
                     self.owner)

    def passed(self, start, result):
        """Count a call started at ``start`` that returned; return
        ``result``."""
        self.add_pass(time.perf_counter() - start)
        return result

    def failed(self, start, frame):
        """Count the call started at ``start`` whose exception is being
        handled, in the wrapper ``frame``."""
        self.trace._failed(self.stats, time.perf_counter() - start,
                           sys.exc_info()[1], frame)


class Trace(object):
    """Wrap tempest service clients and count their calls in ``stats``.

    :param whitelist: names of functions under which a failure is
        expected and counted as a pass (default :data:`DEFAULT_WHITELIST`).
    :param max_traces: distinct failure traces kept per method (default
        :data:`DEFAULT_MAX_TRACES`).
    :param stats: a :class:`Stats` to count into (default: a new one).
    :param whitelist_errors: names of exception classes; if given, only
        those (and their subclasses) are whitelisted, other failures under
        a whitelisted frame are failures (default: any exception).
    """

    def __init__(self, whitelist=None, max_traces=None, stats=None,
                 whitelist_errors=None):
        if whitelist is None:
            whitelist = DEFAULT_WHITELIST
        if isinstance(whitelist, str):
            whitelist = [w.strip() for w in whitelist.split(',')]
        self.whitelist = tuple(w for w in whitelist if w)
        self._names = frozenset(w for w in self.whitelist if '.' not in w)
        self._qualnames = frozenset(w for w in self.whitelist if '.' in w)
        if isinstance(whitelist_errors, str):
            whitelist_errors = whitelist_errors.split(',')
        self.whitelist_errors = frozenset(
            e.strip() for e in whitelist_errors or () if e.strip())
        if stats is None:
            stats = Stats(DEFAULT_MAX_TRACES if max_traces is None
                          else max_traces)
        elif max_traces is not None:
            stats.max_traces = int(max_traces)
        self._stats = stats

    @classmethod
    def from_config(cls, conf=None):
        """Build a Trace from the ``[upgrade]`` options of tempest.conf."""
        if conf is None:
            from tempest import config
            conf = config.CONF
        return cls(whitelist=conf.upgrade.trace_whitelist,
                   max_traces=conf.upgrade.trace_max_stack_traces,
                   whitelist_errors=conf.upgrade.trace_whitelist_errors)

    @property
    def stats(self):
        """The :class:`Stats` of every call this Trace has counted."""
        return self._stats

    def decorate(self, client):
        """Trace every API method of ``client``; return the same client.

        The wrappers are set on the instance, so isinstance, attributes and
        the class are untouched; a wrapper looks the method up on the class
        at each call, so ``mock.patch.object(ClientClass, name)`` keeps
        working, and ``mock.patch.object(client, name)`` simply replaces
        the wrapper until the patch ends. Decorating twice with the same
        Trace changes nothing; another Trace counts in its own stats.
        """
        if not hasattr(client, '__dict__'):
            raise TypeError('cannot trace %r: it has no instance __dict__'
                            % (client,))
        cls = type(client)
        with _DECORATE_LOCK:
            for name in methods.api_methods(cls):
                current = vars(client).get(name)
                if current is not None:
                    if self in _tags(current) or not callable(current):
                        continue
                wrapper = self._wrap(client, cls, name, current)
                setattr(client, name, wrapper)
        return client

    def is_decorating(self, client, name):
        """Whether ``client.<name>`` is currently traced by this Trace."""
        return self in _tags(vars(client).get(name))

    def _wrap(self, client, cls, name, inner):
        target = _Target(self, client, cls, name, inner)

        def traced(*args, **kwargs):
            # No local but args, kwargs and start: see _Target.
            start = time.perf_counter()
            try:
                return target.passed(start, (
                    target.bound
                    if getattr(target.owner, target.name) is target.func
                    else target.current())(*args, **kwargs))
            except Exception:
                target.failed(start, sys._getframe())
                raise

        wrapped = target.bound if inner is None else inner
        functools.update_wrapper(traced, wrapped)
        setattr(traced, _TAG, (self,) + _tags(inner))
        failure.WRAPPER_CODES.add(traced.__code__)
        return traced

    def _failed(self, stats, seconds, exc, frame):
        """Count a call that raised ``exc`` in the wrapper ``frame``."""
        tb = exc.__traceback__
        if self._error_allowed(exc) and self._is_whitelisted(frame.f_back,
                                                             tb):
            stats.add_whitelisted(seconds)
            return
        stats.add_failure(seconds, errors.classify(exc),
                          failure.exception_name(exc), failure.message(exc),
                          failure.stack(frame.f_back, tb))

    def _error_allowed(self, exc):
        if not self.whitelist_errors:
            return True
        return any(k.__name__ in self.whitelist_errors
                   for k in type(exc).__mro__)

    def _is_whitelisted(self, frame, tb):
        names, qualnames = self._names, self._qualnames
        if not (names or qualnames):
            return False
        while frame is not None:
            if self._matches(frame.f_code, names, qualnames):
                return True
            frame = frame.f_back
        while tb is not None:
            if self._matches(tb.tb_frame.f_code, names, qualnames):
                return True
            tb = tb.tb_next
        return False

    @staticmethod
    def _matches(code, names, qualnames):
        if code.co_name in names:
            return True
        return bool(qualnames) and getattr(
            code, 'co_qualname', code.co_name) in qualnames
