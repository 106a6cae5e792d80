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
    range_table_bits: int = 8  # logUp range table [0, 2^bits); circuits using it have >= 2^bits rows

    @staticmethod
    def standard() -> CircuitConfig:
        """The default shape (see the class docstring)."""
        return CircuitConfig()

    def __post_init__(self) -> None:
        if not 4 <= self.num_wires <= 1024:
            raise ValueError("num_wires must be in [4, 1024]")
        if not 1 <= self.num_constants <= 64:
            raise ValueError("num_constants must be in [1, 64]")
        if not 4 <= self.num_routed_wires <= self.num_wires:
            raise ValueError("num_routed_wires must be in [4, num_wires]")
        if not 2 <= self.max_quotient_degree_factor <= 1 << self.fri_config.rate_bits:
            raise ValueError("max_quotient_degree_factor must be in [2, 2^rate_bits] (the LDE blowup)")
        if not 1 <= self.num_challenges <= 8:
            raise ValueError("num_challenges must be in [1, 8]")
        if not 1 <= self.range_table_bits <= 20:
            raise ValueError("range_table_bits must be in [1, 20]")
        if self.zero_knowledge and self.max_quotient_degree_factor < 3:
            raise ValueError("zero knowledge needs max_quotient_degree_factor >= 3 (room for the blinding selector)")

    def to_list(self) -> list[int]:
        """The config as integers (stored in verifying keys and hashed into circuit digests)."""
        return [
            self.num_wires,
            self.num_routed_wires,
            self.num_constants,
            self.num_challenges,
            self.max_quotient_degree_factor,
            int(self.zero_knowledge),
            self.range_table_bits,
            *self.fri_config.to_list(),
        ]

    @staticmethod
    def from_list(v: list[int]) -> CircuitConfig:
        """Inverse of :meth:`to_list`; raises ValueError on invalid values."""
        if len(v) != 13:
            raise ValueError(f"a circuit config has 13 values, got {len(v)}")
        return CircuitConfig(
            num_wires=v[0],
            num_routed_wires=v[1],
            num_constants=v[2],
            num_challenges=v[3],
            max_quotient_degree_factor=v[4],
            zero_knowledge=bool(v[5]),
            range_table_bits=v[6],
            fri_config=FriConfig.from_list(v[7:13]),
        )

    @property
    def quotient_chunks(self) -> int:
        """Quotient chunks per challenge. With zero knowledge one more chunk than the
        degree needs: consecutive chunks overlap by :attr:`quotient_overlap` coefficients,
        which the prover randomises (docs/security.md)."""
        return self.max_quotient_degree_factor - (0 if self.zero_knowledge else 1)

    @property
    def quotient_overlap(self) -> int:
        """Coefficients shared by consecutive quotient chunks (random, cancelling in the
        sum): chunk c starts at X^(c·(n − overlap)). One more than the number of FRI
        queries with zero knowledge, else 0."""
        return self.fri_config.num_query_rounds + 1 if self.zero_knowledge else 0

    @property
    def blinding_rows(self) -> int:
        """Rows at the end of the table that hold uniformly random values in every
        witness column (zero knowledge only): Z and φ are revealed at ζ, gζ, every query
        point x and (through the quotient) g·x, and lose one free row to the last-row
        check, so 2·queries + 3 rows (docs/security.md)."""
        return 2 * self.fri_config.num_query_rounds + 3 if self.zero_knowledge else 0

    @property
    def num_fri_masks(self) -> int:
        """Uniformly random polynomials committed with the quotient (zero knowledge only):
        two base-field masks make FRI's combined polynomial uniform over the extension."""
        return 2 if self.zero_knowledge else 0

    @property
    def lookups_per_row(self) -> int:
        """Looked-up values per lookup row: the helper column's constraint has degree this
        + 1 (+ 1 more for the blinding selector with zero knowledge)."""
        return self.max_quotient_degree_factor - 1 - int(self.zero_knowledge)

    @property
    def partial_product_chunk(self) -> int:
        """Routed wires per partial product (one less with zero knowledge, whose blinding
        selector multiplies the permutation terms)."""
        return self.max_quotient_degree_factor - 1 - int(self.zero_knowledge)

    @property
    def num_partial_product_chunks(self) -> int:
        """Partial products per challenge."""
        return -(-self.num_routed_wires // self.partial_product_chunk)
