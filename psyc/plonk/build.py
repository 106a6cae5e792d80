"""Building a circuit's data from a builder, in phases: layout, copy classes and the
permutation (sigmas), constant columns, the preprocessed commitment."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import MULTIPLICATIVE_GENERATOR, P, primitive_root_of_unity
from psyc.field.vector import powers_vec, scale_vec
from psyc.hash.constants import DIGEST_LEN
from psyc.plonk.circuit import CircuitData
from psyc.plonk.circuit_data import (
    CommonCircuitData,
    ProverOnlyCircuitData,
    VerifierOnlyCircuitData,
    check_gate_set,
    circuit_digest,
)
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates import blinding_gate, noop_gate
from psyc.plonk.row import Row

if TYPE_CHECKING:
    from pathlib import Path

    from psyc.fri.oracle import PolynomialBatch
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.gates import Gate

MIN_DEGREE_BITS = 2


@dataclass
class RowLayout:
    """The table's rows: the builder's, then no-op padding, then (zero knowledge) the
    blinding rows; the gate set in order of first use (one selector column per gate)."""

    rows: list[Row]
    degree_bits: int
    gates: list[Gate]
    gate_index: dict[str, int]  # gate id -> selector index
    uses_lookups: bool

    @property
    def n(self) -> int:
        return 1 << self.degree_bits


@dataclass
class CopyClasses:
    """The copy-constraint classes: which cells (and targets) must hold equal values."""

    cell_class: np.ndarray  # (num_wires, n) class id of each cell
    zero_class: int  # class of the unused cells (they hold 0)
    num_classes: int
    target_class: list[int]  # target index -> class id (unplaced targets get their own)


def layout_rows(builder: CircuitBuilder) -> RowLayout:
    """Size the table and pad it (the builder's rows are not changed)."""
    config: CircuitConfig = builder.config
    rows = list(builder.rows)
    uses_lookups = any(r.gate.name == "lookup" for r in rows)
    # zero knowledge: the last `blinding_rows` rows are random (the range table and every
    # copy constraint live above them), and the overlapping quotient chunks need
    # n >= 7·overlap − 7 (docs/security.md)
    nb = config.blinding_rows
    min_rows = max(1 << MIN_DEGREE_BITS, len(rows) + nb)
    if uses_lookups:
        min_rows = max(min_rows, (1 << config.range_table_bits) + nb)
    if config.zero_knowledge:
        min_rows = max(min_rows, (config.max_quotient_degree_factor - 1) * (config.quotient_overlap - 1))
    n = 1 << (min_rows - 1).bit_length()
    noop, blind = noop_gate(), blinding_gate()
    rows += [Row(noop, [0] * config.num_constants, [], "padding") for _ in range(n - nb - len(rows))]
    rows += [Row(blind, [0] * config.num_constants, [], "zk_blinding") for _ in range(n - len(rows))]

    gates: list[Gate] = []
    index: dict[str, int] = {}
    for r in rows:
        if r.gate.id not in index:
            index[r.gate.id] = len(gates)
            gates.append(r.gate)
    check_gate_set(gates)
    for g in gates:
        if g.num_constants > config.num_constants:
            raise ValueError(
                f"gate {g.id} needs {g.num_constants} constant columns; the config has {config.num_constants}"
            )
        if g.degree + 1 > config.max_quotient_degree_factor:
            raise ValueError(
                f"gate {g.id} has degree {g.degree}; with its selector that exceeds {config.max_quotient_degree_factor}"
            )
    return RowLayout(rows, n.bit_length() - 1, gates, index, uses_lookups)


def copy_classes(builder: CircuitBuilder, layout: RowLayout) -> CopyClasses:
    """Dense class ids for every cell from the builder's copy constraints; rejects a
    target shared with a non-routed cell."""
    config: CircuitConfig = builder.config
    W, R, n, rows = config.num_wires, config.num_routed_wires, layout.n, layout.rows
    roots = np.array(builder.copy_roots(), dtype=np.int64)

    # target index of every cell, -1 for unused cells (they hold 0): the rows' cells in one
    # flat list (a Target is the 1-tuple of its index), then scattered into the rows
    lengths = np.fromiter((len(r.cells) for r in rows), dtype=np.int64, count=n)
    flat = np.fromiter(
        (-1 if c is None else c[0] for r in rows for c in r.cells), dtype=np.int64, count=int(lengths.sum())
    )
    cell_target = np.full((W, n), -1, dtype=np.int64)
    if len(flat):
        row_of = np.repeat(np.arange(n), lengths)
        col_of = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        cell_target[col_of, row_of] = flat
    used = cell_target >= 0
    cell_root = np.where(used, roots[np.maximum(cell_target, 0)], -1)

    # dense class ids: one per union-find root that occurs in a cell (in order of the
    # roots), then the zero class; roots are target indices, so a presence mask over them
    # replaces a sort (np.unique)
    used_roots = cell_root[used]
    present = np.zeros(len(roots), dtype=bool)
    present[used_roots] = True
    present_roots = np.flatnonzero(present)
    rank = np.cumsum(present) - 1  # rank[r]: the class of root r when it is present
    cell_class = np.empty((W, n), dtype=np.int64)
    cell_class[used] = rank[used_roots]
    zero_class = len(present_roots)
    cell_class[~used] = zero_class
    num_classes = zero_class + 1

    # a target may only be shared between routed cells
    counts = np.bincount(cell_class[used], minlength=num_classes)
    bad = (counts[cell_class] > 1) & used
    bad[:R] = False
    if bad.any():
        col, row = (int(v[0]) for v in np.nonzero(bad))
        raise ValueError(
            f"a target is used in non-routed column {col} (row {row}, gate {rows[row].gate.id}, "
            f"scope '{rows[row].scope}') and elsewhere; only columns < {R} can be copied"
        )

    # every target maps to its class; targets never placed in a cell get classes of their
    # own, numbered after the others in the order of their roots (a root is the smallest
    # target of its class, CircuitBuilder.connect, so this is the order of first occurrence)
    root_class = np.full(len(roots), -1, dtype=np.int64)
    root_class[present_roots] = np.arange(len(present_roots))
    is_root = np.zeros(len(roots), dtype=bool)
    is_root[roots] = True
    all_roots = np.flatnonzero(is_root)
    unplaced = all_roots[root_class[all_roots] < 0]
    root_class[unplaced] = num_classes + np.arange(len(unplaced))
    target_class = root_class[roots].tolist()  # (a list: a dict of a million targets costs 0.2 s)
    return CopyClasses(cell_class, zero_class, num_classes + len(unplaced), target_class)


def permutation_sigmas(
    classes: CopyClasses, layout: RowLayout, config: CircuitConfig
) -> tuple[list[int], np.ndarray]:
    """``(k_is, sigma)``: the coset shifts k_j = 7^j and the (R, n) permutation, every
    routed cell pointing to the next cell of its class (cycles in (col, row) order)."""
    R, n = config.num_routed_wires, layout.n
    k_is = [pow(MULTIPLICATIVE_GENERATOR, j, P) for j in range(R)]
    identity_row = powers_vec(primitive_root_of_unity(layout.degree_bits), n)
    sigma = np.stack([scale_vec(identity_row, k) for k in k_is])
    flat_class = classes.cell_class[:R].ravel()  # index = col * n + row
    sel = np.nonzero(flat_class != classes.zero_class)[0]
    order = sel[np.argsort(flat_class[sel], kind="stable")]
    cls = flat_class[order]
    nxt = np.roll(order, -1)
    starts = np.r_[0, np.nonzero(cls[1:] != cls[:-1])[0] + 1]
    ends = np.r_[starts[1:], len(order)] - 1
    nxt[ends] = order[starts]  # close each cycle
    identity = sigma.reshape(-1).copy()  # identity[col * n + row] = k_col * w^row
    sigma.reshape(-1)[order] = identity[nxt]
    return k_is, sigma


def constant_columns(
    layout: RowLayout, config: CircuitConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(constants_values, row_gate, table)``: selectors then gate constants
    ``(S + K, n)``, the gate index of every row, and the range table column (lookups only)."""
    n, rows = layout.n, layout.rows
    index = layout.gate_index
    row_gate = np.fromiter((index[r.gate.id] for r in rows), dtype=np.int64, count=n)
    selectors = np.zeros((len(layout.gates), n), dtype=np.uint64)
    selectors[row_gate, np.arange(n)] = 1
    consts = np.array([r.constants for r in rows], dtype=np.uint64).reshape(n, config.num_constants)
    consts = np.ascontiguousarray(consts.T)
    table = None
    if layout.uses_lookups:
        table = np.zeros(n, dtype=np.uint64)
        table[: 1 << config.range_table_bits] = np.arange(1 << config.range_table_bits, dtype=np.uint64)
    return np.concatenate([selectors, consts]), row_gate, table


def commit_preprocessed(common: CommonCircuitData, constants_values: np.ndarray, sigma: np.ndarray,
                        table: np.ndarray | None) -> tuple[PolynomialBatch, VerifierOnlyCircuitData]:
    """The commitment to the preprocessed columns (constants, sigmas, the range table) and
    the verifying data it gives: what a built circuit's key is (also recomputed when a
    circuit is loaded from the build cache, so a loaded key always matches its columns).
    The Merkle tree of a large commitment comes from the user's build cache when these
    columns were committed before (:func:`cached_commitment`)."""
    from psyc.fri.oracle import PolynomialBatch

    columns = np.concatenate([constants_values, sigma] + ([table[None, :]] if table is not None else []))
    fri = common.config.fri_config
    if columns.shape[1] << fri.rate_bits >= CACHED_MIN_LEAVES:
        preprocessed = cached_commitment(columns, fri.rate_bits, fri.cap_height)
    else:
        preprocessed = PolynomialBatch.from_values(columns, fri.rate_bits, fri.cap_height)
    cap = preprocessed.cap
    return preprocessed, VerifierOnlyCircuitData(cap, circuit_digest(common, cap))


# The preprocessed commitment is a function of the columns alone, and its Merkle tree (a
# Poseidon hash per LDE row of ~90 columns) is most of a large circuit's build: 2^17 leaves,
# about a second of CPU, for a standard-shape fold circuit. From this many LDE leaves on
# (2^11 rows at rate 3) the tree is kept in the user's build cache; smaller ones take
# milliseconds. The LDE itself is recomputed (it is ~10x the tree's size).
CACHED_MIN_LEAVES = 1 << 14
PREPROCESSED_KIND = "preprocessed"
# the entries together stay under this many bytes: every circuit of 2^11 rows or more
# adds one (8 MB for a fold circuit, 128 MB at 2^18 rows), and each edit of a program is
# a new circuit; the least recently used go first
PREPROCESSED_CACHE_BYTES = 1 << 30
_SPOT_CHECKS = 16


def preprocessed_key(columns: np.ndarray, rate_bits: int, cap_height: int) -> str:
    """The build cache key of the commitment to ``columns``: their shape and bytes and the
    FRI parameters that shape the tree (the hash itself is checked on every read)."""
    columns = np.ascontiguousarray(columns, dtype=np.uint64)
    h = hashlib.sha256(f"psyc-preprocessed-v1;{rate_bits};{cap_height};{columns.shape}".encode())
    h.update(columns.data)
    return h.hexdigest()[:40]


def _level_sizes(num_leaves: int, cap_height: int) -> list[int]:
    """Digests per level of a tree over ``num_leaves`` leaves down to its cap (as
    :meth:`~psyc.backend.ProverBackend.merkle_tree` builds it)."""
    sizes = [num_leaves]
    while sizes[-1] > 1 << cap_height:
        sizes.append(sizes[-1] // 2)
    return sizes


def _levels_from_bytes(data: bytes, num_leaves: int, cap_height: int) -> list[np.ndarray] | None:
    """The digest levels an entry holds, or None when its size or elements are not those
    of such a tree."""
    sizes = _level_sizes(num_leaves, cap_height)
    if len(data) != 8 * DIGEST_LEN * sum(sizes):
        return None
    flat = np.frombuffer(data, dtype=np.uint64).reshape(-1, DIGEST_LEN).copy()
    if (flat >= np.uint64(P)).any():
        return None
    return np.split(flat, np.cumsum(sizes)[:-1])


def _spot_check(lde, levels: list[np.ndarray], backend) -> bool:
    """Do randomly chosen leaves of ``lde`` hash to the stored leaf digests, and their
    paths to the stored cap? (A tree of other columns, or of another hash, fails at the
    first leaf; the entry's HMAC already vouches that this user's psyc wrote it.)"""
    from psyc.hash.poseidon import hash_or_noop_columns, two_to_one_pairs

    n = levels[0].shape[0]
    idx = np.array(sorted({secrets.randbelow(n) for _ in range(_SPOT_CHECKS)}), dtype=np.int64)
    leaves = np.ascontiguousarray(backend.to_host(lde[:, idx.tolist()]), dtype=np.uint64)  # (a list: any backend's arrays)
    if not np.array_equal(hash_or_noop_columns(leaves), levels[0][idx]):
        return False
    for below, above in itertools.pairwise(levels):
        pairs = np.empty((2 * len(idx), DIGEST_LEN), dtype=np.uint64)
        pairs[0::2], pairs[1::2] = below[idx & ~1], below[idx | 1]
        idx = idx >> 1
        if not np.array_equal(two_to_one_pairs(pairs), above[idx]):
            return False
    return True


def cached_commitment(columns: np.ndarray, rate_bits: int, cap_height: int) -> PolynomialBatch:
    """``PolynomialBatch.from_values(columns, rate_bits, cap_height)``, its Merkle tree read
    from the user's build cache (:class:`~psyc.util.build_cache.BuildCache`: atomic entries
    under this user's HMAC key) when these columns were committed before: the entry must
    have the tree's shape and canonical digests and pass a spot check of random leaves
    and their paths against the recomputed LDE, else the tree is hashed again and stored."""
    from psyc.backend import get_backend
    from psyc.fri.oracle import PolynomialBatch
    from psyc.util.build_cache import BuildCache

    backend = get_backend()
    cache = BuildCache.user()
    key = preprocessed_key(columns, rate_bits, cap_height)
    data = cache.get(PREPROCESSED_KIND, key)
    levels = _levels_from_bytes(data, columns.shape[1] << rate_bits, cap_height) if data is not None else None
    if levels is not None:
        batch = PolynomialBatch.from_values(
            columns, rate_bits, cap_height, backend=backend, tree_levels=[backend.to_device(lv) for lv in levels]
        )
        if _spot_check(batch.lde, levels, backend):
            with contextlib.suppress(OSError):  # used: the last to be evicted
                os.utime(cache.path(PREPROCESSED_KIND, key))
            return batch
    batch = PolynomialBatch.from_values(columns, rate_bits, cap_height, backend=backend)
    cache.put(PREPROCESSED_KIND, key, b"".join(backend.to_host(lv).tobytes() for lv in batch.tree.levels))
    _evict(cache.dir, PREPROCESSED_CACHE_BYTES)
    return batch


def _evict(folder: Path, limit: int) -> None:
    """Delete the least recently used commitment entries in ``folder`` until the rest
    take at most ``limit`` bytes (best effort: another process may be doing the same)."""
    entries = []
    for path in folder.glob(f"{PREPROCESSED_KIND}-*"):
        with contextlib.suppress(OSError):
            st = path.stat()
            entries.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            path.unlink()
        total -= size


def build_circuit(builder: CircuitBuilder) -> CircuitData:
    """The circuit data of a builder, in phases: lay out the rows, derive the copy
    classes and the permutation, fill the constant columns, commit to them."""
    import psyc.plonk.gates.catalog  # noqa: F401  (gates' degrees and fingerprints from the catalog, not sympy)

    config: CircuitConfig = builder.config
    layout = layout_rows(builder)
    classes = copy_classes(builder, layout)
    k_is, sigma = permutation_sigmas(classes, layout, config)
    constants_values, row_gate, table = constant_columns(layout, config)
    common = CommonCircuitData(
        config=config,
        degree_bits=layout.degree_bits,
        gates=layout.gates,
        num_public_inputs=len(builder.public_inputs),
        k_is=k_is,
        num_gate_constraints=max((g.num_constraints for g in layout.gates), default=0),
    )
    preprocessed, verifier_only = commit_preprocessed(common, constants_values, sigma, table)
    prover_only = ProverOnlyCircuitData(
        generators=builder.generators,
        cell_class=classes.cell_class,
        num_classes=classes.num_classes,
        zero_class=classes.zero_class,
        target_class=classes.target_class,
        public_input_classes=[classes.target_class[t.index] for t in builder.public_inputs],
        row_scopes=[r.scope for r in layout.rows],
        row_gate_index=row_gate,
        constants_values=constants_values,
        sigma_values=sigma,
        constants_sigmas=preprocessed,
        constants_sigmas_table=table,
    )
    rows = layout.rows
    stats = {
        "rows": len([r for r in rows if r.scope != "padding"]),
        "degree_bits": layout.degree_bits,
        "gates": dict(Counter(r.gate.id for r in rows)),
        "scopes": dict(Counter(r.scope or "(top)" for r in rows)),
    }
    return CircuitData(prover_only, verifier_only, common, stats)
