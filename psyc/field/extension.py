"""Quadratic extension F_p[x]/(x^2 - 7) used for challenges and openings.

An element is ``Ext2(a0, a1)`` meaning a0 + a1*x. Scalar arithmetic lives here; the
array form (``shape (n, 2)`` uint64, column 0 = a0) is in :mod:`psyc.field.vector`.
"""

from __future__ import annotations

from psyc.field.goldilocks import P, inv

W: int = 7  # x^2 = W
DEGREE: int = 2


class Ext2(tuple):
    """a0 + a1*x in F_p[x]/(x^2 - 7); immutable, hashable, compares by value.

    A tuple subclass rather than a frozen dataclass: verifiers create tens of thousands
    of these, and tuple construction is several times cheaper.
    """

    __slots__ = ()

    def __new__(cls, a0: int, a1: int = 0) -> Ext2:
        return tuple.__new__(cls, (a0 % P, a1 % P))

    def __getnewargs__(self) -> tuple[int, int]:
        return (self[0], self[1])

    @property
    def a0(self) -> int:
        return self[0]

    @property
    def a1(self) -> int:
        return self[1]

    # --- constructors -------------------------------------------------------
    @staticmethod
    def zero() -> Ext2:
        return _ZERO

    @staticmethod
    def one() -> Ext2:
        return _ONE

    @staticmethod
    def from_base(a: int) -> Ext2:
        return Ext2(a, 0)

    @staticmethod
    def coerce(v: Ext2 | int) -> Ext2:
        return v if isinstance(v, Ext2) else Ext2(v, 0)

    def to_list(self) -> list[int]:
        return [self[0], self[1]]

    def is_base(self) -> bool:
        return self[1] == 0

    # --- arithmetic ---------------------------------------------------------
    def __add__(self, o: Ext2 | int) -> Ext2:
        if isinstance(o, Ext2):
            return _new(Ext2, ((self[0] + o[0]) % P, (self[1] + o[1]) % P))
        return _new(Ext2, ((self[0] + o) % P, self[1]))

    __radd__ = __add__

    def __sub__(self, o: Ext2 | int) -> Ext2:
        if isinstance(o, Ext2):
            return _new(Ext2, ((self[0] - o[0]) % P, (self[1] - o[1]) % P))
        return _new(Ext2, ((self[0] - o) % P, self[1]))

    def __rsub__(self, o: Ext2 | int) -> Ext2:
        return Ext2.coerce(o) - self

    def __neg__(self) -> Ext2:
        return _new(Ext2, (-self[0] % P, -self[1] % P))

    def __mul__(self, o: Ext2 | int) -> Ext2:
        a0, a1 = self
        if not isinstance(o, Ext2):
            return _new(Ext2, (a0 * o % P, a1 * o % P))
        b0, b1 = o
        return _new(Ext2, ((a0 * b0 + W * a1 * b1) % P, (a0 * b1 + a1 * b0) % P))

    __rmul__ = __mul__

    def inverse(self) -> Ext2:
        # (a0 + a1 x)(a0 - a1 x) = a0^2 - 7 a1^2, a base-field norm
        a0, a1 = self
        norm = (a0 * a0 - W * a1 * a1) % P
        if norm == 0:
            raise ZeroDivisionError("0 has no inverse in the extension field")
        n_inv = inv(norm)
        return _new(Ext2, (a0 * n_inv % P, -a1 * n_inv % P))

    def __truediv__(self, o: Ext2 | int) -> Ext2:
        return self * Ext2.coerce(o).inverse()

    def __rtruediv__(self, o: Ext2 | int) -> Ext2:
        return Ext2.coerce(o) * self.inverse()

    def __pow__(self, e: int) -> Ext2:
        if e < 0:
            return self.inverse() ** (-e)
        result, base = _ONE, self
        while e:
            if e & 1:
                result = result * base
            base = base * base
            e >>= 1
        return result

    def __eq__(self, o: object) -> bool:
        if isinstance(o, Ext2):
            return tuple.__eq__(self, o)
        return NotImplemented

    def __ne__(self, o: object) -> bool:
        eq = self.__eq__(o)
        return eq if eq is NotImplemented else not eq

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return f"Ext2({self[0]}, {self[1]})"


_new = tuple.__new__  # the operators build results with it directly (no call of _raw: they run per op)


def _raw(a0: int, a1: int) -> Ext2:
    """An element from already-canonical coordinates (no reduction)."""
    return tuple.__new__(Ext2, (a0, a1))


_ZERO = _raw(0, 0)
_ONE = _raw(1, 0)


def batch_inverse(xs: list[Ext2]) -> list[Ext2]:
    """Inverses of all ``xs`` with one field inversion (Montgomery's trick); ZeroDivisionError
    if one of them is 0."""
    prefix, acc = [], _ONE
    for x in xs:
        prefix.append(acc)
        acc = acc * x
    inv_acc = acc.inverse()
    out = [_ONE] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = inv_acc * prefix[i]
        inv_acc = inv_acc * xs[i]
    return out


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
