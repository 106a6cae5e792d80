"""The passes' inline fast paths (psyc.ir.passes: fold's witness-operand skip, cse's inline
keys, fuse_arithmetic's inline mul/add) against their general code: emptying the sets
that select the fast paths must change neither the optimised IR nor the statistics.

Programs: random straight-line IR (witness and constant operands, 0 and 1 included,
repeated operands, predicated integer ops, fusable products used once or twice) and the
random loop programs of tests/test_loop_replay.py.
"""

from __future__ import annotations

import random

import pytest
from lang_util import write_project
from test_loop_replay import random_program

from psyc.compiler import CompileOptions, compile_path
from psyc.ir import passes
from psyc.ir.ir import Program

FAST_SETS = ("_NO_IDENTITY", "_SAME_IDENTITY", "_INLINE_KEYS", "_INLINE_FORMS")


def _optimised(make, fast: bool, monkeypatch) -> tuple[str, dict]:
    with monkeypatch.context() as m:
        if not fast:
            for name in FAST_SETS:
                m.setattr(passes, name, frozenset())
        prog = make()
        stats = passes.optimize(prog)
        prog.validate()
        return prog.format(), stats


def random_ir(seed: int) -> Program:
    """A random straight-line program over Felt, u32 and bool."""
    rng = random.Random(seed)
    p = Program()
    vals: dict[str, list] = {"Felt": [], "u32": [], "bool": []}
    for t in ("Felt", "Felt", "Felt", "u32", "u32", "bool"):
        vals[t].append(p.emit("input", (), (t,), None, (f"x{len(vals[t])}#0", False)).result)

    def pick(t: str):
        r = rng.random()
        if r < 0.25:
            return p.const(rng.choice([0, 1, 1, 2, 5] if t != "bool" else [0, 1]), t)
        return rng.choice(vals[t][-6:] if rng.random() < 0.7 else vals[t])

    for _ in range(rng.randint(5, 60)):
        r = rng.random()
        if r < 0.45:
            op = rng.choice(("add", "mul", "sub", "add", "mul"))
            t = "Felt" if rng.random() < 0.8 else "u32"
            pred = pick("bool") if t == "u32" and rng.random() < 0.3 else None
            vals[t].append(p.emit(op, (pick(t), pick(t)), (t,), None, (), pred).result)
        elif r < 0.55:
            vals["Felt"].append(p.emit("neg", (pick("Felt"),), ("Felt",)).result)
        elif r < 0.62:
            attrs = (rng.choice([0, 1, 2, 3]), rng.choice([0, 1, passes.P - 1]))
            vals["Felt"].append(p.emit("arith", (pick("Felt"), pick("Felt"), pick("Felt")), ("Felt",), None,
                                       attrs).result)
        elif r < 0.75:
            op = rng.choice(("eq", "and", "or", "xor", "not", "lt"))
            if op == "eq":
                args = (pick("Felt"), pick("Felt"))
            elif op == "lt":
                args = (pick("u32"), pick("u32"))
            elif op == "not":
                args = (pick("bool"),)
            else:
                args = (pick("bool"), pick("bool"))
            vals["bool"].append(p.emit(op, args, ("bool",)).result)
        elif r < 0.82:
            t = rng.choice(("Felt", "u32"))
            vals[t].append(p.emit("select", (pick("bool"), pick(t), pick(t)), (t,)).result)
        elif r < 0.9:
            t = rng.choice(("Felt", "u32"))
            p.emit("assert_eq", (pick(t), pick(t)), (), None, ("msg",))
        else:
            p.emit("range_check", (pick("u32"),), (), None, (rng.choice([8, 16, 32]), "msg"))
    for t in ("Felt", "u32"):
        for v in rng.sample(vals[t], min(3, len(vals[t]))):
            p.emit("output", (v,), ())
    return p


@pytest.mark.parametrize("seed", range(300))
def test_random_ir(seed, monkeypatch):
    fast = _optimised(lambda: random_ir(seed), True, monkeypatch)
    assert fast == _optimised(lambda: random_ir(seed), False, monkeypatch)


@pytest.mark.parametrize("seed", range(0, 120, 3))
def test_random_loop_programs(seed, monkeypatch):
    root = write_project(random_program(seed))

    def make():
        return compile_path(root, CompileOptions(optimize=False)).program

    try:
        make()
    except Exception:  # noqa: BLE001  (a program that fails to compile has no IR to compare)
        return
    assert _optimised(make, True, monkeypatch) == _optimised(make, False, monkeypatch)
