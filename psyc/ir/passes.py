"""Optimisation passes over the SSA IR.

Every pass mutates a :class:`~psyc.ir.ir.Program` in place and returns a small dict of
statistics. All of them preserve the program's meaning exactly, *including which inputs
make it fail*: a check that could fail is never dropped, and a checked operation (integer
``add``/``sub``/``mul``, ``div``, ``divmod``, ``read``, ``to_bits`` below 64 bits) is only
dropped when it provably cannot fail. Dropping a later duplicate of an earlier identical
check is fine: the earlier one fails first, with its own span.

Bounds used to prove a check redundant are *circuit* bounds: what the lowering's gadgets
guarantee about a value (a checked ``u8`` add is range-checked to 8 bits, ``eq`` is 0/1,
a range check bounds its value afterwards), never the declared type alone — an ``input``,
a ``hint`` result or a ``cast`` is only bounded once something checks it.

``optimize`` runs them all: fold, cse, dce, fuse, dedupe, dce.
"""

from __future__ import annotations

from collections.abc import Callable

from psyc.field.goldilocks import P
from psyc.ir.interpret import ExecutionError, eval_instr
from psyc.ir.ir import INT_TYPES, Instr, Program, Value
from psyc.ir.ops import OPS

_DROP = object()  # _fold_one: remove the instruction (a check that always passes)

def _rewrite(ins: Instr, repl: dict[int, Value]) -> None:
    args = ins.args
    for a in args:
        if a.id in repl:
            ins.args = tuple(repl.get(b.id, b) for b in args)
            return


def _is(v: Value, k: int) -> bool:
    return v.const == k


# --- bounds -------------------------------------------------------------------------------------
class Bounds:
    """Circuit-guaranteed bit bounds of values: ``bits(v)`` is some b with v < 2^b enforced
    by the circuit (64 when nothing is known). ``note(v, b)`` records a check."""

    def __init__(self) -> None:
        self.defs: dict[int, tuple[Instr, int]] = {}
        self.known: dict[int, int] = {}

    @classmethod
    def of(cls, instrs: list[Instr]) -> Bounds:
        """Bounds with every instruction of ``instrs`` defined (``define`` on each, in one
        comprehension: passes call this once per program)."""
        bounds = cls()
        bounds.defs = {r.id: (ins, k) for ins in instrs for k, r in enumerate(ins.results)}
        return bounds

    def define(self, ins: Instr) -> None:
        for k, r in enumerate(ins.results):
            self.defs[r.id] = (ins, k)

    def note(self, v: Value, bits: int) -> None:
        if bits < self.known.get(v.id, 64):
            self.known[v.id] = bits

    def bits(self, v: Value) -> int:
        if v.const is not None:
            return v.const.bit_length()
        b = self.known.get(v.id)
        if b is not None:
            return b
        b = self._producer_bits(v)
        self.known[v.id] = b
        return b

    def max_value(self, v: Value) -> int:
        if v.const is not None:
            return v.const
        b = self.bits(v)
        return P - 1 if b >= 64 else (1 << b) - 1

    def _producer_bits(self, v: Value) -> int:
        d = self.defs.get(v.id)
        if d is None:
            return 64
        ins, _ = d
        op = ins.op
        ibits = INT_TYPES.get(v.type)
        if op in ("add", "sub", "mul", "divmod", "wrap") and ibits is not None:
            return ibits  # checked / reduced results are range-checked to their type
        if op in ("eq", "lt", "to_bits"):
            return 1
        if op in ("not", "and", "or", "xor"):
            return 1 if all(self.bits(a) <= 1 for a in ins.args) else 64
        if op == "select":
            c, a, b = ins.args
            return max(self.bits(a), self.bits(b)) if self.bits(c) <= 1 else 64
        if op == "read":
            return max(self.bits(a) for a in ins.operands[1:])
        if op == "from_bits":
            return len(ins.args) if all(self.bits(a) <= 1 for a in ins.args) else 64
        return 64  # input, hint, cast, Felt arithmetic, ...


def _cannot_fail(ins: Instr, bounds: Bounds) -> bool:
    """Whether a result-producing checked instruction provably passes its check."""
    op = ins.op
    ops = ins.operands
    if op in ("add", "sub", "mul"):
        t = ins.results[0].type
        if t == "Felt":
            return True
        mx = P - 1 if t == "u64" else (1 << INT_TYPES[t]) - 1 if t in INT_TYPES else -1
        a, b = bounds.max_value(ops[0]), bounds.max_value(ops[1])
        if op == "add":
            return a + b <= mx
        if op == "mul":
            return a * b <= mx
        return b == 0  # sub: a - 0
    if op in ("div", "divmod"):
        return ops[1].const is not None and ops[1].const != 0
    if op == "read":
        return bounds.max_value(ops[0]) < len(ops) - 1
    if op == "to_bits":
        n = len(ins.results)
        return n >= 64 or bounds.bits(ops[0]) <= n
    return OPS[op].pure


