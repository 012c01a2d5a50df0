"""Write files so that readers see the old content or the new, never half.

Everything the plugin records (state, stats, summaries, reports) may be
read by another process while it is written, or be cut short by a kill:
the content goes to a unique temporary file in the same directory, is
flushed to disk, then replaces the target in one ``os.replace``.
"""

import contextlib
import json
import os
import tempfile


def atomic_write(path, text, mode=None):
    """Replace ``path`` with ``text``; ``mode`` sets its permissions.

    Creates the parent directory if needed; returns the path.
    """
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=parent, suffix='.tmp',
                               prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def write_json(path, data, mode=None, sort_keys=True, default=None):
    """Replace ``path`` with ``data`` as indented JSON; return the path."""
    return atomic_write(path, json.dumps(
        data, indent=1, sort_keys=sort_keys, default=default) + '\n', mode)
