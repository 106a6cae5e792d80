"""``psyc test``: run the project's ``#[test]`` functions (``--prove`` also proves each)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.cli.common import EXIT_FAIL, EXIT_OK, add_path, ok, user_errors
from psyc.cli.console import console, error_console, escape

if TYPE_CHECKING:
    from psyc.compiler import TestCase
    from psyc.frontend.modules import ModuleLoader
    from psyc.project.manifest import Project

HELP = "run every #[test] function (execution and constraint check; --prove also proves and verifies)"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--prove", action="store_true", help="also prove and verify every passing test")
    p.add_argument("--filter", help="run only tests whose name contains this")
    p.add_argument("--std", action="store_true", help="run the standard library's tests instead")
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument(
        "--show-output", action="store_true", help="show what print/println showed in passing tests too"
    )


def load_all(loader: ModuleLoader, base: Path, prefix: str, main: Path | None = None) -> list:
    mods = []
    for path in sorted(base.rglob("*.psy")):
        rel = path.relative_to(base).with_suffix("")
        parts = [p for p in rel.parts if p != "mod"]
        if main is not None and path.resolve() == main.resolve():
            name = "crate"
        else:
            name = "::".join([prefix, *parts])
        mods.append(loader.load_file(name, path))
    return mods


def module_name(project: Project, path: Path) -> str:
    """``crate`` for the crate root, ``crate::a::b`` for src/a/b.psy (``mod.psy`` names its folder)."""
    path = path.resolve()
    src = project.src_dir.resolve()
    if project.manifest is None or not path.is_relative_to(src):
        return "crate"
    rel = path.relative_to(src).with_suffix("")
    if rel.parts == ("main",):
        return "crate"
    return "::".join(["crate", *[p for p in rel.parts if p != "mod"]])


def run_case(loader: ModuleLoader, case: TestCase, prove: bool, max_unroll: int) -> tuple[bool, str, str]:
    """(passed, why it failed, what its print/println calls showed)."""
    from psyc.compiler import compile_test
    from psyc.ir import interpret, passes
    from psyc.ir.interpret import ExecutionError
    from psyc.ir.lower import check, lower
    from psyc.util.diagnostics import CompileError, render

    try:
        prog = compile_test(loader, case, max_unroll)
        passes.optimize(prog)
        pw_source = interpret.run(prog, [])
        printed = pw_source.printed
        low = lower(prog, None, loader.sources)
        data = low.build()
        failures = check(low, data, low.partial_witness(pw_source))
        if failures:
            return False, f"constraint check failed: {failures[0]}", printed
        if prove:
            data.verify(data.prove(low.partial_witness(pw_source)))
    except ExecutionError as e:
        printed = getattr(e, "printed", "")
        if case.should_fail_with is not None and case.should_fail_with in e.message:
            return True, "", printed
        return False, render(e.to_diagnostic(), loader.sources), printed
    except CompileError as e:
        return False, "\n".join(render(d, loader.sources) for d in e.diagnostics), ""
    if case.should_fail_with is not None:
        return False, f'expected a failure containing "{case.should_fail_with}", but the test passed', printed
    return True, "", printed


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.compiler import discover_tests, open_project
    from psyc.frontend.modules import ModuleLoader, stdlib_dir

    if args.std:
        from psyc.util.diagnostics import SourceMap

        loader = ModuleLoader(stdlib_dir(), SourceMap())
        ctx["sources"] = loader.sources
        modules = load_all(loader, stdlib_dir(), "std")
        max_unroll, title = 1 << 20, "std"
    else:
        project, loader = open_project(args.path)
        ctx["sources"] = loader.sources
        one_file = Path(args.path)
        if one_file.suffix == ".psy" and one_file.is_file():
            # that file's tests only; its imports load on demand as it is compiled
            modules = [loader.load_file(module_name(project, one_file), one_file)]
            title = f"{project.name} ({one_file})"
        else:
            modules = load_all(loader, project.src_dir, "crate", project.main_file)
            title = project.name
        max_unroll = project.max_unroll
    cases = discover_tests(loader, modules)
    total = len(cases)
    if args.filter:
        cases = [c for c in cases if args.filter in c.name]
    ok(f"running {len(cases)} test(s) of `{escape(title)}`")
    failed = []
    results = []
    t0 = time.perf_counter()
    for case in cases:
        passed, detail, printed = run_case(loader, case, args.prove, max_unroll)
        results.append({"name": case.name, "passed": passed, "detail": detail, "output": printed})
        ok(f"test {case.name} ... " + ("[green]ok[/green]" if passed else "[red]FAILED[/red]"))
        if passed and printed and args.show_output:
            ok(f"---- {case.name} output ----")
            console.print(printed, markup=False, highlight=False, end="")
        if not passed:
            failed.append((case, detail, printed))
    for case, detail, printed in failed:
        ok(f"\n---- {case.name} ----")
        if printed:  # like cargo test: a failing test's output is shown
            console.print(printed, markup=False, highlight=False, end="")
        error_console.print(detail, markup=False, highlight=False)
    elapsed = time.perf_counter() - t0
    status = "[green]ok[/green]" if not failed else "[red]FAILED[/red]"
    ok(f"\ntest result: {status}. {len(cases) - len(failed)} passed; {len(failed)} failed ({elapsed:.2f} s)")
    if args.json:
        print(json.dumps({
            "passed": len(cases) - len(failed), "failed": len(failed), "tests": results, "seconds": round(elapsed, 3),
        }))
    if not cases and args.filter:  # a typo in --filter must not look like a green run
        error_console.print(
            f"[red]error[/red]: no test name contains {escape(repr(args.filter))} ({total} test(s) in all); nothing ran",
            highlight=False,
        )
        return EXIT_FAIL
    if not cases:
        error_console.print("[yellow]warning[/yellow]: no #[test] functions found", highlight=False)
    return EXIT_FAIL if failed else EXIT_OK
