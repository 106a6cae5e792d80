"""Fiat-Shamir challenger (psyc/iop/challenger.py), checked by hand against permute.

Rules (from the module docstring, plonky2's Challenger):
* observing clears the output buffer and appends to the input buffer; 8 buffered
  inputs trigger a duplexing at once;
* duplexing overwrites lanes 0..k-1 with the k buffered inputs, permutes, and sets the
  output buffer to lanes 0..7;
* a challenge duplexes first if inputs are pending or the output buffer is empty, then
  pops the *last* element of the output buffer (lane 7, then 6, ...);
* an extension challenge is two base challenges (a0 first);
* proof of work: a nonce is valid for ``bits`` if, after observing it, the next
  challenge is < 2^(64 - bits).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import P, felts, u64s

from psyc.field import Ext2
from psyc.hash import permute
from psyc.hash import poseidon_kernels as pk
from psyc.iop import Challenger

ZERO_PERM = permute([0] * 12)


def snapshot(c: Challenger):
    return (list(c.state), list(c.input_buffer), list(c.output_buffer))


# --------------------------------------------------------------------------- basics


@given(st.lists(u64s, max_size=20), st.integers(min_value=1, max_value=20))
def test_deterministic(xs, n):
    a, b = Challenger(), Challenger()
    a.observe_elements(xs)
    b.observe_elements(xs)
    assert a.get_challenges(n) == b.get_challenges(n)
    assert all(0 <= v < P for v in a.get_challenges(3))


@given(st.lists(felts, min_size=1, max_size=20), st.data())
def test_different_observations_give_different_challenges(xs, data):
    i = data.draw(st.integers(min_value=0, max_value=len(xs) - 1))
    delta = data.draw(st.integers(min_value=1, max_value=P - 1))
    ys = list(xs)
    ys[i] = (ys[i] + delta) % P
    a, b = Challenger(), Challenger()
    a.observe_elements(xs)
    b.observe_elements(ys)
    assert a.get_challenges(4) != b.get_challenges(4)


def test_domain_separator_is_observed():
    a = Challenger([11, 22, 33])
    b = Challenger()
    b.observe_elements([11, 22, 33])
    assert snapshot(a) == snapshot(b)
    assert a.get_challenges(5) == b.get_challenges(5)
    assert Challenger([11, 22, 34]).get_challenge() != Challenger([11, 22, 33]).get_challenge()


def test_noncanonical_observation_equals_canonical():
    a, b = Challenger(), Challenger()
    a.observe_element(P + 5)
    b.observe_element(5)
    assert snapshot(a) == snapshot(b)
    assert a.get_challenge() == b.get_challenge()


@pytest.mark.parametrize("bad", [-1, 2**64, 2**64 + 7])
def test_observe_rejects_out_of_range(bad):
    c = Challenger()
    with pytest.raises(ValueError):
        c.observe_element(bad)
    with pytest.raises(ValueError):
        c.observe_elements([1, bad])


# --------------------------------------------------------------------------- duplex rules by hand


def test_fresh_challenger_squeezes_permuted_zero_state_backwards():
    c = Challenger()
    got = c.get_challenges(8)
    assert got == [ZERO_PERM[7 - k] for k in range(8)]
    # output buffer exhausted: permute again with no inputs (state is kept, not reset)
    second = permute(ZERO_PERM)
    assert c.get_challenge() == second[7]
    assert c.get_challenge() == second[6]


def test_three_observations():
    a, b, x = 101, 202, 303
    c = Challenger()
    c.observe_elements([a, b, x])
    assert c.input_buffer == [a, b, x] and c.output_buffer == []
    s = permute([a, b, x] + [0] * 9)
    assert c.get_challenge() == s[7]
    assert c.get_challenge() == s[6]
    assert c.state == s and c.output_buffer == s[:6]


def test_observe_after_squeeze_overwrites_permuted_state():
    c = Challenger()
    c.observe_elements([1, 2, 3])
    s1 = permute([1, 2, 3] + [0] * 9)
    assert c.get_challenge() == s1[7]
    c.observe_element(99)  # clears the 7 remaining outputs
    assert c.output_buffer == []
    s2 = permute([99] + s1[1:])
    assert c.get_challenge() == s2[7]
    assert c.get_challenge() == s2[6]


def test_eight_observations_duplex_immediately():
    xs = list(range(1, 9))
    c = Challenger()
    c.observe_elements(xs[:7])
    assert c.state == [0] * 12 and c.input_buffer == xs[:7]
    c.observe_element(xs[7])
    s = permute(xs + [0] * 4)
    assert c.input_buffer == [] and c.state == s and c.output_buffer == s[:8]
    # no extra permutation before the challenge
    assert c.get_challenge() == s[7]
    assert c.get_challenges(7) == [s[6], s[5], s[4], s[3], s[2], s[1], s[0]]
    assert c.get_challenge() == permute(s)[7]


def test_nine_and_sixteen_observations():
    xs = list(range(50, 66))
    c = Challenger()
    c.observe_elements(xs[:9])
    s1 = permute(xs[:8] + [0] * 4)
    assert c.input_buffer == [xs[8]]
    assert c.get_challenge() == permute([xs[8]] + s1[1:])[7]

    d = Challenger()
    d.observe_elements(xs)
    s2 = permute(xs[8:16] + s1[8:])
    assert d.state == s2 and d.input_buffer == []
    assert d.get_challenge() == s2[7]


@given(st.lists(st.tuples(st.lists(u64s, max_size=30), st.integers(min_value=0, max_value=3)), max_size=6))
def test_observing_a_block_equals_observing_one_by_one(steps):
    """observe_elements takes a sponge block at a time: the same states, buffers and
    challenges as one element at a time, whatever the buffer held before and whatever
    squeezes come in between."""
    a, b = Challenger(), Challenger()
    for xs, squeezes in steps:
        a.observe_elements(xs)
        for x in xs:
            b.observe_element(x)
        assert snapshot(a) == snapshot(b)
        assert a.get_challenges(squeezes) == b.get_challenges(squeezes)
        assert snapshot(a) == snapshot(b)


def test_trailing_zeros_from_zero_state_are_invisible():
    """A consequence of the overwrite rules (no padding): observing [0] from a fresh
    state writes 0 over 0, so it squeezes exactly what an untouched challenger does."""
    a, b = Challenger(), Challenger()
    a.observe_element(0)
    assert a.get_challenge() == b.get_challenge() == ZERO_PERM[7]


def test_ext_challenge_is_two_base_challenges():
    c = Challenger([5, 6, 7])
    twin = c.clone()
    e = c.get_ext_challenge()
    c0, c1 = twin.get_challenges(2)
    assert e == Ext2(c0, c1)
    assert isinstance(e, Ext2)
    assert c.get_ext_challenge() == Ext2(*twin.get_challenges(2))
    assert c.get_digest() == twin.get_challenges(4)


def test_observe_ext_digest_cap():
    a, b = Challenger(), Challenger()
    a.observe_ext(Ext2(3, 4))
    a.observe_exts([Ext2(5, 6), Ext2(7)])
    a.observe_digest([8, 9, 10, 11])
    a.observe_cap([[12, 13, 14, 15], [16, 17, 18, 19]])
    b.observe_elements([3, 4, 5, 6, 7, 0, 8, 9, 10, 11, *range(12, 20)])
    assert snapshot(a) == snapshot(b)
    assert a.get_challenges(3) == b.get_challenges(3)


def test_clone_independence():
    c = Challenger([1, 2, 3])
    c.get_challenge()
    before = snapshot(c)
    d = c.clone()
    assert snapshot(d) == before
    d.observe_elements([9, 9])
    d.get_challenges(10)
    assert snapshot(c) == before  # mutating the clone leaves the original alone
    e = c.clone()
    c.observe_element(4)
    x = c.get_challenge()
    assert snapshot(e) == before
    assert x != e.get_challenge()  # e did not see the 4
    f = c.clone()
    assert f.get_challenges(9) == c.get_challenges(9)


# --------------------------------------------------------------------------- proof of work


def _manual_pow_ok(c: Challenger, nonce: int, bits: int) -> bool:
    d = c.clone()
    d.observe_element(nonce)
    return d.get_challenge() < 1 << (64 - bits)


@pytest.mark.parametrize("prefix_len", [0, 1, 3, 6, 7, 8])
@pytest.mark.parametrize("bits", [1, 3, 6])
def test_grind_finds_smallest_valid_nonce(prefix_len, bits):
    c = Challenger([1000 + i for i in range(prefix_len)])
    before = snapshot(c)
    nonce = c.grind(bits)
    assert snapshot(c) == before  # grind does not mutate
    assert 0 <= nonce < P
    assert c.clone().check_pow(nonce, bits)
    assert _manual_pow_ok(c, nonce, bits)
    for m in range(nonce):  # the documented "smallest valid nonce"
        assert not c.clone().check_pow(m, bits), m
        assert not _manual_pow_ok(c, m, bits)


def test_grind_after_partial_squeeze():
    """Pending output but no pending input: the nonce is the only duplex input."""
    c = Challenger([4, 5, 6])
    c.get_challenges(3)
    before = snapshot(c)
    nonce = c.grind(5)
    assert snapshot(c) == before
    assert c.clone().check_pow(nonce, 5)
    s = permute([nonce] + c.state[1:])
    assert s[7] < 1 << 59


@pytest.mark.parametrize("bits", [8, 12])
def test_grind_higher_bits_and_check_pow_rejections(bits):
    c = Challenger([7, 7, 7, 7, 7])
    nonce = c.grind(bits)
    d = c.clone()
    assert d.check_pow(nonce, bits)
    # check_pow observes the nonce and squeezes one challenge (it mutates)
    assert snapshot(d) != snapshot(c)
    d2 = c.clone()
    d2.observe_element(nonce)
    ch = d2.get_challenge()
    assert ch < 1 << (64 - bits)
    assert ch >> (64 - bits) == 0  # `bits` leading zero bits
    # check_pow agrees with the rule on a window of nonces, and rejects some of them
    verdicts = [c.clone().check_pow(m, bits) for m in range(nonce, nonce + 24)]
    assert verdicts == [_manual_pow_ok(c, m, bits) for m in range(nonce, nonce + 24)]
    assert verdicts[0] and not all(verdicts)
    # the same nonce is not valid for a (much) harder target in general
    assert not c.clone().check_pow(nonce, 60)


@pytest.mark.parametrize("bad", [P, P + 1, 2**64 - 1, 2**64, -1])
def test_check_pow_rejects_out_of_range_nonce(bad):
    c = Challenger([1, 2])
    before = snapshot(c)
    assert c.check_pow(bad, 1) is False
    assert snapshot(c) == before


def test_check_pow_rejects_noncanonical_alias_of_valid_nonce():
    c = Challenger([3])
    nonce = c.grind(4)
    assert c.clone().check_pow(nonce, 4)
    assert nonce + P < 2**64
    assert not c.clone().check_pow(nonce + P, 4)  # same element, but only canonical nonces


@pytest.mark.parametrize("bits", [-1, 64, 65])
def test_grind_bad_bits(bits):
    with pytest.raises(ValueError):
        Challenger().grind(bits)


def test_check_pow_zero_bits_accepts_everything():
    c = Challenger([1])
    assert all(c.clone().check_pow(m, 0) for m in range(10))


def test_grind_kernel_zero_bits():
    """With bits = 0 every nonce is valid, so the kernel's smallest hit is `start`.

    BUG: the kernel computes ``np.uint64(1) << np.uint64(64 - pow_bits)``; a shift by 64
    is undefined in LLVM and evaluates to 1 on x86, so the threshold becomes 1 and only a
    challenge equal to 0 passes (the search returns -1 here).
    """
    base = np.zeros(12, dtype=np.uint64)
    prefix = np.array([1], dtype=np.uint64)
    assert pk.grind(base, prefix, 0, 0, 4096) == 0
    assert pk.grind(base, prefix, 0, 17, 100) == 17


def test_grind_zero_bits_terminates():
    """Challenger.grind(0) must return 0 at once (every nonce is valid, 0 is smallest).

    Run in a subprocess with an alarm because the buggy version searches the whole
    field (it never returns). See test_grind_kernel_zero_bits for the cause.
    """
    script = textwrap.dedent(
        """
        import signal, sys
        from psyc.iop import Challenger
        c = Challenger([1, 2, 3])
        c.grind(1)  # warm the (cached) kernel before starting the clock
        def on_alarm(*_):
            print("TIMEOUT"); sys.stdout.flush(); sys.exit(3)
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(5)
        print("NONCE", c.grind(0))
        """
    )
    env = dict(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert "TIMEOUT" not in proc.stdout, "Challenger.grind(0) did not return within 5 s"
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "NONCE 0"
