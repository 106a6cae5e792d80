"""Quadratic extension F_p[x]/(x^2 - 7) used for challenges and openings.

An element is ``Ext2(a0, a1)`` meaning a0 + a1*x. Scalar arithmetic lives here; the
array form (``shape (n, 2)`` uint64, column 0 = a0) is in :mod:`psyc.field.vector`.
"""

from __future__ import annotations

from dataclasses import dataclass

from psyc.field.goldilocks import P, inv

W: int = 7  # x^2 = W
DEGREE: int = 2


@dataclass(frozen=True, slots=True)
class Ext2:
    a0: int
    a1: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "a0", self.a0 % P)
        object.__setattr__(self, "a1", self.a1 % P)

    # --- constructors -------------------------------------------------------
    @staticmethod
    def zero() -> Ext2:
        return Ext2(0, 0)

    @staticmethod
    def one() -> Ext2:
        return Ext2(1, 0)

    @staticmethod
    def from_base(a: int) -> Ext2:
        return Ext2(a, 0)

    @staticmethod
    def coerce(v: Ext2 | int) -> Ext2:
        return v if isinstance(v, Ext2) else Ext2(v, 0)

    def to_list(self) -> list[int]:
        return [self.a0, self.a1]

    def is_base(self) -> bool:
        return self.a1 == 0

    # --- arithmetic ---------------------------------------------------------
    def __add__(self, o: Ext2 | int) -> Ext2:
        o = Ext2.coerce(o)
        return Ext2(self.a0 + o.a0, self.a1 + o.a1)

    __radd__ = __add__

    def __sub__(self, o: Ext2 | int) -> Ext2:
        o = Ext2.coerce(o)
        return Ext2(self.a0 - o.a0, self.a1 - o.a1)

    def __rsub__(self, o: Ext2 | int) -> Ext2:
        return Ext2.coerce(o) - self

    def __neg__(self) -> Ext2:
        return Ext2(-self.a0, -self.a1)

    def __mul__(self, o: Ext2 | int) -> Ext2:
        if not isinstance(o, Ext2):
            return Ext2(self.a0 * o, self.a1 * o)
        return Ext2(self.a0 * o.a0 + W * self.a1 * o.a1, self.a0 * o.a1 + self.a1 * o.a0)

    __rmul__ = __mul__

    def inverse(self) -> Ext2:
        # (a0 + a1 x)(a0 - a1 x) = a0^2 - 7 a1^2, a base-field norm
        norm = (self.a0 * self.a0 - W * self.a1 * self.a1) % P
        if norm == 0:
            raise ZeroDivisionError("0 has no inverse in the extension field")
        n_inv = inv(norm)
        return Ext2(self.a0 * n_inv, -self.a1 * n_inv)

    def __truediv__(self, o: Ext2 | int) -> Ext2:
        return self * Ext2.coerce(o).inverse()

    def __rtruediv__(self, o: Ext2 | int) -> Ext2:
        return Ext2.coerce(o) * self.inverse()

    def __pow__(self, e: int) -> Ext2:
        if e < 0:
            return self.inverse() ** (-e)
        result, base = Ext2.one(), self
        while e:
            if e & 1:
                result = result * base
            base = base * base
            e >>= 1
        return result

    def __repr__(self) -> str:
        return f"Ext2({self.a0}, {self.a1})"


def ext_powers(base: Ext2, n: int) -> list[Ext2]:
    out, acc = [], Ext2.one()
    for _ in range(n):
        out.append(acc)
        acc = acc * base
    return out


def reduce_with_powers(values: list[Ext2], alpha: Ext2) -> Ext2:
    """sum_i alpha^i * values[i] by Horner's rule (the FRI/plonk batching combinator)."""
    acc = Ext2.zero()
    for v in reversed(values):
        acc = acc * alpha + v
    return acc
