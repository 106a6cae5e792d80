"""Scalar polynomial evaluation and interpolation (verifier-side, small sizes)."""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul

from psyc.field.extension import Ext2, W
from psyc.field.goldilocks import P, batch_inverse, primitive_root_of_unity

Scalar = int | Ext2


def eval_poly(coeffs: Sequence[Scalar], x: Scalar) -> Scalar:
    """Horner evaluation; coefficients and point may be base ints or Ext2."""
    if not isinstance(x, Ext2) and coeffs and all(isinstance(c, Ext2) for c in coeffs):
        # a base point: one Horner over each coordinate, on plain ints
        a0 = a1 = 0
        for c0, c1 in reversed(coeffs):
            a0 = (a0 * x + c0) % P
            a1 = (a1 * x + c1) % P
        return Ext2(a0, a1)
    if isinstance(x, Ext2) or any(isinstance(c, Ext2) for c in coeffs):
        acc = Ext2.zero()
        for c in reversed(coeffs):
            acc = acc * x + c
        return acc
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % P
    return acc


def interpolate(xs: Sequence[Scalar], ys: Sequence[Scalar]) -> list[Scalar]:
    """Coefficients of the unique polynomial of degree < n through (xs[i], ys[i]).

    O(n^2) Lagrange; meant for the handful of points a verifier handles.
    """
    n = len(xs)
    if n != len(ys):
        raise ValueError("interpolate: xs and ys differ in length")
    if len({x if isinstance(x, Ext2) else x % P for x in xs}) != n:
        raise ValueError("interpolate: points must be distinct")
    use_ext = any(isinstance(v, Ext2) for v in (*xs, *ys))
    zero = Ext2.zero() if use_ext else 0
    coeffs: list[Scalar] = [zero] * n
    for i in range(n):
        # numerator prod_{j != i} (X - x_j), built up as coefficients
        num: list[Scalar] = [Ext2.one() if use_ext else 1]
        denom: Scalar = Ext2.one() if use_ext else 1
        for j in range(n):
            if j == i:
                continue
            num = _mul_linear(num, xs[j], use_ext)
            denom = denom * (xs[i] - xs[j])
        scale = ys[i] / denom if use_ext else ys[i] * pow(denom % P, P - 2, P) % P
        for k in range(n):
            coeffs[k] = coeffs[k] + num[k] * scale if use_ext else (coeffs[k] + num[k] * scale) % P
    return coeffs


def _mul_linear(poly: list[Scalar], root: Scalar, use_ext: bool) -> list[Scalar]:
    """poly * (X - root)."""
    out: list[Scalar] = [Ext2.zero() if use_ext else 0] * (len(poly) + 1)
    for k, c in enumerate(poly):
        out[k + 1] = out[k + 1] + c
        out[k] = out[k] - c * root
    if not use_ext:
        out = [v % P for v in out]
    return out


def _norms(x: Ext2, points: Sequence[int]) -> tuple[list[int], list[int]]:
    """``x0 − p`` and the base-field norm ``N = (x0 − p)^2 − W·x1^2`` of ``x − p`` for each
    point: ``1/(x − p) = ((x0 − p) − x1·X) / N``."""
    w_x1_sq = W * x[1] * x[1] % P
    lows = [(x[0] - p) % P for p in points]
    return lows, [(lo * lo - w_x1_sq) % P for lo in lows]


def inverse_differences(x: Ext2, points: Sequence[int]) -> list[tuple[int, int]]:
    """``1/(x − p)`` for an extension ``x`` and base-field points ``p``, as coordinate pairs,
    with one field inversion (the norms of :func:`_norms` inverted at once, Montgomery's
    trick). ZeroDivisionError when x is one of the points."""
    lows, norms = _norms(x, points)
    try:
        inv_norms = batch_inverse(norms)
    except ZeroDivisionError:
        raise ZeroDivisionError("inverse_differences: x is one of the points") from None
    neg_x1 = -x[1] % P
    return [(lo * ni % P, neg_x1 * ni % P) for lo, ni in zip(lows, inv_norms, strict=True)]


