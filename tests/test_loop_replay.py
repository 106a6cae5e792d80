"""Loop replay (psyc.frontend.elaboration.replay) against plain elaboration: the same IR,
value ids and source positions included, and the same diagnostics.

Every program is compiled twice, with ``Elaborator.replay_loops`` on and off (copies made
by generated code, or by replay's own loop); the raw IR, the optimised IR (both as text
with ids and positions) and any error must agree. The
programs are hand-written loops whose iterations differ (the loop variable as a constant,
an ``if`` on it, nested loops, arrays indexed by it, constants that change, a predicate
that is also a variable) and random loop programs over ``Felt``, ``u32``, ``u8`` and
``bool`` in the subset that replays and just outside it.
"""

from __future__ import annotations

import random

import pytest
from lang_util import write_project

from psyc.compiler import CompileOptions, compile_path
from psyc.frontend.elaborate import Elaborator
from psyc.frontend.elaboration import replay
from psyc.ir import passes
from psyc.ir.interpret import ExecutionError
from psyc.util.diagnostics import CompileError


def _outcome(root, on: bool) -> tuple:
    """(raw IR text, optimised IR text) or the error, with replay on or off."""
    saved = Elaborator.replay_loops
    Elaborator.replay_loops = on
    try:
        prog = compile_path(root, CompileOptions(optimize=False))
    except CompileError as e:
        return ("compile error", [(d.code, d.message, [lb.span for lb in d.labels], d.notes) for d in e.diagnostics])
    except ExecutionError as e:
        return ("execution error", e.message, e.span, e.code)
    finally:
        Elaborator.replay_loops = saved
    raw = prog.program.format(prog.sources)
    stats = passes.optimize(prog.program)
    return raw, prog.program.format(prog.sources), stats, [(w.code, w.message) for w in prog.warnings]


def _same(src: str) -> tuple:
    root = write_project(src)
    on, off = _outcome(root, True), _outcome(root, False)
    assert on == off
    return on


@pytest.fixture(autouse=True, params=["generated", "interpreted"])
def copy_kind(request, monkeypatch):
    """Run every test with steady copies made by generated code from the first copy on,
    and by replay's own loop only."""
    monkeypatch.setattr(replay, "GENERATED_MIN", 1 if request.param == "generated" else 1 << 30)


@pytest.fixture
def copies(monkeypatch):
    """Count the iterations copied rather than elaborated."""
    count = [0]
    real = replay.replay

    def counting(tpl, prog, inputs, loop_consts=range(0)):
        count[0] += max(1, len(loop_consts))
        return real(tpl, prog, inputs, loop_consts)

    monkeypatch.setattr(replay, "replay", counting)
    return count


def test_muladd_chain_is_replayed(copies):
    out = _same("""
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    for _ in 0..50 {
        acc = acc * y + x;
    }
    acc
}
""")
    assert out[0] != "compile error"
    # iteration 1 reads acc == x (an alias), iteration 2 is recorded, the rest copied
    assert copies[0] == 48


