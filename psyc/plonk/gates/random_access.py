"""Random access: one index selects from ``copies`` lists of 2^bits items at once.

Wires: 0 index; per copy ``c`` (offset ``1 + c·(2^bits + 1)``) the claimed value, then the
2^bits items; then the index bits (little endian). With one copy that is: 0 index, 1
claimed value, 2 .. 2+2^bits the items, then the bits. The selection is folded pairwise
by the bits, so the degree is bits + 1. Several copies sharing one index are what the
recursive verifier needs: the four elements of a cap digest, the two limbs of an
extension value (plonky2 calls this multi-select random access), and the language's
``__select`` (a table row: one selection per column).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from psyc.plonk.gates.base import Gate, gate_kind, wire

if TYPE_CHECKING:
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.target import Target
from collections.abc import Sequence

from psyc.field.goldilocks import P


def random_access_wires(bits: int, copies: int = 1) -> int:
    """Wires a ``random_access_gate(bits, copies)`` row reads."""
    return 1 + copies * ((1 << bits) + 1) + bits


def _limits(config, params: tuple[int, ...]) -> list[int]:
    return [5, config.num_wires] if len(params) == 2 else [5]  # (bits) or the multi-select (bits, copies)


@gate_kind("random_access", _limits, lambda bits, copies=1: (bits,) if copies == 1 else (bits, copies))
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def random_access_gate(bits: int, copies: int = 1) -> Gate:
    if not 1 <= bits <= 5:
        raise ValueError("random_access_gate supports 1..5 index bits (2..32 items)")
    if copies < 1:
        raise ValueError("random_access_gate needs at least one copy")
    n = 1 << bits
    index = wire(0)
    bit_wires = [wire(1 + copies * (n + 1) + j) for j in range(bits)]
    constraints = [sum(b * (1 << j) for j, b in enumerate(bit_wires)) - index]
    constraints += [b * (b - 1) for b in bit_wires]
    for c in range(copies):
        base = 1 + c * (n + 1)
        claimed, layer = wire(base), [wire(base + 1 + i) for i in range(n)]
        for b in bit_wires:
            layer = [layer[2 * k] + b * (layer[2 * k + 1] - layer[2 * k]) for k in range(len(layer) // 2)]
        constraints.append(layer[0] - claimed)
    return Gate(
        name="random_access",
        num_wires=random_access_wires(bits, copies),
        num_constants=0,
        constraints=tuple(constraints),
        description=f"w1 = items[w0] over {n} items"
        if copies == 1
        else f"{copies} selections of items[w0] over {n} items each",
        params=(bits,) if copies == 1 else (bits, copies),
    )


# --- the builder entry (CircuitBuilder.random_access) and its witness generator --------------
def place_random_access(b: CircuitBuilder, index: Target, items: Sequence[Target]) -> Target:
    """items[index] for up to 32 items in one row (see ``CircuitBuilder.random_access``)."""
    if not 1 <= len(items) <= 32:
        raise ValueError("random_access takes 1..32 items")
    bits = max(1, (len(items) - 1).bit_length())
    padded = list(items) + [b.zero()] * ((1 << bits) - len(items))
    gate = random_access_gate(bits)
    out = b.add_virtual_target()
    bit_targets = b.add_virtual_targets(bits)
    b.add_gate_row(gate, [index, out, *padded, *bit_targets])

    def gen(v: list[int]) -> list[int]:
        i = v[0]
        chosen = v[1 + i] if i < len(padded) else 0
        return [chosen] + [(i >> j) & 1 for j in range(bits)]

    b.add_gate_generator(gen, (index, *padded), (out, *bit_targets), "random_access")
    if len(items) < len(padded):
        b.range_check(b.arithmetic(P - 1, 1, index, b.one(), b.constant(len(items) - 1)), bits)
    return out


def random_access_copies(config: CircuitConfig, bits: int) -> int:
    """How many selections over 2^bits items one multi-select row makes: as many lists as
    fit the routed wires (the items are copies of other cells), at most 4 (a digest)."""
    n = 1 << bits
    return max(1, min(4, (config.num_routed_wires - 1 - bits) // (n + 1)))


def place_random_access_many(b: CircuitBuilder, index: Target, item_lists: Sequence[Sequence[Target]],
                             outputs: Sequence[Target] | None = None) -> list[Target]:
    """``item_lists[k][index]`` for every k (lists of one length, a power of two up to 32) in
    multi-select rows that share the index (:func:`random_access_copies` selections a row;
    unused copies select among zeros), into ``outputs`` (new targets if None). Each row's
    bits recompose to the index, so an index past the lists is unsatisfiable."""
    n = len(item_lists[0])
    bits = n.bit_length() - 1
    if n < 2 or n != 1 << bits or bits > 5 or any(len(items) != n for items in item_lists):
        raise ValueError("random_access_many takes lists of 2, 4, 8, 16 or 32 items")
    copies = random_access_copies(b.config, bits)
    gate = random_access_gate(bits, copies) if copies > 1 else random_access_gate(bits)
    zero = b.zero()
    out = list(outputs) if outputs is not None else b.add_virtual_targets(len(item_lists))
    for start in range(0, len(item_lists), copies):
        lists = [list(items) for items in item_lists[start : start + copies]]
        outs = out[start : start + copies]
        outs += b.add_virtual_targets(copies - len(lists))
        lists += [[zero] * n] * (copies - len(lists))
        place_select_row(b, gate, index, lists, outs)
    return out


def place_select_row(b: CircuitBuilder, gate: Gate, index: Target, lists: Sequence[Sequence[Target]],
                     outs: Sequence[Target], *, solve: bool = True, hint: bool = False,
                     name: str = "random_access") -> None:
    """One multi-select row of ``gate``: ``outs[k] = lists[k][index]`` (one list per copy of
    the gate, each of 2^bits items). ``solve``: the row's generator computes ``outs`` (a
    witness hint with ``hint``: values already set are kept); otherwise ``outs`` already hold the
    claimed values and the generator only decomposes the index. Either way the bits
    recompose to the index, so an index past the lists is unsatisfiable."""
    n = len(lists[0])
    bits, copies = n.bit_length() - 1, len(lists)
    bit_targets = b.add_virtual_targets(bits)
    cells = [index]
    for o, items in zip(outs, lists, strict=True):
        cells += [o, *items]
    b.add_gate_row(gate, [*cells, *bit_targets])
    if not solve:
        b.add_generator(lambda v: [(v[0] >> j) & 1 for j in range(bits)], [index], bit_targets, name)
        return

    def gen(v: list[int]) -> list[int]:
        i = v[0] % n  # an index past the lists fails the row's recomposition instead
        return [v[1 + k * n + i] for k in range(copies)] + [(v[0] >> j) & 1 for j in range(bits)]

    add = b.add_generator if hint else b.add_gate_generator
    add(gen, [index, *(t for items in lists for t in items)], [*outs, *bit_targets], name)
