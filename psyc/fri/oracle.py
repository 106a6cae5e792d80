"""A batch of polynomials committed together: one Merkle tree over their LDE rows."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from psyc.backend import Array, ProverBackend, get_backend
from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.field.vector import as_field_array
from psyc.fri.config import SALT_SIZE
from psyc.hash.merkle import MerkleCap, MerkleTree
from psyc.poly.ntt import COSET_SHIFT, log2_strict

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def _device_matrix(values, backend: ProverBackend) -> Array:
    """A host matrix (or anything array-like) moved to the backend; backend arrays pass."""
    if isinstance(values, np.ndarray) or not hasattr(values, "shape"):
        return backend.to_device(np.ascontiguousarray(np.atleast_2d(as_field_array(values))))
    return values


class PolynomialBatch:
    """Polynomials of one degree bound, committed as a Merkle cap.

    ``coeffs`` is (m, n), one polynomial per row. Leaf i of the tree is the row of
    all m LDE values at the point of bit-reversed index i (``shift * w_N^brev(i)``),
    followed by SALT_SIZE random elements when ``blinding`` is on. ``coeffs``, ``lde``
    and the tree live on ``backend`` (default :func:`psyc.backend.get_backend`), so a
    GPU prover keeps them on the device from commitment to the FRI queries.
    """

    def __init__(
        self,
        coeffs: ArrayLike | Array,
        rate_bits: int,
        cap_height: int,
        blinding: bool = False,
        backend: ProverBackend | None = None,
        tree_levels: list | None = None,
    ):
        backend = backend or get_backend()
        coeffs = _device_matrix(coeffs, backend)
        if coeffs.ndim != 2:
            raise ValueError("PolynomialBatch expects an (m, n) coefficient matrix")
        self.backend = backend
        self.coeffs = coeffs
        self.degree_bits = log2_strict(coeffs.shape[1])
        self.rate_bits = rate_bits
        self.cap_height = cap_height
        self.blinding = blinding
        self.lde = backend.lde_rows(
            coeffs, rate_bits, COSET_SHIFT
        )  # (m, N), bit-reversed; kept for the quotient
        leaves = self.lde  # (m, N): a leaf per column
        if blinding:
            n_lde = leaves.shape[1]
            salt = np.frombuffer(secrets.token_bytes(n_lde * SALT_SIZE * 8), dtype=np.uint64)
            salt = (salt % np.uint64(P)).reshape(SALT_SIZE, n_lde)
            leaves = backend.concat_rows([leaves, backend.to_device(salt)])
        # tree_levels: the tree's digest levels known already (a commitment to preprocessed
        # columns read from the build cache, psyc.plonk.build; never with blinding's salt)
        assert tree_levels is None or not blinding
        self.tree = MerkleTree(leaves, cap_height, columns=True, backend=backend, levels=tree_levels)
        self._moved: dict[str, PolynomialBatch] = {}

    @classmethod
    def from_values(
        cls,
        values: ArrayLike | Array,
        rate_bits: int,
        cap_height: int,
        blinding: bool = False,
        backend: ProverBackend | None = None,
        tree_levels: list | None = None,
    ) -> PolynomialBatch:
        """Commit to the polynomials taking ``values[i, j]`` at ``w_n^j`` (``tree_levels``:
        as :class:`PolynomialBatch`)."""
        backend = backend or get_backend()
        coeffs = backend.intt_rows(_device_matrix(values, backend))
        return cls(coeffs, rate_bits, cap_height, blinding, backend, tree_levels)

    def on(self, backend: ProverBackend) -> PolynomialBatch:
        """This batch with its arrays on ``backend`` (itself when already there). The copy
        is made once and transfers the commitment (salt included) rather than redoing it."""
        if backend is self.backend:
            return self
        if backend.name not in self._moved:
            moved = object.__new__(PolynomialBatch)
            moved.__dict__.update(self.__dict__)
            moved.backend = backend
            moved.coeffs = backend.to_device(self.backend.to_host(self.coeffs))
            moved.lde = backend.to_device(self.backend.to_host(self.lde))
            tree = object.__new__(MerkleTree)
            tree.__dict__.update(self.tree.__dict__)
            tree.backend = backend
            tree._matrix = backend.to_device(self.backend.to_host(self.tree._matrix))
            tree.levels = [backend.to_device(self.backend.to_host(lv)) for lv in self.tree.levels]
            moved.tree = tree
            moved._moved = {}
            self._moved[backend.name] = moved
        return self._moved[backend.name]

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

    def eval_many(self, points: Sequence[Ext2]) -> list[list[Ext2]]:
        """Every polynomial of the batch at each extension point (one backend call)."""
        values = self.backend.evaluate_at(self.coeffs, [(z.a0, z.a1) for z in points])
        return [[Ext2(a, b) for a, b in per_point.tolist()] for per_point in values]

    def eval(self, z: Ext2) -> list[Ext2]:
        """Every polynomial of the batch at an extension point."""
        return self.eval_many([z])[0]
