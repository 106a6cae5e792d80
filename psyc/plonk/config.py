"""Circuit configuration: table shape, challenges and the FRI configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from psyc.fri.config import FriConfig


@dataclass(frozen=True)
class CircuitConfig:
    """Shape of the Plonkish table.

    ``standard()`` matches plonky2's recursion-friendly shape: 135 wires (enough for a
    one-row Poseidon permutation), the first 80 routed through the permutation argument,
    2 gate-constant columns, 2 independent challenge sets (≈ 128-bit soundness for the
    permutation and gate checks over a 64-bit field) and constraints of degree ≤ 8, so the
    quotient is computed on the blowup-8 LDE used by FRI.
    """

    num_wires: int = 135
    num_routed_wires: int = 80
    num_constants: int = 2
    num_challenges: int = 2
    max_quotient_degree_factor: int = 8
    fri_config: FriConfig = field(default_factory=FriConfig.standard)
    zero_knowledge: bool = False

    @staticmethod
    def standard() -> CircuitConfig:
        return CircuitConfig()

    def __post_init__(self) -> None:
        if not 4 <= self.num_routed_wires <= self.num_wires:
            raise ValueError("num_routed_wires must be in [4, num_wires]")
        if self.max_quotient_degree_factor > 1 << self.fri_config.rate_bits:
            raise ValueError("constraint degree exceeds the LDE blowup: raise rate_bits")
        if self.num_challenges < 1:
            raise ValueError("num_challenges must be at least 1")

    @property
    def quotient_chunks(self) -> int:
        return self.max_quotient_degree_factor - 1

    @property
    def partial_product_chunk(self) -> int:
        return self.max_quotient_degree_factor - 1

    @property
    def num_partial_product_chunks(self) -> int:
        return -(-self.num_routed_wires // self.partial_product_chunk)
