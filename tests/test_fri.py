"""FRI batch polynomial commitments: completeness, soundness against tampering, serialization.

Layout:

* configuration (FriConfig validation, FriParams.for_degree);
* honest proofs over a grid of small configurations (and the standard one);
* post-hoc tampering of an honest proof, one field at a time, through pcs.verify_openings;
* cheating provers that keep the Fiat-Shamir transcript consistent (wrong claimed value,
  too-high degree, tampered final polynomial);
* the binary form (round trip, every truncation, trailing bytes, non-canonical elements);
* salting (blinding) of commitments;
* last, tests that demonstrate known psyc bugs (kept failing on purpose).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import struct
from dataclasses import dataclass

import numpy as np
import pytest

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.fri import (
    SALT_SIZE,
    FriConfig,
    FriInstanceInfo,
    FriOpenings,
    FriOracleInfo,
    FriParams,
    FriProof,
    FriVerificationError,
    PolynomialBatch,
    combined_polynomial,
    compute_openings,
    prove_fri,
    verify_fri,
)
from psyc.fri.pcs import DOMAIN_SEPARATOR, OpeningProof, prove_openings, verify_openings
from psyc.hash.merkle import MerkleProof, verify_merkle_proof
from psyc.iop.challenger import Challenger
from psyc.poly.evaluation import eval_poly
from psyc.poly.ntt import COSET_SHIFT
from psyc.util.serialization import FormatError

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def small_config(rate=2, cap=1, queries=4, pow_bits=0, arity=2, final=1) -> FriConfig:
    return FriConfig(
        rate_bits=rate,
        cap_height=cap,
        num_query_rounds=queries,
        proof_of_work_bits=pow_bits,
        reduction_arity_bits=arity,
        final_poly_bits=final,
    )


def rand_felts(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(0, P, shape, dtype=np.uint64)


def rand_ext(rng: np.random.Generator) -> Ext2:
    return Ext2(int(rng.integers(0, P, dtype=np.uint64)), int(rng.integers(0, P, dtype=np.uint64)))


@dataclass
class Case:
    """An honest opening proof together with everything needed to verify it."""

    config: FriConfig
    degree_bits: int
    oracles: list[PolynomialBatch]
    infos: list[FriOracleInfo]
    caps: list
    points: list[Ext2]
    proof: OpeningProof

    @property
    def params(self) -> FriParams:
        return FriParams.for_degree(self.config, self.degree_bits)

    def verify(self, proof: OpeningProof | None = None, **overrides) -> None:
        args = {
            "oracle_infos": self.infos,
            "caps": self.caps,
            "points": self.points,
            "proof": self.proof if proof is None else proof,
            "degree_bits": self.degree_bits,
            "config": self.config,
        }
        args.update(overrides)
        verify_openings(**args)

    def tampered(self, fn) -> OpeningProof:
        """A deep copy of the proof with ``fn`` applied to its FriProof."""
        p = copy.deepcopy(self.proof)
        fn(p.fri_proof)
        return p


def make_case(
    config: FriConfig,
    degree_bits: int,
    widths=(3, 2),
    blinding=(False, True),
    num_points: int = 2,
    seed: int = 0,
) -> Case:
    rng = np.random.default_rng(seed)
    n = 1 << degree_bits
    oracles = [
        PolynomialBatch.from_values(rand_felts(rng, (w, n)), config.rate_bits, config.cap_height, blinding=b)
        for w, b in zip(widths, blinding, strict=True)
    ]
    points = [rand_ext(rng) for _ in range(num_points)]
    proof = prove_openings(oracles, points, config)
    infos = [FriOracleInfo(o.num_polys, o.blinding) for o in oracles]
    return Case(config, degree_bits, oracles, infos, [o.cap for o in oracles], points, proof)


def transcript(caps, points, openings: FriOpenings, cls=Challenger) -> Challenger:
    """The challenger state of pcs.prove_openings right before prove_fri."""
    ch = cls(DOMAIN_SEPARATOR)
    for cap in caps:
        ch.observe_cap(cap)
    ch.observe_exts(points)
    ch.observe_exts(openings.flatten())
    return ch


def replay_to_pow(case: Case, proof: OpeningProof | None = None) -> Challenger:
    """The verifier's transcript right before it observes the proof-of-work nonce."""
    proof = case.proof if proof is None else proof
    ch = transcript(case.caps, case.points, proof.openings)
    ch.get_ext_challenge()  # alpha
    for cap in proof.fri_proof.commit_phase_caps:
        ch.observe_cap(cap)
        ch.get_ext_challenge()  # beta
    ch.observe_exts(proof.fri_proof.final_poly)
    return ch


def query_indices(case: Case) -> list[int]:
    ch = replay_to_pow(case)
    assert ch.check_pow(case.proof.fri_proof.pow_witness, case.config.proof_of_work_bits)
    return [ch.get_challenge() % case.params.lde_size for _ in range(case.config.num_query_rounds)]


def bump(x: int) -> int:
    return (x + 1) % P


def direct_eval(oracle: PolynomialBatch, i: int, z: Ext2) -> Ext2:
    return eval_poly([int(c) for c in oracle.coeffs[i]], z)


def all_at(infos, points) -> FriInstanceInfo:
    return FriInstanceInfo.all_polys_at(tuple(infos), points)


# --------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------

INVALID_CONFIGS = [
    {"rate_bits": 0},
    {"rate_bits": 9},
    {"cap_height": -1},
    {"cap_height": 17},
    {"num_query_rounds": 0},
    {"num_query_rounds": 1025},
    {"proof_of_work_bits": -1},
    {"proof_of_work_bits": 33},
    {"reduction_arity_bits": 0},
    {"reduction_arity_bits": 7},
    {"final_poly_bits": -1},
    {"final_poly_bits": 17},
]


@pytest.mark.parametrize("kwargs", INVALID_CONFIGS, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()))
def test_invalid_config_raises_value_error(kwargs):
    with pytest.raises(ValueError, match="invalid FriConfig"):
        FriConfig(**kwargs)


def test_config_boundaries_and_round_trip():
    lo = FriConfig(1, 0, 1, 0, 1, 0)
    hi = FriConfig(8, 16, 1024, 32, 6, 16)
    for cfg in (lo, hi, FriConfig.standard()):
        assert FriConfig.from_list(cfg.to_list()) == cfg
    std = FriConfig.standard()
    assert std.to_list() == [3, 4, 28, 16, 4, 5]
    assert std.conjectured_security_bits() == 3 * 28 + 16
    assert std.params(10) == FriParams.for_degree(std, 10)


