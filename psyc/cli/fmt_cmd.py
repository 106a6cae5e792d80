"""``psyc fmt``: format .psy files (and the ```psy blocks of Markdown files) in place."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path

from psyc.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    add_json,
    messages_to_stderr,
    ok,
    print_diagnostics,
)
from psyc.cli.console import error_console

HELP = "format .psy files (and ```psy blocks in .md files) in place; --check only reports"

_SKIP_DIRS = {"target", "node_modules", "__pycache__", "build", "dist"}


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=["."],
                   help="files or folders (default: .); `-` formats standard input to standard output")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 when a file is not formatted")
    p.add_argument("--diff", action="store_true", help="with --check: print what would change")
    add_json(p, "the files changed (would change, with --check), failures and diffs")


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                out += [Path(root) / f for f in sorted(files) if f.endswith((".psy", ".md"))]
        else:
            out.append(p)
    return out


def _write(path: Path, text: str) -> None:
    """Replace the file atomically: a process killed mid-write leaves the old text."""
    tmp = path.with_name(f".{path.name}.fmt-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run(args: argparse.Namespace, ctx: dict | None = None) -> int:
    with messages_to_stderr(args):
        code, doc = _run(args)
    if getattr(args, "json", False):
        print(json.dumps({"ok": code == EXIT_OK, **doc}))
    return code


def _run(args: argparse.Namespace) -> tuple[int, dict]:
    """Format; the exit code and what ``--json`` reports."""
    from psyc.frontend.format import FormatError, format_markdown, format_source
    from psyc.util.diagnostics import CompileError, SourceMap

    as_json = getattr(args, "json", False)
    if args.paths == ["-"]:
        text = sys.stdin.read()
        try:
            formatted = format_source(text, "<stdin>")
        except CompileError as e:
            sources = SourceMap()
            sources.add("<stdin>", text)
            print_diagnostics(e.diagnostics, sources)
            return EXIT_FAIL, {"error": "the input does not parse"}
        except FormatError as e:
            error_console.print(f"[red]error[/red]: {e}", highlight=False)
            return EXIT_FAIL, {"error": str(e)}
        if not as_json:
            sys.stdout.write(formatted)
        return EXIT_OK, {"formatted": formatted, "changed": formatted != text}
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        error_console.print(f"[red]error[/red]: no such file or folder: {', '.join(missing)}", highlight=False)
        return EXIT_USAGE, {"error": f"no such file or folder: {', '.join(missing)}", "usage_error": True}
    changed, failed, total = [], [], 0
    diffs: dict[str, str] = {}
    for path in _files(args.paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            error_console.print(f"[red]error[/red]: cannot read {path}: {e}", highlight=False)
            failed.append(str(path))
            continue
        shown = str(path)
        try:
            new = format_markdown(text, shown) if path.suffix == ".md" else format_source(text, shown)
        except CompileError as e:
            sources = SourceMap()
            sources.add(shown, text.replace("\r\n", "\n"))
            print_diagnostics(e.diagnostics, sources)
            failed.append(shown)
            continue
        except FormatError as e:
            error_console.print(f"[red]error[/red]: {e}", highlight=False)
            failed.append(shown)
            continue
        total += 1
        if new == text:
            continue
        changed.append(path)
        if args.check:
            ok(f"would reformat {path}")
            if args.diff:
                diff = "".join(difflib.unified_diff(
                    text.splitlines(True), new.splitlines(True), f"{path} (now)", f"{path} (formatted)"))
                diffs[str(path)] = diff
                if not as_json:
                    sys.stdout.write(diff)
        else:
            _write(path, new)
            ok(f"formatted {path}")
    verb = "would reformat" if args.check else "reformatted"
    ok(f"{verb} {len(changed)} of {total} file(s)" + (f"; {len(failed)} could not be formatted" if failed else ""))
    doc = {"check": bool(args.check), "files": total, "changed": [str(p) for p in changed], "failed": failed}
    if args.diff:
        doc["diffs"] = diffs
    return (EXIT_FAIL if failed or (args.check and changed) else EXIT_OK), doc
