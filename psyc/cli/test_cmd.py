"""``psyc test``: run the project's ``#[test]`` functions (``--prove`` also proves each)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from psyc.cli.common import EXIT_FAIL, EXIT_OK, add_path, ok, print_diagnostics, user_errors

HELP = "run every #[test] function (execution and constraint check; --prove also proves and verifies)"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--prove", action="store_true", help="also prove and verify every passing test")
    p.add_argument("--filter", help="run only tests whose name contains this")
    p.add_argument("--std", action="store_true", help="run the standard library's tests instead")


def load_all(loader, base: Path, prefix: str, main: Path | None = None) -> list:
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


def run_case(loader, case, prove: bool, max_unroll: int) -> tuple[bool, str]:
    from psyc.compiler import compile_test
    from psyc.frontend.diagnostics import CompileError, render
    from psyc.ir import interpret, passes
    from psyc.ir.interpret import ExecutionError
    from psyc.ir.lower import check, lower

    try:
        prog = compile_test(loader, case, max_unroll)
        passes.optimize(prog)
        pw_source = interpret.run(prog, [])
        low = lower(prog, None, loader.sources)
        data = low.build()
        failures = check(low, data, low.partial_witness(pw_source))
        if failures:
            return False, f"constraint check failed: {failures[0]}"
        if prove:
            data.verify(data.prove(low.partial_witness(pw_source)))
    except ExecutionError as e:
        if case.should_fail_with is not None and case.should_fail_with in e.message:
            return True, ""
        return False, render(e.to_diagnostic(), loader.sources)
    except CompileError as e:
        return False, "\n".join(render(d, loader.sources) for d in e.diagnostics)
    if case.should_fail_with is not None:
        return False, f'expected a failure containing "{case.should_fail_with}", but the test passed'
    return True, ""


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.compiler import discover_tests, open_project
    from psyc.frontend.modules import ModuleLoader, stdlib_dir

    if args.std:
        from psyc.frontend.diagnostics import SourceMap

        loader = ModuleLoader(stdlib_dir(), SourceMap())
        ctx["sources"] = loader.sources
        modules = load_all(loader, stdlib_dir(), "std")
        max_unroll, title = 1 << 20, "std"
    else:
        project, loader = open_project(args.path)
        ctx["sources"] = loader.sources
        modules = load_all(loader, project.src_dir, "crate", project.main_file)
        max_unroll, title = project.max_unroll, project.name
    cases = discover_tests(loader, modules)
    if args.filter:
        cases = [c for c in cases if args.filter in c.name]
    ok(f"running {len(cases)} test(s) of `{title}`")
    failed = []
    t0 = time.perf_counter()
    for case in cases:
        passed, detail = run_case(loader, case, args.prove, max_unroll)
        ok(f"test {case.name} ... " + ("[green]ok[/green]" if passed else "[red]FAILED[/red]"))
        if not passed:
            failed.append((case, detail))
    for case, detail in failed:
        ok(f"\n---- {case.name} ----")
        print_diagnostics([], None)
        print(detail)
    status = "[green]ok[/green]" if not failed else "[red]FAILED[/red]"
    ok(
        f"\ntest result: {status}. {len(cases) - len(failed)} passed; {len(failed)} failed "
        f"({time.perf_counter() - t0:.2f} s)"
    )
    return EXIT_FAIL if failed else EXIT_OK