@pytest.mark.parametrize(
    "config, degree_bits, arities, final_len",
    [
        (FriConfig.standard(), 10, (4,), 64),
        (FriConfig.standard(), 13, (4, 4), 32),
        (FriConfig.standard(), 14, (4, 4), 64),
        (FriConfig.standard(), 9, (4,), 32),
        (FriConfig.standard(), 8, (), 256),
        (FriConfig.standard(), 3, (), 8),
        (FriConfig.standard(), 0, (), 1),
        (small_config(rate=2, cap=0, arity=1, final=0), 3, (1, 1, 1), 1),
        (small_config(rate=1, cap=3, arity=2, final=0), 6, (2, 2), 4),  # cap limits folding
        (small_config(rate=3, cap=0, arity=3, final=2), 10, (3, 3), 16),
        (small_config(rate=1, cap=0, arity=4, final=0), 8, (4, 4), 1),
        (small_config(rate=1, cap=0, arity=4, final=0), 7, (4,), 8),
    ],
)
def test_params_for_degree_cases(config, degree_bits, arities, final_len):
    params = FriParams.for_degree(config, degree_bits)
    assert params.reduction_arity_bits == arities
    assert params.final_poly_len == final_len
    assert params.lde_bits == degree_bits + config.rate_bits
    assert params.lde_size == 1 << params.lde_bits


@pytest.mark.parametrize(
    "rate, cap, arity, final", [(1, 0, 1, 0), (2, 3, 2, 1), (3, 4, 4, 5), (1, 4, 3, 2), (2, 2, 6, 0)]
)
def test_params_for_degree_invariants(rate, cap, arity, final):
    config = small_config(rate=rate, cap=cap, arity=arity, final=final)
    for d in range(0, 21):
        params = FriParams.for_degree(config, d)
        ab = params.reduction_arity_bits
        assert all(a == arity for a in ab)
        assert sum(ab) + params.final_poly_len.bit_length() - 1 == d
        # every commit-phase tree has at least as many leaves as the cap
        for k in range(1, len(ab) + 1):
            assert d + rate - sum(ab[:k]) >= cap
        # folding is maximal: one more step would break one of the two rules
        rest = d - sum(ab)
        assert rest - arity < final or rest + rate - arity < cap
        if ab:
            assert rest >= final


@pytest.mark.parametrize("degree_bits", [-1, 30, 40])
def test_params_for_degree_too_large_or_negative(degree_bits):
    with pytest.raises(ValueError):
        FriParams.for_degree(FriConfig.standard(), degree_bits)  # rate 3: 30 + 3 > 32


# --------------------------------------------------------------------------------------
# completeness
# --------------------------------------------------------------------------------------

# (degree_bits, rate, arity, final, cap, queries, pow)
HONEST_GRID = [
    (0, 1, 1, 0, 0, 2, 0),
    (1, 2, 1, 0, 1, 2, 1),
    (2, 1, 2, 0, 0, 3, 0),
    (3, 1, 1, 0, 0, 4, 0),
    (3, 2, 2, 0, 1, 3, 2),
    (3, 3, 3, 0, 2, 3, 4),
    (4, 1, 2, 1, 3, 3, 1),
    (4, 2, 3, 1, 2, 3, 3),
    (5, 3, 4, 0, 3, 3, 2),
    (5, 1, 1, 2, 0, 5, 8),
    (6, 2, 2, 1, 1, 4, 4),
    (6, 3, 3, 2, 3, 3, 0),
    (7, 1, 3, 3, 2, 3, 5),
    (7, 2, 4, 0, 0, 4, 6),
    (8, 3, 2, 2, 3, 3, 2),
    (8, 1, 4, 1, 1, 5, 3),
    (9, 2, 3, 3, 2, 3, 1),
    (10, 1, 2, 0, 3, 3, 8),
    (10, 3, 4, 3, 0, 3, 4),
]

ORACLE_SHAPES = [
    ((3, 2), (False, True)),
    ((1,), (True,)),
    ((5, 1, 9), (False, True, False)),  # 9 + no salt: a two-absorption leaf hash
    ((2, 4), (True, True)),
]


@pytest.mark.parametrize("idx", range(len(HONEST_GRID)))
def test_honest_proof_verifies(idx):
    degree_bits, rate, arity, final, cap, queries, pow_bits = HONEST_GRID[idx]
    config = small_config(rate=rate, cap=cap, queries=queries, pow_bits=pow_bits, arity=arity, final=final)
    widths, blinding = ORACLE_SHAPES[idx % len(ORACLE_SHAPES)]
    case = make_case(config, degree_bits, widths, blinding, num_points=1 + idx % 3, seed=idx)
    case.verify()

    params = case.params
    fp = case.proof.fri_proof
    assert len(fp.commit_phase_caps) == len(params.reduction_arity_bits)
    assert len(fp.final_poly) == params.final_poly_len
    assert len(fp.query_round_proofs) == queries
    for rnd in fp.query_round_proofs:
        for (leaf, _), info in zip(rnd.initial_trees_proof.evals_proofs, case.infos, strict=True):
            assert len(leaf) == info.num_polys + (SALT_SIZE if info.blinding else 0)
        assert [len(s.evals) for s in rnd.steps] == [1 << a for a in params.reduction_arity_bits]
    assert case.proof.fri_proof.pow_witness < P
    if pow_bits:
        assert replay_to_pow(case).check_pow(fp.pow_witness, pow_bits)

    # the claimed openings are the committed polynomials' values
    batches = case.proof.openings.batches
    assert len(batches) == len(case.points)
    for z, vals in zip(case.points, batches, strict=True):
        expected = [direct_eval(o, i, z) for o in case.oracles for i in range(o.num_polys)]
        assert list(vals) == expected


def test_standard_config_moderate_degree():
    config = FriConfig.standard()
    case = make_case(config, 9, widths=(6, 3), blinding=(False, True), num_points=2, seed=99)
    case.verify()
    fp = case.proof.fri_proof
    assert len(fp.query_round_proofs) == 28
    assert replay_to_pow(case).check_pow(fp.pow_witness, 16)
    # and a single flipped bit anywhere relevant still breaks it
    with pytest.raises(FriVerificationError):
        case.verify(case.tampered(lambda f: f.final_poly.__setitem__(0, f.final_poly[0] + Ext2(1))))


def test_openings_and_from_values_semantics():
    rng = np.random.default_rng(5)
    n = 8
    values = rand_felts(rng, (3, n))
    oracle = PolynomialBatch.from_values(values, 1, 0)
    w = primitive_root_of_unity(3)
    for j in range(n):
        got = oracle.eval(Ext2(pow(w, j, P)))
        assert got == [Ext2(int(v)) for v in values[:, j]]
    z = rand_ext(rng)
    assert oracle.eval(z) == [direct_eval(oracle, i, z) for i in range(3)]
    # each leaf of the tree is the row of LDE values at shift * w_N^brev(i)
    big_w = primitive_root_of_unity(4)
    for i in (0, 1, 5, 15):
        brev = int(format(i, "04b")[::-1], 2)
        x = COSET_SHIFT * pow(big_w, brev, P) % P
        assert oracle.tree.leaf(i) == [direct_eval(oracle, r, Ext2(x)).a0 for r in range(3)]


