"""Replaying a loop body's instructions instead of walking its tree again (issue 18).

``for`` loops are unrolled: the tree-walking elaborator visits the body once per
iteration, ~25 Python calls per operation. A long loop usually does the same thing every
time (``acc = acc * y + x``), so after one iteration has been elaborated, the next ones
copy its instructions with their values renamed: new result ids, arguments mapped from
the iteration's inputs. The IR is the same as elaborating every iteration (ids included):
``tests/test_loop_replay.py`` compares both on random programs.

When a copy is exact. The body must be in a small syntactic subset (:func:`loop_plan`):
``let`` of a name, assignment (plain or compound) to a name, expression statements and
tails, over literals, names, unary and binary operators, casts to scalar types, blocks,
``if``/``else``, the ``assert``/``assert_eq`` builtins and ``xs[i]`` where ``xs`` is an
outside array read only that way and ``i`` the loop variable — no other calls or indexing.
Elaborating that subset is a function of the values it reads and nothing else: the
elaborator's other state it touches (the current module and predicate, constants and
imports it caches) is the same for every iteration of the loop, and where it compares
values by identity (an ``if`` merges a variable with ``select`` only when its two branches
left different values) the renaming keeps every identity. The values it reads are the payloads of the
names the body reads from outside and the elements ``xs[i]`` it reads (the loop variable
otherwise excluded: a body that reads it is never replayed, its value differs every time). Their types cannot change (an assignment
keeps its variable's type), so what can differ between iterations is, per outside name,
whether its payload is a constant and which, and which names share one payload (a value
id appearing twice): this *signature* is compared before every copy. Emission looks at
constness (folding), never at a non-constant value's id, so an iteration with the same
signature emits the same instructions up to renaming.

An iteration is only recorded as a template when its instructions' results were the only
ids it allocated (an iteration that interns a constant is not used, as a precaution: the
first one usually does) and every value its instructions use is a constant, the current
predicate (not also an input), an input or one of its own results.
Otherwise, or when the signature differs, the iteration is elaborated as usual — which
also raises every diagnostic exactly as before: a template only exists for an iteration
that elaborated without error, and a copy is only made where that iteration's
elaboration would repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.ir.ir import Instr, Value

_ASSERTS = ("assert", "assert_eq")


@dataclass(slots=True)
class LoopPlan:
    """What :func:`loop_plan` found: the names the body reads or assigns from outside it
    (in first-use order), which of them it assigns, and the builtins it calls (the
    elaborator checks that no function of the module takes their name)."""

    free: tuple[str, ...]
    assigned: tuple[str, ...]
    calls: tuple[str, ...]
    indexed: tuple[str, ...] = ()  # arrays the body reads only as `xs[i]`, i the loop variable


class _Scan:
    """Collects the body's outside names; each method says whether what it scanned is in
    the subset."""

    def __init__(self, loop_var: str) -> None:
        self.loop_var = loop_var
        self.indexed: dict[str, None] = {}
        self.free: dict[str, None] = {}
        self.assigned: dict[str, None] = {}
        self.calls: dict[str, None] = {}
        self.scopes: list[set[str]] = []  # the names bound by `let` in each open block

    def local(self, n: str) -> bool:
        return any(n in sc for sc in self.scopes)

    def name(self, n: str) -> None:
        if not self.local(n):
            self.free[n] = None

    def block(self, b: ast.Block) -> bool:
        self.scopes.append(set())
        ok = all(self.stmt(x) for x in b.stmts) and (b.tail is None or self.expr(b.tail))
        self.scopes.pop()
        return ok

    def expr(self, e) -> bool:
        cls = e.__class__
        if cls is ast.IntLit or cls is ast.BoolLit:
            return True
        if cls is ast.PathExpr:
            if len(e.segments) == 1:
                self.name(e.segments[0])
            return True  # (a longer path names a constant item)
        if cls is ast.Unary:
            return self.expr(e.operand)
        if cls is ast.Binary:
            return self.expr(e.left) and self.expr(e.right)
        if cls is ast.Cast:
            return _scalar_type(e.target) and self.expr(e.expr)
        if cls is ast.Index:
            # `xs[i]`: element i of an outside array, an input of its own each iteration
            base, k = e.base, e.index
            if (base.__class__ is ast.PathExpr and len(base.segments) == 1 and not self.local(base.segments[0])
                    and base.segments[0] != self.loop_var and k.__class__ is ast.PathExpr and k.segments == (self.loop_var,)
                    and not self.local(self.loop_var)):
                self.indexed[base.segments[0]] = None
                return True
            return False
        if cls is ast.If:
            other = e.otherwise
            return self.expr(e.cond) and self.block(e.then) and (other is None or self.expr(other))
        if cls is ast.Block:
            return self.block(e)
        if cls is ast.Call:
            if len(e.callee.segments) != 1 or e.callee.segments[0] not in _ASSERTS or e.generic_args:
                return False
            self.calls[e.callee.segments[0]] = None
            return all(a.__class__ is ast.StrLit or self.expr(a) for a in e.args)
        return False

    def stmt(self, s) -> bool:
        cls = s.__class__
        if cls is ast.Let:
            if s.pattern.__class__ is not ast.NamePattern or (s.type is not None and not _scalar_type(s.type)):
                return False
            if not self.expr(s.value):
                return False
            self.scopes[-1].add(s.pattern.name)
            return True
        if cls is ast.Assign:
            t = s.target
            if t.__class__ is not ast.PathExpr or len(t.segments) != 1 or not self.expr(s.value):
                return False
            n = t.segments[0]
            if not self.local(n):
                self.free[n] = None
                self.assigned[n] = None
            return True
        if cls is ast.ExprStmt:
            return self.expr(s.expr)
        return False


def _scalar_type(te) -> bool:
    return te.__class__ is ast.NamedType and te.name in ty.SCALARS


def loop_plan(s: ast.For) -> LoopPlan | None:
    """The plan for replaying ``s``'s body, or None when it is outside the subset the module
    docstring describes or reads the loop variable."""
    scan = _Scan(s.var)
    if not scan.block(s.body) or s.var in scan.free or any(n in scan.free for n in scan.indexed):
        return None
    return LoopPlan(tuple(scan.free), tuple(scan.assigned), tuple(scan.calls), tuple(scan.indexed))


def signature(payloads: list) -> tuple | None:
    """Per outside name: its constant (as ``(value,)``) or the index of the first name with
    the same payload. None when a payload is not a scalar value."""
    first: dict[int, int] = {}
    out = []
    for k, v in enumerate(payloads):
        if v.__class__ is not Value:
            return None
        if v.const is not None:
            out.append((v.const,))
        else:
            out.append(first.setdefault(v.id, k))
    return tuple(out)


@dataclass(slots=True)
class Template:
    """One elaborated iteration, ready to copy. Its values are numbered in *slots*: first
    the constants it uses, then its inputs (the outside names' payloads), then its
    results in order. ``rows`` are its instructions as ``(op, argument slots, result
    types, span, attrs, predicated)``; ``outs`` the slot of each input's payload after it.
    ``steady``: the signature after the iteration is ``sig`` again, so every later
    iteration copies it too."""

    sig: tuple
    consts: list[Value]
    rows: list[tuple]
    outs: list[int]
    steady: bool
    runner: object = None  # (steady ones) the copies as straight-line Python, made on first use


def record(sig: tuple, inputs: list[Value], instrs: list[Instr], id0: int, next_id: int,
           outs: list, pred: Value | None) -> Template | None:
    """A template from an iteration that read ``inputs``, emitted ``instrs``, allocated
    ids ``id0`` to ``next_id`` and left the payloads ``outs`` (of the first ``len(outs)``
    inputs, the variables; the others are array elements read as ``xs[i]``); None when
    copying it would not be exact (see the module docstring)."""
    consts: list[Value] = []
    slot: dict[int, int] = {}

    def const_slot(v: Value) -> int:
        k = slot.get(v.id)
        if k is None:
            k = slot[v.id] = len(consts)
            consts.append(v)
        return k

    # constants first: their slots precede the inputs'
    for ins in instrs:
        for a in ins.args:
            if a.const is not None:
                const_slot(a)
    for v in outs:
        if v.__class__ is Value and v.const is not None:
            const_slot(v)
    if pred is not None:
        if any(v is pred for v in inputs):
            return None  # an argument `pred` could mean either: the predicate stays, the input changes
        const_slot(pred)  # (the same value every iteration, like a constant)
    base = len(consts)
    for k, v in enumerate(inputs):
        slot.setdefault(v.id, base + k)
    n = base + len(inputs)
    expect = id0
    rows = []
    for ins in instrs:
        args = []
        for a in ins.args:
            k = slot.get(a.id)
            if k is None:
                return None  # a value from elsewhere
            args.append(k)
        for r in ins.results:
            if r.id != expect:
                return None
            expect += 1
            slot[r.id] = n
            n += 1
        rows.append((ins.op, tuple(args), tuple(r.type for r in ins.results), ins.span, ins.attrs,
                     ins.predicated))
    if expect != next_id:
        return None  # the iteration interned a constant (or made some other value)
    out_slots = []
    for v in outs:
        k = slot.get(v.id) if v.__class__ is Value else None
        if k is None:
            return None
        out_slots.append(k)
    return Template(sig, consts, rows, out_slots, len(outs) == len(inputs) and signature(outs) == sig)


def replay(tpl: Template, prog, inputs: list[Value], loop_consts: range = range(0)) -> list[Value]:
    """Append copies of ``tpl``'s instructions to ``prog`` with its inputs renamed to
    ``inputs`` and fresh results; returns the inputs' new payloads. With ``loop_consts``
    (steady templates only), one copy per element, each after interning that ``u32``
    constant as the loop does for its variable."""
    if len(loop_consts) >= GENERATED_MIN:
        if tpl.runner is None:
            tpl.runner = _generate(tpl, len(inputs))
        cur, prog.next_id = tpl.runner(loop_consts, inputs, prog.next_id, prog._consts, prog.instrs.append)
        return cur
    nid = prog.next_id
    append = prog.instrs.append
    rows = tpl.rows
    outs = tpl.outs
    base = tpl.consts
    consts = prog._consts
    cur = inputs
    for i in loop_consts or (None,):
        if i is not None:  # Program.const(i, "u32"), inlined (ids are allocated in order)
            key = ("u32", i)
            if key not in consts:
                consts[key] = Value(nid, "u32", i)
                nid += 1
        vals = base + cur
        push = vals.append
        for op, spec, rtypes, span, attrs, predicated in rows:
            args = tuple([vals[k] for k in spec])
            if len(rtypes) == 1:
                r = Value(nid, rtypes[0])
                nid += 1
                push(r)
                res = (r,)
            else:
                res = tuple([Value(nid + j, t) for j, t in enumerate(rtypes)])
                nid += len(rtypes)
                vals.extend(res)
            append(Instr(op, args, res, span, attrs, predicated))
        cur = [vals[k] for k in outs]
    prog.next_id = nid
    return cur


GENERATED_MIN = 32  # steady copies from which a template runs as generated code (tests lower it)


def _generate(tpl: Template, n_inputs: int):
    """``run(loop_consts, inputs, next_id, consts, append) -> (payloads, next_id)``: what
    :func:`replay` does for a steady template, as one function of straight-line Python
    (no per-instruction loop, slot list or tuple unpacking: about half the time per copy).
    Values live in locals named by slot: ``C<k>`` constants, ``s<k>`` inputs, ``r<k>``
    results."""
    base = len(tpl.consts)
    names = [f"C{k}" for k in range(base)] + [f"s{k}" for k in range(n_inputs)]
    names += [f"r{k}" for k in range(sum(len(row[2]) for row in tpl.rows))]
    inputs = names[base:base + n_inputs]
    namespace: dict[str, object] = {"Value": Value, "Instr": Instr}
    namespace.update((names[k], v) for k, v in enumerate(tpl.consts))

    def tup(items: list[str]) -> str:
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    lines = ["def run(loop_consts, inputs, nid, consts, append):",
             f"    {tup(inputs)} = inputs",
             "    for i in loop_consts:",
             "        key = ('u32', i)",  # Program.const(i, "u32"), as the loop interns its variable
             "        if key not in consts:",
             "            consts[key] = Value(nid, 'u32', i)",
             "            nid += 1"]
    n = base + n_inputs
    for j, (op, spec, rtypes, span, attrs, predicated) in enumerate(tpl.rows):
        namespace[f"SP{j}"], namespace[f"AT{j}"] = span, attrs
        res = []
        for t in rtypes:
            lines.append(f"        {names[n]} = Value(nid + {n - base - n_inputs}, {t!r})")
            res.append(names[n])
            n += 1
        args = tup([names[k] for k in spec])
        lines.append(f"        append(Instr({op!r}, {args}, {tup(res)}, SP{j}, AT{j}, {predicated!r}))")
    lines.append(f"        nid += {n - base - n_inputs}")
    lines.append(f"        {tup(inputs)} = {tup([names[k] for k in tpl.outs])}")
    lines.append(f"    return [{', '.join(inputs)}], nid")
    exec(compile("\n".join(lines) + "\n", "<psyc loop replay>", "exec"), namespace)  # generated code
    return namespace["run"]