def barycentric_eval_on_coset(values: Sequence[Scalar], shift: int, x: Scalar) -> Scalar:
    """Evaluate at ``x`` the polynomial of degree < n taking ``values[i]`` at ``shift*w_n^i``.

    Used by FRI folding: the n values of one coset determine the folded value at beta.
    Requires x outside the coset (true with overwhelming probability for random x).
    """
    return barycentric_eval_on_cosets([values], [shift], x)[0]


def barycentric_eval_on_cosets(rows: Sequence[Sequence[Scalar]], shifts: Sequence[int], x: Scalar) -> list[Ext2]:
    """:func:`barycentric_eval_on_coset` of each ``rows[k]`` on the coset ``shifts[k]·<w_n>``,
    all at the same ``x`` with one field inversion (a FRI verifier folds every query's
    coset of a layer at that layer's β: one inversion instead of two per query).

    L(x) = (x^n − s^n)/(n s^n) · Σ_i y_i p_i/(x − p_i) with p_i = s w^i (the vanishing
    polynomial X^n − s^n has derivative n s^n / p_i at p_i). With x = x0 + x1·X,
    1/(x − p) = ((x0 − p) − x1·X)/N, N = (x0 − p)^2 − W·x1^2 a base-field norm: the norms
    and every n s^n are inverted together (Montgomery's trick). ZeroDivisionError when x
    is on one of the cosets."""
    if not rows:
        return []
    n = len(rows[0])
    log_n = n.bit_length() - 1
    if n == 0 or 1 << log_n != n or any(len(r) != n for r in rows):
        raise ValueError("barycentric_eval_on_coset: length must be a power of two")
    if len(rows) != len(shifts):
        raise ValueError("barycentric_eval_on_cosets: one shift per row")
    w = primitive_root_of_unity(log_n)
    x_e = Ext2.coerce(x)
    x1 = x_e[1]
    w_x1 = W * x1 % P
    x_pow_n = x_e**n
    points = []  # every row's p_i = s w^i, row after row
    for shift in shifts:
        acc = shift % P
        for _ in range(n):
            points.append(acc)
            acc = acc * w % P
    lows, norms = _norms(x_e, points)
    row_dens = [n * pow(shift, n, P) % P for shift in shifts]
    invs = batch_inverse(norms + row_dens)  # the N_i of every point, then n·s^n per row
    m = len(points)
    # Σ y_i·p_i/(x − p_i) = Σ c_i·((y0 lo_i − W x1 y1) + (y1 lo_i − x1 y0)·X), c_i = p_i/N_i,
    # = (A0 − W x1 B1) + (A1 − x1 B0)·X with A = Σ (c_i lo_i)·y_i and B = Σ c_i·y_i: two
    # C-level sums per row, both coordinates of y packed into one integer (y1 at bit 160:
    # a sum of n < 2^32 products of 64-bit values stays below 2^160 per coordinate)
    cs = [p * iv % P for p, iv in zip(points, invs[:m], strict=True)]  # (then invs holds the rows')
    ds = [c * lo % P for c, lo in zip(cs, lows, strict=True)]
    out = []
    for k, row in enumerate(rows):
        base = k * n
        ys = [y[0] | y[1] << PACK if isinstance(y, Ext2) else y % P for y in row]
        a = sum(map(mul, ds[base : base + n], ys))
        b = sum(map(mul, cs[base : base + n], ys))
        t0 = (a & PACK_MASK) - w_x1 * (b >> PACK)
        t1 = (a >> PACK) - x1 * (b & PACK_MASK)
        s_pow_n = pow(shifts[k], n, P)
        out.append((x_pow_n - s_pow_n) * invs[m + k] * Ext2(t0, t1))
    return out


# An extension value's two coordinates packed into one integer, a1 at bit PACK: a sum of
# up to 2^32 products of such a packed value (< 2^64 per coordinate) and a base element
# (< 2^64) keeps the coordinates apart (each sum < 2^160), so one C-level big-int sum
# computes both coordinates' sums (here and in the FRI verifier).
PACK = 160
PACK_MASK = (1 << PACK) - 1

