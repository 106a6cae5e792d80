"""The ``psyc`` command: one subcommand per module in :mod:`psyc.cli`."""

from __future__ import annotations

import argparse
import sys

from psyc import __version__
from psyc.cli import (
    aggregate_cmd,
    audit_cmd,
    bench_cmd,
    check_cmd,
    compile_cmd,
    demo_cmd,
    execute_cmd,
    explain_cmd,
    fmt_cmd,
    fuzz_cmd,
    fuzz_proof_cmd,
    info_cmd,
    lsp_cmd,
    new_cmd,
    prove_cmd,
    test_cmd,
    verify_cmd,
)
from psyc.cli.console import error_console

COMMANDS = {
    "new": new_cmd,
    "check": check_cmd,
    "fmt": fmt_cmd,
    "compile": compile_cmd,
    "info": info_cmd,
    "lsp": lsp_cmd,
    "execute": execute_cmd,
    "prove": prove_cmd,
    "verify": verify_cmd,
    "aggregate": aggregate_cmd,
    "test": test_cmd,
    "fuzz": fuzz_cmd,
    "fuzz-proof": fuzz_proof_cmd,
    "audit": audit_cmd,
    "demo": demo_cmd,
    "bench": bench_cmd,
    "explain": explain_cmd,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="psyc",
        description="psyc: recursive zero-knowledge circuits over Goldilocks, proved with FRI.",
    )
    parser.add_argument("--version", action="version", version=f"psyc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.register(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        error_console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
