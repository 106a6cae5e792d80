"""A batch of polynomials committed together: one Merkle tree over their LDE rows."""

from __future__ import annotations

import secrets
from functools import cached_property

import numpy as np

from psyc.field.extension import Ext2
from psyc.field.vector import as_field_array
from psyc.hash.merkle import MerkleCap, MerkleTree
from psyc.poly.ntt import intt, lde_batch, log2_strict

#: Random elements appended to every leaf when blinding, hiding the LDE rows.
SALT_SIZE = 4


class PolynomialBatch:
    """Polynomials of one degree bound, committed as a Merkle cap.

    ``coeffs`` is (m, n), one polynomial per row. Leaf i of the tree is the row of
    all m LDE values at the point of bit-reversed index i (``shift * w_N^brev(i)``),
    followed by SALT_SIZE random elements when ``blinding`` is on.
    """

    def __init__(self, coeffs: np.ndarray, rate_bits: int, cap_height: int, blinding: bool = False):
        coeffs = np.ascontiguousarray(as_field_array(coeffs))
        if coeffs.ndim != 2:
            raise ValueError("PolynomialBatch expects an (m, n) coefficient matrix")
        self.coeffs = coeffs
        self.degree_bits = log2_strict(coeffs.shape[1])
        self.rate_bits = rate_bits
        self.blinding = blinding
        self.lde = lde_batch(coeffs, rate_bits)  # (m, N), bit-reversed; kept for the quotient
        leaves = self.lde  # (m, N): a leaf per column
        if blinding:
            n_lde = leaves.shape[1]
            salt = np.frombuffer(secrets.token_bytes(n_lde * SALT_SIZE * 8), dtype=np.uint64)
            salt = (salt % np.uint64(0xFFFFFFFF00000001)).reshape(SALT_SIZE, n_lde)
            leaves = np.concatenate([leaves, salt], axis=0)
        self.tree = MerkleTree(leaves, cap_height, columns=True)

    @classmethod
    def from_values(
        cls, values: np.ndarray, rate_bits: int, cap_height: int, blinding: bool = False
    ) -> PolynomialBatch:
        """Commit to the polynomials taking ``values[i, j]`` at ``w_n^j``."""
        return cls(intt(np.atleast_2d(as_field_array(values))), rate_bits, cap_height, blinding)

    @property
    def num_polys(self) -> int:
        return self.coeffs.shape[0]

    @property
    def degree(self) -> int:
        return self.coeffs.shape[1]

    @property
    def cap(self) -> MerkleCap:
        return self.tree.cap

    def leaf_width(self) -> int:
        return self.num_polys + (SALT_SIZE if self.blinding else 0)

    @cached_property
    def _coeffs_t(self) -> np.ndarray:
        return np.ascontiguousarray(self.coeffs.T)

    def eval(self, z: Ext2) -> list[Ext2]:
        """Every polynomial of the batch at an extension point."""
        from psyc.backend_cpu.fri_kernels import combine_rows

        # values[i] = sum_j coeffs[i, j] * z^j: combine_rows over the transposed matrix
        out = np.zeros((self.num_polys, 2), dtype=np.uint64)
        combine_rows(self._coeffs_t, _ext_powers_array(z, self.degree), out)
        return [Ext2(int(a), int(b)) for a, b in out]


def _ext_powers_array(z: Ext2, n: int) -> np.ndarray:
    from psyc.backend_cpu.fri_kernels import ext_powers

    return ext_powers(np.uint64(z.a0), np.uint64(z.a1), n)
