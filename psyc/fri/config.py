"""FRI configuration (what a proof's header states) and per-degree parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Random elements appended to every leaf when blinding, hiding the LDE rows
#: (:class:`psyc.fri.oracle.PolynomialBatch`).
SALT_SIZE = 4


@dataclass(frozen=True)
class FriConfig:
    """Knobs of the FRI commitment scheme.

    ``standard()`` is ARCHITECTURE.md's default: blowup 8, cap height 4, 28 queries and
    16 proof-of-work bits (about 100 bits of conjectured security), folding by 16 as long
    as at least 2^final_poly_bits = 32 coefficients remain after the fold (so the final
    polynomial has between 32 and 256 coefficients; fewer folding layers means fewer
    Merkle paths for a recursive verifier to check).
    """

    rate_bits: int = 3
    cap_height: int = 4
    num_query_rounds: int = 28
    proof_of_work_bits: int = 16
    reduction_arity_bits: int = 4
    final_poly_bits: int = 5

    @staticmethod
    def standard() -> FriConfig:
        return FriConfig()

    def __post_init__(self) -> None:
        checks = [
            (1 <= self.rate_bits <= 8, "rate_bits must be in [1, 8]"),
            (0 <= self.cap_height <= 16, "cap_height must be in [0, 16]"),
            (1 <= self.num_query_rounds <= 1024, "num_query_rounds must be in [1, 1024]"),
            (0 <= self.proof_of_work_bits <= 32, "proof_of_work_bits must be in [0, 32]"),
            (1 <= self.reduction_arity_bits <= 6, "reduction_arity_bits must be in [1, 6]"),
            (0 <= self.final_poly_bits <= 16, "final_poly_bits must be in [0, 16]"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ValueError(f"invalid FriConfig: {msg}")

    def conjectured_security_bits(self) -> int:
        return self.rate_bits * self.num_query_rounds + self.proof_of_work_bits

    def params(self, degree_bits: int) -> FriParams:
        return FriParams.for_degree(self, degree_bits)

    def to_list(self) -> list[int]:
        return [
            self.rate_bits,
            self.cap_height,
            self.num_query_rounds,
            self.proof_of_work_bits,
            self.reduction_arity_bits,
            self.final_poly_bits,
        ]

    @staticmethod
    def from_list(v: list[int]) -> FriConfig:
        return FriConfig(*v)


@dataclass(frozen=True)
class FriParams:
    """A config applied to polynomials of degree < 2^degree_bits."""

    config: FriConfig
    degree_bits: int
    reduction_arity_bits: tuple[int, ...] = field(default=())

    @staticmethod
    def for_degree(config: FriConfig, degree_bits: int) -> FriParams:
        if degree_bits < 0 or degree_bits + config.rate_bits > 32:
            raise ValueError(f"degree 2^{degree_bits} with rate 2^{config.rate_bits} is too large")
        arities: list[int] = []
        d = degree_bits
        # fold while a full step keeps the final polynomial at least 2^final_poly_bits long
        # and the folded codeword still has at least as many leaves as the cap
        while (
            d - config.reduction_arity_bits >= config.final_poly_bits
            and d + config.rate_bits - config.reduction_arity_bits >= config.cap_height
        ):
            arities.append(config.reduction_arity_bits)
            d -= config.reduction_arity_bits
        return FriParams(config, degree_bits, tuple(arities))

    @property
    def lde_bits(self) -> int:
        return self.degree_bits + self.config.rate_bits

    @property
    def lde_size(self) -> int:
        return 1 << self.lde_bits

    @property
    def final_poly_len(self) -> int:
        return 1 << (self.degree_bits - sum(self.reduction_arity_bits))