# --- constant folding ----------------------------------------------------------------------------
def fold_constants(program: Program) -> dict[str, int]:
    """Evaluate instructions whose operands are all constants (with the interpreter's own
    op semantics), apply algebraic identities, drop checks that always pass and
    predicates that are constant. Checks that always *fail* are kept (they fail at run
    time with their span)."""
    repl: dict[int, Value] = {}
    defs: dict[int, Instr] = {}  # the neg/not instructions kept (what _identity looks up)
    kept: list[Instr] = []
    keep = kept.append
    stats = {"folded": 0, "simplified": 0, "checks_removed": 0, "predicates_removed": 0}
    for ins in program.instrs:
        if repl:
            args = ins.args
            for a in args:
                if a.id in repl:
                    ins.args = tuple([repl.get(b.id, b) for b in args])
                    break
        op = ins.op
        if op not in _FOLDABLE:
            keep(ins)
            continue
        if not ins.predicated and (op in _NO_IDENTITY or op in _SAME_IDENTITY):
            # the usual case, decided without a call: two witness operands (and, for the
            # second set, distinct ones) leave nothing to fold or simplify
            x, y = ins.args
            if x.const is None and y.const is None and (x.id != y.id or op in _NO_IDENTITY):
                keep(ins)
                continue
        res = _fold_one(program, ins, defs, stats)
        if res is None:
            keep(ins)
            if op == "neg" or op == "not":
                defs[ins.results[0].id] = ins
        elif res is _DROP:
            stats["checks_removed"] += 1
        else:
            for r, v in zip(ins.results, res, strict=True):
                repl[r.id] = v
    program.instrs = kept
    return stats


_FOLDABLE = frozenset(name for name, spec in OPS.items() if spec.foldable)
_CSE = frozenset(name for name, spec in OPS.items() if spec.cse)
_COMMUTATIVE = frozenset(name for name, spec in OPS.items() if spec.commutative)
# unpredicated two-operand ops that _identity leaves alone when both operands are witnesses,
# and those it also leaves alone when the two are distinct (x - x, x & x, x == x, ... fold)
_NO_IDENTITY = frozenset({"add", "mul"})
_SAME_IDENTITY = frozenset({"sub", "and", "or", "xor", "eq", "lt"})
# the ops whose CSE key cse builds inline, and those fuse_arithmetic rewrites inline: the
# usual instructions of big programs, decided without calls (tests/test_passes_fast.py
# empties these sets to compare with the general code)
_INLINE_KEYS = _CSE
_INLINE_FORMS = frozenset({"mul", "add"})


def _fold_one(program: Program, ins: Instr, defs: dict[int, Instr], stats: dict[str, int]):
    op = ins.op
    if not OPS[op].foldable:
        return None
    if ins.predicated:
        p = ins.args[-1]
        if p.const is not None:
            stats["predicates_removed"] += 1
            if p.const == 0:  # the op does nothing: results are 0, checks never fail
                if ins.results:
                    stats["folded"] += 1
                    return [program.const(0, r.type) for r in ins.results]
                return _DROP
            ins.args = ins.args[:-1]
            ins.predicated = False
    for a in ins.args:
        if a.const is None:
            break  # (the usual case: not every operand is constant)
    else:
        env = {a.id: a.const for a in ins.args}
        try:
            eval_instr(ins, env)
        except ExecutionError:
            return None  # always fails: keep it so that the run fails here
        if not ins.results:
            return _DROP
        stats["folded"] += 1
        return [program.const(env[r.id], r.type) for r in ins.results]
    res = _identity(program, ins, defs)
    if res is not None and res is not _DROP:
        stats["simplified"] += 1
    return res


