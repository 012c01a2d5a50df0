"""Options of the persistent resources (``[upgrade]`` group)."""

OPTS = []
