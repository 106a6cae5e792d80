"""psyc: a toolkit for recursive zero-knowledge circuits over the Goldilocks field."""

__version__ = "0.1.0"
