"""Targets: the circuit's variables."""

from __future__ import annotations

from typing import NamedTuple


class Target(NamedTuple):
    """A variable of the circuit. Cells of the table hold targets; two cells that hold
    the same target (or connected ones) are tied by the permutation argument.

    A NamedTuple rather than a frozen dataclass: circuits create millions of targets and
    tuple construction is several times cheaper.
    """

    index: int

    def __repr__(self) -> str:
        return f"t{self.index}"
