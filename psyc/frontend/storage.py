"""Contract storage: the layout of a ``#[contract]`` struct in 4-felt slots, and the
storage handles that ``self`` (and ``ctx.state_of::<C>(user)``, and ``C::default()`` in
tests) stand for.

**Layout** (``footprint`` / ``field_slots``). Storage is a sequence of slots of 4 field
elements; a scalar of any type takes one element.

* A struct (the contract itself, or a field's struct) lays out its fields in declaration
  order. Consecutive scalar fields share a slot, 4 per slot; a field of aggregate type
  (struct, tuple, array) starts a new slot and the field after it starts a new slot too.
* An array of scalars packs 4 elements per slot (element i in slot i / 4, element i % 4);
  an array of aggregates gives every element ``footprint(element)`` whole slots.
* The CSTATE height is ``ceil(log2(slots))``; more than 2^32 slots is an error (E0903).

**Access.** ``self.a.b[i].c`` never copies storage into the circuit: navigation computes
the slot (a witness when ``i`` is) and only the scalar or small aggregate at the end is
read — one Merkle proof per slot against the current root — or written — one delta proof
per slot, whose new root becomes the current one. Reads of a compile-time slot, or of the
same witness slot expression, are cached until a write could change them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psyc.frontend import types as ty
from psyc.frontend.types import FELT, HASH, U32, Array, Scalar, Struct, Tuple, Type
from psyc.ir.ir import HintFn, Value
from psyc.util.diagnostics import CompileError, Diagnostic, Span

if TYPE_CHECKING:
    from psyc.frontend.elaborate import Elaborator

SLOT_FELTS = 4
MAX_SLOTS = 1 << 32
MAX_LOAD_SLOTS = 1 << 12  # a storage value copied into the circuit at once (E0905 above)


def _err(code: str, message: str, span: Span | None, label: str = "", notes=()) -> CompileError:
    d = Diagnostic.error(code, message, span, label)
    d.notes.extend(notes)
    return CompileError([d])


# =========================================================================================
# layout
# =========================================================================================
def footprint(t: Type) -> int:
    """Slots taken by a value of type ``t`` placed at a slot boundary."""
    if isinstance(t, Scalar):
        return 1
    if isinstance(t, Array):
        if isinstance(t.element, Scalar):
            return -(-t.length // SLOT_FELTS)
        return t.length * footprint(t.element)
    return _pack(_members(t))[1]


def _members(t: Type) -> list[Type]:
    if isinstance(t, Struct):
        return [f for _, f in t.fields]
    if isinstance(t, Tuple):
        return list(t.elements)
    raise TypeError(f"not an aggregate: {t}")


def _pack(members: list[Type]) -> tuple[list[tuple[int, int]], int]:
    """(slot, felt) of each member and the slots taken, by the packing rule above."""
    out, slot, felt = [], 0, 0
    for m in members:
        if isinstance(m, Scalar):
            if felt == SLOT_FELTS:
                slot, felt = slot + 1, 0
            out.append((slot, felt))
            felt += 1
        else:
            if felt:
                slot, felt = slot + 1, 0
            out.append((slot, 0))
            slot += footprint(m)
    return out, slot + (1 if felt else 0)


def field_slots(t: Struct | Tuple) -> list[tuple[int, int]]:
    return _pack(_members(t))[0]


def leaf_positions(t: Type) -> list[tuple[int, int]]:
    """(slot, felt) of every scalar of ``t`` (flatten order), ``t`` at a slot boundary."""
    if isinstance(t, Scalar):
        return [(0, 0)]
    if isinstance(t, Array):
        if isinstance(t.element, Scalar):
            return [(i // SLOT_FELTS, i % SLOT_FELTS) for i in range(t.length)]
        fp, inner = footprint(t.element), leaf_positions(t.element)
        return [(i * fp + s, f) for i in range(t.length) for s, f in inner]
    out = []
    for m, (s0, f0) in zip(_members(t), field_slots(t), strict=True):
        out += [(s0 + s, f0 + f) for s, f in leaf_positions(m)]
    return out


def state_height(slots: int) -> int:
    return max(0, (slots - 1).bit_length())


def layout_table(t: Struct) -> list[dict]:
    """The storage layout for the ABI: every field path with its type, slot and element
    (arrays are listed once, with their element stride)."""
    rows: list[dict] = []

    def walk(t: Type, path: str, slot: int, felt: int) -> None:
        row = {"path": path, "type": str(t), "slot": slot, "felt": felt, "slots": footprint(t)}
        if isinstance(t, Array):
            row["stride"] = footprint(t.element) if not isinstance(t.element, Scalar) else 0
            row["per_slot"] = SLOT_FELTS if isinstance(t.element, Scalar) else 1
        rows.append(row)
        if isinstance(t, Struct | Tuple):
            names = [n for n, _ in t.fields] if isinstance(t, Struct) else [str(k) for k in range(len(t.elements))]
            for name, m, (s, f) in zip(names, _members(t), field_slots(t), strict=True):
                walk(m, f"{path}.{name}" if path else name, slot + s, f)

    for name, m, (s, f) in zip([n for n, _ in t.fields], _members(t), field_slots(t), strict=True):
        walk(m, name, s, f)
    return rows


def check_layout(t: Struct, span: Span | None) -> int:
    """Slots of a contract's storage; more than 2^32 is E0903."""
    n = footprint(t)
    if n > MAX_SLOTS:
        raise _err("E0903", f"the storage of `{t.name}` takes {n:,} slots, more than 2^32", span,
                   "storage layout too large", ["a contract's state tree has at most 2^32 slots of 4 field elements"])
    return n


