"""``psyc fuzz``: fuzz the #[fuzz] functions of a project; exit 1 on a failure."""

from __future__ import annotations

import argparse

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, add_path, ok, print_diagnostics, user_errors
from psyc.cli.console import error_console

HELP = "fuzz #[fuzz] functions with generated arguments; shrinks a failure to a minimal input"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--fn", dest="fn", help="fuzz only this function (any function of src/main.psy)")
    p.add_argument("--runs", type=int, default=200, help="examples per function (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed: the same seed gives the same run")


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.audit.fuzz import fuzz_function, fuzz_targets
    from psyc.compiler import open_project, root_module
    from psyc.project.inputs import write_inputs_toml

    project, loader = open_project(args.path)
    ctx["sources"] = loader.sources
    module = root_module(project, loader)
    names = [args.fn] if args.fn else fuzz_targets(module)
    if not names:
        error_console.print("no #[fuzz] functions in src/main.psy (or name one with --fn)")
        return EXIT_USAGE
    corpus = project.root / "target" / "fuzz"
    failed = 0
    for name in names:
        with Progress(
            TextColumn(f"fuzz {name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=error_console,
            disable=not error_console.is_terminal,
            transient=True,
        ) as bar:
            task = bar.add_task(name, total=args.runs)
            res = fuzz_function(
                project,
                loader,
                name,
                args.runs,
                args.seed,
                corpus / name,
                lambda task=task: bar.advance(task),
            )
        if res.passed:
            ok(f"fuzz {name} ... [green]ok[/green] ({res.runs} runs, seed {args.seed})")
            continue
        failed += 1
        ok(
            f"fuzz {name} ... [red]FAILED[/red] after {res.runs} runs (seed {args.seed}); minimal failing input:"
        )
        params = [(n, t) for n, t, _ in res.params]
        text = write_inputs_toml(params, res.inputs, type_comments=False)
        print(text)
        corpus.mkdir(parents=True, exist_ok=True)
        saved = corpus / f"{name}.failure.toml"
        saved.write_text(text)
        print_diagnostics([res.error.to_diagnostic()], loader.sources)
        ok(f"saved to {saved}; replay with: psyc execute {args.path} --entry {name} --inputs {saved}")
    return EXIT_FAIL if failed else EXIT_OK