def test_combined_polynomial_is_the_batched_quotient():
    case = make_case(small_config(), 4, widths=(2, 3), blinding=(False, True), num_points=2, seed=8)
    instance = all_at(case.infos, case.points)
    rng = np.random.default_rng(1)
    alpha, r = rand_ext(rng), rand_ext(rng)
    coeffs = combined_polynomial(instance, case.oracles, alpha, case.params.lde_size)
    assert coeffs.shape == (case.params.lde_size, 2)
    # a quotient of degree-(n-1) polynomials: everything from index n-1 on is zero
    assert not coeffs[(1 << case.degree_bits) - 1 :].any()
    got = eval_poly([Ext2(int(a), int(b)) for a, b in coeffs], r)
    expected, k = Ext2.zero(), 0
    for batch, vals in zip(instance.batches, case.proof.openings.batches, strict=True):
        for p, v in zip(batch.polynomials, vals, strict=True):
            f_r = direct_eval(case.oracles[p.oracle_index], p.polynomial_index, r)
            expected = expected + alpha**k * (f_r - v) / (r - batch.point)
            k += 1
    assert got == expected


def test_manual_transcript_matches_prove_openings():
    """The cheating-prover tests below rebuild pcs's transcript by hand: check it is exact."""
    case = make_case(small_config(pow_bits=3), 5, widths=(2, 3), blinding=(False, False), seed=3)
    instance = all_at(case.infos, case.points)
    openings = compute_openings(instance, case.oracles)
    assert openings == case.proof.openings
    fri_proof = prove_fri(instance, case.oracles, transcript(case.caps, case.points, openings), case.params)
    assert fri_proof.to_bytes() == case.proof.fri_proof.to_bytes()
    # verify_fri directly, with the same hand-built transcript
    verify_fri(
        instance, openings, case.caps, fri_proof, transcript(case.caps, case.points, openings), case.params
    )


def test_prove_fri_rejects_oracle_of_other_size():
    config = small_config()
    rng = np.random.default_rng(0)
    oracle = PolynomialBatch(rand_felts(rng, (2, 16)), config.rate_bits, config.cap_height)
    params = FriParams.for_degree(config, 3)  # expects 8 << 2 rows, oracle has 16 << 2
    instance = all_at([FriOracleInfo(2)], [Ext2(3, 4)])
    openings = compute_openings(instance, [oracle])
    with pytest.raises(ValueError, match="LDE"):
        prove_fri(instance, [oracle], transcript([oracle.cap], [Ext2(3, 4)], openings), params)


# --------------------------------------------------------------------------------------
# post-hoc tampering of an honest proof
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base() -> Case:
    # degree 2^6, blowup 4, fold by 4 twice -> final polynomial of 4 coefficients
    case = make_case(small_config(rate=2, cap=1, queries=6, pow_bits=0, arity=2, final=1), 6, seed=42)
    assert case.params.reduction_arity_bits == (2, 2)
    case.verify()
    return case


@pytest.fixture(scope="module")
def base_indices(base) -> list[int]:
    idx = query_indices(base)
    # sanity of the replay: the initial-tree paths open exactly these indices
    for x, rnd in zip(idx, base.proof.fri_proof.query_round_proofs, strict=True):
        for (leaf, mp), cap in zip(rnd.initial_trees_proof.evals_proofs, base.caps, strict=True):
            assert verify_merkle_proof(leaf, x, cap, mp)
    return idx


def test_verify_is_repeatable_and_does_not_mutate(base):
    before = base.proof.fri_proof.to_bytes()
    base.verify()
    base.verify()
    assert base.proof.fri_proof.to_bytes() == before


@pytest.mark.parametrize("q", [0, 5])
@pytest.mark.parametrize("oracle", [0, 1])
@pytest.mark.parametrize("level", [0, -1])
def test_tamper_initial_merkle_sibling(base, q, oracle, level):
    def fn(f):
        _, mp = f.query_round_proofs[q].initial_trees_proof.evals_proofs[oracle]
        mp.siblings[level][2] = bump(mp.siblings[level][2])

    with pytest.raises(FriVerificationError, match=f"query {q}: Merkle path of oracle {oracle}"):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("path_p", "query 3: a Merkle path holds a non-canonical element"),
        ("path_negative", "query 3: a Merkle path holds a non-canonical element"),
        ("path_float", "query 3: a Merkle path holds a non-canonical element"),
        ("step_path_p", "query 3: a Merkle path holds a non-canonical element"),
        ("short_digest", "query 3: a Merkle path digest is not 4 elements"),
        ("leaf_p", "query 3: oracle 1 leaf holds a non-canonical element"),
        ("leaf_then_later_digest", "query 1: oracle 0 leaf holds a non-canonical element"),
    ],
)
def test_malformed_path_and_leaf_elements_name_the_first_offender(base, how, message):
    """The shape check scans every query's paths and leaves in one pass; when that fails,
    the message still names the first offending query, in the order of the checks."""

    def fn(f):
        rnd = f.query_round_proofs[3]
        _, mp = rnd.initial_trees_proof.evals_proofs[1]
        if how == "path_p":
            mp.siblings[0][1] = P
        elif how == "path_negative":
            mp.siblings[-1][0] = -1
        elif how == "path_float":
            mp.siblings[0][3] = 1.0
        elif how == "step_path_p":
            rnd.steps[1].merkle_proof.siblings[0][2] = P + 5
        elif how == "short_digest":
            mp.siblings[0] = mp.siblings[0][:3]
        elif how == "leaf_p":
            rnd.initial_trees_proof.evals_proofs[1][0][0] = P
        else:
            f.query_round_proofs[1].initial_trees_proof.evals_proofs[0][0][0] = 2**64
            mp.siblings[0] = mp.siblings[0][:3]

    with pytest.raises(FriVerificationError, match=message):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("leaf_width", "query 2: oracle 1 leaf has"),
        ("path_length", "query 2: oracle 0 Merkle path has the wrong length"),
        ("step_values", "query 2 step 1 has"),
        ("step_path", "query 2 step 0 Merkle path has the wrong length"),
        ("step_not_ext", "query 2: a step holds a non-extension value"),
        ("steps_missing", "query 2 has the wrong number of folding steps"),
    ],
)
def test_malformed_query_shapes_name_the_query(base, how, message):
    """Every query's shape is compared at once with the expected one; when one differs,
    the message names that query (not only query 0's shape is looked at)."""

    def fn(f):
        rnd = f.query_round_proofs[2]
        if how == "leaf_width":
            rnd.initial_trees_proof.evals_proofs[1][0].append(0)
        elif how == "path_length":
            rnd.initial_trees_proof.evals_proofs[0][1].siblings.pop()
        elif how == "step_values":
            rnd.steps[1].evals.pop()
        elif how == "step_path":
            rnd.steps[0].merkle_proof.siblings.append([0, 0, 0, 0])
        elif how == "step_not_ext":
            rnd.steps[0].evals[0] = (1, 2)
        else:
            rnd.steps.pop()

    with pytest.raises(FriVerificationError, match=message):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("q", [0, 3])
