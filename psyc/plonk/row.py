"""A row of the Plonkish table, as the builder places it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psyc.plonk.gates import Gate
    from psyc.plonk.target import Target


@dataclass(slots=True)
class Row:
    """One gate's row: its gate, its constant columns, its cells, the scope that placed it."""

    gate: Gate
    constants: list[int]
    cells: list[Target | None]  # None: unused cell, filled with 0
    scope: str