def _identity(program: Program, ins: Instr, defs: dict[int, Instr]):
    """Algebraic simplifications; every one is exact (also for checked integer ops, where
    it only applies when the op cannot overflow)."""
    op = ins.op
    ops = ins.operands
    # checks whose checked operands are constant and pass (whatever the predicate or the
    # values shown on failure)
    if op == "assert_eq":
        return _DROP if ops[0].id == ops[1].id else None
    if op == "assert":
        return _DROP if ops[0].const == 1 else None
    if op == "range_check":
        c = ops[0].const
        return _DROP if c is not None and c >> ins.attrs[0] == 0 else None
    if op == "assert_bool":
        return _DROP if ops[0].const in (0, 1) else None
    if len(ins.results) != 1 or ins.predicated:
        return None  # (predicated: the result is 0 when the predicate is: nothing below is exact)
    t = ins.results[0].type
    if op in ("add", "sub", "mul") or (op == "wrap" and t in ("u8", "u16", "u32")):
        kind = ins.attrs[0] if op == "wrap" else op
        x, y = ops
        if kind == "add":
            if _is(y, 0):
                return [x]
            if _is(x, 0):
                return [y]
        elif kind == "sub":
            if _is(y, 0):
                return [x]
            if x.id == y.id:
                return [program.const(0, t)]
        elif kind == "mul":
            if _is(x, 0) or _is(y, 0):
                return [program.const(0, t)]
            if _is(y, 1):
                return [x]
            if _is(x, 1):
                return [y]
        return None
    if op in ("neg", "not"):
        d = defs.get(ops[0].id)
        if d is not None and d.op == op:
            return [d.args[0]]
        return None
    if op == "div":
        return [ops[0]] if _is(ops[1], 1) else None
    if op == "arith":
        c0, c1 = ins.attrs
        a, b, c = ops
        prod_zero = c0 == 0 or _is(a, 0) or _is(b, 0)
        lin_zero = c1 == 0 or _is(c, 0)
        if prod_zero and lin_zero:
            return [program.const(0, t)]
        if prod_zero and c1 == 1:
            return [c]
        if lin_zero and c0 == 1:
            if _is(b, 1):
                return [a]
            if _is(a, 1):
                return [b]
        return None
    if op == "select":
        c, a, b = ops
        if c.const is not None:
            return [a if c.const else b]
        if a.id == b.id:
            return [a]
        if t == "bool" and _is(a, 1) and _is(b, 0):
            return [c]
        return None
    if op in ("and", "or", "xor"):
        x, y = ops
        if x.id == y.id:
            return [program.const(0, t)] if op == "xor" else [x]
        for u, w in ((x, y), (y, x)):
            if u.const is None:
                continue
            if op == "and":
                return [w] if u.const else [program.const(0, t)]
            if op == "or":
                return [program.const(1, t)] if u.const else [w]
            if u.const == 0:  # xor
                return [w]
        return None
    if op in ("eq", "lt"):
        if ops[0].id == ops[1].id:
            return [program.const(1 if op == "eq" else 0, t)]
        return None
    if op == "cast":
        return [ops[0]] if ops[0].type == t else None
    if op == "read":
        i = ops[0]
        if i.const is not None and i.const < len(ops) - 1:
            return [ops[1 + i.const]]
        return None
    return None


# --- common subexpressions -------------------------------------------------------------------------
def _cse_key(ins: Instr) -> tuple:
    """What an instruction computes: op, attrs, operand ids (commutative ones ordered),
    predicate and result types. May be unhashable (attrs holding a list): never merged."""
    op = ins.op
    args = ins.args
    if ins.predicated:
        ids, pred = [a.id for a in args[:-1]], args[-1].id
    else:
        ids, pred = [a.id for a in args], None
    if len(ids) > 1 and ids[0] > ids[1] and (op in _COMMUTATIVE or (op == "wrap" and ins.attrs[0] in ("add", "mul"))):
        ids[0], ids[1] = ids[1], ids[0]
    res = ins.results
    return op, ins.attrs, tuple(ids), pred, (res[0].type,) if len(res) == 1 else tuple([r.type for r in res])


def cse(program: Program) -> dict[str, int]:
    """Merge instructions that compute the same thing from the same operands (commutative
    operands normalised), identical ``permute`` calls included. A later checked op merges
    into the identical earlier one, which performs the same check first. ``hint``,
    ``input`` and checks without results are never merged here."""
    repl: dict[int, Value] = {}
    table: dict[tuple, Instr] = {}
    kept: list[Instr] = []
    keep = kept.append
    removed = 0
    for ins in program.instrs:
        if repl:
            args = ins.args
            for a in args:
                if a.id in repl:
                    ins.args = tuple([repl.get(b.id, b) for b in args])
                    break
        op = ins.op
        if op in _CSE:
            args = ins.args
            res = ins.results
            if op in _INLINE_KEYS and len(args) == 2 and len(res) == 1 and not ins.predicated:
                # what _cse_key says, built inline and flat for the usual two-operand
                # instruction (its operand ids are ints where _cse_key's are a tuple: the
                # two kinds of key never meet)
                i0, i1 = args[0].id, args[1].id
                if i0 > i1 and (op in _COMMUTATIVE or (op == "wrap" and ins.attrs[0] in ("add", "mul"))):
                    i0, i1 = i1, i0
                key = (op, ins.attrs, i0, i1, res[0].type)
            else:
                key = _cse_key(ins)
            try:
                prev = table.get(key)
            except TypeError:  # unhashable attributes: never merged
                key = None
            if key is not None:
                if prev is not None:
                    for r, pr in zip(ins.results, prev.results, strict=True):
                        repl[r.id] = pr
                    removed += 1
                    continue
                table[key] = ins
        keep(ins)
    program.instrs = kept
    return {"merged": removed}