LOOPS = {
    "loop variable as a constant": """
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    for i in 0..6 { acc = acc * x + (i as Felt); }
    acc
}""",
    "if on the loop variable": """
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    for i in 0..8 { if i < 3 { acc = acc + x; } else { acc = acc * x; } }
    acc
}""",
    "nested loops": """
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    for i in 0..4 {
        for _ in 0..5 { acc = acc * y + x; }
        for j in 0..3 { acc = acc + (j as Felt); }
        acc = acc - y;
    }
    acc
}""",
    "array indexed by the loop variable": """
fn main(xs: [Felt; 6]) -> pub Felt {
    let mut acc = 0;
    let mut ys = [0; 6];
    for i in 0..6 { acc = acc * 3 + xs[i]; ys[i] = acc; }
    for k in 0..6 { acc = acc + ys[5 - k]; }
    acc
}""",
    "constants that change, then become witnesses": """
fn main(x: Felt) -> pub Felt {
    let mut c = 1;
    let mut acc = 2;
    for _ in 0..10 { c = c * 3 + 1; acc = acc * c; }
    for _ in 0..10 { acc = acc * x + c; c = c + 1; }
    acc
}""",
    "constant u8 that overflows in a late iteration": """
fn main(x: u8) -> pub u8 {
    let mut c: u8 = 240;
    let mut s = x;
    for _ in 0..30 { s = s + 1; c = c + 1; }
    s + c
}""",
    "checked integers under a witness condition": """
fn main(a: u32, b: u32, f: bool) -> pub u32 {
    let mut s = a;
    if f { for _ in 0..7 { s = s + b; s *= 2; let t = s - a; s = t + a; } }
    s
}""",
    "the predicate is also an assigned variable": """
fn main(x: Felt, y: Felt) -> pub bool {
    let mut c = x == y;
    let mut d = c;
    if c { for _ in 0..6 { c = !c; d = d ^ c; } }
    c ^ d
}""",
    "the predicate is an input that moves": """
fn main(x: Felt, y: Felt, z: Felt) -> pub bool {
    let mut c = x == y;
    let mut e = y == z;
    if c { for _ in 0..6 { let t = c; c = e; e = !t; } }
    c ^ e
}""",
    "constants that swap without new ones": """
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    let mut c = 2;
    let mut d = 3;
    for _ in 0..8 { acc = acc * c; let t = c; c = d; d = t; }
    acc
}""",
    "if on a witness condition": """
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    for _ in 0..10 { if acc == x { acc = acc + y; } else { acc = acc * y; } }
    acc
}""",
    "a let in a branch shadows an outside name": """
fn main(x: Felt, y: Felt, f: bool) -> pub Felt {
    let mut acc = x;
    let mut x2 = x;
    for _ in 0..8 {
        if f { let x2 = y; acc = acc + x2; } else { let acc = x2 * y; x2 = acc; }
        acc = acc * x2;
        x2 = x2 + 1;
    }
    acc + x2
}""",
    "if as a value, nested": """
fn main(x: Felt, y: Felt, f: bool, g: bool) -> pub Felt {
    let mut acc = x;
    for _ in 0..9 {
        acc = if f { if g { acc * y } else { acc + y } } else { { let t = acc - x; t * t } };
    }
    acc
}""",
    "checked integers in a branch": """
fn main(a: u32, b: u32) -> pub u32 {
    let mut s = a;
    for _ in 0..7 { if a < b { s = s + a; s = s - 1; } else { assert(s > 0, "positive"); } }
    s
}""",
    "a constant condition that toggles": """
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    let mut t = true;
    for _ in 0..12 { if t { acc = acc * x; } else { acc = acc + y; } t = !t; }
    acc
}""",
    "a constant condition that changes once": """
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    let mut c: u32 = 0;
    for _ in 0..12 { if c < 4 { acc = acc * x; c = c + 1; } else { acc = acc + x; } }
    acc
}""",
    "elements read by the loop variable": """
fn main(xs: [Felt; 8], ys: [Felt; 8], x: Felt) -> pub Felt {
    let mut acc = 0;
    for i in 0..8 { acc = acc + xs[i] * ys[i]; }
    let cs = [1, x, 2, x, xs[1], 3, x, 0];
    for i in 0..8 { acc = acc * x + cs[i]; }
    let ws = [x, x, xs[0], ys[0], xs[0], x];
    for k in 0..6 { acc = acc * ws[k] + ws[k]; if xs[k] == x { acc = acc + 1; } }
    acc
}""",
    "an element that is the predicate": """
fn main(c: bool, d: bool, e: bool, f: bool, g: bool) -> pub bool {
    let xs = [d, e, f, c, g, c];
    let mut acc = g;
    if c {
        for i in 0..6 {
            acc = if xs[i] { !acc } else { acc };
            assert(xs[i] || acc);
        }
    }
    acc
}""",
    "an element that aliases a variable late": """
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    let xs = [y, y, y, x, y, acc];
    let f = x == y;
    for i in 0..6 { if f { acc = xs[i]; } else { acc = acc * 2; } }
    acc
}""",
    "constant elements, one overflowing late": """
fn main(x: u32) -> pub u32 {
    let cs: [u32; 5] = [1, 2, 3, 4, 4294967295];
    let mut acc = x;
    let mut k: u32 = 1;
    for i in 0..5 { k = k + cs[i]; acc = acc + k; }
    acc
}""",
    "elements read past the end": """
fn main(xs: [Felt; 3], x: Felt) -> pub Felt {
    let mut acc = x;
    for i in 0..5 { acc = acc * xs[i]; }
    acc
}""",
    "elements of an array assigned in the loop": """
fn main(xs: [Felt; 4], x: Felt) -> pub Felt {
    let mut acc = x;
    let mut ys = xs;
    for i in 0..4 { acc = acc * ys[i]; ys = xs; }
    for j in 0..3 { for i in 0..4 { acc = acc + xs[i] * (j as Felt); } }
    acc
}""",
    "aliases that split and join": """
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut a = x;
    let mut b = x;
    for _ in 0..9 { let t = a; a = b * y; b = t; }
    for _ in 0..9 { a = b; b = a + y; }
    a + b
}""",
    "asserts in the body": """
fn main(x: u32, y: u32) -> pub u32 {
    let mut s = x;
    for _ in 0..12 {
        s = s + y;
        assert(s >= y, "no overflow");
        assert_eq(s - y + y, s);
    }
    s
}""",
    "a constant item and a shadowing let": """
const K: Felt = 7;
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    for _ in 0..9 { let acc2 = acc * K; let x = acc2 + x; acc = x - 1; }
    acc
}""",
    "casts, shifts and bit operations": """
fn main(x: u32, y: u8) -> pub u32 {
    let mut s = x;
    let mut t = y;
    for _ in 0..5 { s = (s >> 1) ^ (t as u32); t = t & 15; t |= 1; s = s.wrapping_add(3); }
    s
}""",
    "logical operators set a predicate inside the body": """
fn main(a: u32, b: u32) -> pub bool {
    let mut ok = a < b;
    for _ in 0..6 { ok = ok && (a + 1 < b + 2) || !ok; }
    ok
}""",
    "errors are reported as before": """
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    for _ in 0..9 { acc = acc * x + undefined_name; }
    acc
}""",
    "assignment to an immutable variable": """
fn main(x: Felt) -> pub Felt {
    let acc = x;
    for _ in 0..9 { acc = acc * x; }
    acc
}""",
}


