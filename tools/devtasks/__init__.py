"""Tasks behind tools/dev.py; they run inside .venv."""


class Skipped(Exception):
    """A layer that has legitimately nothing to run yet; the message says why."""
