"""Polynomials over Goldilocks: NTTs, coset transforms, LDEs, evaluation, interpolation."""

from psyc.poly.evaluation import barycentric_eval_on_coset, eval_poly, interpolate
from psyc.poly.ntt import (
    COSET_SHIFT,
    bit_reverse,
    coset_intt,
    coset_ntt,
    intt,
    lde,
    lde_batch,
    log2_strict,
    ntt,
    reverse_index_bits,
    transpose,
    twiddles,
)

__all__ = [
    "COSET_SHIFT",
    "bit_reverse",
    "coset_intt",
    "coset_ntt",
    "intt",
    "lde",
    "lde_batch",
    "log2_strict",
    "ntt",
    "reverse_index_bits",
    "transpose",
    "twiddles",
    "barycentric_eval_on_coset",
    "eval_poly",
    "interpolate",
]
