"""``psyc lsp``: the language server, over standard input and output."""

from __future__ import annotations

import argparse

from psyc.cli.common import EXIT_OK, EXIT_USAGE
from psyc.cli.console import error_console

HELP = "run the language server over stdio (for editors; needs `pip install 'psyc[editor]'`)"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only transport)")


def run(args: argparse.Namespace, ctx: dict | None = None) -> int:
    try:
        from psyc.lsp.server import serve  # pygls is heavy and optional: imported only here
    except ImportError as e:
        error_console.print(f"[red]error[/red]: the language server needs the editor extra "
                            f"(pip install 'psyc[editor]'): {e}", highlight=False)
        return EXIT_USAGE
    serve()
    return EXIT_OK
