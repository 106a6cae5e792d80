"""``psyc explain CODE``: what a diagnostic code means and how to fix it (as ``rustc --explain``)."""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import EXIT_OK, EXIT_USAGE, user_errors
from psyc.cli.console import console, error_console

HELP = "explain a diagnostic code, e.g. `psyc explain E0303` (--list: every code)"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", nargs="?", help="a code such as E0303, W0001 or A0101")
    p.add_argument("--list", action="store_true", help="list every code with its one-line meaning")
    p.add_argument("--json", action="store_true", help="print the entry (or the list) as JSON")


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.frontend.error_codes import REGISTRY, lookup

    if args.list or args.code is None:
        if args.code is None and not args.list:
            error_console.print("error: name a code (`psyc explain E0303`) or pass --list", highlight=False)
            return EXIT_USAGE
        if args.json:
            print(json.dumps({"codes": {c: e.summary for c, e in REGISTRY.items()}}))
        else:
            for entry in REGISTRY.values():
                console.print(f"{entry.code}  {entry.summary}", markup=False, highlight=False)
        return EXIT_OK
    entry = lookup(args.code)
    if entry is None:
        error_console.print(
            f"error: `{args.code}` is not a psyc diagnostic code (`psyc explain --list` lists them)",
            markup=False,
            highlight=False,
        )
        return EXIT_USAGE
    if args.json:
        print(json.dumps({"code": entry.code, "summary": entry.summary, "explanation": entry.explanation}))
    else:
        console.print(entry.text(), markup=False, highlight=False)
    return EXIT_OK