def test_a_function_named_like_a_builtin_is_not_replayed(copies):
    out = _same("""
fn assert_eq(a: Felt, b: Felt) {
    let c = unsafe { twice(a) };
    assert(c == b + a);
}
unconstrained fn twice(a: Felt) -> Felt { a + a }
fn main(x: Felt) -> pub Felt {
    let mut acc = x;
    for _ in 0..9 { acc = acc * x; assert_eq(acc, acc); }
    acc
}""")
    assert out[0] != "compile error"
    assert copies[0] == 0


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_loops_whose_iterations_differ(name):
    _same(LOOPS[name])


def test_branches_are_replayed(copies):
    for name in ("if on a witness condition", "a let in a branch shadows an outside name", "if as a value, nested",
                 "checked integers in a branch", "a constant condition that toggles",
                 "elements read by the loop variable"):
        before = copies[0]
        assert _same(LOOPS[name])[0] not in ("compile error", "execution error"), name
        assert copies[0] > before, name


# --- random loop programs --------------------------------------------------------------------------
TYPES = ("Felt", "u32", "u8", "bool")


def _expr(rng: random.Random, t: str, names: dict[str, str], depth: int, loop_var: str | None) -> str:
    """A random expression of type ``t`` over ``names`` (name -> type)."""
    pool = [n for n, nt in names.items() if nt == t]
    if depth <= 0 or rng.random() < 0.3:
        if loop_var and t == "u32" and rng.random() < 0.15:
            return loop_var
        if loop_var and t in ("Felt", "u32") and rng.random() < 0.25:
            return f"{'zs' if t == 'Felt' else 'us'}[{loop_var}]"  # (loops run at most 12 times)
        if pool and rng.random() < 0.8:
            return rng.choice(pool)
        if t == "bool":
            return rng.choice(["true", "false"])
        return str(rng.choice([0, 1, 2, 3, 7, 200]))
    if t == "bool":
        k = rng.random()
        if k < 0.4:
            ct = rng.choice(("Felt", "u32", "u8"))
            op = "==" if ct == "Felt" else rng.choice(("==", "<", ">=", "!="))
            return f"({_expr(rng, ct, names, depth - 1, loop_var)} {op} {_expr(rng, ct, names, depth - 1, loop_var)})"
        if k < 0.6:
            return f"!{_expr(rng, t, names, depth - 1, loop_var)}"
        op = rng.choice(("&&", "||", "^"))
        return f"({_expr(rng, t, names, depth - 1, loop_var)} {op} {_expr(rng, t, names, depth - 1, loop_var)})"
    k = rng.random()
    if k < 0.15:
        src = rng.choice([x for x in TYPES if x != t])
        return f"({_expr(rng, src, names, depth - 1, loop_var)} as {t})"  # (narrowing: a range check)
    ops = ["+", "*", "-"] if t == "Felt" else ["+", "*", "&", "|", "^", "-"]
    op = rng.choice(ops)
    a = _expr(rng, t, names, depth - 1, loop_var)
    b = _expr(rng, t, names, depth - 1, loop_var)
    if op == "-" and t != "Felt":
        return f"({a} | {b})"  # (subtraction would mostly underflow)
    return f"({a} {op} {b})"


