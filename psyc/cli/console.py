"""Shared rich consoles: results to stdout, diagnostics and progress to stderr."""

from rich.console import Console

console = Console()
error_console = Console(stderr=True)
