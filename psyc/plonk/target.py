"""Targets: the circuit's variables."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Target:
    """A variable of the circuit. Cells of the table hold targets; two cells that hold
    the same target (or connected ones) are tied by the permutation argument."""

    index: int

    def __repr__(self) -> str:
        return f"t{self.index}"
