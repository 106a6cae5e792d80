"""Where psyc keeps what it can regenerate: generated kernel sources, the parser tables,
wrapped-key fingerprints (never anything a user wrote)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$PSYC_CACHE_DIR``, else ``$XDG_CACHE_HOME/psyc``, else ``~/.cache/psyc``."""
    env = os.environ.get("PSYC_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "psyc"
