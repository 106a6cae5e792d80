"""Searching for a second witness of a program's hints (``psyc audit``'s dynamic check).

The prover chooses every hint output; the inputs are fixed. A *second witness* is another
choice of hint outputs that passes every check of the program. Moving one hint output at a
time cannot find one when two outputs must move together (``q·b + r == a`` with no
``r < b``: q − 1 needs r + b), so the search re-solves the others:

1. **Propagation** (:func:`propagate`): perturb one hint output (the *pivot*), then, while
   some equation fails (``assert_eq``, ``assert``, ``assert_bool``), solve it for one other
   hint output it depends on, assuming it is affine in that output (two evaluations give
   the slope; one field division the root) and keep the step if fewer checks fail.
2. **SMT** (:func:`smt_second_output`, with ``z3-solver`` from the ``audit`` extra): the
   program's checks over every hint output as unknowns (field arithmetic modulo p, integer
   types bounded), asking for *another public output*. ``sat`` gives a candidate, ``unsat``
   proves that none exists for these inputs.

Candidates are only proposals: the caller validates each against the circuit itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from psyc.field.goldilocks import P
from psyc.ir.interpret import TYPE_MAX, ExecutionError
from psyc.ir.ir import INT_TYPES, Program
from psyc.ir.ops import OPS

if TYPE_CHECKING:
    import random

EQUATIONS = ("assert_eq", "assert", "assert_bool")


class Evaluator:
    """Re-runs a program's instructions with some hint outputs overridden, never stopping:
    every equation's residual (0 when it holds) and every other failing check is recorded."""

    def __init__(self, prog: Program, base: list) -> None:
        self.prog, self.base = prog, base
        self.instrs = prog.instrs
        self.hints = [r for ins in self.instrs if ins.op == "hint" for r in ins.results]
        self.hint_ids = {r.id for r in self.hints}
        # hint outputs each instruction depends on (forward propagation of the hint sets)
        deps: dict[int, frozenset[int]] = {r.id: frozenset({r.id}) for r in self.hints}
        self.check_deps: dict[int, frozenset[int]] = {}
        for k, ins in enumerate(self.instrs):
            if ins.op == "hint":
                continue
            d = frozenset().union(*(deps.get(a.id, frozenset()) for a in ins.args))
            for r in ins.results:
                deps[r.id] = d
            if not ins.results:
                self.check_deps[k] = d
        self.evaluations = 0

    def run(self, over: dict[int, int]) -> tuple[list, dict[int, int], int, list[int]]:
        """(values, equation residuals by instruction index, number of other failing
        checks, outputs) with the hint outputs in ``over`` replaced."""
        self.evaluations += 1
        vals = list(self.base)
        residuals: dict[int, int] = {}
        failures = 0
        outputs = []
        for k, ins in enumerate(self.instrs):
            op = ins.op
            if op in ("input", "proof_input", "verify_proof", "print"):
                continue
            if op == "hint":
                for r in ins.results:
                    vals[r.id] = over.get(r.id, self.base[r.id])
                continue
            if op == "output":
                outputs.append(vals[ins.args[0].id])
                continue
            if ins.predicated and op in EQUATIONS + ("range_check",) and not vals[ins.args[-1].id]:
                if op in EQUATIONS:
                    residuals[k] = 0
                continue
            if op in EQUATIONS:
                x = vals[ins.args[0].id]
                if op == "assert_eq":
                    residuals[k] = (x - vals[ins.args[1].id]) % P
                elif op == "assert":
                    residuals[k] = (x - 1) % P
                else:
                    residuals[k] = x * (x - 1) % P
                continue
            try:
                OPS[op].interpret(ins, vals)
            except ExecutionError:
                failures += 1
                _fallback(ins, vals)
            except (TypeError, ZeroDivisionError, IndexError, ValueError):
                failures += 1
                _fallback(ins, vals)
        return vals, residuals, failures, outputs


def _fallback(ins, vals) -> None:
    """A failed operation's result as the field computes it (so later residuals stay
    meaningful): exact arithmetic modulo p, 0 otherwise."""
    a = [vals[x.id] or 0 for x in ins.operands]
    if ins.op in ("add", "sub", "mul") and len(a) >= 2:
        v = {"add": a[0] + a[1], "sub": a[0] - a[1], "mul": a[0] * a[1]}[ins.op] % P
        vals[ins.results[0].id] = v
        return
    for r in ins.results:
        vals[r.id] = a[0] % P if ins.op == "cast" and a else 0


def _bad(residuals: dict[int, int], failures: int) -> int:
    return sum(1 for r in residuals.values() if r) + failures


def propagate(ev: Evaluator, pivot: int, value: int, rounds: int = 6, width: int = 12) -> dict[int, int] | None:
    """Hint outputs (by value id) with ``pivot`` set to ``value`` and the others re-solved
    so that every check passes, or None."""
    over = {pivot: value}
    _, res, fails, _ = ev.run(over)
    bad = _bad(res, fails)
    for _ in range(rounds):
        if bad == 0:
            return over
        failing = [k for k, r in res.items() if r]
        if not failing:
            return None  # only non-equations fail (range checks): nothing to solve
        best = None
        for k in failing:
            for v in sorted(ev.check_deps.get(k, ()) - over.keys())[:width]:
                trial = {**over, v: (ev.base[v] + 1) % P}
                _, res1, _, _ = ev.run(trial)
                slope = (res1.get(k, 0) - res[k]) % P
                if not slope:
                    continue
                root = (ev.base[v] - res[k] * pow(slope, P - 2, P)) % P
                cand = {**over, v: root}
                _, res2, fails2, _ = ev.run(cand)
                score = _bad(res2, fails2)
                if score < bad and (best is None or score < best[0]):
                    best = (score, cand, res2, fails2)
                    if score == 0:
                        break
            if best is not None and best[0] == 0:
                break
        if best is None:
            return None
        bad, over, res, fails = best
    return over if bad == 0 else None


