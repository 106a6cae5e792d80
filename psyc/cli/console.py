"""The CLI's consoles: :mod:`psyc.util.console` (below the pipeline, so library code that
reports progress — aggregation, fuzzing — uses the same consoles without importing the CLI)."""

from psyc.util.console import _LazyConsole, console, error_console, escape

__all__ = ["_LazyConsole", "console", "error_console", "escape"]
