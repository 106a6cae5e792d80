"""``psyc audit``: structural checks on the IR plus dynamic perturbation of a witness."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from psyc.audit.dynamic import dynamic_findings
from psyc.audit.findings import Finding
from psyc.audit.structural import structural_findings
from psyc.compiler import CompileOptions, compile_project
from psyc.frontend import types as ty
from psyc.ir.interpret import ExecutionError


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    witness: str = ""  # where the satisfying witness came from
    hints_checked: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings


def random_inputs(params, rng: random.Random) -> list[list[int]]:
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
    project,
    loader,
    options: CompileOptions | None = None,
    inputs_path=None,
    seed: int = 0,
    tries: int = 48,
    attempts: int = 64,
    static_only: bool = False,
) -> AuditReport:
    options = options or CompileOptions()
    report = AuditReport()
    raw = compile_project(project, loader, dataclasses.replace(options, optimize=False))
    report.findings += structural_findings(raw.program)
    if static_only:
        report.witness = "none (structural checks only)"
        return report
    prog = compile_project(project, loader, options)
    if inputs_path is not None or project.default_inputs is not None or not prog.params:
        inputs = prog.read_inputs(inputs_path)
        run = prog.execute(inputs)  # an ExecutionError here is the user's to fix: let it surface
        report.witness = str(inputs_path or project.default_inputs or "no inputs")
    else:
        rng = random.Random(seed)
        run = None
        for _ in range(attempts):
            inputs = random_inputs(prog.params, rng)
            try:
                run = prog.execute(inputs)
                break
            except ExecutionError:
                continue
        if run is None:
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
        report.witness = f"random inputs (seed {seed})"
    report.findings += dynamic_findings(prog, run, seed, tries)
    return report
