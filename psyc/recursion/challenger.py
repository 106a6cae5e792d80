"""The Fiat–Shamir challenger in circuit: :class:`psyc.iop.challenger.Challenger`, step for step.

Same state machine as the native one (a 12-lane sponge, an input buffer, an output
buffer): observing clears the output buffer and buffers the input, a full buffer (8)
duplexes; duplexing overwrites lanes ``0..k−1`` with the ``k`` buffered inputs and runs
one Poseidon row (``builder.permute``); a challenge duplexes first if inputs are pending
or the outputs are used up, then pops the *last* output. An extension challenge is two
base challenges (a0 first). Observing constants is free until a permutation needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from psyc.hash.constants import RATE, WIDTH
from psyc.plonk.builder import CircuitBuilder, ExtTarget
from psyc.plonk.target import Target


class RecursiveChallenger:
    def __init__(self, builder: CircuitBuilder, domain_separator: Sequence[int] = ()) -> None:
        self.b = builder
        self.state: list[Target] = [builder.zero()] * WIDTH
        self.input_buffer: list[Target] = []
        self.output_buffer: list[Target] = []
        self.observe_elements([builder.constant(x) for x in domain_separator])

    # --- absorbing -----------------------------------------------------------------
    def observe_element(self, x: Target) -> None:
        self.output_buffer.clear()
        self.input_buffer.append(x)
        if len(self.input_buffer) == RATE:
            self._duplex()

    def observe_elements(self, xs: Iterable[Target]) -> None:
        for x in xs:
            self.observe_element(x)

    def observe_ext(self, x: ExtTarget) -> None:
        self.observe_elements(x)

    def observe_exts(self, xs: Iterable[ExtTarget]) -> None:
        for x in xs:
            self.observe_ext(x)

    def observe_digest(self, d: Sequence[Target]) -> None:
        self.observe_elements(d)

    def observe_cap(self, cap: Sequence[Sequence[Target]]) -> None:
        for d in cap:
            self.observe_digest(d)

    # --- squeezing -----------------------------------------------------------------
    def _duplex(self) -> None:
        k = len(self.input_buffer)
        state = list(self.input_buffer) + self.state[k:]
        self.input_buffer.clear()
        self.state = self.b.permute(state)
        self.output_buffer = list(self.state[:RATE])

    def get_challenge(self) -> Target:
        if self.input_buffer or not self.output_buffer:
            self._duplex()
        return self.output_buffer.pop()

    def get_challenges(self, n: int) -> list[Target]:
        return [self.get_challenge() for _ in range(n)]

    def get_ext_challenge(self) -> ExtTarget:
        a0 = self.get_challenge()
        a1 = self.get_challenge()
        return (a0, a1)

    def get_digest(self) -> list[Target]:
        return self.get_challenges(4)