@pytest.mark.parametrize("step", [0, 1])
@pytest.mark.parametrize("level", [0, -1])
def test_tamper_step_merkle_sibling(base, q, step, level):
    def fn(f):
        mp = f.query_round_proofs[q].steps[step].merkle_proof
        mp.siblings[level][0] = bump(mp.siblings[level][0])

    with pytest.raises(FriVerificationError, match=f"query {q} step {step}: Merkle path"):
        base.verify(base.tampered(fn))


def test_tamper_merkle_sibling_swapped_with_other_query(base):
    """A valid path, but for another leaf index."""

    def fn(f):
        rounds = f.query_round_proofs
        a = rounds[0].initial_trees_proof.evals_proofs
        b = rounds[1].initial_trees_proof.evals_proofs
        a[0] = (a[0][0], b[0][1])

    with pytest.raises(FriVerificationError, match="Merkle path of oracle 0"):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize(
    "oracle, position",
    [(0, 0), (0, 2), (1, 0), (1, 1), (1, 2 + SALT_SIZE - 1)],  # the last one is a salt element
)
def test_tamper_initial_leaf_value(base, oracle, position):
    def fn(f):
        leaf, _ = f.query_round_proofs[2].initial_trees_proof.evals_proofs[oracle]
        leaf[position] = bump(leaf[position])

    with pytest.raises(FriVerificationError, match=f"query 2: Merkle path of oracle {oracle}"):
        base.verify(base.tampered(fn))


def test_tamper_initial_leaf_value_with_consistent_leaf_swap(base, base_indices):
    """Leaves of two different queries exchanged together with their paths: wrong indices."""
    q0, q1 = 0, next(i for i, x in enumerate(base_indices) if x != base_indices[0])

    def fn(f):
        a = f.query_round_proofs[q0].initial_trees_proof
        b = f.query_round_proofs[q1].initial_trees_proof
        a.evals_proofs, b.evals_proofs = b.evals_proofs, a.evals_proofs

    with pytest.raises(FriVerificationError, match="Merkle path"):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("q", [0, 4])
@pytest.mark.parametrize("step", [0, 1])
def test_tamper_step_value_at_queried_position(base, base_indices, q, step):
    shift = sum(base.params.reduction_arity_bits[:step])
    j = (base_indices[q] >> shift) & ((1 << base.params.reduction_arity_bits[step]) - 1)

    def fn(f):
        ev = f.query_round_proofs[q].steps[step].evals
        ev[j] = ev[j] + Ext2(0, 1)

    with pytest.raises(FriVerificationError, match=f"query {q} step {step}: committed value differs"):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("q", [1, 5])
@pytest.mark.parametrize("step", [0, 1])
def test_tamper_step_value_at_other_position(base, base_indices, q, step):
    shift = sum(base.params.reduction_arity_bits[:step])
    j = (base_indices[q] >> shift) & ((1 << base.params.reduction_arity_bits[step]) - 1)

    def fn(f):
        ev = f.query_round_proofs[q].steps[step].evals
        ev[j ^ 1] = ev[j ^ 1] + Ext2(1)

    with pytest.raises(FriVerificationError, match=f"query {q} step {step}: Merkle path"):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("layer", [0, 1])
@pytest.mark.parametrize("digest", [0, 1])
def test_tamper_commit_phase_cap(base, layer, digest):
    def fn(f):
        d = f.commit_phase_caps[layer][digest]
        d[3] = bump(d[3])

    with pytest.raises(FriVerificationError):
        base.verify(base.tampered(fn))


def test_tamper_commit_phase_caps_swapped(base):
    def fn(f):
        f.commit_phase_caps.reverse()

    with pytest.raises(FriVerificationError):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("i", [0, 1, 3])
@pytest.mark.parametrize("delta", [Ext2(1), Ext2(0, 1)])
def test_tamper_final_poly_coefficient(base, i, delta):
    def fn(f):
        f.final_poly[i] = f.final_poly[i] + delta

    with pytest.raises(FriVerificationError):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("how", ["append", "drop", "empty", "double"])
def test_wrong_final_poly_length(base, how):
    def fn(f):
        if how == "append":
            f.final_poly.append(Ext2.zero())
        elif how == "drop":
            f.final_poly.pop()
        elif how == "empty":
            f.final_poly.clear()
        else:
            f.final_poly.extend([Ext2.zero()] * len(f.final_poly))

    with pytest.raises(FriVerificationError, match="final polynomial has"):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("batch", [0, 1])
@pytest.mark.parametrize("index", [0, 4])
def test_tamper_openings_after_the_fact(base, batch, index):
    p = copy.deepcopy(base.proof)
    bs = [list(b) for b in p.openings.batches]
    bs[batch][index] = bs[batch][index] + Ext2(1)
    p.openings = FriOpenings(tuple(tuple(b) for b in bs))
    with pytest.raises(FriVerificationError):
        base.verify(p)


def test_openings_swapped_between_points(base):
    p = copy.deepcopy(base.proof)
    p.openings = FriOpenings(tuple(reversed(p.openings.batches)))
    with pytest.raises(FriVerificationError):
        base.verify(p)


def test_wrong_initial_cap(base):
    rng = np.random.default_rng(1234)
    other = PolynomialBatch.from_values(
        rand_felts(rng, (3, 64)), base.config.rate_bits, base.config.cap_height
    )
    with pytest.raises(FriVerificationError):
        base.verify(caps=[other.cap, base.caps[1]])
    with pytest.raises(FriVerificationError):
        base.verify(caps=[base.caps[1], base.caps[0]])  # swapped oracles
    changed = copy.deepcopy(base.caps)
    changed[1][1][0] = bump(changed[1][1][0])
    with pytest.raises(FriVerificationError):
        base.verify(caps=changed)


def test_openings_for_a_different_point(base):
    with pytest.raises(FriVerificationError):
        base.verify(points=[base.points[0], base.points[1] + Ext2(1)])
    with pytest.raises(FriVerificationError):
        base.verify(points=list(reversed(base.points)))


