"""The ``psyc`` command: one subcommand per module in :mod:`psyc.cli`.

Command modules are light to import (they import numba, sympy, the prover and rich's
tables inside ``run``), and only the chosen command registers its arguments: ``psyc
--help`` and ``psyc verify`` must not pay for what ``psyc bench`` needs.
``tests/test_cold_start.py`` guards it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from psyc import __version__
from psyc.backend_cpu import warmup
from psyc.util import jit_notice

COMMANDS = (
    "new",
    "check",
    "fmt",
    "compile",
    "info",
    "lsp",
    "execute",
    "prove",
    "verify",
    "key",
    "sign",
    "verify-signature",
    "aggregate",
    "test",
    "fuzz",
    "fuzz-proof",
    "audit",
    "devnet",
    "demo",
    "bench",
    "explain",
)


def command_module(name: str) -> ModuleType:
    """The module implementing ``psyc NAME``."""
    return importlib.import_module(f"psyc.cli.{name.replace('-', '_')}_cmd")


def _chosen(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser: every command with its help line, or, when ``argv`` names a
    command, that command alone with its arguments (the others by name only: importing
    every command module for help lines nobody sees cost a quick command ~0.1 s); the
    arguments of every command when ``argv`` is None."""
    parser = argparse.ArgumentParser(
        prog="psyc",
        description="psyc: recursive zero-knowledge circuits over Goldilocks, proved with FRI.",
    )
    parser.add_argument("--version", action="version", version=f"psyc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = None if argv is None else _chosen(argv)
    for name in COMMANDS:
        if chosen is not None and name != chosen:
            sub.add_parser(name)  # its help line is shown by no one: its module stays unimported
            continue
        module = command_module(name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        if argv is None or name == chosen:
            module.register(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    jit_notice.enable()
    warmup.enable()  # a first proof compiles the kernels on every core
    try:
        return command_module(args.command).run(args)
    except KeyboardInterrupt:
        from psyc.cli.console import error_console

        error_console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
