"""``psyc fuzz``: property-based fuzzing of ``#[fuzz]`` functions.

Arguments are drawn from :mod:`psyc.testing` strategies (edge values favoured); a run
fails when the function's execution fails (a failing assertion, overflow, division by
zero, out-of-bounds index). Hypothesis shrinks a failure to a minimal input, replays the
saved corpus (``target/fuzz/``) first on the next run, and a seed makes runs reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hyp_seed
from hypothesis.database import DirectoryBasedExampleDatabase

from psyc.compiler import CompileOptions, compile_project
from psyc.frontend import ast
from psyc.ir.interpret import ExecutionError
from psyc.testing import inputs_for

if TYPE_CHECKING:
    from psyc.frontend.modules import Module, ModuleLoader
    from psyc.project.manifest import Project


@dataclass
class FuzzResult:
    fn: str
    runs: int
    error: ExecutionError | None = None
    inputs: list[list[int]] | None = None
    params: list | None = None
    saved: Path | None = None

    @property
    def passed(self) -> bool:
        return self.error is None


def fuzz_targets(module: Module) -> list[str]:
    return [
        name
        for name, it in module.items.items()
        if isinstance(it, ast.FnDecl) and any(a.name == "fuzz" for a in it.attributes)
    ]


def fuzz_function(
    project: Project,
    loader: ModuleLoader,
    fn_name: str,
    runs: int = 200,
    seed: int = 0,
    corpus: Path | None = None,
    on_run: Callable[[], None] | None = None,
) -> FuzzResult:
    prog = compile_project(project, loader, CompileOptions(), fn_name=fn_name)
    result = FuzzResult(fn_name, 0, params=prog.params)
    if not prog.params:
        raise ValueError(f"#[fuzz] function `{fn_name}` takes no arguments: make it a #[test]")
    failing: dict = {}
    db = DirectoryBasedExampleDatabase(str(corpus)) if corpus is not None else None

    @hyp_seed(seed)
    @settings(
        max_examples=runs,
        database=db,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )
    @given(inputs_for(prog.params))
    def prop(inputs):
        result.runs += 1
        if on_run is not None:
            on_run()
        try:
            prog.execute(inputs)
        except ExecutionError as e:
            failing["inputs"], failing["error"] = inputs, e
            raise

    try:
        prop()
    except ExecutionError:
        result.error, result.inputs = failing["error"], failing["inputs"]
    return result
