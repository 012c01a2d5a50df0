"""API uptime probes: plan, schedule, probes, windows and summary."""


class UptimeError(Exception):
    """Bad input: a clear one-line message for the operator."""
