"""An independent model of the PARTH trees for the tests: the textbook Poseidon permutation
(psyc.hash.poseidon.permute_reference), its own sponge and two-to-one, and roots computed
recursively from a dict of leaves. Shares nothing with psyc.parth but the permutation's
constants."""

from __future__ import annotations

from functools import cache

from psyc.hash.poseidon import permute_reference


def sponge(xs) -> tuple:
    state = [0] * 12
    xs = list(xs)
    for start in range(0, len(xs), 8):
        chunk = xs[start : start + 8]
        state[: len(chunk)] = chunk
        state = permute_reference(state)
    return tuple(state[:4])


def compress(a, b) -> tuple:
    return tuple(permute_reference([*a, *b, 0, 0, 0, 0])[:4])


@cache
def empty(leaf_len: int, level: int) -> tuple:
    if level == 0:
        return sponge([0] * leaf_len)
    e = empty(leaf_len, level - 1)
    return compress(e, e)


def root(height: int, leaf_len: int, leaves: dict) -> tuple:
    """Root of a tree of ``height`` whose non-zero leaves are ``leaves`` (index -> felts)."""

    def node(level: int, index: int, items: dict) -> tuple:
        if not items:
            return empty(leaf_len, level)
        if level == 0:
            (only,) = items.values()
            return sponge(only)
        left = {i: v for i, v in items.items() if not (i >> (level - 1)) & 1}
        right = {i: v for i, v in items.items() if (i >> (level - 1)) & 1}
        return compress(node(level - 1, 2 * index, left), node(level - 1, 2 * index + 1, right))

    return node(height, 0, {i: tuple(v) for i, v in leaves.items()})


def user_leaf(public_key, ucon_root, balance=0, nonce=0, last_checkpoint_id=0, event_index=0, user_id=0):
    return [*public_key, *ucon_root, balance, nonce, last_checkpoint_id, event_index, user_id]
