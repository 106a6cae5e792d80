"""The language's types (after resolution): scalars, arrays, tuples and structs.

IR values are always scalars; the elaborator flattens aggregates into lists of scalars in
declaration order (``flatten`` / ``leaf_types`` fix that order everywhere: public inputs,
inputs files, outputs).
"""

from __future__ import annotations

from dataclasses import dataclass

from psyc.field.goldilocks import P

INT_BITS = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}


@dataclass(frozen=True, slots=True)
class Scalar:
    name: str  # "Felt" | "bool" | "u8" | "u16" | "u32" | "u64"

    @property
    def is_int(self) -> bool:
        return self.name in INT_BITS

    @property
    def bits(self) -> int:
        """Width of an integer type (64 for Felt, 1 for bool)."""
        return INT_BITS.get(self.name, 1 if self.name == "bool" else 64)

    @property
    def max_value(self) -> int:
        """Largest value of the type. u64 lives in the field, so it tops out at p - 1."""
        if self.name == "bool":
            return 1
        if self.name in ("Felt", "u64"):
            return P - 1
        return (1 << INT_BITS[self.name]) - 1

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Array:
    element: Type
    length: int

    def __str__(self) -> str:
        if self == HASH:
            return "Hash"
        return f"[{self.element}; {self.length}]"


@dataclass(frozen=True, slots=True)
class Tuple:
    elements: tuple[Type, ...]

    def __str__(self) -> str:
        if len(self.elements) == 1:
            return f"({self.elements[0]},)"
        return "(" + ", ".join(str(e) for e in self.elements) + ")"


@dataclass(frozen=True, slots=True)
class Struct:
    name: str
    fields: tuple[tuple[str, Type], ...]
    module: str = ""

    def field_type(self, name: str) -> Type | None:
        for n, t in self.fields:
            if n == name:
                return t
        return None

    def field_index(self, name: str) -> int:
        return [n for n, _ in self.fields].index(name)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class ProofT:
    """``Proof<N>``: a proof of some circuit with N public inputs. In the IR it is its N
    public inputs and its 4-element fingerprint; the proof itself is side data (a slot)."""

    num_public_inputs: int

    def __str__(self) -> str:
        return f"Proof<{self.num_public_inputs}>"


Type = Scalar | Array | Tuple | Struct | ProofT

FELT = Scalar("Felt")
BOOL = Scalar("bool")
U8, U16, U32, U64 = (Scalar(n) for n in ("u8", "u16", "u32", "u64"))
UNIT = Tuple(())
HASH = Array(FELT, 4)
SCALARS = {t.name: t for t in (FELT, BOOL, U8, U16, U32, U64)}


def leaf_types(t: Type) -> list[Scalar]:
    """The scalar types of ``t`` flattened in declaration order."""
    if isinstance(t, Scalar):
        return [t]
    if isinstance(t, Array):
        return leaf_types(t.element) * t.length
    if isinstance(t, Tuple):
        return [s for e in t.elements for s in leaf_types(e)]
    if isinstance(t, ProofT):
        return [FELT] * (t.num_public_inputs + 4)
    return [s for _, f in t.fields for s in leaf_types(f)]


def leaf_paths(t: Type) -> list[str]:
    """Where each scalar of ``t`` sits, in :func:`leaf_types` order: ``[2]``, ``.owner[0]``,
    ``.1`` (empty for a scalar) — for messages about one element of an aggregate."""
    if isinstance(t, Scalar):
        return [""]
    if isinstance(t, Array):
        inner = leaf_paths(t.element)
        return [f"[{i}]{p}" for i in range(t.length) for p in inner]
    if isinstance(t, Tuple):
        return [f".{i}{p}" for i, e in enumerate(t.elements) for p in leaf_paths(e)]
    if isinstance(t, ProofT):
        return [f".public_inputs[{i}]" for i in range(t.num_public_inputs)] + [
            f".fingerprint[{i}]" for i in range(4)
        ]
    return [f".{n}{p}" for n, f in t.fields for p in leaf_paths(f)]


def size(t: Type) -> int:
    if isinstance(t, Scalar):
        return 1
    if isinstance(t, Array):
        return size(t.element) * t.length
    if isinstance(t, Tuple):
        return sum(size(e) for e in t.elements)
    if isinstance(t, ProofT):
        return t.num_public_inputs + 4
    return sum(size(f) for _, f in t.fields)


def flatten(t: Type, payload: object) -> list:
    """Scalars of a structured payload (scalar / list for arrays / tuple for tuples and
    structs, fields in declaration order)."""
    if isinstance(t, Scalar):
        return [payload]
    if isinstance(t, Array):
        return [x for item in payload for x in flatten(t.element, item)]
    if isinstance(t, ProofT):
        return list(payload[0]) + list(payload[1])
    elems = t.elements if isinstance(t, Tuple) else [f for _, f in t.fields]
    return [x for et, item in zip(elems, payload, strict=True) for x in flatten(et, item)]


def unflatten(t: Type, scalars: list, pos: int = 0):
    """Inverse of :func:`flatten`; returns (payload, next position)."""
    if isinstance(t, Scalar):
        return scalars[pos], pos + 1
    if isinstance(t, Array):
        items = []
        for _ in range(t.length):
            item, pos = unflatten(t.element, scalars, pos)
            items.append(item)
        return items, pos
    if isinstance(t, ProofT):
        n = t.num_public_inputs
        return (list(scalars[pos : pos + n]), list(scalars[pos + n : pos + n + 4]), None), pos + n + 4
    elems = t.elements if isinstance(t, Tuple) else [f for _, f in t.fields]
    out = []
    for et in elems:
        item, pos = unflatten(et, scalars, pos)
        out.append(item)
    return tuple(out), pos
