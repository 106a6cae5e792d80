"""The Goldilocks field (p = 2^64 - 2^32 + 1) and its quadratic extension.

Scalars are Python ints (:mod:`.goldilocks`) and :class:`Ext2`; arrays are ``uint64``
NumPy arrays processed by numba kernels (:mod:`.vector`).
"""

from psyc.field.extension import DEGREE as EXT_DEGREE
from psyc.field.extension import Ext2, ext_powers, reduce_with_powers
from psyc.field.extension import W as EXT_W
from psyc.field.goldilocks import (
    EPSILON,
    MULTIPLICATIVE_GENERATOR,
    ORDER,
    POWER_OF_TWO_GENERATOR,
    TWO_ADICITY,
    P,
    add,
    batch_inverse,
    canonical,
    div,
    from_signed,
    inv,
    mul,
    neg,
    pow_,
    primitive_root_of_unity,
    sub,
    to_signed,
)
from psyc.util.lazy import lazy_exports

# name -> module that defines it, imported on first use (numba kernels behind most)
_EXPORTS = {
    "add_vec": "psyc.field.vector",
    "as_field_array": "psyc.field.vector",
    "batch_inverse_vec": "psyc.field.vector",
    "canonicalize_vec": "psyc.field.vector",
    "ext_add_vec": "psyc.field.vector",
    "ext_batch_inverse_vec": "psyc.field.vector",
    "ext_mul_vec": "psyc.field.vector",
    "ext_scale_base_vec": "psyc.field.vector",
    "ext_sub_vec": "psyc.field.vector",
    "mul_vec": "psyc.field.vector",
    "neg_vec": "psyc.field.vector",
    "pow_vec": "psyc.field.vector",
    "powers_vec": "psyc.field.vector",
    "scale_vec": "psyc.field.vector",
    "sub_vec": "psyc.field.vector",
}
__getattr__, __dir__ = lazy_exports("psyc.field", globals(), _EXPORTS)

__all__ = [
    "P",
    "ORDER",
    "EPSILON",
    "MULTIPLICATIVE_GENERATOR",
    "TWO_ADICITY",
    "POWER_OF_TWO_GENERATOR",
    "EXT_DEGREE",
    "EXT_W",
    "Ext2",
    "ext_powers",
    "reduce_with_powers",
    "add",
    "sub",
    "mul",
    "neg",
    "inv",
    "div",
    "pow_",
    "canonical",
    "batch_inverse",
    "from_signed",
    "to_signed",
    "primitive_root_of_unity",
    "as_field_array",
    "add_vec",
    "sub_vec",
    "mul_vec",
    "neg_vec",
    "pow_vec",
    "powers_vec",
    "scale_vec",
    "canonicalize_vec",
    "batch_inverse_vec",
    "ext_add_vec",
    "ext_sub_vec",
    "ext_mul_vec",
    "ext_scale_base_vec",
    "ext_batch_inverse_vec",
]
