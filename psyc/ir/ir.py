"""The SSA IR: a straight-line list of instructions over typed scalar values.

Everything above it is gone by the time a program reaches the IR: functions are inlined,
loops unrolled, aggregates flattened into scalars, branches on witness values turned into
``select`` plus *predicated* checks. Every value is defined exactly once.

Value types are the scalar type names ``Felt``, ``bool``, ``u8``, ``u16``, ``u32``, ``u64``.
Integer values always hold a value of their type (u64: 0..p-1, it lives in the field).

The instruction set — every op's arity, signature, meaning and properties, its interpreter
handler and its lowering — is one table: :data:`psyc.ir.ops.OPS` (:class:`~psyc.ir.ops.OpSpec`).
An op may take a trailing *predicate* argument (``predicated``): the check applies only
where it is 1, and the op's integer result is forced to 0 where it is 0.

Constants are values too (``Value.const`` is set); the printer writes them inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psyc.field.goldilocks import P
from psyc.ir.ops import OPS
from psyc.util.diagnostics import Span

if TYPE_CHECKING:
    from psyc.util.diagnostics import SourceMap

INT_TYPES = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}
SCALAR_TYPES = ("Felt", "bool", *INT_TYPES)

# ops with an effect beyond their result, or a check that can fail: removed by dead-code
# elimination only when proved safe (integer add/sub/mul are checked; Felt ones are dropped)
SIDE_EFFECTS = frozenset(name for name, spec in OPS.items() if not spec.pure)


@dataclass(slots=True, eq=False)
class Value:
    """An SSA value. ``const`` is set for constants (canonical, in [0, p))."""

    id: int
    type: str
    const: int | None = None

    @property
    def is_const(self) -> bool:
        return self.const is not None

    def __repr__(self) -> str:
        return _fmt_const(self) if self.const is not None else f"%{self.id}"


def _fmt_const(v: Value) -> str:
    c = v.const
    if v.type == "bool":
        return "true" if c else "false"
    if v.type == "Felt" and c > P // 2:
        return f"-{P - c}"
    return f"{c}{'' if v.type == 'Felt' else v.type}"


@dataclass(slots=True, eq=False)
class HintFn:
    """An unconstrained computation: ``fn(list of ints) -> list of ints``."""

    name: str
    fn: Callable[[list[int]], list[int]]

    def __repr__(self) -> str:
        return self.name


@dataclass(slots=True, eq=False)
class Instr:
    op: str
    args: tuple[Value, ...]
    results: tuple[Value, ...]
    span: Span | None = None
    attrs: tuple[Any, ...] = ()
    predicated: bool = False  # the last arg is a predicate (see the module docstring)

    @property
    def pred(self) -> Value | None:
        return self.args[-1] if self.predicated else None

    @property
    def operands(self) -> tuple[Value, ...]:
        """The args without the predicate."""
        return self.args[:-1] if self.predicated else self.args

    @property
    def result(self) -> Value:
        return self.results[0]


@dataclass
class Program:
    """A whole lowered program: inputs in declaration order, instructions, outputs."""

    name: str = "main"
    instrs: list[Instr] = field(default_factory=list)
    next_id: int = 0
    _consts: dict[tuple[str, int], Value] = field(default_factory=dict)

    # --- construction --------------------------------------------------------------
    def new_value(self, type_: str) -> Value:
        v = Value(self.next_id, type_)
        self.next_id += 1
        return v

    def const(self, value: int, type_: str = "Felt") -> Value:
        value %= P
        key = (type_, value)
        v = self._consts.get(key)
        if v is None:
            v = Value(self.next_id, type_, value)
            self.next_id += 1
            self._consts[key] = v
        return v

    def emit(
        self,
        op: str,
        args: Sequence[Value],
        result_types: Sequence[str] = (),
        span: Span | None = None,
        attrs: tuple = (),
        pred: Value | None = None,
    ) -> Instr:
        args = tuple(args)
        if pred is not None:
            args = (*args, pred)
        if len(result_types) == 1:  # (new_value inlined for the common case: this runs per operation)
            results = (Value(self.next_id, result_types[0]),)
            self.next_id += 1
        else:
            nid = self.next_id
            results = tuple([Value(nid + k, t) for k, t in enumerate(result_types)])
            self.next_id = nid + len(results)
        ins = Instr(op, args, results, span, attrs, pred is not None)
        self.instrs.append(ins)
        return ins

    # --- queries ------------------------------------------------------------------------
    @property
    def inputs(self) -> list[Instr]:
        return [i for i in self.instrs if i.op == "input"]

    @property
    def outputs(self) -> list[Value]:
        return [i.args[0] for i in self.instrs if i.op == "output"]

    def count_ops(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for ins in self.instrs:
            counts[ins.op] = counts.get(ins.op, 0) + 1
        return counts

    def uses(self) -> dict[int, int]:
        """value id -> number of uses."""
        n: dict[int, int] = {}
        for ins in self.instrs:
            for a in ins.args:
                n[a.id] = n.get(a.id, 0) + 1
        return n

    def values_reaching(self, is_sink: Callable[[Instr], bool]) -> set[int]:
        """Ids of the values that flow (through any chain of instructions) into an
        instruction for which ``is_sink`` holds — e.g. into a constraint."""
        needed: set[int] = set()
        add = needed.add
        for ins in reversed(self.instrs):
            res = ins.results
            # (one result, the usual case, tested without a generator: this runs per instruction)
            if (res[0].id in needed if len(res) == 1 else any(r.id in needed for r in res)) or is_sink(ins):
                for a in ins.args:
                    add(a.id)
        return needed

    def validate(self) -> None:
        """Check SSA form and arities (raises AssertionError: a compiler bug, not a user error)."""
        defined: set[int] = set()
        for k, ins in enumerate(self.instrs):
            spec = OPS[ins.op]
            nargs, nres, can_pred = spec.args, spec.results, spec.predicable
            got = len(ins.operands)
            assert nargs is None or got == nargs, f"instr {k} {ins.op}: {got} args"
            assert nres is None or len(ins.results) == nres, f"instr {k} {ins.op}: results"
            assert not ins.predicated or can_pred, f"instr {k} {ins.op} cannot be predicated"
            for a in ins.args:
                assert a.const is not None or a.id in defined, f"instr {k} {ins.op} uses undefined %{a.id}"
            for r in ins.results:
                assert r.id not in defined, f"%{r.id} defined twice"
                defined.add(r.id)

    # --- printing -----------------------------------------------------------------------
    def format(self, sources: SourceMap | None = None) -> str:
        """Readable text, one instruction per line, with the source line of each."""
        lines = [f"fn {self.name} {{"]
        for ins in self.instrs:
            lines.append("  " + format_instr(ins, sources))
        lines.append("}")
        return "\n".join(lines)

    __str__ = format


def format_instr(ins: Instr, sources: SourceMap | None = None) -> str:
    res = ", ".join(f"%{r.id}: {r.type}" for r in ins.results)
    lhs = f"{res} = " if res else ""
    ops = ", ".join(repr(a) for a in ins.operands)
    text = f"{lhs}{ins.op} {ops}".rstrip()
    if ins.attrs:
        text += " [" + ", ".join(_fmt_attr(a) for a in ins.attrs) + "]"
    if ins.predicated:
        text += f" if {ins.pred!r}"
    if ins.span is not None and sources is not None:
        line, col = sources.line_col(ins.span.file, ins.span.start)
        text = f"{text:<60} ; {ins.span.file}:{line}:{col}"
    return text


def _fmt_attr(a: Any) -> str:
    if isinstance(a, str):
        return repr(a)
    if isinstance(a, tuple):
        return "(" + ", ".join(_fmt_attr(x) for x in a) + ")"
    return str(a)


def value_ids(values: Iterable[Value]) -> list[int]:
    return [v.id for v in values]
