"""Poseidon (plonky2, width 12, Goldilocks) and its sponge conventions.

Conventions checked here (psyc/hash/poseidon.py, matching plonky2):

* permute: the width-12 permutation; the known-answer vectors in
  psyc/hash/poseidon_goldilocks.json ("permutation_kats") are plonky2's test vectors.
* hash_no_pad(xs): overwrite-mode sponge with rate 8 and no padding. The state starts
  at 12 zeros; for each chunk of at most 8 inputs, lanes 0..k-1 are *overwritten* by the
  chunk (lanes k..11 keep the current state), then the state is permuted. The digest is
  lanes 0..3. The empty input runs no permutation and hashes to [0, 0, 0, 0].
* hash_or_noop(xs): <= 4 inputs are returned (canonicalised) and zero-padded to 4;
  longer inputs go through hash_no_pad.
* two_to_one(a, b) = permute(a + b + [0]*4)[:4] (= hash_no_pad(a + b)).
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import P, arr, felts, ints, u64s

from psyc.hash import (
    hash_no_pad,
    hash_or_noop,
    hash_or_noop_rows,
    permute,
    permute_many,
    permute_reference,
    two_to_one,
    two_to_one_pairs,
)
from psyc.hash.constants import (
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
    fast_partial_rounds,
    mds_matrix,
)

VECTORS = json.loads(resources.files("psyc.hash").joinpath("poseidon_goldilocks.json").read_text())
KATS = VECTORS["permutation_kats"]

states = st.lists(u64s, min_size=12, max_size=12)
digests = st.lists(felts, min_size=4, max_size=4)


def test_vector_file_shape():
    assert VECTORS["field_modulus"] == P
    assert (VECTORS["width"], VECTORS["rate"], VECTORS["capacity"]) == (12, 8, 4)
    assert len(VECTORS["round_constants"]) == 12 * 30
    assert len(KATS) >= 4
    # plonky2's first test vector (all-zero input) starts with 0x3c18a9786cb0b359
    assert KATS[0]["input"] == [0] * 12 and KATS[0]["output"][0] == 0x3C18A9786CB0B359


@pytest.mark.parametrize("kat", KATS, ids=[f"kat{i}" for i in range(len(KATS))])
def test_permutation_kats(kat):
    inp, out = kat["input"], kat["output"]
    assert permute(inp) == out
    assert permute_reference(inp) == out
    assert ints(permute_many(arr([inp]))) == [out]


def test_permute_many_all_kats_at_once():
    inputs = arr([k["input"] for k in KATS] * 3)
    inputs0 = inputs.copy()
    out = permute_many(inputs)
    assert ints(out) == [k["output"] for k in KATS] * 3
    assert (inputs == inputs0).all()  # returns a new array


@given(states)
def test_permute_matches_reference(state):
    out = permute(state)
    assert all(0 <= v < P for v in out) and len(out) == 12
    assert out == permute_reference(state)


def test_permute_noncanonical_equals_canonical():
    rng = np.random.default_rng(5)
    for _ in range(10):
        small = [int(v) for v in rng.integers(0, 2**32 - 1, 12, dtype=np.uint64)]
        big = [v + P for v in small]  # same field elements, non-canonical
        assert permute(big) == permute(small) == permute_reference(big)
    assert permute([2**64 - 1] * 12) == permute([(2**64 - 1) % P] * 12)


def test_permute_many_random_rows():
    rng = np.random.default_rng(6)
    s = rng.integers(0, 2**64 - 1, (300, 12), dtype=np.uint64, endpoint=True)
    s[0] = P
    s[1] = 2**64 - 1
    out = permute_many(s)
    assert out.shape == (300, 12) and out.dtype == np.uint64
    for i in range(300):
        assert ints(out[i]) == permute(ints(s[i]))
    assert ints(out[0]) == permute([0] * 12) == KATS[0]["output"]
    assert permute_many(np.zeros((0, 12), dtype=np.uint64)).shape == (0, 12)


@pytest.mark.parametrize("bad", [[0] * 11, [0] * 13, []])
def test_permute_wrong_length(bad):
    with pytest.raises(ValueError):
        permute(bad)


@pytest.mark.parametrize("val", [-1, 2**64, 2**70])
def test_permute_bad_values(val):
    state = [0] * 12
    state[5] = val
    with pytest.raises(ValueError):
        permute(state)


@pytest.mark.parametrize("shape", [(12,), (3, 11), (2, 13), (2, 3, 12)])
def test_permute_many_bad_shape(shape):
    with pytest.raises(ValueError):
        permute_many(np.zeros(shape, dtype=np.uint64))


# --------------------------------------------------------------------------- sponge


def test_hash_no_pad_empty():
    assert hash_no_pad([]) == [0, 0, 0, 0]


@pytest.mark.parametrize("k", range(1, 9))
def test_hash_no_pad_one_chunk(k):
    xs = list(range(100, 100 + k))
    assert hash_no_pad(xs) == permute(xs + [0] * (12 - k))[:4]


def test_hash_no_pad_eight_zeros_is_kat0():
    assert hash_no_pad([0] * 8) == KATS[0]["output"][:4]
    assert hash_no_pad([0]) == KATS[0]["output"][:4]  # no padding: [0] == [0]*8 here


@pytest.mark.parametrize("k", range(9, 17))
def test_hash_no_pad_two_chunks_overwrite(k):
    xs = [1000 + 7 * i for i in range(k)]
    s1 = permute(xs[:8] + [0] * 4)
    rest = xs[8:]
    s2_in = rest + s1[len(rest) :]  # lanes 0..len(rest)-1 overwritten, the rest kept
    assert hash_no_pad(xs) == permute(s2_in)[:4]


def test_hash_no_pad_three_chunks():
    xs = list(range(1, 20))  # 8 + 8 + 3
    s = permute(xs[:8] + [0] * 4)
    s = permute(xs[8:16] + s[8:])
    s = permute(xs[16:] + s[3:])
    assert hash_no_pad(xs) == s[:4]


@given(st.lists(u64s, max_size=30))
def test_hash_no_pad_generic(xs):
    state = [0] * 12
    for i in range(0, len(xs), 8):
        chunk = xs[i : i + 8]
        state = permute_reference(chunk + state[len(chunk) :])
    assert hash_no_pad(xs) == state[:4]


def test_hash_no_pad_has_no_padding():
    """No padding: trailing zeros inside the last chunk do not change the digest,
    but a zero that starts a new chunk (or overwrites permuted state) does."""
    xs = [3, 1, 4, 1, 5]
    assert hash_no_pad(xs + [0]) == hash_no_pad(xs) == hash_no_pad(xs + [0, 0, 0])
    ys = list(range(1, 9))
    assert hash_no_pad(ys + [0]) != hash_no_pad(ys)
    zs = list(range(1, 12))
    assert hash_no_pad(zs + [0]) != hash_no_pad(zs)


@pytest.mark.parametrize("k", range(0, 5))
def test_hash_or_noop_short_is_padded_identity(k):
    xs = [P - 1 - i for i in range(k)]
    assert hash_or_noop(xs) == xs + [0] * (4 - k)
    assert hash_or_noop([P + 2] * k) == [2] * k + [0] * (4 - k)  # canonicalised


@given(st.lists(u64s, min_size=5, max_size=20))
def test_hash_or_noop_long_is_hash_no_pad(xs):
    assert hash_or_noop(xs) == hash_no_pad(xs)


def test_hash_or_noop_five():
    xs = [1, 2, 3, 4, 5]
    assert hash_or_noop(xs) == permute(xs + [0] * 7)[:4]


@given(digests, digests)
def test_two_to_one(a, b):
    out = two_to_one(a, b)
    assert out == permute(a + b + [0] * 4)[:4] == permute_reference(a + b + [0] * 4)[:4]
    assert out == hash_no_pad(a + b)
    assert out != two_to_one(b, a) or a == b


def test_two_to_one_of_zeros_is_kat0():
    assert two_to_one([0] * 4, [0] * 4) == KATS[0]["output"][:4]


@pytest.mark.parametrize(
    "fn, bad",
    [
        (hash_no_pad, [1, 2, -1]),
        (hash_no_pad, [2**64]),
        (hash_no_pad, [0] * 9 + [2**64 + 1]),
        (hash_or_noop, [-1]),
        (hash_or_noop, [1, 2, 3, 2**64]),
        (hash_or_noop, [1, 2, 3, 4, 2**64]),
        (hash_or_noop, [1, 2, 3, 4, -7]),
    ],
)
def test_hash_bad_values(fn, bad):
    with pytest.raises(ValueError):
        fn(bad)


@pytest.mark.parametrize(
    "a, b",
    [
        ([1, 2, 3], [1, 2, 3, 4]),
        ([1, 2, 3, 4], [1, 2, 3, 4, 5]),
        ([1, 2, 3, 4], [1, 2, 3, -4]),
        ([2**64, 2, 3, 4], [1, 2, 3, 4]),
    ],
)
def test_two_to_one_bad_input(a, b):
    with pytest.raises(ValueError):
        two_to_one(a, b)


# --------------------------------------------------------------------------- batched forms


@pytest.mark.parametrize("width", [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 25])
def test_hash_or_noop_rows(width):
    rng = np.random.default_rng(width)
    rows = rng.integers(0, 2**64 - 1, (37, width), dtype=np.uint64, endpoint=True)
    if width:
        rows[0, 0] = P
        rows[1, :] = 2**64 - 1
    out = hash_or_noop_rows(rows)
    assert out.shape == (37, 4) and out.dtype == np.uint64
    for i in range(37):
        assert ints(out[i]) == hash_or_noop(ints(rows[i]))
    assert (out < np.uint64(P)).all()


@pytest.mark.parametrize("width", [1, 2, 4])
def test_hash_or_noop_rows_short_rows_are_exact(width):
    """Rows of <= 4 elements are their own digest, so every bit must survive.

    BUG (psyc/hash/templates/poseidon.py.j2, hash_or_noop_rows): the expression
    ``canon_u64(rows[i, k]) if k < m else 0`` unifies uint64 with an int literal, which
    numba types as float64, so values above 2^53 are rounded (2^53 + 1 -> 2^53).
    """
    rows = np.full((2, width), 2**53 + 1, dtype=np.uint64)
    rows[1, 0] = P - 2
    out = hash_or_noop_rows(rows)
    assert ints(out[0]) == [2**53 + 1] * width + [0] * (4 - width)
    assert ints(out[1]) == [P - 2] + [2**53 + 1] * (width - 1) + [0] * (4 - width)


def test_hash_or_noop_rows_short_rows_small_values():
    """Same convention with values below 2^53 (unaffected by the float64 rounding)."""
    rows = arr([[1, 2, 3], [P + 5, 0, 2**52]])
    assert ints(hash_or_noop_rows(rows)) == [[1, 2, 3, 0], [5, 0, 2**52, 0]]


def test_hash_or_noop_rows_many_rows_multichunk():
    rng = np.random.default_rng(99)
    rows = rng.integers(0, P - 1, (200, 10), dtype=np.uint64, endpoint=True)  # > one 64-row chunk
    out = hash_or_noop_rows(rows)
    for i in (0, 63, 64, 65, 128, 199):
        assert ints(out[i]) == hash_no_pad(ints(rows[i]))


def test_hash_or_noop_rows_bad_ndim():
    with pytest.raises(ValueError):
        hash_or_noop_rows(np.zeros(8, dtype=np.uint64))


@pytest.mark.parametrize("n", [1, 2, 5, 64, 65, 130])
def test_two_to_one_pairs(n):
    rng = np.random.default_rng(n)
    children = rng.integers(0, P - 1, (2 * n, 4), dtype=np.uint64, endpoint=True)
    out = two_to_one_pairs(children)
    assert out.shape == (n, 4)
    for i in range(n):
        assert ints(out[i]) == two_to_one(ints(children[2 * i]), ints(children[2 * i + 1]))


@pytest.mark.parametrize("width", [1, 4, 5, 8, 9, 25])
@pytest.mark.parametrize("n", [1, 15, 16, 17, 37])
def test_hash_or_noop_columns_is_rows_of_the_transpose(width, n):
    """The column-major kernel (Merkle leaves straight from an LDE) hashes leaf i =
    column i, in blocks of 16 lanes with a ragged last block."""
    from psyc.hash.poseidon import hash_or_noop_columns

    rng = np.random.default_rng(1000 * width + n)
    rows = rng.integers(0, 2**64 - 1, (n, width), dtype=np.uint64, endpoint=True)
    rows[0, 0] = 2**64 - 1
    cols = np.ascontiguousarray(rows.T)
    np.testing.assert_array_equal(hash_or_noop_columns(cols), hash_or_noop_rows(rows))
    assert ints(hash_or_noop_columns(cols)[n - 1]) == hash_or_noop(ints(rows[n - 1]))


# --- the paths without numba (psyc.hash.poseidon_plain), against the kernels ------------


@given(st.lists(states, min_size=1, max_size=3))
def test_plain_permutation_matches_the_kernel(batch):
    """Python (one state) and NumPy (a batch) permutations = the numba kernel, on any
    uint64 input (non-canonical values included)."""
    from psyc.hash import poseidon_kernels as kernels
    from psyc.hash import poseidon_numpy, poseidon_plain

    expected = np.array(batch, dtype=np.uint64)
    kernels.permute_batch(expected)
    assert [poseidon_plain.permute(s) for s in batch] == expected.tolist()
    assert poseidon_numpy.permute_rows(np.array(batch, dtype=np.uint64)).tolist() == expected.tolist()


@pytest.mark.parametrize("n", [1, 9, 64, 65, 200])  # Python S-box rows (≤ 64) and NumPy ones
def test_plain_batch_matches_the_kernel_at_every_size(n):
    from psyc.hash import poseidon_kernels as kernels
    from psyc.hash import poseidon_numpy

    rng = np.random.default_rng(n)
    batch = rng.integers(0, 2**64, size=(n, 12), dtype=np.uint64)
    batch[0] = P - 1
    if n > 1:
        batch[1] = 2**64 - 1
    expected = batch.copy()
    kernels.permute_batch(expected)
    assert np.array_equal(poseidon_numpy.permute_rows(batch), expected)


@pytest.mark.parametrize("width", [3, 4, 5, 8, 9, 17, 136])
@pytest.mark.parametrize("n", [3, 28])  # state-by-state and NumPy batches
def test_plain_leaf_hashes_and_pairs_match_the_kernels(width, n, monkeypatch):
    """The verifier's Merkle hashing without numba gives the kernels' digests."""
    import psyc.hash.poseidon_kernels  # noqa: F401  (loaded: the first results are the kernels')
    from psyc.hash import poseidon

    rng = np.random.default_rng(width * n)
    rows = rng.integers(0, P, size=(n, width), dtype=np.uint64)
    pairs = rng.integers(0, P, size=(2 * n, 4), dtype=np.uint64)
    kernel = (hash_or_noop_rows(rows), poseidon.hash_or_noop_columns(rows.T.copy()), two_to_one_pairs(pairs))
    monkeypatch.setattr(poseidon, "_plain_ok", lambda n, scalar=False: True)
    plain = (hash_or_noop_rows(rows), poseidon.hash_or_noop_columns(rows.T.copy()), two_to_one_pairs(pairs))
    for k, p in zip(kernel, plain, strict=True):
        assert np.array_equal(k, p)


def _permute_fast_partial(state: list[int]) -> list[int]:
    """The permutation with :func:`fast_partial_rounds`' sparse partial rounds, in plain
    Python: the model a kernel using those constants must follow."""
    fast, mds = fast_partial_rounds(), mds_matrix()

    def mat_vec(m, v):
        return [sum(a * x for a, x in zip(row, v, strict=True)) % P for row in m]

    def full(s, consts):
        return mat_vec(mds, [pow((x + c) % P, 7, P) for x, c in zip(s, consts, strict=True)])

    s = list(state)
    for r in range(HALF_FULL_ROUNDS):
        s = full(s, fast["full_rc"][r])
    s = [(x + c) % P for x, c in zip(s, fast["first_rc"], strict=True)]
    s = [s[0]] + mat_vec(fast["init"], s[1:])
    for c, w, v in zip(fast["part_rc"], fast["w"], fast["v"], strict=True):
        s0 = pow((s[0] + c) % P, 7, P)
        s = [(w[0] * s0 + sum(a * x for a, x in zip(w[1:], s[1:], strict=True))) % P] + [
            (x + vi * s0) % P for x, vi in zip(s[1:], v, strict=True)
        ]
    for r in range(HALF_FULL_ROUNDS, 2 * HALF_FULL_ROUNDS):
        s = full(s, fast["full_rc"][r])
    return s


@given(st.lists(felts, min_size=12, max_size=12))
def test_fast_partial_rounds_same_permutation(state):
    # the sparse rewrite changes no output (KATs and random states); a wrong constant or
    # matrix entry would change every output lane
    assert _permute_fast_partial(state) == permute_reference(state)


def test_fast_partial_rounds_kats():
    fast = fast_partial_rounds()
    assert fast["part_rc"][0] == 0 and len(fast["w"]) == len(fast["v"]) == PARTIAL_ROUNDS
    for kat in KATS:
        assert _permute_fast_partial(kat["input"]) == kat["output"]
