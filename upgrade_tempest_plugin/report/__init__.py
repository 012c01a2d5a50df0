"""Build one report from the outputs of an upgrade run.

``collect`` reads a run directory (uptime summary and probe logs, markers,
persistent verify results, saved call statistics) into one plain dict, the
combined report; ``junit``, ``html``, ``png`` and ``text`` render it.
"""
