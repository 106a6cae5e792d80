"""Goldilocks arithmetic as numba kernels over ``uint64`` arrays.

The ``*_u64`` helpers are inlined building blocks for every other CPU kernel (NTT,
Poseidon, FRI folding). They accept any 64-bit input, including the non-canonical
range [p, 2^64), and the public ``*_vec`` kernels always return canonical values.

All constants are ``np.uint64`` on purpose: numba promotes ``uint64 op int64`` to
float64, which would silently destroy the arithmetic.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from psyc.util import jit_notice

jit_notice.install()  # every kernel module imports this one: the CLI's "compiling kernels" line

# Hints on kernels' parameters say what a caller passes: np.uint64 for a field element (its
# 64 bits), int for a count or an index, np.ndarray for an array. numba never reads them
# (with postponed annotations they are strings), so they change no type and no compile.

P = np.uint64(0xFFFFFFFF00000001)
EPSILON = np.uint64(0xFFFFFFFF)  # 2^64 mod p
MASK32 = np.uint64(0xFFFFFFFF)
SHIFT32 = np.uint64(32)
ZERO = np.uint64(0)
ONE = np.uint64(1)


@njit(inline="always", cache=True)
def canon_u64(x: np.uint64):
    return x - P if x >= P else x


@njit(inline="always", cache=True)
def add_u64(a: np.uint64, b: np.uint64):
    b = canon_u64(b)
    s = a + b
    if s < b:  # wrapped past 2^64, and 2^64 = EPSILON (mod p)
        s += EPSILON
    return canon_u64(s)


@njit(inline="always", cache=True)
def sub_u64(a: np.uint64, b: np.uint64):
    b = canon_u64(b)
    d = a - b
    if a < b:  # borrowed 2^64
        d -= EPSILON
    return canon_u64(d)


@njit(inline="always", cache=True)
def neg_u64(a: np.uint64):
    a = canon_u64(a)
    return P - a if a != ZERO else ZERO


@njit(inline="always", cache=True)
def _all_ones_if(cond):
    return ZERO - np.uint64(cond)


@njit(inline="always", cache=True)
def reduce128_u64(hi: np.uint64, lo: np.uint64):
    """(hi * 2^64 + lo) mod p, result in [0, 2^64) (not necessarily canonical).

    With branches: they are almost never taken, and scalar code runs faster with them
    than with masks (measured: the Poseidon gate's quotient evaluator took 0.51 s instead
    of 0.35 s with :func:`reduce128_lanes_u64`); lane loops need the branch-free form."""
    hi_hi = hi >> SHIFT32
    hi_lo = hi & MASK32
    t0 = lo - hi_hi  # 2^96 = -1 (mod p)
    if lo < hi_hi:
        t0 -= EPSILON
    t1 = hi_lo * EPSILON  # 2^64 = EPSILON (mod p)
    t2 = t0 + t1
    if t2 < t1:
        t2 += EPSILON
    return t2


@njit(inline="always", cache=True)
def reduce128_lanes_u64(hi: np.uint64, lo: np.uint64):
    """:func:`reduce128_u64` without branches (carries become masks), for lane loops."""
    hi_hi = hi >> SHIFT32
    t0 = lo - hi_hi
    t0 -= EPSILON & _all_ones_if(lo < hi_hi)
    t1 = (hi & MASK32) * EPSILON
    t2 = t0 + t1
    return t2 + (EPSILON & _all_ones_if(t2 < t1))


@intrinsic
def mul_wide_u64(typingctx: object, a: types.Type, b: types.Type):
    """Full 128-bit product as (hi, lo): one 64x64->128 machine multiply (LLVM i128),
    which numba cannot express in Python code."""
    if a != types.uint64 or b != types.uint64:
        return None
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        prod = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        lo = builder.trunc(prod, i64)
        hi = builder.trunc(builder.lshr(prod, ir.Constant(i128, 64)), i64)
        return context.make_tuple(builder, signature.return_type, [hi, lo])

    return sig, codegen


@njit(inline="always", cache=True)
def mul_nc_u64(a: np.uint64, b: np.uint64):
    """Product mod p, possibly non-canonical (for chains that canonicalise at the end)."""
    hi, lo = mul_wide_u64(a, b)
    return reduce128_u64(hi, lo)


@njit(inline="always", cache=True)
def mul_u64(a: np.uint64, b: np.uint64):
    hi, lo = mul_wide_u64(a, b)
    return canon_u64(reduce128_u64(hi, lo))


# Branch-free variants for loops over independent lanes (SIMD): a body without branches
# lets LLVM vectorise the loop (AVX2 / AVX-512), which the i128 multiply above prevents.


@njit(inline="always", cache=True)
def canon_lanes_u64(x: np.uint64):
    return x - (P & _all_ones_if(x >= P))


@njit(inline="always", cache=True)
def add_nc_lanes_u64(a: np.uint64, b: np.uint64):
    """a + b mod p for any a and a canonical b, possibly non-canonical."""
    s = a + b
    return s + (EPSILON & _all_ones_if(s < b))  # wrapped: 2^64 = EPSILON; cannot wrap again


@njit(inline="always", cache=True)
def mul_wide_lanes_u64(a: np.uint64, b: np.uint64):
    """Full 128-bit product as (hi, lo) from four 32x32 products: slower than the i128
    multiply of ``mul_wide_u64`` one at a time, but it vectorises."""
    a_lo = a & MASK32
    a_hi = a >> SHIFT32
    b_lo = b & MASK32
    b_hi = b >> SHIFT32
    ll = a_lo * b_lo
    lh = a_lo * b_hi
    hl = a_hi * b_lo
    hh = a_hi * b_hi
    mid = (ll >> SHIFT32) + (lh & MASK32) + (hl & MASK32)
    lo = (ll & MASK32) | (mid << SHIFT32)
    hi = hh + (lh >> SHIFT32) + (hl >> SHIFT32) + (mid >> SHIFT32)
    return hi, lo


@njit(inline="always", cache=True)
def mul_nc_lanes_u64(a: np.uint64, b: np.uint64):
    """a * b mod p for any inputs, possibly non-canonical (vectorisable)."""
    hi, lo = mul_wide_lanes_u64(a, b)
    return reduce128_lanes_u64(hi, lo)


@njit(inline="always", cache=True)
def add_lanes_u64(a: np.uint64, b: np.uint64):
    """a + b mod p, canonical, for canonical a and b (the NTT's and the gate VM's lanes)."""
    return canon_lanes_u64(add_nc_lanes_u64(a, b))


@njit(inline="always", cache=True)
def sub_lanes_u64(a: np.uint64, b: np.uint64):
    """a − b mod p, canonical, for canonical a and b."""
    return (a - b) - (EPSILON & _all_ones_if(a < b))  # borrowed 2^64 = p + EPSILON


@njit(inline="always", cache=True)
def mul_lanes_u64(a: np.uint64, b: np.uint64):
    """a · b mod p, canonical, for any inputs."""
    return canon_lanes_u64(mul_nc_lanes_u64(a, b))


@njit(inline="always", cache=True)
def pow_u64(a: np.uint64, e: np.uint64):
    result = ONE
    base = canon_u64(a)
    while e > ZERO:
        if e & ONE:
            result = mul_u64(result, base)
        base = mul_u64(base, base)
        e >>= ONE
    return result


@njit(inline="always", cache=True)
def inv_u64(a: np.uint64):
    return pow_u64(a, P - np.uint64(2))


# ---------------------------------------------------------------- vector kernels


@njit(parallel=True, cache=True)
def _add_kernel(a, b, out):
    for i in prange(a.shape[0]):
        out[i] = add_u64(a[i], b[i])


@njit(parallel=True, cache=True)
def _sub_kernel(a, b, out):
    for i in prange(a.shape[0]):
        out[i] = sub_u64(a[i], b[i])


@njit(parallel=True, cache=True)
def _mul_kernel(a, b, out):
    for i in prange(a.shape[0]):
        out[i] = mul_u64(a[i], b[i])


@njit(parallel=True, cache=True)
def _scale_kernel(a, s, out):
    for i in prange(a.shape[0]):
        out[i] = mul_u64(a[i], s)


@njit(parallel=True, cache=True)
def _neg_kernel(a, out):
    for i in prange(a.shape[0]):
        out[i] = neg_u64(a[i])


@njit(parallel=True, cache=True)
def _canon_kernel(a, out):
    for i in prange(a.shape[0]):
        out[i] = canon_u64(a[i])


@njit(parallel=True, cache=True)
def _pow_kernel(a, e, out):
    for i in prange(a.shape[0]):
        out[i] = pow_u64(a[i], e)


@njit(parallel=True, cache=True)
def _powers_kernel(base, start, out):
    """out[i] = start * base^i, computed in independent chunks so threads can share it."""
    n = out.shape[0]
    chunk = 4096
    nchunks = (n + chunk - 1) // chunk
    for c in prange(nchunks):
        lo = c * chunk
        hi = min(lo + chunk, n)
        acc = mul_u64(start, pow_u64(base, np.uint64(lo)))
        for i in range(lo, hi):
            out[i] = acc
            acc = mul_u64(acc, base)


@njit(cache=True)
def _batch_inverse_serial(a, out, lo, hi):
    """Montgomery's trick on a[lo:hi]; returns False when a zero is met."""
    acc = ONE
    for i in range(lo, hi):
        x = canon_u64(a[i])
        if x == ZERO:
            return False
        out[i] = acc
        acc = mul_u64(acc, x)
    inv = inv_u64(acc)
    for i in range(hi - 1, lo - 1, -1):
        x = canon_u64(a[i])
        out[i] = mul_u64(out[i], inv)
        inv = mul_u64(inv, x)
    return True


@njit(parallel=True, cache=True)
def _batch_inverse_kernel(a, out):
    n = a.shape[0]
    chunk = 1 << 14
    nchunks = (n + chunk - 1) // chunk
    ok = np.ones(nchunks, dtype=np.bool_)
    for c in prange(nchunks):
        lo = c * chunk
        hi = min(lo + chunk, n)
        ok[c] = _batch_inverse_serial(a, out, lo, hi)
    return ok.all()
