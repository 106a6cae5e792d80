"""What is opened where: the shape of a FRI opening claim, shared by prover and verifier."""

from __future__ import annotations

from dataclasses import dataclass

from psyc.field.extension import Ext2


@dataclass(frozen=True)
class FriOracleInfo:
    """One committed batch: its polynomial count and whether leaves carry salt."""

    num_polys: int
    blinding: bool = False


@dataclass(frozen=True)
class FriPolynomialInfo:
    oracle_index: int
    polynomial_index: int


@dataclass(frozen=True)
class FriBatchInfo:
    """Polynomials all opened at one point."""

    point: Ext2
    polynomials: tuple[FriPolynomialInfo, ...]


@dataclass(frozen=True)
class FriInstanceInfo:
    oracles: tuple[FriOracleInfo, ...]
    batches: tuple[FriBatchInfo, ...]

    @staticmethod
    def all_polys_at(oracles: tuple[FriOracleInfo, ...], points: list[Ext2]) -> FriInstanceInfo:
        """Every polynomial of every oracle opened at every point."""
        polys = tuple(
            FriPolynomialInfo(o, i) for o, info in enumerate(oracles) for i in range(info.num_polys)
        )
        return FriInstanceInfo(oracles, tuple(FriBatchInfo(p, polys) for p in points))


@dataclass(frozen=True)
class FriOpenings:
    """Claimed values, batch by batch, in the order of each batch's polynomial list."""

    batches: tuple[tuple[Ext2, ...], ...]

    def flatten(self) -> list[Ext2]:
        return [v for b in self.batches for v in b]