# --- dead code ---------------------------------------------------------------------------------
def dce(program: Program) -> dict[str, int]:
    """Remove instructions whose results are all unused and that cannot fail (pure ops,
    hints, Felt arithmetic, checked ops proved safe)."""
    uses = program.uses()
    bounds = None  # built on first need (most removable instructions are pure)
    kept_rev: list[Instr] = []
    removed = 0
    get = uses.get
    for ins in reversed(program.instrs):
        res = ins.results
        if (
            res
            and (get(res[0].id, 0) == 0 if len(res) == 1 else all(get(r.id, 0) == 0 for r in res))
            and ins.op != "input"
            and (OPS[ins.op].pure or _cannot_fail(ins, bounds or (bounds := Bounds.of(program.instrs))))
        ):
            removed += 1
            for a in ins.args:
                uses[a.id] -= 1
            continue
        kept_rev.append(ins)
    kept_rev.reverse()
    program.instrs = kept_rev
    return {"removed": removed}


# --- arithmetic fusion ---------------------------------------------------------------------------
def _arith_form(ins: Instr, one: Value, zero: Value):
    """(c0, c1, a, b, c) with result c0*a*b + c1*c for unpredicated Felt add/sub/mul/neg/arith."""
    if ins.predicated or not ins.results or ins.results[0].type != "Felt":
        return None
    op = ins.op
    a = ins.args
    if op == "mul":
        return (1, 0, a[0], a[1], zero)
    if op == "add":
        return (1, 1, a[0], one, a[1])
    if op == "sub":
        return (1, P - 1, a[0], one, a[1])
    if op == "neg":
        return (P - 1, 0, a[0], one, zero)
    if op == "arith":
        return (ins.attrs[0] % P, ins.attrs[1] % P, a[0], a[1], a[2])
    return None


_ARITH_FORMS = ("mul", "add", "sub", "neg", "arith")  # the ops _arith_form rewrites


def fuse_arithmetic(program: Program) -> dict[str, int]:
    """Turn Felt add/sub/mul/neg into ``arith`` (c0*a*b + c1*c, one arithmetic-gate slot)
    and fuse a single-use product into the sum that consumes it:
    ``t = mul x y; u = add t z`` -> ``u = arith[1, 1] x y z``. Constants stay operands
    (``mul k x`` -> ``arith[1, 0] k x 0``) so the coefficients, which key the packing of
    slots into rows, stay few. Integer ops are checked and left alone."""
    uses = program.uses()
    one, zero = program.const(1), program.const(0)
    mullike: dict[int, tuple[int, Value, Value, int]] = {}  # single-use products
    new: list[Instr | None] = []  # None: a product absorbed into a later sum
    converted = fused = 0
    append = new.append
    get = uses.get
    zero_id = zero.id
    lazy: list[int] = []  # where a mul stands that is still to become `arith[1, 0] a b 0`
    for ins in program.instrs:
        op = ins.op
        if op not in _ARITH_FORMS or ins.predicated or ins.results[0].type != "Felt":
            append(ins)  # (_arith_form's None; every op in _ARITH_FORMS has a result)
            continue
        if op in _INLINE_FORMS:
            if op == "mul":  # _arith_form (1, 0, a, b, 0): nothing to absorb; a product to remember
                a, b = ins.args
                r = ins.results[0]
                converted += 1
                if get(r.id, 0) == 1:  # most are absorbed below: rewritten at the end if not
                    mullike[r.id] = (1, a, b, len(new))
                    lazy.append(len(new))
                    append(ins)
                else:
                    append(Instr("arith", (a, b, zero), ins.results, ins.span, (1, 0)))
                continue
            # add: _arith_form (1, 1, x, 1, y), with the absorption below written out
            x, y = ins.args
            m = mullike.pop(y.id, None)
            if m is not None:
                c0, c1, a, b, c = m[0] % P, 1, m[1], m[2], x
            else:
                m = mullike.pop(x.id, None)
                if m is not None:
                    c0, c1, a, b, c = m[0] % P, 1, m[1], m[2], y
                else:
                    c0, c1, a, b, c = 1, 1, x, one, y
            if m is not None:
                new[m[3]] = None  # absorbed
                fused += 1
            converted += 1
            r = ins.results[0]
            if c.id == zero_id and c0 != 0 and get(r.id, 0) == 1:
                mullike[r.id] = (c0, a, b, len(new))
            ins.op, ins.args, ins.attrs = "arith", (a, b, c), (c0, c1)  # (in place: passes own the program)
            append(ins)
            continue
        c0, c1, a, b, c = _arith_form(ins, one, zero)
        if c0 != 0 and c1 != 0 and (a.id == one.id or b.id == one.id):
            # a two-term sum s*x + t*y: absorb a single-use product into one term
            x = b if a.id == one.id else a
            for (s, u), (t, w) in (((c1, c), (c0, x)), ((c0, x), (c1, c))):
                m = mullike.pop(u.id, None)
                if m is not None:
                    k, ma, mb, idx = m
                    new[idx] = None  # absorbed
                    fused += 1
                    c0, c1, a, b, c = s * k % P, t, ma, mb, w
                    break
        if ins.op != "arith" or (c0, c1, a, b, c) != (*ins.attrs, *ins.args):
            converted += ins.op != "arith"
            ins = Instr("arith", (a, b, c), ins.results, ins.span, (c0 % P, c1 % P))
        r = ins.results[0]
        if (c1 == 0 or c.id == zero.id) and c0 != 0 and uses.get(r.id, 0) == 1:
            mullike[r.id] = (c0, a, b, len(new))
        new.append(ins)
    for k in lazy:
        ins = new[k]
        if ins is not None:
            ins.op, ins.args, ins.attrs = "arith", (*ins.args, zero), (1, 0)
    program.instrs = [ins for ins in new if ins is not None] if fused else new
    return {"converted": converted, "fused": fused}