# =========================================================================================
# storage handles
# =========================================================================================
@dataclass(frozen=True)
class StorageT:
    """The type of a storage handle: `self` in a contract method, `C::default()` in a
    test, the result of `ctx.state_of::<C>(user)` (read-only)."""

    struct: Struct
    readonly: bool = False

    def __str__(self) -> str:
        return self.struct.name


@dataclass
class Place:
    """A location in storage: the slot (a Felt value) and the element in it (a constant,
    or the two low bits of a witness index into an array of scalars)."""

    handle: Handle
    type: Type
    slot: Value
    felt: int | tuple[Value, Value]


class Handle:
    readonly: bool = False
    what: str = "contract state"

    def read_slot(self, el: Elaborator, slot: Value, span: Span) -> list[Value]:
        raise NotImplementedError

    def update_slot(
        self, el: Elaborator, slot: Value, change: Callable[[list[Value]], list[Value]], span: Span
    ) -> None:
        raise NotImplementedError


class MemoryHandle(Handle):
    """In-memory state with compile-time values (``C::default()`` in a ``#[test]``)."""

    what = "in-memory contract state"

    def __init__(self, struct: Struct) -> None:
        self.struct = struct
        self.slots: dict[int, list[int]] = {}

    def _const(self, el, v: Value, span: Span, what: str) -> int:
        if v.const is None:
            raise _err("E0904", f"in-memory contract state needs compile-time values; {what} depends on the witness",
                       span, notes=["`C::default()` is for #[test] functions, where every value is a constant"])
        return v.const

    def read_slot(self, el: Elaborator, slot: Value, span: Span) -> list[Value]:
        s = self._const(el, slot, span, "this slot")
        return [el.const(x, FELT) for x in self.slots.get(s, [0] * SLOT_FELTS)]

    def update_slot(
        self, el: Elaborator, slot: Value, change: Callable[[list[Value]], list[Value]], span: Span
    ) -> None:
        if el.pred is not None and el.pred.const != 1:
            self._const(el, el.pred, span, "the branch condition")
            if el.pred.const == 0:
                return
        s = self._const(el, slot, span, "this slot")
        new = change(self.read_slot(el, slot, span))
        self.slots[s] = [self._const(el, v, span, "the value written") for v in new]


