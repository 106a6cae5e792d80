"""``psyc audit``: structural checks on the IR plus dynamic perturbation of a witness."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psyc.audit.dynamic import DynamicStats, dynamic_findings
from psyc.audit.findings import Finding
from psyc.audit.structural import structural_findings
from psyc.compiler import CompileOptions, compile_project
from psyc.frontend import types as ty
from psyc.ir.interpret import ExecutionError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from psyc.frontend.modules import ModuleLoader
    from psyc.frontend.types import Type
    from psyc.project.manifest import Project


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    witness: str = ""  # where the satisfying witnesses came from
    hints_checked: int = 0
    tries: int = 0  # candidate second witnesses tried (0: the dynamic search did not run)
    inputs: int = 0  # input sets searched
    proved: int = 0  # of those, inputs for which the SMT solver proved no second output exists
    smt: str = "unavailable"

    @property
    def clean(self) -> bool:
        """No findings. Not a proof of soundness: see :meth:`summary`."""
        return not self.findings

    def summary(self) -> str:
        """What the search established, in words (never "clean" when nothing was tried)."""
        if not self.inputs:
            return "the dynamic search did not run (no witness)"
        text = f"no second witness found in {self.tries} tries over {self.inputs} input set(s)"
        if self.proved:
            text += f"; the SMT solver proved that no second output exists for {self.proved} of them"
        elif self.smt == "unavailable":
            text += " (the SMT search needs z3-solver: the audit extra)"
        return text


def random_inputs(params: Sequence[tuple[str, Type, bool]], rng: random.Random) -> list[list[int]]:
    """Random values of each parameter's type, edge values mixed in."""
    out = []
    for _, t, _ in params:
        vals = []
        for s in ty.leaf_types(t):
            top = s.max_value
            vals.append(rng.choice([0, 1, top, rng.randrange(top + 1), rng.randrange(min(top, 1000) + 1)]))
        out.append(vals)
    return out


def audit_project(
    project: Project,
    loader: ModuleLoader,
    options: CompileOptions | None = None,
    inputs_path: str | Path | None = None,
    seed: int = 0,
    tries: int = 48,
    attempts: int = 64,
    static_only: bool = False,
    input_sets: int = 4,
) -> AuditReport:
    """Structural checks, then a search for a second witness on up to ``input_sets``
    satisfying inputs (the inputs file first, then random ones)."""
    options = options or CompileOptions()
    report = AuditReport()
    raw = compile_project(project, loader, dataclasses.replace(options, optimize=False))
    report.findings += structural_findings(raw.program)
    if static_only:
        report.witness = "none (structural checks only)"
        return report
    prog = compile_project(project, loader, options)
    runs: list[tuple[str, object]] = []
    if inputs_path is not None or project.default_inputs is not None or not prog.params:
        inputs = prog.read_inputs(inputs_path)
        runs.append((str(inputs_path or project.default_inputs or "no inputs"), prog.execute(inputs)))
        # (an ExecutionError here is the user's to fix: let it surface)
    if prog.params:  # more than one input: a bug may need a particular one (x = 0, …)
        rng = random.Random(seed)
        seen = set()
        for _ in range(attempts):
            if len(runs) >= input_sets:
                break
            inputs = random_inputs(prog.params, rng)
            key = repr(inputs)
            if key in seen:
                continue
            seen.add(key)
            try:
                runs.append((f"random inputs (seed {seed})", prog.execute(inputs)))
            except ExecutionError:
                continue
    if not runs:
        report.witness = "none"
        report.findings.append(
            Finding(
                "A0200",
                "warning",
                f"no satisfying inputs found in {attempts} random tries: the dynamic checks did not run",
                None,
                notes=["pass a valid inputs file with --inputs"],
            )
        )
        return report
    report.witness = ", ".join(dict.fromkeys(name for name, _ in runs))
    for k, (_, run) in enumerate(runs):
        stats = DynamicStats()
        found = dynamic_findings(prog, run, seed + k, tries, stats)
        report.tries += stats.tries
        report.inputs += 1
        report.proved += int(stats.proved_no_second_output)
        report.smt = stats.smt if stats.smt != "unavailable" else report.smt
        if found:
            report.findings += found
            break
    return report