def test_proof_against_another_instance(base):
    # one more polynomial in oracle 0: openings no longer match the instance's shape
    bigger = [FriOracleInfo(4), base.infos[1]]
    with pytest.raises(FriVerificationError):
        base.verify(oracle_infos=bigger)
    # ... even with openings padded to that shape: the leaves are too short
    p = copy.deepcopy(base.proof)
    p.openings = FriOpenings(tuple((*b[:3], Ext2.zero(), *b[3:]) for b in p.openings.batches))
    with pytest.raises(FriVerificationError, match="leaf has"):
        base.verify(p, oracle_infos=bigger)
    # blinding flag flipped
    with pytest.raises(FriVerificationError, match="leaf has"):
        base.verify(oracle_infos=[base.infos[0], FriOracleInfo(2, False)])
    # a third opening point with a claimed value per polynomial
    p = copy.deepcopy(base.proof)
    extra = Ext2(5, 6)
    p.openings = FriOpenings((*p.openings.batches, tuple(Ext2.zero() for _ in range(5))))
    with pytest.raises(FriVerificationError):
        base.verify(p, points=[*base.points, extra])
    # only the first point
    p = copy.deepcopy(base.proof)
    p.openings = FriOpenings(p.openings.batches[:1])
    with pytest.raises(FriVerificationError):
        base.verify(p, points=base.points[:1])


@pytest.mark.parametrize(
    "overrides",
    [
        {"degree_bits": 5},
        {"degree_bits": 7},
        {"config": small_config(rate=2, cap=1, queries=7, arity=2, final=1)},
        {"config": small_config(rate=2, cap=1, queries=5, arity=2, final=1)},
        {"config": small_config(rate=2, cap=2, queries=6, arity=2, final=1)},
        {"config": small_config(rate=2, cap=1, queries=6, arity=3, final=1)},
        {"config": small_config(rate=2, cap=1, queries=6, arity=2, final=0)},
        {"config": small_config(rate=3, cap=1, queries=6, arity=2, final=1)},
    ],
    ids=lambda o: repr(o)[:60],
)
def test_verify_with_other_parameters(base, overrides):
    with pytest.raises(FriVerificationError):
        base.verify(**overrides)


# --- shape errors: all FriVerificationError, never IndexError & co ---------------------


def _drop_round(f):
    f.query_round_proofs.pop()


def _extra_round(f):
    f.query_round_proofs.append(copy.deepcopy(f.query_round_proofs[0]))


def _no_rounds(f):
    f.query_round_proofs.clear()


def _drop_step(f):
    f.query_round_proofs[2].steps.pop()


def _drop_first_step(f):
    f.query_round_proofs[0].steps.pop(0)


def _extra_step(f):
    f.query_round_proofs[1].steps.append(copy.deepcopy(f.query_round_proofs[1].steps[-1]))


def _short_leaf(f):
    f.query_round_proofs[3].initial_trees_proof.evals_proofs[0][0].pop()


def _long_leaf(f):
    f.query_round_proofs[3].initial_trees_proof.evals_proofs[1][0].append(0)


def _empty_leaf(f):
    f.query_round_proofs[3].initial_trees_proof.evals_proofs[0][0].clear()


def _drop_oracle(f):
    f.query_round_proofs[0].initial_trees_proof.evals_proofs.pop()


def _extra_oracle(f):
    ep = f.query_round_proofs[0].initial_trees_proof.evals_proofs
    ep.append(copy.deepcopy(ep[0]))


def _short_initial_path(f):
    f.query_round_proofs[1].initial_trees_proof.evals_proofs[0][1].siblings.pop()


def _long_initial_path(f):
    f.query_round_proofs[1].initial_trees_proof.evals_proofs[1][1].siblings.append([0, 0, 0, 0])


def _short_step_path(f):
    f.query_round_proofs[1].steps[1].merkle_proof.siblings.pop()


def _long_step_path(f):
    f.query_round_proofs[1].steps[0].merkle_proof.siblings.append([1, 2, 3, 4])


def _short_step_evals(f):
    f.query_round_proofs[0].steps[0].evals.pop()


def _long_step_evals(f):
    f.query_round_proofs[0].steps[1].evals.append(Ext2.zero())


def _empty_step_evals(f):
    f.query_round_proofs[0].steps[1].evals.clear()


def _drop_commit_cap(f):
    f.commit_phase_caps.pop()


def _extra_commit_cap(f):
    f.commit_phase_caps.append(copy.deepcopy(f.commit_phase_caps[0]))


def _short_commit_cap(f):
    f.commit_phase_caps[0].pop()


def _short_commit_digest(f):
    f.commit_phase_caps[1][0].pop()


def _nonce_p(f):
    f.pow_witness = P


def _nonce_negative(f):
    f.pow_witness = -1


SHAPE_TAMPERS = [
    _drop_round, _extra_round, _no_rounds, _drop_step, _drop_first_step, _extra_step,
    _short_leaf, _long_leaf, _empty_leaf, _drop_oracle, _extra_oracle,
    _short_initial_path, _long_initial_path, _short_step_path, _long_step_path,
    _short_step_evals, _long_step_evals, _empty_step_evals,
    _drop_commit_cap, _extra_commit_cap, _short_commit_cap, _short_commit_digest,
    _nonce_p, _nonce_negative,
]  # fmt: skip


@pytest.mark.parametrize("fn", SHAPE_TAMPERS, ids=lambda fn: fn.__name__.strip("_"))
def test_shape_errors_are_verification_errors(base, fn):
    with pytest.raises(FriVerificationError):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("how", ["missing_cap", "extra_cap", "short_cap", "short_digest"])
def test_malformed_initial_caps(base, how):
    caps = copy.deepcopy(base.caps)
    if how == "missing_cap":
        caps.pop()
    elif how == "extra_cap":
        caps.append(caps[0])
    elif how == "short_cap":
        caps[0].pop()
    else:
        caps[1][0].pop()
    with pytest.raises(FriVerificationError):
        base.verify(caps=caps)


@pytest.mark.parametrize("how", ["short_batch", "missing_batch", "extra_batch"])
def test_malformed_openings_shape(base, how):
    p = copy.deepcopy(base.proof)
    b = p.openings.batches
    if how == "short_batch":
        b = (b[0][:-1], b[1])
    elif how == "missing_batch":
        b = b[:1]
    else:
        b = (*b, b[0])
    p.openings = FriOpenings(b)
    with pytest.raises(FriVerificationError, match="openings|batch"):
        base.verify(p)


# --- proof of work ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pow_case() -> Case:
    case = make_case(small_config(rate=2, cap=0, queries=3, pow_bits=10, arity=2, final=0), 4, seed=7)
    case.verify()
    return case


def test_pow_nonce_is_the_smallest_valid_one(pow_case):
    ch = replay_to_pow(pow_case)
    w = pow_case.proof.fri_proof.pow_witness
    assert ch.clone().check_pow(w, 10)
    for nonce in range(min(w, 300)):
        assert not ch.clone().check_pow(nonce, 10)
    assert ch.grind(10) == w


