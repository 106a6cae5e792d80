"""``psyc fuzz``: fuzz the #[fuzz] functions of a project; exit 1 on a failure."""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    add_json,
    add_path,
    ok,
    positive_int,
    print_diagnostics,
    user_errors,
)
from psyc.cli.console import console, error_console, escape

HELP = "fuzz #[fuzz] functions with generated arguments; shrinks a failure to a minimal input"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--fn", dest="fn", help="fuzz only this function (any function of src/main.psy)")
    p.add_argument("--runs", type=positive_int, default=200, help="examples per function (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed: the same seed gives the same run")
    add_json(p, "each function's result (and a failure's minimal input)")


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.audit.fuzz import fuzz_targets
    from psyc.compiler import open_project, root_module

    project, loader = open_project(args.path)
    ctx["sources"] = loader.sources
    module = root_module(project, loader)
    names = [args.fn] if args.fn else fuzz_targets(module)
    if not names:
        error_console.print(
            f"error: no #[fuzz] functions in {project.main_file} (mark one with #[fuzz], or name one with --fn)",
            markup=False,
            highlight=False,
        )
        return EXIT_USAGE
    corpus = project.root / "target" / "fuzz"
    # hypothesis keeps its own files under .hypothesis/ in the working directory unless told
    # otherwise: keep everything fuzzing writes under target/fuzz/ (git-ignored by `psyc new`)
    import hypothesis.configuration as hyp_config

    saved_home = getattr(hyp_config, "__hypothesis_home_directory", None)
    hyp_config.set_hypothesis_home_dir(str(corpus / ".hypothesis"))
    try:
        return _fuzz(args, project, loader, names, corpus)
    finally:
        hyp_config.set_hypothesis_home_dir(saved_home)  # in-process callers keep theirs


def _fuzz(args: argparse.Namespace, project, loader, names: list[str], corpus) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from psyc.audit.fuzz import fuzz_function
    from psyc.project.inputs import write_inputs_toml

    failed = 0
    results = []
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
            try:
                res = fuzz_function(
                    project,
                    loader,
                    name,
                    args.runs,
                    args.seed,
                    corpus / name,
                    lambda task=task: bar.advance(task),
                )
            except ValueError as e:  # e.g. a #[fuzz] function without parameters
                error_console.print(f"error: {e}", markup=False, highlight=False)
                return EXIT_USAGE
        if res.passed:
            results.append({"function": name, "passed": True, "runs": res.runs})
            ok(f"fuzz {name} ... [green]ok[/green] ({res.runs} runs, seed {args.seed})")
            continue
        failed += 1
        ok(
            f"fuzz {name} ... [red]FAILED[/red] after {res.runs} runs (seed {args.seed}); minimal failing input:"
        )
        params = [(n, t) for n, t, _ in res.params]
        text = write_inputs_toml(params, res.inputs, type_comments=False)
        console.print(text, markup=False, highlight=False)
        corpus.mkdir(parents=True, exist_ok=True)
        saved = corpus / f"{name}.failure.toml"
        saved.write_text(text)
        print_diagnostics([res.error.to_diagnostic()], loader.sources)
        replay = f"psyc execute {args.path} --entry {name} --inputs {saved}"
        ok(f"saved to {escape(str(saved))}; replay with: {escape(replay)}")
        results.append({
            "function": name, "passed": False, "runs": res.runs, "inputs": text, "saved": str(saved),
            "error": res.error.message, "code": res.error.to_diagnostic().code, "replay": replay,
        })
    if args.json:
        print(json.dumps({"seed": args.seed, "failed": failed, "functions": results}))
    return EXIT_FAIL if failed else EXIT_OK
