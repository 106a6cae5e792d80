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
* A0100 (error): a program hint result can take another value (under-constrained);
* A0102 (error): a compiler gadget's hint changes the output (a bug in psyc itself).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from psyc.audit.findings import Finding
from psyc.field.goldilocks import P
from psyc.ir.lower import check, solve_witness
from psyc.plonk.target import Target
from psyc.plonk.witness import PartialWitness


@dataclass
class HintGroup:
    name: str
    span: object
    targets: list[Target]
    is_program_hint: bool
    bool_outputs: bool


def hint_groups(prog) -> list[HintGroup]:
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


def dynamic_findings(prog, run, seed: int = 0, tries: int = 48) -> list[Finding]:
    low = prog.lowered()
    data = prog.circuit()
    po = data.prover_only
    base = low.partial_witness(run)
    base_values, failures = solve_witness(data, base)
    if failures:
        raise RuntimeError(f"the honest witness does not satisfy the circuit: {failures[0]}")
    base_pis = [base_values[c] for c in po.public_input_classes]
    rng = random.Random(seed)
    findings: list[Finding] = []
    tc = po.target_class
    for g in hint_groups(prog):
        current = [base_values[tc[t.index]] for t in g.targets]
        if any(v is None for v in current):
            continue
        for cand in _candidates(current, g.bool_outputs, rng, tries):
            pw = PartialWitness()
            pw.values = dict(base.values)
            for k, v in cand.items():
                pw.values[g.targets[k]] = v
            if check(low, data, pw, limit=1):
                continue
            values, _ = solve_witness(data, pw)
            pis = [values[c] for c in po.public_input_classes]
            changed = ", ".join(
                f"output {k} of `{g.name}`: {current[k]} → {v}" for k, v in list(cand.items())[:4]
            )
            if not g.is_program_hint:
                if pis != base_pis:
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
                    break
                continue  # a free auxiliary value that changes nothing (e.g. an inverse of 0)
            if pis != base_pis:
                findings.append(
                    Finding(
                        "A0101",
                        "error",
                        f"second valid output: the result of unconstrained "
                        f"`{g.name}` can change and the circuit still accepts",
                        g.span,
                        "under-constrained",
                        [
                            changed,
                            f"public inputs/outputs {base_pis} → {pis}",
                            "constrain the result (assert, range checks)",
                        ],
                    )
                )
            else:
                findings.append(
                    Finding(
                        "A0100",
                        "error",
                        f"the result of unconstrained `{g.name}` is "
                        "under-constrained: another value satisfies every constraint",
                        g.span,
                        "under-constrained",
                        [changed],
                    )
                )
            break
    return findings
