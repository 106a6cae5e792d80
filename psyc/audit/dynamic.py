"""Dynamic checks: from a satisfying witness, change what the prover chooses freely and
see whether the circuit still accepts.

The prover chooses every *hint* output: the results of ``unsafe { f(..) }`` calls in the
program, and the auxiliary values of the compiler's own gadgets (inverses, quotients,
limbs). Everything else follows from the inputs through gates. For each hint, the audit
tries small steps (±1), random values, boolean flips, pairs of outputs moved together and,
for 64-bit decompositions, the alias of x + p; for each candidate it re-derives the rest of
the witness with the circuit's own generators (the inputs stay fixed) and checks every
constraint. A candidate that satisfies all constraints is a second valid witness for the
same inputs:

* A0101 (error): it also changes the public output — a second valid output;
* A0102 (error): a compiler gadget's hint changes the output (a bug in psyc itself).

A second witness with the same public inputs and outputs proves the same statement and
is not reported (an inverse of 0, say, is free and harmless). Program hints are searched
by :mod:`psyc.audit.solve`: an SMT query for another output (``z3-solver``, in the
``audit`` extra), then each output perturbed with the others re-solved through the
equations they appear in; gadget hints by the perturbations below.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psyc.audit.findings import Finding
from psyc.field.goldilocks import P
from psyc.ir.lower import check, solve_witness
from psyc.plonk.target import Target
from psyc.plonk.witness import PartialWitness

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram
    from psyc.ir.interpret import Execution


@dataclass
class HintGroup:
    name: str
    span: object
    targets: list[Target]
    is_program_hint: bool
    bool_outputs: bool


def hint_groups(prog: CompiledProgram) -> list[HintGroup]:
    low = prog.lowered()
    by_id = {}
    for ins in prog.program.instrs:
        if ins.op == "hint":
            for r in ins.results:
                by_id[r.id] = ins
    groups: dict[int, HintGroup] = {}
    for v, t in low.hint_results:
        ins = by_id[v.id]
        g = groups.get(id(ins))
        if g is None:
            g = groups[id(ins)] = HintGroup(
                ins.attrs[0].name, ins.span, [], True, all(r.type == "bool" for r in ins.results)
            )
        g.targets.append(t)
    out = list(groups.values())
    program_targets = {t.index for g in out for t in g.targets}
    spans = _spans_by_scope(prog)
    for gen in low.builder.generators:
        if (gen.name.startswith("hint:") or gen.name == "limbs") and not any(
            t.index in program_targets for t in gen.outputs
        ):
            out.append(
                HintGroup(
                    gen.name.removeprefix("hint:"),
                    _span_in(spans, gen.scope),
                    list(gen.outputs),
                    False,
                    False,
                )
            )
    return out


_LOC = re.compile(r"\S+?\.psy:\d+:\d+")


def _span_in(spans: dict, scope: str):
    m = _LOC.search(scope)
    return spans.get(m.group(0)) if m else None


def _spans_by_scope(prog) -> dict[str, object]:
    """``file:line:col`` (the lowering's builder scope of an instruction) -> its span."""
    out = {}
    for ins in prog.program.instrs:
        if ins.span is not None:
            try:
                line, col = prog.sources.line_col(ins.span.file, ins.span.start)
            except KeyError:
                continue
            out.setdefault(f"{ins.span.file}:{line}:{col}", ins.span)
    return out


def _candidates(values: list[int], is_bool: bool, rng: random.Random, tries: int) -> list[dict[int, int]]:
    n = len(values)
    cands: list[dict[int, int]] = []
    if is_bool and n >= 64:  # a bit decomposition: try the alias of x + p
        x = sum(b << i for i, b in enumerate(values[:64]))
        if x + P < 1 << 64:
            alias = x + P
            cands.insert(0, {i: (alias >> i) & 1 for i in range(64)})
    for k, v in enumerate(values[:16]):
        if is_bool:
            cands.append({k: 1 - v})
        cands += [{k: (v + 1) % P}, {k: (v - 1) % P}, {k: rng.randrange(P)}, {k: (v + (1 << 32)) % P}]
    for k in range(min(n, 8)):
        for j in range(k + 1, min(n, 8)):
            cands += [
                {k: (values[k] + 1) % P, j: (values[j] - 1) % P},
                {k: (values[k] - 1) % P, j: (values[j] + 1) % P},
            ]
    if len(cands) > tries:
        head, rest = cands[: tries // 2], cands[tries // 2 :]  # the probes first, then a sample
        cands = head + rng.sample(rest, tries - len(head))
    return cands


@dataclass
class DynamicStats:
    """What the dynamic search did: candidate witnesses tried, SMT verdicts."""

    tries: int = 0
    smt: str = "unavailable"  # z3's use: "unavailable", "used", "unsupported" (an op it does not model)
    proved_no_second_output: bool = False  # z3 said unsat for this input


def _validate(prog, low, data, base, over: dict[int, int]):
    """The circuit's verdict on IR hint values ``over``: public inputs of the second
    witness, or None when some constraint fails."""
    po = data.prover_only
    pw = PartialWitness()
    pw.values = dict(base.values)
    for v, t in low.hint_results:
        if v.id in over:
            pw.values[t] = over[v.id]
    if check(low, data, pw, limit=1):
        return None
    values, _ = solve_witness(data, pw)
    return [values[c] for c in po.public_input_classes]


def _program_hint_findings(prog, run, rng, tries: int, stats: DynamicStats) -> list[Finding]:
    """A second output through the program's own hints: SMT, then pivot + propagation."""
    from psyc.audit.solve import Evaluator, pivot_values, propagate, smt_available, smt_second_output

    low = prog.lowered()
    data = prog.circuit()
    po = data.prover_only
    base = low.partial_witness(run)
    base_values, _ = solve_witness(data, base)
    base_pis = [base_values[c] for c in po.public_input_classes]
    ev = Evaluator(prog.program, list(run.values))
    if not ev.hints:
        return []
    span_of = {r.id: ins for ins in prog.program.instrs if ins.op == "hint" for r in ins.results}

    def finding(over: dict[int, int], pis: list[int], how: str) -> Finding:
        changed = [k for k, v in over.items() if v != ev.base[k]]
        ins = span_of[changed[0]] if changed else next(iter(span_of.values()))
        moved = ", ".join(f"`{span_of[k].attrs[0].name}` output %{k}: {ev.base[k]} → {over[k]}" for k in changed[:4])
        return Finding(
            "A0101",
            "error",
            f"second valid output: the result of unconstrained `{ins.attrs[0].name}` can change and the "
            "circuit still accepts",
            ins.span,
            "under-constrained",
            [moved, f"public inputs/outputs {base_pis} → {pis}", f"found by {how}",
             "constrain the result (assert, range checks)"],
        )

    candidates: list[tuple[dict[int, int], str]] = []
    if smt_available():
        stats.tries += 1
        verdict, model = smt_second_output(ev, timeout_ms=3000)
        stats.smt = "used" if verdict != "unsupported" else "unsupported"
        if verdict == "sat":
            candidates.append((model, "the SMT solver (z3)"))
        elif verdict == "unsat":
            stats.proved_no_second_output = True
    for over, how in candidates:
        pis = _validate(prog, low, data, base, over)
        if pis is not None and pis != base_pis:
            return [finding(over, pis, how)]
    if stats.proved_no_second_output:
        return []
    # direct probes (neighbours, random values, pairs, the x + p alias of a 64-bit decomposition)
    for g in hint_groups(prog):
        if g.is_program_hint:
            hit = _perturb_group(g, low, data, base, base_values, base_pis, rng, tries, stats)
            if hit is not None:
                changed, pis = hit
                return [Finding(
                    "A0101",
                    "error",
                    f"second valid output: the result of unconstrained `{g.name}` can change and the circuit "
                    "still accepts",
                    g.span,
                    "under-constrained",
                    [changed, f"public inputs/outputs {base_pis} → {pis}", "constrain the result (assert, range checks)"],
                )]
    budget = 40 * tries  # program re-evaluations per input set (propagation's cost)
    # pivots: the hint outputs the public output depends on first (moving those changes it)
    to_output = prog.program.values_reaching(lambda ins: ins.op == "output")
    pivots = sorted(ev.hints, key=lambda r: r.id not in to_output)[:64]
    for r in pivots:
        for value in pivot_values(ev.base[r.id], r.type, rng, max(4, tries // 6)):
            if ev.evaluations > budget:
                return []
            stats.tries += 1
            over = propagate(ev, r.id, value)
            if over is None:
                continue
            pis = _validate(prog, low, data, base, over)
            if pis is not None and pis != base_pis:
                return [finding(over, pis, "perturbing one output and re-solving the others")]
    return []


def dynamic_findings(
    prog: CompiledProgram, run: Execution, seed: int = 0, tries: int = 48, stats: DynamicStats | None = None
) -> list[Finding]:
    """Second witnesses for the inputs of ``run``: through the program's hints (SMT, then
    perturbation with propagation: A0101) and through the compiler's gadget hints
    (perturbation: A0102, a psyc bug). ``stats`` collects what was tried."""
    stats = stats if stats is not None else DynamicStats()
    low = prog.lowered()
    data = prog.circuit()
    po = data.prover_only
    base = low.partial_witness(run)
    base_values, failures = solve_witness(data, base)
    if failures:
        raise RuntimeError(f"the honest witness does not satisfy the circuit: {failures[0]}")
    base_pis = [base_values[c] for c in po.public_input_classes]
    rng = random.Random(seed)
    findings: list[Finding] = _program_hint_findings(prog, run, rng, tries, stats)
    for g in hint_groups(prog):
        if g.is_program_hint:
            continue  # searched above
        hit = _perturb_group(g, low, data, base, base_values, base_pis, rng, tries, stats)
        if hit is not None:
            changed, pis = hit
            findings.append(
                Finding(
                    "A0102",
                    "error",
                    f"compiler gadget `{g.name}` is under-constrained (a psyc bug: please report it)",
                    g.span,
                    "here",
                    [changed, f"public output {base_pis} → {pis}"],
                )
            )
    return findings


def _perturb_group(g, low, data, base, base_values, base_pis, rng, tries, stats):
    """(what changed, new public inputs) for a perturbation of ``g``'s outputs that the
    circuit accepts with another public output, else None. (A perturbation that changes
    nothing public — an inverse of 0, say — is a harmless free value.)"""
    po = data.prover_only
    tc = po.target_class
    current = [base_values[tc[t.index]] for t in g.targets]
    if any(v is None for v in current):
        return None
    for cand in _candidates(current, g.bool_outputs, rng, tries):
        stats.tries += 1
        pw = PartialWitness()
        pw.values = dict(base.values)
        for k, v in cand.items():
            pw.values[g.targets[k]] = v
        if check(low, data, pw, limit=1):
            continue
        values, _ = solve_witness(data, pw)
        pis = [values[c] for c in po.public_input_classes]
        if pis != base_pis:
            changed = ", ".join(f"output {k} of `{g.name}`: {current[k]} → {v}" for k, v in list(cand.items())[:4])
            return changed, pis
    return None
