"""Large-size correctness cases, run by benchmarks/run.sh (pytest -m slow), not in CI."""

import numpy as np
import pytest

from psyc.field import Ext2, P, primitive_root_of_unity
from psyc.fri import FriConfig, FriOracleInfo, PolynomialBatch
from psyc.fri.pcs import prove_openings, verify_openings
from psyc.hash import MerkleTree, verify_merkle_proof
from psyc.poly import intt, lde_batch, ntt, reverse_index_bits

pytestmark = pytest.mark.slow

RNG = np.random.default_rng(2026)


def test_ntt_2_20_roundtrip_and_spot_values():
    c = RNG.integers(0, P, 1 << 20, dtype=np.uint64)
    e = ntt(c)
    assert (intt(e) == c).all()
    w = primitive_root_of_unity(20)
    coeffs = [int(x) for x in c]
    for i in (0, 1, 12345, (1 << 20) - 1):
        x = pow(w, i, P)
        acc = 0
        for a in reversed(coeffs):
            acc = (acc * x + a) % P
        assert int(e[i]) == acc


def test_lde_64_columns_2_14_to_2_17():
    m = RNG.integers(0, P, (64, 1 << 14), dtype=np.uint64)
    out = lde_batch(m, 3)
    w = primitive_root_of_unity(17)
    for col, i in ((0, 7), (63, 99999)):
        x = 7 * pow(w, i, P) % P
        acc = 0
        for a in reversed([int(v) for v in m[col]]):
            acc = (acc * x + a) % P
        assert int(out[col, reverse_index_bits(i, 17)]) == acc


def test_merkle_2_17_rows_of_64():
    rows = RNG.integers(0, P, (1 << 17, 64), dtype=np.uint64)
    tree = MerkleTree(rows, 4)
    for i in (0, 1, 65535, (1 << 17) - 1):
        assert verify_merkle_proof(tree.leaf(i), i, tree.cap, tree.prove(i))


def test_fri_standard_2_14():
    cfg = FriConfig.standard()
    values = RNG.integers(0, P, (64, 1 << 14), dtype=np.uint64)
    oracle = PolynomialBatch.from_values(values, cfg.rate_bits, cfg.cap_height)
    points = [Ext2(5, 6), Ext2(7, 8)]
    proof = prove_openings([oracle], points, cfg)
    verify_openings([FriOracleInfo(64)], [oracle.cap], points, proof, 14, cfg)
