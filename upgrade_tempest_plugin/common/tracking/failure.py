"""What a failure trace records: where a failed call came from, and what.

Only run when a traced call raises: the pass path never walks a stack.
"""

import functools
import os

MAX_CALLING_FRAMES = 30      # calling frames kept in a failure trace
MAX_TRACEBACK_FRAMES = 30    # innermost traceback frames kept
MAX_MESSAGE_CHARS = 500      # of the exception message kept in a trace

# Code objects of the Trace wrappers, left out of failure stacks.
WRAPPER_CODES = set()


def _short_path(filename):
    marker = os.sep + 'site-packages' + os.sep
    if marker in filename:
        return filename.rsplit(marker, 1)[1]
    return filename


@functools.lru_cache(maxsize=4096)
def _frame_line(code, lineno):
    return '%s:%s in %s' % (_short_path(code.co_filename), lineno,
                            code.co_name)


def stack(frame, tb):
    """Return the lines of a failure: calling frames, then traceback.

    ``frame`` is the caller of the traced method, ``tb`` the exception's
    traceback; the lines run from the outermost caller to where the
    exception was raised, without the wrappers.
    """
    calling = []
    while frame is not None and len(calling) < MAX_CALLING_FRAMES:
        if frame.f_code not in WRAPPER_CODES:
            calling.append(_frame_line(frame.f_code, frame.f_lineno))
        frame = frame.f_back
    calling.reverse()
    inner = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if code not in WRAPPER_CODES:
            inner.append(_frame_line(code, tb.tb_lineno))
        tb = tb.tb_next
    return tuple(calling + inner[-MAX_TRACEBACK_FRAMES:])


def exception_name(exc):
    """Return the dotted class name of ``exc`` (no module for builtins)."""
    cls = type(exc)
    module = cls.__module__
    if module in (None, 'builtins'):
        return cls.__qualname__
    return '%s.%s' % (module, cls.__qualname__)


def message(exc):
    """Return ``str(exc)``, cut to :data:`MAX_MESSAGE_CHARS`."""
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not hide the failure
        text = '<unprintable %s>' % type(exc).__name__
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + '...'
    return text