@pytest.mark.parametrize("which", ["next", "zero", "p_minus_1"])
def test_wrong_pow_nonce(pow_case, which):
    ch = replay_to_pow(pow_case)
    w = pow_case.proof.fri_proof.pow_witness
    if which == "next":
        start = w + 1
    elif which == "zero":
        start = 0
    else:
        start = P - 1
    nonce = start
    while nonce == w or ch.clone().check_pow(nonce, 10):  # find a failing nonce near start
        nonce = (nonce + 1) % P
    p = pow_case.tampered(lambda f: setattr(f, "pow_witness", nonce))
    with pytest.raises(FriVerificationError, match="proof-of-work"):
        pow_case.verify(p)


@pytest.mark.parametrize("bad", ["w_plus_p", "u64_max"])
def test_noncanonical_pow_nonce(pow_case, bad):
    w = pow_case.proof.fri_proof.pow_witness
    nonce = w + P if bad == "w_plus_p" else 2**64 - 1
    p = pow_case.tampered(lambda f: setattr(f, "pow_witness", nonce))
    with pytest.raises(FriVerificationError, match="proof-of-work"):
        pow_case.verify(p)


def test_pow_checked_against_the_verifiers_config(pow_case):
    # a proof ground for 10 bits is (with probability 1 - 2^-20) not one for 30 bits
    stricter = dataclasses.replace(pow_case.config, proof_of_work_bits=30)
    ch = replay_to_pow(pow_case)
    assert not ch.check_pow(pow_case.proof.fri_proof.pow_witness, 30)
    with pytest.raises(FriVerificationError, match="proof-of-work"):
        pow_case.verify(config=stricter)


# --------------------------------------------------------------------------------------
# cheating provers with a consistent transcript
# --------------------------------------------------------------------------------------

CHEAT_CONFIGS = [
    (small_config(rate=2, cap=1, queries=3, arity=2, final=1), 6),
    (small_config(rate=1, cap=0, queries=2, arity=1, final=0), 4),
    (small_config(rate=3, cap=2, queries=2, arity=3, final=0), 6),
    (small_config(rate=2, cap=0, queries=2, arity=4, final=3), 5),  # no folding at all
    (small_config(rate=1, cap=3, queries=2, arity=2, final=2), 8),
]


@pytest.mark.parametrize("ci", range(len(CHEAT_CONFIGS)))
@pytest.mark.parametrize("target", ["first", "blinded", "last"])
def test_cheating_prover_wrong_claimed_value(ci, target):
    config, degree_bits = CHEAT_CONFIGS[ci]
    case = make_case(config, degree_bits, widths=(3, 2), blinding=(False, True), num_points=2, seed=100 + ci)
    instance = all_at(case.infos, case.points)
    honest = compute_openings(instance, case.oracles)
    bs = [list(b) for b in honest.batches]
    b, i = {"first": (0, 0), "blinded": (0, 3), "last": (1, 4)}[target]
    bs[b][i] = bs[b][i] + Ext2(1, 2)
    lie = FriOpenings(tuple(tuple(x) for x in bs))
    fri_proof = prove_fri(instance, case.oracles, transcript(case.caps, case.points, lie), case.params)
    if case.params.reduction_arity_bits:
        msg = "query 0 step 0: committed value differs"
    else:
        msg = "query 0: final polynomial disagrees"
    with pytest.raises(FriVerificationError, match=msg):
        case.verify(OpeningProof(lie, fri_proof))
    # same proof machinery, honest claim: verifies
    fri_ok = prove_fri(instance, case.oracles, transcript(case.caps, case.points, honest), case.params)
    case.verify(OpeningProof(honest, fri_ok))


# (config, degree_bits n, seed, blinding of the cheating oracle)
HIGH_DEGREE_CASES = [
    (small_config(rate=2, cap=1, queries=2, arity=2, final=1), 5, 0, False),
    (small_config(rate=2, cap=0, queries=2, arity=1, final=0), 4, 1, True),
    (small_config(rate=3, cap=2, queries=2, arity=3, final=0), 6, 2, False),
    (small_config(rate=1, cap=0, queries=3, arity=2, final=1), 6, 3, False),  # committed at rate 0
    (small_config(rate=2, cap=1, queries=2, arity=4, final=4), 4, 4, False),  # no folding at all
    (small_config(rate=3, cap=3, queries=2, arity=2, final=2), 7, 5, True),
    (FriConfig(rate_bits=3, cap_height=2, num_query_rounds=2, proof_of_work_bits=4), 9, 6, False),
]


@pytest.mark.parametrize("hi", range(len(HIGH_DEGREE_CASES)))
def test_cheating_prover_too_high_degree(hi):
    config, degree_bits, seed, blind = HIGH_DEGREE_CASES[hi]
    rng = np.random.default_rng(seed)
    n = 1 << degree_bits
    honest = PolynomialBatch(rand_felts(rng, (2, n)), config.rate_bits, config.cap_height)
    # degree < 2n, committed at half the rate so that its LDE has the honest size
    cheat = PolynomialBatch(
        rand_felts(rng, (3, 2 * n)), config.rate_bits - 1, config.cap_height, blinding=blind
    )
    params = FriParams.for_degree(config, degree_bits)
    assert cheat.tree.leaves.shape[0] == honest.tree.leaves.shape[0] == params.lde_size
    oracles = [honest, cheat]
    infos = [FriOracleInfo(2), FriOracleInfo(3, blind)]
    points = [rand_ext(rng), rand_ext(rng)]
    caps = [o.cap for o in oracles]
    instance = all_at(infos, points)
    openings = compute_openings(instance, oracles)  # the true values of the big polynomials
    fri_proof = prove_fri(instance, oracles, transcript(caps, points, openings), params)
    with pytest.raises(FriVerificationError, match="final polynomial disagrees"):
        verify_openings(infos, caps, points, OpeningProof(openings, fri_proof), degree_bits, config)


def test_cheating_prover_degree_check_is_tight():
    """Just two extra coefficients (degree n+1) are caught as well."""
    config = small_config(rate=2, cap=1, queries=3, arity=2, final=1)
    degree_bits = 5
    n = 1 << degree_bits
    rng = np.random.default_rng(77)
    coeffs = np.zeros((2, 2 * n), dtype=np.uint64)
    coeffs[:, :n] = rand_felts(rng, (2, n))
    coeffs[:, n + 1] = 1
    cheat = PolynomialBatch(coeffs, config.rate_bits - 1, config.cap_height)
    infos, points = [FriOracleInfo(2)], [rand_ext(rng)]
    instance = all_at(infos, points)
    openings = compute_openings(instance, [cheat])
    params = FriParams.for_degree(config, degree_bits)
    fri_proof = prove_fri(instance, [cheat], transcript([cheat.cap], points, openings), params)
    with pytest.raises(FriVerificationError, match="final polynomial disagrees"):
        verify_openings(infos, [cheat.cap], points, OpeningProof(openings, fri_proof), degree_bits, config)