# --- redundant checks -----------------------------------------------------------------------------
_DEDUPE_OPS = frozenset({"range_check", "assert_bool", "assert", "assert_eq", "to_bits"})  # what it looks at


def dedupe_checks(program: Program) -> dict[str, int]:
    """Remove range checks of values already known to fit (an earlier unpredicated check,
    or one with the same predicate, of at most as many bits; or what the producing op
    guarantees), repeated or implied ``assert_bool``, and repeated ``assert``/``assert_eq``."""
    bounds = Bounds()
    pred_checked: dict[tuple[int, int], int] = {}
    seen: set[tuple] = set()
    kept: list[Instr] = []
    keep = kept.append
    defs = bounds.defs
    removed = 0
    for ins in program.instrs:
        op = ins.op
        if op not in _DEDUPE_OPS:  # (most instructions: Bounds.define, inlined)
            res = ins.results
            if len(res) == 1:
                defs[res[0].id] = (ins, 0)
            else:
                for k, r in enumerate(res):
                    defs[r.id] = (ins, k)
            keep(ins)
            continue
        drop = False
        if op == "range_check":
            v, bits = ins.args[0], ins.attrs[0]
            if bounds.bits(v) <= bits:
                drop = True
            elif ins.predicated:
                key = (v.id, ins.pred.id)
                if pred_checked.get(key, 65) <= bits:
                    drop = True
                else:
                    pred_checked[key] = bits
            else:
                bounds.note(v, bits)
        elif op == "assert_bool":
            v = ins.args[0]
            if bounds.bits(v) <= 1:
                drop = True
            else:
                bounds.note(v, 1)
        elif op in ("assert", "assert_eq"):
            ids = [a.id for a in ins.operands[: 1 if op == "assert" else 2]]
            if op == "assert_eq":
                ids.sort()
            key = (op, *ids)
            pkey = (*key, ins.pred.id) if ins.predicated else key
            if key in seen or pkey in seen:
                drop = True
            else:
                seen.add(pkey)
        elif op == "to_bits" and len(ins.results) < 64:
            bounds.note(ins.args[0], len(ins.results))
        if drop:
            removed += 1
            continue
        bounds.define(ins)
        keep(ins)
    program.instrs = kept
    return {"removed": removed}


PASSES: list[tuple[str, Callable[[Program], dict[str, int]]]] = [
    ("fold", fold_constants),
    ("cse", cse),
    ("dce", dce),
    ("fuse", fuse_arithmetic),
    ("dedupe", dedupe_checks),
    ("dce2", dce),
]


def optimize(program: Program) -> dict[str, dict[str, int]]:
    """Run every pass in order; returns the statistics of each."""
    return {name: fn(program) for name, fn in PASSES}