def _body(rng: random.Random, names: dict[str, str], mutable: list[str], loop_var: str | None,
          depth: int, indent: str) -> list[str]:
    lines = []
    local: dict[str, str] = {}
    for k in range(rng.randint(1, 4)):
        scope = {**names, **local}
        r = rng.random()
        if r < 0.2:
            t = rng.choice(TYPES)
            n = f"t{len(local)}_{k}"
            lines.append(f"{indent}let {n} = {_expr(rng, t, scope, 2, loop_var)};")
            local[n] = t
        elif r < 0.27:
            t = rng.choice(("Felt", "u32"))
            a, b = _expr(rng, t, scope, 1, loop_var), _expr(rng, t, scope, 1, loop_var)
            lines.append(f"{indent}assert_eq({a} * 1, {b} * 0 + {a});")
        elif r < 0.32 and depth < 2:
            var = rng.choice(["i", "_", "_"])
            n = rng.randint(0, 6)
            lines.append(f"{indent}for {var} in 0..{n} {{")
            lines += _body(rng, scope, mutable, var if var != "_" else loop_var, depth + 1, indent + "    ")
            lines.append(f"{indent}}}")
        elif r < 0.37 and depth < 2:
            c = _expr(rng, "bool", scope, 1, loop_var)
            lines.append(f"{indent}if {c} {{")
            lines += _body(rng, scope, mutable, loop_var, depth + 1, indent + "    ")
            lines.append(f"{indent}}}")
        else:
            n = rng.choice(mutable)
            t = names[n]
            if t != "bool" and rng.random() < 0.3:
                op = rng.choice(("+=", "*=") if t == "Felt" else ("+=", "*=", "^=", "|=", "&="))
                lines.append(f"{indent}{n} {op} {_expr(rng, t, scope, 1, loop_var)};")
            else:
                lines.append(f"{indent}{n} = {_expr(rng, t, scope, 2, loop_var)};")
    return lines


def random_program(seed: int) -> str:
    rng = random.Random(seed)
    names = {"x": "Felt", "y": "Felt", "a": "u32", "b": "u8", "f": "bool"}
    lines = ["fn main(x: Felt, y: Felt, a: u32, b: u8, f: bool, zs: [Felt; 12], us: [u32; 12]) -> pub Felt {"]
    mutable = []
    for k, t in enumerate(TYPES * 2):
        n = f"v{k}"
        pool = [m for m, mt in names.items() if mt == t]
        init = rng.choice(pool) if rng.random() < 0.6 else {"bool": "false"}.get(t, str(rng.choice([0, 1, 5])))
        lines.append(f"    let mut {n}: {t} = {init};")
        names[n] = t
        mutable.append(n)
    for _ in range(rng.randint(1, 3)):
        var = rng.choice(["i", "_", "_", "_"])
        lines.append(f"    for {var} in 0..{rng.randint(0, 12)} {{")
        lines += _body(rng, names, mutable, var if var != "_" else None, 1, "        ")
        lines.append("    }")
    felts = [n for n, t in names.items() if t == "Felt"]
    lines.append("    " + " + ".join(felts) + f" + (v1 as Felt) + (v2 as Felt) + ({'v3'} as Felt)")
    lines.append("}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(120))
def test_random_loop_programs(seed):
    _same(random_program(seed))


def test_random_programs_exercise_the_fast_path(copies):
    """The corpus above is not vacuous: most programs compile and many copy iterations."""
    compiled = 0
    for seed in range(40):
        out = _same(random_program(seed))
        compiled += out[0] not in ("compile error", "execution error")
    assert compiled >= 20
    assert copies[0] >= 100


def test_generated_programs():
    """psyc.testing's generated programs (loops over arrays, branches, helper calls, hashes)."""
    from hypothesis import HealthCheck, given, settings

    from psyc.testing import programs

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(programs())
    def check(prog):
        _same(prog.source)

    check()