class _FinalPolyTamperingChallenger(Challenger):
    """Lets prove_fri run honestly, but changes the final polynomial right before it is observed
    (prove_fri's only observe_exts call), so that the transcript stays consistent with it."""

    armed = False
    index = 0

    def observe_exts(self, xs):
        if self.armed and isinstance(xs, list):
            xs[self.index] = xs[self.index] + Ext2(1)
            self.armed = False
        super().observe_exts(xs)


@pytest.mark.parametrize("index", [0, 3])
def test_cheating_prover_wrong_final_poly_consistent_transcript(base, index):
    instance = all_at(base.infos, base.points)
    openings = base.proof.openings
    ch = transcript(base.caps, base.points, openings, cls=_FinalPolyTamperingChallenger)
    ch.armed, ch.index = True, index
    fri_proof = prove_fri(instance, base.oracles, ch, base.params)
    assert not ch.armed
    assert fri_proof.final_poly[index] != base.proof.fri_proof.final_poly[index]
    with pytest.raises(FriVerificationError, match="query 0: final polynomial disagrees"):
        base.verify(OpeningProof(openings, fri_proof))


# --------------------------------------------------------------------------------------
# binary form
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny() -> Case:
    config = small_config(rate=1, cap=0, queries=2, pow_bits=2, arity=1, final=0)
    case = make_case(config, 3, widths=(2, 1), blinding=(False, True), num_points=1, seed=11)
    case.verify()
    return case


@pytest.mark.parametrize("which", ["base", "tiny", "pow_case"])
def test_round_trip(which, request):
    case = request.getfixturevalue(which)
    data = case.proof.fri_proof.to_bytes()
    parsed = FriProof.from_bytes(data)
    assert parsed.to_bytes() == data
    assert parsed == case.proof.fri_proof
    case.verify(OpeningProof(case.proof.openings, parsed))


def test_every_truncation_is_a_format_error(tiny):
    data = tiny.proof.fri_proof.to_bytes()
    assert 500 < len(data) < 8000
    for k in range(len(data)):
        with pytest.raises(FormatError):
            FriProof.from_bytes(data[:k])


@pytest.mark.parametrize("extra", [b"\x00", b"\x00" * 8, b"\xff" * 3, "self"])
def test_trailing_bytes_are_a_format_error(tiny, extra):
    data = tiny.proof.fri_proof.to_bytes()
    if extra == "self":
        extra = data
    with pytest.raises(FormatError, match="trailing"):
        FriProof.from_bytes(data + extra)


SENTINEL = 0x0123456789ABCDEF


def _set_commit_cap(f):
    f.commit_phase_caps[1][0][2] = SENTINEL


def _set_leaf(f):
    f.query_round_proofs[1].initial_trees_proof.evals_proofs[1][0][2] = SENTINEL


def _set_initial_sibling(f):
    f.query_round_proofs[0].initial_trees_proof.evals_proofs[0][1].siblings[1][3] = SENTINEL


def _set_step_eval_a0(f):
    f.query_round_proofs[1].steps[0].evals[1] = Ext2(SENTINEL, 5)


def _set_step_eval_a1(f):
    f.query_round_proofs[1].steps[2].evals[0] = Ext2(5, SENTINEL)


def _set_step_sibling(f):
    f.query_round_proofs[0].steps[1].merkle_proof.siblings[0][0] = SENTINEL


def _set_final_poly(f):
    f.final_poly[0] = Ext2(7, SENTINEL)


@pytest.mark.parametrize(
    "place",
    [_set_commit_cap, _set_leaf, _set_initial_sibling, _set_step_eval_a0, _set_step_eval_a1,
     _set_step_sibling, _set_final_poly],
    ids=lambda fn: fn.__name__.removeprefix("_set_"),
)  # fmt: skip
@pytest.mark.parametrize("bad", [P, P + 1, 2**64 - 1])
def test_noncanonical_element_is_a_format_error(tiny, place, bad):
    p = copy.deepcopy(tiny.proof.fri_proof)
    place(p)
    data = p.to_bytes()
    needle = SENTINEL.to_bytes(8, "little")
    assert data.count(needle) == 1
    FriProof.from_bytes(data)  # the sentinel itself is canonical
    off = data.index(needle)
    patched = data[:off] + bad.to_bytes(8, "little") + data[off + 8 :]
    with pytest.raises(FormatError, match="canonical"):
        FriProof.from_bytes(patched)


@pytest.mark.parametrize(
    "count, limit", [(65, "commit-phase"), (1025, "query rounds"), (2**32 - 1, "commit-phase")]
)
def test_counts_over_limit_are_format_errors(tiny, count, limit):
    data = bytearray(tiny.proof.fri_proof.to_bytes())
    if limit == "commit-phase":
        data[0:4] = struct.pack("<I", count)
    else:
        # the query-round count follows the commit-phase caps
        n_caps = struct.unpack_from("<I", data, 0)[0]
        off = 4
        for _ in range(n_caps):
            n = struct.unpack_from("<I", data, off)[0]
            off += 4 + 8 * n
        assert struct.unpack_from("<I", data, off)[0] == tiny.config.num_query_rounds
        data[off : off + 4] = struct.pack("<I", count)
    with pytest.raises(FormatError):
        FriProof.from_bytes(bytes(data))


def test_malformed_digest_and_ext_lengths_are_format_errors(tiny):
    # a cap digest of 3 elements serializes to a cap whose length is not a multiple of 4
    p = copy.deepcopy(tiny.proof.fri_proof)
    p.commit_phase_caps[0][0].pop()
    with pytest.raises(FormatError, match="multiple of 4"):
        FriProof.from_bytes(p.to_bytes())
    # a Merkle path likewise
    p = copy.deepcopy(tiny.proof.fri_proof)
    p.query_round_proofs[0].steps[0].merkle_proof.siblings[0].pop()
    with pytest.raises(FormatError, match="multiple of 4"):
        FriProof.from_bytes(p.to_bytes())
    # an odd number of base elements for the extension-field final polynomial
    data = tiny.proof.fri_proof.to_bytes()
    k = len(tiny.proof.fri_proof.final_poly)
    head = data[: len(data) - 8 - 4 - 16 * k]
    assert struct.unpack_from("<I", data, len(head))[0] == 2 * k
    body = data[len(head) + 4 : len(data) - 8]
    odd = head + struct.pack("<I", 2 * k + 1) + body + (3).to_bytes(8, "little") + data[-8:]
    with pytest.raises(FormatError, match="odd"):
        FriProof.from_bytes(odd)


