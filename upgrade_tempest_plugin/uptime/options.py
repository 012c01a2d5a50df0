"""Options of the API uptime probes (``[upgrade]`` group)."""

OPTS = []