class OracleSlot:
    """Where the hints of a compiled method find the state (set per execution)."""

    def __init__(self) -> None:
        self.oracle = None

    def get(self):
        if self.oracle is None:
            raise RuntimeError("no contract state is bound to this execution")
        return self.oracle


class MerkleHandle(Handle):
    """Storage in a CSTATE tree: every access is a Merkle proof against ``root``.

    ``user`` is None for the caller's own state (writable), or the user whose state
    ``state_of`` reads (as of the anchored checkpoint, read-only)."""

    def __init__(self, root: list[Value], height: int, oracle: OracleSlot, user: Value | None = None) -> None:
        self.root = list(root)
        self.height = height
        self.oracle = oracle
        self.user = user
        self.readonly = user is not None
        self.what = "another user's contract state" if user is not None else "contract state"
        self.cache: dict = {}
        self.reads = 0
        self.writes = 0

    @staticmethod
    def _key(slot: Value):
        return ("c", slot.const) if slot.const is not None else ("v", slot.id)

    def _fetch(self, el, slot: Value, span: Span) -> tuple[list[Value], list[list[Value]]]:
        """Hint: the slot's value and its path under the current root."""
        h, oracle, other = self.height, self.oracle, self.user is not None

        def run(vals: list[int]) -> list[int]:
            value, path = oracle.get().read(vals[5] if other else None, vals[:4], vals[4])
            return [*value, *[x for node in path for x in node]]

        args = [*self.root, slot] + ([self.user] if other else [])
        ins = el.prog.emit("hint", args, ["Felt"] * (4 + 4 * h), span, (HintFn("storage read", run),))
        r = list(ins.results)
        return r[:4], [r[4 + 4 * k : 8 + 4 * k] for k in range(h)]

    def read_slot(self, el: Elaborator, slot: Value, span: Span) -> list[Value]:
        key = self._key(slot)
        if key in self.cache:
            return self.cache[key]
        value, path = self._fetch(el, slot, span)
        self.reads += 1
        el.call_std("std::parth", "read_slot",
                    [el.tv(HASH, self.root), el.tv(U32, el.emit1("cast", (slot,), "u32", span)),
                     el.tv(Array(FELT, 4), value), el.tv(Array(HASH, self.height), path)], span)
        if el.pred is None:
            self.cache[key] = value
        return value

    def update_slot(
        self, el: Elaborator, slot: Value, change: Callable[[list[Value]], list[Value]], span: Span
    ) -> None:
        old, path = self._fetch(el, slot, span)
        self.writes += 1
        new = change(old)
        new_root = el.call_std("std::parth", "write_slot",
                               [el.tv(HASH, self.root), el.tv(U32, el.emit1("cast", (slot,), "u32", span)),
                                el.tv(Array(FELT, 4), old), el.tv(Array(FELT, 4), new),
                                el.tv(Array(HASH, self.height), path)], span).payload
        pred = el.pred
        if pred is not None:
            new_root = el.select(pred, HASH, new_root, self.root, span)
        # the oracle applies the write too; its root must be the circuit's (a consistency
        # check between the witness generator and the circuit, never a user error)
        oracle = self.oracle

        def apply(vals: list[int]) -> list[int]:
            return list(oracle.get().write(vals[:4], vals[4], vals[5:9], bool(vals[9])))

        flag = pred if pred is not None else el.const(1, ty.BOOL)
        ins = el.prog.emit("hint", [*self.root, slot, *new, flag], ["Felt"] * 4, span, (HintFn("storage write", apply),))
        for a, b in zip(ins.results, new_root, strict=True):
            el.prog.emit("assert_eq", (a, b), (), span, ("internal: the state oracle disagrees with the circuit",))
        key = self._key(slot)
        if slot.const is None:
            self.cache.clear()  # a witness slot may be any cached one
        else:  # a constant slot may be one a witness slot expression named
            self.cache = {k: v for k, v in self.cache.items() if k[0] == "c" and k != key}
        if pred is None:
            self.cache[key] = new
        self.root = list(new_root)