def pivot_values(v: int, type_name: str, rng: random.Random, count: int) -> list[int]:
    """Perturbations of one hint output: neighbours, 0/1, the type's ends, random values."""
    top = TYPE_MAX.get(type_name, P - 1)
    out: list[int] = []
    for c in (v - 1, v + 1, 0, 1, v - 2, v + 2, top, v + (1 << 32), rng.randrange(top + 1), rng.randrange(1 << 16)):
        c %= P
        if c != v and c not in out:
            out.append(c)
    while len(out) < count:
        out.append(rng.randrange(top + 1))
    return out[:count]


# --- SMT ---------------------------------------------------------------------------------------
def smt_available() -> bool:
    try:
        import z3  # noqa: F401
    except ImportError:
        return False
    return True


class Unsupported(Exception):
    """An operation the SMT translation does not model touches a hint output."""


def smt_second_output(ev: Evaluator, timeout_ms: int = 4000) -> tuple[str, dict[int, int] | None]:
    """Ask z3 for hint outputs that pass every check and change the public output.

    Returns ("sat", hint values), ("unsat", None) — no second output exists for these
    inputs — or ("unknown" / "unsupported", None)."""
    import z3

    base = ev.base
    xs: dict[int, object] = {}
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    for r in ev.hints:
        x = z3.Int(f"h{r.id}")
        xs[r.id] = x
        s.add(x >= 0, x <= TYPE_MAX.get(r.type, P - 1))
    outputs_base, outputs_sym = [], []
    try:
        for ins in ev.instrs:
            op = ins.op
            if op in ("input", "proof_input", "verify_proof", "hint"):
                continue
            args = ins.args
            sym = [xs.get(a.id) for a in args]
            if op == "output":
                outputs_base.append(base[args[0].id])
                outputs_sym.append(sym[0] if sym[0] is not None else base[args[0].id])
                continue
            if all(x is None for x in sym):
                continue  # depends on no hint: its value (and check) is the base run's
            val = [x if x is not None else base[a.id] for x, a in zip(sym, args, strict=True)]
            active = None
            if ins.predicated:
                pred = val[-1]
                if isinstance(pred, int) and pred == 0:
                    for r in ins.results:
                        xs[r.id] = z3.IntVal(0)
                    continue
                active = None if isinstance(pred, int) else pred == 1
                val = val[:-1]
            for c in _smt_instr(z3, ins, val, xs):
                s.add(c if active is None else z3.Implies(active, c))
    except Unsupported:
        return "unsupported", None
    if not outputs_sym:
        return "unsat", None  # no public output: nothing to change
    s.add(z3.Or([o != b for o, b in zip(outputs_sym, outputs_base, strict=True)]))
    verdict = s.check()
    if verdict == z3.sat:
        m = s.model()
        return "sat", {rid: m.eval(x, model_completion=True).as_long() for rid, x in xs.items() if rid in ev.hint_ids}
    return ("unsat" if verdict == z3.unsat else "unknown"), None


def _smt_instr(z3, ins, a: list, xs: dict) -> Iterable:
    """Constraints for one instruction whose operands involve hint outputs (``a``: z3
    terms or ints); defines its results in ``xs``."""
    op = ins.op
    res = ins.results
    if op in EQUATIONS:
        if op == "assert_eq":
            return [a[0] == a[1]]
        if op == "assert":
            return [a[0] == 1]
        return [z3.Or(a[0] == 0, a[0] == 1)]
    if op == "range_check":
        return [a[0] < (1 << ins.attrs[0])]
    out = []
    t = res[0].type if res else None
    bounded = t in INT_TYPES and t != "u64"
    if op in ("add", "sub", "mul"):
        exact = a[0] + a[1] if op == "add" else a[0] - a[1] if op == "sub" else a[0] * a[1]
        if t == "Felt" or not bounded:
            xs[res[0].id] = exact % P
        else:  # checked integer arithmetic: the exact result must fit
            xs[res[0].id] = exact
            out += [exact >= 0, exact <= TYPE_MAX[t]]
    elif op == "neg":
        xs[res[0].id] = (-a[0]) % P
    elif op == "arith":
        c0, c1 = ins.attrs
        xs[res[0].id] = (c0 * a[0] * a[1] + c1 * a[2]) % P
    elif op == "eq":
        xs[res[0].id] = z3.If(a[0] == a[1], 1, 0)
    elif op == "lt":
        xs[res[0].id] = z3.If(a[0] < a[1], 1, 0)
    elif op == "not":
        xs[res[0].id] = 1 - a[0]
    elif op == "and":
        xs[res[0].id] = a[0] * a[1]
    elif op == "or":
        xs[res[0].id] = a[0] + a[1] - a[0] * a[1]
    elif op == "xor":
        xs[res[0].id] = a[0] + a[1] - 2 * a[0] * a[1]
    elif op == "select":
        xs[res[0].id] = z3.If(a[0] == 1, a[1], a[2])
    elif op == "cast":
        xs[res[0].id] = a[0]
    elif op == "divmod":
        q, r = z3.Int(f"q{res[0].id}"), z3.Int(f"r{res[1].id}")
        xs[res[0].id], xs[res[1].id] = q, r
        out += [a[1] != 0, q >= 0, r >= 0, r < a[1], q * a[1] + r == a[0]]
    else:
        raise Unsupported(op)
    return out
