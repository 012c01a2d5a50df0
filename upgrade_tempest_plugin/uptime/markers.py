"""Operator markers: ``{time, text}`` lines in ``<dir>/markers.jsonl``.

A marker opens a phase that lasts until the next marker; a downtime window
lists the markers whose phase it overlaps.
"""

import json
import os
import time

FILENAME = 'markers.jsonl'


def add(directory, text, now=None):
    """Append a marker to ``directory``/markers.jsonl and return it."""
    if not text or not text.strip():
        raise ValueError('a marker needs a text')
    os.makedirs(directory, exist_ok=True)
    marker = {'time': time.time() if now is None else now,
              'text': text.strip()}
    with open(os.path.join(directory, FILENAME), 'a') as f:
        f.write(json.dumps(marker) + '\n')
        f.flush()
    return marker


def load(directory):
    """Return the markers of ``directory`` sorted by time ([] if none)."""
    path = os.path.join(directory, FILENAME)
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue        # a line cut short by a kill
    return sorted(out, key=lambda m: m['time'])


def overlapping(markers, start, end):
    """Markers whose phase ``[time, next marker time)`` meets [start, end]."""
    out = []
    for i, marker in enumerate(markers):
        phase_end = (markers[i + 1]['time'] if i + 1 < len(markers)
                     else float('inf'))
        if marker['time'] <= end and phase_end > start:
            out.append(marker)
    return out
