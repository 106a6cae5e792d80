"""Shared rich consoles: results to stdout, diagnostics and progress to stderr.

``soft_wrap``: rich would otherwise wrap long lines at the console width (80 columns in a
pipe), splitting a fingerprint or a replay command in the middle; the terminal wraps for us.
"""

from rich.console import Console

console = Console(soft_wrap=True)
error_console = Console(stderr=True, soft_wrap=True)
