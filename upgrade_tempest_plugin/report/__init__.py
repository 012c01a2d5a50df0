"""Build one report from the outputs of an upgrade run.

``collect`` reads a run directory (uptime summary and probe logs, markers,
persistent verify results, saved call statistics) into one plain dict, the
combined report; ``junit``, ``html``, ``png`` and ``text`` render it. What
cannot be read or rendered raises a :class:`ReportError`.
"""


class ReportError(Exception):
    """The report cannot be built; the message says why in one line."""


class MissingExtra(ReportError):
    """An output needs an optional dependency (the ``report`` extra)."""