def test_garbage_and_byte_flips(tiny):
    """Every single-byte change either fails to parse or fails to verify; nothing else escapes."""
    data = tiny.proof.fri_proof.to_bytes()
    rng = np.random.default_rng(2024)
    for junk in (b"", b"\x00" * 64, bytes(rng.integers(0, 256, 200, dtype=np.uint8)), b"\xff" * 4000):
        with pytest.raises(FormatError):
            FriProof.from_bytes(junk)
    positions = sorted(set(rng.integers(0, len(data), 150).tolist()) | {0, 4, len(data) - 1, len(data) - 9})
    outcomes = {"format": 0, "verify": 0}
    for pos in positions:
        mutated = bytearray(data)
        mutated[pos] ^= 1 << int(rng.integers(0, 8))
        try:
            parsed = FriProof.from_bytes(bytes(mutated))
        except FormatError:
            outcomes["format"] += 1
            continue
        with pytest.raises(FriVerificationError):
            tiny.verify(OpeningProof(tiny.proof.openings, parsed))
        outcomes["verify"] += 1
    assert outcomes["verify"] > 0 and outcomes["format"] > 0


# --------------------------------------------------------------------------------------
# salt / blinding
# --------------------------------------------------------------------------------------


def test_blinding_salts_the_commitment():
    rng = np.random.default_rng(3)
    coeffs = rand_felts(rng, (3, 16))
    a = PolynomialBatch(coeffs, 2, 1, blinding=True)
    b = PolynomialBatch(coeffs, 2, 1, blinding=True)
    assert a.cap != b.cap
    assert all(da != db for da, db in zip(a.cap, b.cap, strict=True))
    # without salt the commitment is a deterministic function of the polynomials
    c = PolynomialBatch(coeffs, 2, 1)
    d = PolynomialBatch(coeffs, 2, 1)
    assert c.cap == d.cap and c.cap != a.cap
    # salted leaves: the LDE row followed by SALT_SIZE canonical, fresh random elements
    assert a.leaf_width() == 3 + SALT_SIZE and c.leaf_width() == 3
    assert a.tree.leaves.shape == (64, 3 + SALT_SIZE)
    np.testing.assert_array_equal(a.tree.leaves[:, :3], c.tree.leaves)
    salt = a.tree.leaves[:, 3:]
    assert (salt < np.uint64(P)).all()
    assert len({tuple(r) for r in salt.tolist()}) == 64
    assert not np.array_equal(salt, b.tree.leaves[:, 3:])
    # the polynomials, hence their values, are unchanged by the salt
    z = Ext2(11, 13)
    assert a.eval(z) == c.eval(z)


def test_blinded_proofs_of_same_polynomials_differ_and_both_verify():
    config = small_config(rate=2, cap=1, queries=3, arity=2, final=1)
    rng = np.random.default_rng(4)
    coeffs = rand_felts(rng, (2, 16))
    points = [Ext2(1, 2)]
    proofs, caps = [], []
    for _ in range(2):
        o = PolynomialBatch(coeffs, config.rate_bits, config.cap_height, blinding=True)
        proofs.append(prove_openings([o], points, config))
        caps.append([o.cap])
    assert proofs[0].openings == proofs[1].openings
    assert proofs[0].fri_proof.to_bytes() != proofs[1].fri_proof.to_bytes()
    for pr, cap in zip(proofs, caps, strict=True):
        verify_openings([FriOracleInfo(2, True)], cap, points, pr, 4, config)
    with pytest.raises(FriVerificationError):
        verify_openings([FriOracleInfo(2, True)], caps[1], points, proofs[0], 4, config)


# --------------------------------------------------------------------------------------
# known psyc bugs (these tests fail until psyc is fixed; they are last so that -x runs
# everything above first)
# --------------------------------------------------------------------------------------


def test_regression_merkle_sibling_digest_of_wrong_length_is_a_verification_error(base):
    """_check_shape checks cap digests are 4 elements but not Merkle-path siblings: a
    3-element sibling makes two_to_one raise ValueError instead of FriVerificationError."""

    def fn(f):
        leaf, mp = f.query_round_proofs[0].initial_trees_proof.evals_proofs[0]
        f.query_round_proofs[0].initial_trees_proof.evals_proofs[0] = (
            leaf,
            MerkleProof([s[:3] for s in mp.siblings]),
        )

    with pytest.raises(FriVerificationError):
        base.verify(base.tampered(fn))


@pytest.mark.parametrize("where", ["leaf", "commit_cap"])
def test_regression_out_of_range_integers_in_memory_are_verification_errors(base, where):
    """Elements >= 2^64 in an in-memory proof escape as ValueError (hash_or_noop /
    Challenger.observe_element) instead of FriVerificationError."""

    def fn(f):
        if where == "leaf":
            f.query_round_proofs[0].initial_trees_proof.evals_proofs[0][0][0] = 2**64
        else:
            f.commit_phase_caps[0][0][0] = 2**64

    with pytest.raises(FriVerificationError):
        base.verify(base.tampered(fn))


def test_regression_noncanonical_pow_nonce_is_a_format_error(tiny):
    """FriProof.read takes the nonce with r.u64 and never checks it is < p, although the
    verifier treats it as a field element; every other element is checked by r.felts."""
    data = tiny.proof.fri_proof.to_bytes()
    for bad in (P, P + tiny.proof.fri_proof.pow_witness, 2**64 - 1):
        with pytest.raises(FormatError):
            FriProof.from_bytes(data[:-8] + bad.to_bytes(8, "little"))


def test_regression_opening_point_on_the_lde_coset_does_not_crash_the_verifier():
    """Opening at a point of the LDE coset shift*<w_N>: prove_openings accepts it, and the
    verifier divides by (x - z) = 0 and raises ZeroDivisionError. Either side should reject
    such a point cleanly (ValueError up front, or FriVerificationError)."""
    config = small_config(rate=1, cap=0, queries=4, arity=1, final=0)
    degree_bits = 2
    lde_bits = degree_bits + config.rate_bits
    w = primitive_root_of_unity(lde_bits)
    # every point of the coset, so whichever index is queried hits one of them
    points = [Ext2(COSET_SHIFT * pow(w, k, P) % P) for k in range(1 << lde_bits)]
    rng = np.random.default_rng(0)
    oracle = PolynomialBatch.from_values(rand_felts(rng, (2, 1 << degree_bits)), config.rate_bits, 0)
    try:
        proof = prove_openings([oracle], points, config)
    except ValueError:
        return  # refusing the point up front is a fine fix
    with contextlib.suppress(FriVerificationError):  # a clean rejection is fine too
        verify_openings([FriOracleInfo(2)], [oracle.cap], points, proof, degree_bits, config)
