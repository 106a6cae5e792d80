"""Polynomials over Goldilocks: NTTs, coset transforms, LDEs, evaluation, interpolation."""

from psyc.util.lazy import lazy_exports

# name -> module that defines it, imported on first use (numba kernels behind most)
_EXPORTS = {
    "barycentric_eval_on_coset": "psyc.poly.evaluation",
    "eval_poly": "psyc.poly.evaluation",
    "interpolate": "psyc.poly.evaluation",
    "COSET_SHIFT": "psyc.poly.ntt",
    "bit_reverse": "psyc.poly.ntt",
    "coset_intt": "psyc.poly.ntt",
    "coset_ntt": "psyc.poly.ntt",
    "intt": "psyc.poly.ntt",
    "lde": "psyc.poly.ntt",
    "lde_batch": "psyc.poly.ntt",
    "log2_strict": "psyc.poly.ntt",
    "ntt": "psyc.poly.ntt",
    "reverse_index_bits": "psyc.poly.ntt",
    "transpose": "psyc.poly.ntt",
    "twiddles": "psyc.poly.ntt",
}
__getattr__, __dir__ = lazy_exports("psyc.poly", globals(), _EXPORTS)

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
