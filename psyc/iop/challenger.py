"""Duplex-sponge Fiat-Shamir transcript over Poseidon (plonky2's Challenger rules).

State: a 12-lane sponge, an input buffer and an output buffer.

* observing an element clears the output buffer and appends to the input buffer; a
  full input buffer (8 elements) triggers a duplexing;
* duplexing overwrites lanes 0..k-1 with the k buffered inputs, permutes, and refills
  the output buffer with lanes 0..7;
* a challenge duplexes first if inputs are pending or the output buffer is empty, then
  pops the *last* element of the output buffer;
* an extension challenge is two base challenges (a0 first).

Proof of work: the prover finds a nonce such that, after observing it, the next
challenge is below 2^(64 - bits) (has ``bits`` leading zeros). :meth:`grind` searches
with a parallel numba kernel; :meth:`check_pow` replays one step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from psyc.backend import get_backend
from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.hash.constants import RATE, WIDTH
from psyc.hash.poseidon import permute

if TYPE_CHECKING:
    from psyc.backend import ProverBackend


class Challenger:
    def __init__(self, domain_separator: Sequence[int] = ()) -> None:
        self.state = [0] * WIDTH
        self.input_buffer: list[int] = []
        self.output_buffer: list[int] = []
        self.observe_elements(domain_separator)

    def clone(self) -> Challenger:
        c = Challenger.__new__(Challenger)
        c.state = list(self.state)
        c.input_buffer = list(self.input_buffer)
        c.output_buffer = list(self.output_buffer)
        return c

    # --- absorbing -----------------------------------------------------------
    def observe_element(self, x: int) -> None:
        self.observe_elements((x,))

    def observe_elements(self, xs: Iterable[int]) -> None:
        # a verifier's transcript observes ~2,000 elements: when all are 64-bit values
        # (checked in C), they go into the buffer a sponge block at a time
        vals = list(map(int, xs))
        buffer = self.input_buffer
        if vals and min(vals) >= 0 and max(vals) < 1 << 64:
            i = 0
            while i < len(vals):
                take = RATE - len(buffer)
                self.output_buffer.clear()
                buffer.extend([v % P for v in vals[i : i + take]])
                i += take
                if len(buffer) == RATE:
                    self._duplex()
            return
        # one by one: an element that is not a 64-bit value fails where it stands
        for x in vals:
            x = int(x)
            if not 0 <= x < 1 << 64:
                raise ValueError(f"cannot observe {x}: not a 64-bit field value")
            self.output_buffer.clear()
            buffer.append(x % P)
            if len(buffer) == RATE:
                self._duplex()

    def observe_ext(self, x: Ext2) -> None:
        self.observe_elements((x.a0, x.a1))

    def observe_exts(self, xs: Iterable[Ext2]) -> None:
        # one pass over all coordinates (a verifier observes ~300 opened values at once)
        self.observe_elements(chain.from_iterable(xs))

    def observe_digest(self, d: Sequence[int]) -> None:
        self.observe_elements(d)

    def observe_cap(self, cap: Sequence[Sequence[int]]) -> None:
        for d in cap:
            self.observe_digest(d)

    # --- squeezing -----------------------------------------------------------
    def _duplex(self) -> None:
        assert len(self.input_buffer) <= RATE
        self.state[: len(self.input_buffer)] = self.input_buffer
        self.input_buffer.clear()
        self.state = permute(self.state)
        self.output_buffer = self.state[:RATE]

    def get_challenge(self) -> int:
        if self.input_buffer or not self.output_buffer:
            self._duplex()
        return self.output_buffer.pop()

    def get_challenges(self, n: int) -> list[int]:
        return [self.get_challenge() for _ in range(n)]

    def get_ext_challenge(self) -> Ext2:
        a0 = self.get_challenge()
        a1 = self.get_challenge()
        return Ext2(a0, a1)

    def get_digest(self) -> list[int]:
        return self.get_challenges(4)

    # --- proof of work -------------------------------------------------------
    def check_pow(self, nonce: int, bits: int) -> bool:
        """Observe ``nonce`` and test the next challenge (mutates the transcript)."""
        if not 0 <= nonce < P:
            return False
        self.observe_element(nonce)
        return self.get_challenge() < 1 << (64 - bits)

    def grind(self, bits: int, backend: ProverBackend | None = None) -> int:
        """Find the smallest valid proof-of-work nonce (does not mutate the transcript), on
        ``backend`` (a :class:`psyc.backend.ProverBackend`; default: the configured one)."""
        if not 0 <= bits < 64:
            raise ValueError("proof-of-work bits must be in [0, 63]")
        backend = backend or get_backend()
        state = np.array(self.state, dtype=np.uint64)
        return backend.grind(state, np.array(self.input_buffer, dtype=np.uint64), bits)
