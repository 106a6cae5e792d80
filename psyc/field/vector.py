"""Array form of the Goldilocks field and its extension.

Every function takes ``uint64`` NumPy arrays (any value below 2^64 is accepted, values
in [p, 2^64) are reduced) and returns a new canonical array; the work is done by the
numba kernels of :mod:`psyc.field.field_kernels`. Base vectors may have any shape; extension
vectors have shape ``(..., 2)`` with ``[..., 0]`` the constant coefficient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import P
from psyc.util.lazy import LazyModule

if TYPE_CHECKING:
    from numpy.typing import ArrayLike  # what as_field_array accepts: arrays, ints, nested lists

# the kernels (numba) load on the first array operation, not on import
ek = LazyModule("psyc.field.ext_kernels")
fk = LazyModule("psyc.field.field_kernels")


def as_field_array(values: ArrayLike) -> np.ndarray:
    """A uint64 array from ints/arrays, rejecting negatives and values >= 2^64."""
    if isinstance(values, np.ndarray) and values.dtype == np.uint64:
        return values
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.dtype.kind in "iu":
        if arr.dtype.kind == "i" and arr.size and arr.min() < 0:
            raise ValueError("field arrays hold values in [0, 2^64); got a negative value")
        return arr.astype(np.uint64)
    flat = [int(v) for v in np.ravel(arr)]
    if any(v < 0 or v >= 1 << 64 for v in flat):
        raise ValueError("field arrays hold values in [0, 2^64)")
    return np.array(flat, dtype=np.uint64).reshape(np.shape(arr))


def _flat_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.ascontiguousarray(as_field_array(a))
    b = np.ascontiguousarray(as_field_array(b))
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    return a.reshape(-1), b.reshape(-1), np.empty(a.shape, dtype=np.uint64)


def _binary(kernel, a, b) -> np.ndarray:
    fa, fb, out = _flat_pair(a, b)
    kernel(fa, fb, out.reshape(-1))
    return out


def _unary(kernel, a, *extra) -> np.ndarray:
    a = np.ascontiguousarray(as_field_array(a))
    out = np.empty(a.shape, dtype=np.uint64)
    kernel(a.reshape(-1), *extra, out.reshape(-1))
    return out


def add_vec(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    return _binary(fk._add_kernel, a, b)


def sub_vec(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    return _binary(fk._sub_kernel, a, b)


def mul_vec(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    return _binary(fk._mul_kernel, a, b)


def neg_vec(a: ArrayLike) -> np.ndarray:
    return _unary(fk._neg_kernel, a)


def canonicalize_vec(a: ArrayLike) -> np.ndarray:
    return _unary(fk._canon_kernel, a)


def scale_vec(a: ArrayLike, s: int) -> np.ndarray:
    """a * s for a scalar s."""
    return _unary(fk._scale_kernel, a, np.uint64(s % P))


def pow_vec(a: ArrayLike, e: int) -> np.ndarray:
    """Elementwise a^e for a non-negative exponent e < 2^64."""
    if not 0 <= e < 1 << 64:
        raise ValueError("pow_vec exponent must be in [0, 2^64)")
    return _unary(fk._pow_kernel, a, np.uint64(e))


def powers_vec(base: int, n: int, start: int = 1) -> np.ndarray:
    """[start * base^i for i in range(n)]."""
    out = np.empty(n, dtype=np.uint64)
    fk._powers_kernel(np.uint64(base % P), np.uint64(start % P), out)
    return out


def batch_inverse_vec(a: ArrayLike) -> np.ndarray:
    """Elementwise inverse; raises ZeroDivisionError if any element is 0 mod p."""
    a = np.ascontiguousarray(as_field_array(a))
    out = np.empty(a.shape, dtype=np.uint64)
    if not fk._batch_inverse_kernel(a.reshape(-1), out.reshape(-1)):
        raise ZeroDivisionError("batch_inverse_vec: input contains 0")
    return out


# --- extension field --------------------------------------------------------


def _ext_pair(a, b):
    a = np.ascontiguousarray(as_field_array(a))
    b = np.ascontiguousarray(as_field_array(b))
    if a.shape != b.shape or a.shape[-1:] != (2,):
        raise ValueError(f"extension arrays need equal shapes (..., 2); got {a.shape}, {b.shape}")
    return a.reshape(-1, 2), b.reshape(-1, 2), np.empty(a.shape, dtype=np.uint64)


def ext_add_vec(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    fa, fb, out = _ext_pair(a, b)
    ek._ext_add_kernel(fa, fb, out.reshape(-1, 2))
    return out


def ext_sub_vec(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    fa, fb, out = _ext_pair(a, b)
    ek._ext_sub_kernel(fa, fb, out.reshape(-1, 2))
    return out


def ext_mul_vec(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    fa, fb, out = _ext_pair(a, b)
    ek._ext_mul_kernel(fa, fb, out.reshape(-1, 2))
    return out


def ext_scale_base_vec(a: ArrayLike, s: ArrayLike) -> np.ndarray:
    """Extension vector times a base vector of the same length."""
    a = np.ascontiguousarray(as_field_array(a)).reshape(-1, 2)
    s = np.ascontiguousarray(as_field_array(s)).reshape(-1)
    if a.shape[0] != s.shape[0]:
        raise ValueError("ext_scale_base_vec: length mismatch")
    out = np.empty_like(a)
    ek._ext_scale_base_kernel(a, s, out)
    return out


def ext_batch_inverse_vec(a: ArrayLike) -> np.ndarray:
    a = np.ascontiguousarray(as_field_array(a))
    if a.shape[-1:] != (2,):
        raise ValueError("extension arrays have shape (..., 2)")
    out = np.empty(a.shape, dtype=np.uint64)
    if not ek._ext_batch_inverse_kernel(a.reshape(-1, 2), out.reshape(-1, 2)):
        raise ZeroDivisionError("ext_batch_inverse_vec: input contains 0")
    return out
