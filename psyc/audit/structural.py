"""Structural checks on the IR, before any witness exists.

* A0001: a hint (unconstrained call) whose results reach no constraint;
* A0002: a public input that no constraint or output depends on (it is bound to the proof
  but says nothing about the computation);
* A0003: a verified proof whose fingerprint is never pinned (a proof of any circuit would
  be accepted).
"""

from __future__ import annotations

from psyc.audit.findings import Finding
from psyc.compiler import SINKS, unconstrained_hint_warnings, unpinned_fingerprint_warnings
from psyc.ir.ir import Program


def structural_findings(raw: Program) -> list[Finding]:
    """Checks on the program as elaborated (before the passes delete unused values)."""
    out = [
        Finding.from_diagnostic("A0001", d, "computed off-circuit and never checked")
        for d in unconstrained_hint_warnings(raw)
    ]
    out += [
        Finding.from_diagnostic("A0003", d, "any circuit's proof is accepted here")
        for d in unpinned_fingerprint_warnings(raw)
    ]
    used = raw.values_reaching(lambda ins: ins.op in SINKS and ins.op not in ("range_check", "assert_bool"))
    for ins in raw.instrs:
        if ins.op == "input" and ins.attrs[1] and ins.result.id not in used:
            name = str(ins.attrs[0]).split("#")[0]
            out.append(
                Finding(
                    "A0002",
                    "warning",
                    f"public input `{name}` does not influence any constraint",
                    ins.span,
                    "unused public input",
                    ["the proof binds its value, but no assertion or output depends on it"],
                )
            )
    return _dedupe(out)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.message, f.span)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
