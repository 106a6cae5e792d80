"""Strategies for values of every language type, flattened as the compiler expects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

from psyc.field.goldilocks import P
from psyc.frontend import types as ty

if TYPE_CHECKING:
    from collections.abc import Sequence


def scalar_values(t: ty.Scalar) -> st.SearchStrategy[int]:
    """Values of a scalar type, with its edges (0, 1, max, powers of two) favoured."""
    top = t.max_value
    if t == ty.BOOL:
        return st.integers(0, 1)
    edges = sorted({0, 1, top, top - 1, *(1 << k for k in range(t.bits) if (1 << k) <= top)})
    if t == ty.FELT or t.name == "u64":
        edges += [P - 1, P - 2, (1 << 32) - 1, 1 << 32]
    return st.one_of(st.sampled_from([e for e in edges if 0 <= e <= top]), st.integers(0, top))


def values_of(t: ty.Type) -> st.SearchStrategy[list[int]]:
    """Flattened field values of type ``t`` (arrays, tuples and structs in declaration order)."""
    leaves = ty.leaf_types(t)
    return st.tuples(*(scalar_values(s) for s in leaves)).map(list)


def inputs_for(params: Sequence[tuple]) -> st.SearchStrategy[list[list[int]]]:
    """Inputs of an entry function: one flattened list per ``(name, type, ...)`` parameter."""
    return st.tuples(*(values_of(p[1]) for p in params)).map(list)
