"""What every language verb shares: path and compile options, rendering diagnostics,
exit codes, and progress that shows on a terminal and stays quiet in pipes."""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from psyc.cli.console import console, error_console, escape
from psyc.util.diagnostics import CompileError, Diagnostic, SourceMap, render

if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_path(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", default=".", help="project folder, a path inside it, or one .psy file")


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1 (a usage error, exit 2, otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_json(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--json", action="store_true", help=f"print {what} as one JSON object on stdout (messages on stderr)")


def add_compile_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--entry", help="entry function (default: the project's, usually main)")
    p.add_argument("--max-unroll", type=positive_int, help="most iterations one loop may unroll to (default 2^20)")
    p.add_argument("--no-optimize", action="store_true", help="skip the IR passes (for debugging)")
    p.add_argument(
        "--zero-knowledge",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hide the witness in proofs (default: psy.toml's compile.zero_knowledge; "
        "--no-zero-knowledge opts out)",
    )


def add_backend_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        metavar="NAME",
        help="prover backend: cpu or gpu (default: $PSYC_BACKEND, else cpu); proofs are identical",
    )


def select_backend(args: argparse.Namespace) -> int | None:
    """Make ``--backend`` (else ``$PSYC_BACKEND``) the process's prover backend; on a
    backend that cannot run here, print why and return the usage exit code."""
    from rich.markup import escape

    from psyc.backend import BackendUnavailable, set_default_backend

    try:
        set_default_backend(getattr(args, "backend", None))
    except BackendUnavailable as e:
        error_console.print(f"[red]error[/red]: {escape(str(e))}", highlight=False)
        return EXIT_USAGE
    return None


def compile_options(args: argparse.Namespace):
    from psyc.compiler import CompileOptions

    return CompileOptions(
        entry=args.entry,
        max_unroll=args.max_unroll,
        optimize=not args.no_optimize,
        zero_knowledge=getattr(args, "zero_knowledge", None),
    )


def print_diagnostics(diags: list[Diagnostic], sources: SourceMap | None) -> None:
    sources = sources or SourceMap()
    color = error_console.is_terminal
    for d in diags:
        try:
            text = render(d, sources, color=color)
        except KeyError:  # a span in a file we never read: show it without the source line
            text = f"{d.severity}[{d.code}]: {d.message}" + "".join(f"\n = note: {n}" for n in d.notes)
        error_console.print(text, markup=color, highlight=False, soft_wrap=True)
        error_console.print()


# a source file that cannot be read as text is a malformed file, not a mistake in the program
_FILE_ERROR_CODES = frozenset({"E0005"})


def is_compile_error(d: Diagnostic) -> bool:
    """A mistake in the program's source (syntax, names, types, compile-time values)."""
    return (d.severity == "error" and d.code[:1] == "E" and d.code[1:3] in ("00", "01", "02", "03", "09")
            and d.code not in _FILE_ERROR_CODES)


def is_file_error(d: Diagnostic) -> bool:
    """A mistake in a file or option around the program (inputs file, psy.toml, an output
    path, a source file that is not UTF-8): a usage or file error, exit 2 as docs/cli.md says."""
    return d.severity == "error" and (
        (d.code[:1] == "E" and d.code[1:3] in ("06", "07", "08")) or d.code in _FILE_ERROR_CODES)


def exit_code_for(diags: list[Diagnostic]) -> int:
    return EXIT_USAGE if any(is_file_error(d) for d in diags) else EXIT_FAIL


@contextlib.contextmanager
def messages_to_stderr(args: argparse.Namespace) -> Iterator[None]:
    """With ``--json`` stdout carries exactly one JSON object: every human message goes to
    stderr (the JSON itself is printed with ``print``)."""
    if not getattr(args, "json", False):
        yield
        return
    console.file = sys.stderr
    try:
        yield
    finally:
        console.file = None  # back to following sys.stdout


def diagnostic_json(d: Diagnostic, sources: SourceMap | None) -> dict:
    """A diagnostic for ``--json`` output: code, severity, message, location, notes."""
    doc = {"code": d.code, "severity": d.severity, "message": d.message, "notes": list(d.notes)}
    label = next((lb for lb in d.labels if lb.span is not None), None)
    if label is not None:
        doc["file"] = label.span.file
        with contextlib.suppress(KeyError):
            doc["line"], doc["column"] = (sources or SourceMap()).line_col(label.span.file, label.span.start)
    return doc


def user_errors(fn: Callable[..., int]) -> Callable[..., int]:
    """Turn every error a user can cause into a rendered diagnostic and an exit code."""

    @functools.wraps(fn)
    def wrapper(args: argparse.Namespace, ctx: dict | None = None) -> int:
        ctx = {} if ctx is None else ctx
        from psyc.ir.interpret import ExecutionError
        from psyc.util.serialization import FormatError

        try:
            with messages_to_stderr(args):
                return fn(args, ctx)
        except CompileError as e:
            print_diagnostics(e.diagnostics, getattr(e, "sources", None) or ctx.get("sources"))
            n = sum(is_compile_error(d) for d in e.diagnostics)
            if n:
                error_console.print(f"[red]error[/red]: could not compile: {n} error(s)")
            return exit_code_for(e.diagnostics)
        except ExecutionError as e:
            if getattr(e, "printed", ""):  # what print/println showed before the failure
                (error_console if getattr(args, "json", False) else console).print(
                    e.printed, markup=False, highlight=False, end=""
                )
            print_diagnostics([e.to_diagnostic()], ctx.get("sources"))
            return EXIT_FAIL
        except FormatError as e:
            error_console.print(f"[red]error[/red]: {escape(str(e))}", highlight=False)
            return EXIT_USAGE
        except OSError as e:
            error_console.print(
                f"[red]error[/red]: {escape(str(e.strerror or e))}: {escape(str(e.filename or ''))}", highlight=False
            )
            return EXIT_USAGE
        except Exception as e:
            # the lowering (sympy, numba) is imported only by commands that build circuits:
            # if it was never imported, no LoweringError can have been raised
            lower = sys.modules.get("psyc.ir.lower")
            if lower is None or not isinstance(e, lower.LoweringError):
                raise
            error_console.print(f"[red]error[/red]: cannot build the circuit: {escape(str(e))}", highlight=False)
            return EXIT_FAIL

    return wrapper


@contextlib.contextmanager
def step(label: str, timings: dict[str, float] | None = None) -> Iterator[None]:
    """A spinner on a terminal (nothing in a pipe); records the elapsed time."""
    t0 = time.perf_counter()
    if error_console.is_terminal:
        with error_console.status(label + "…"):
            yield
    else:
        yield
    if timings is not None:
        timings[label] = time.perf_counter() - t0


def refuse_overwrite(path: str | Path, magic: bytes) -> None:
    """Never overwrite a file that is not one of ours (a proof or key with ``magic``)."""
    import os

    if os.path.exists(path):
        with open(path, "rb") as f:
            head = f.read(len(magic))
        if head != magic:
            raise CompileError(
                [
                    Diagnostic(
                        "error",
                        "E0800",
                        f"refusing to overwrite {path}: it is not a psyc file of this kind",
                        [],
                        ["choose another path with -o"],
                    )
                ]
            )


def zk_label(on: bool) -> str:
    """How prove/verify/info show whether proofs hide the witness."""
    return "on (the proof hides the witness)" if on else "off (the proof may reveal witness values)"


def ok(message: str) -> None:
    console.print(message, highlight=False)


def is_pipe() -> bool:
    return not sys.stdout.isatty()


def compile_from_args(
    args: argparse.Namespace, ctx: dict, timings: dict[str, float] | None = None, warnings: bool = True
):
    """Open the project named by ``args.path``, compile its entry and print warnings.
    Returns (project, compiled program)."""
    from psyc.compiler import compile_project, open_project

    project, loader = open_project(args.path)
    ctx["sources"] = loader.sources
    with step("compiling", timings):
        prog = compile_project(project, loader, compile_options(args))
    prog.modules = list(loader.modules.values())
    if warnings:
        print_diagnostics(prog.warnings, loader.sources)
    return project, prog
