"""Partial witnesses and witness generation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from psyc.field.goldilocks import P
from psyc.plonk.target import Target


def inverse_hint(v: list[int]) -> list[int]:
    """The hint of an inverse: ``[1/v[0]]``, 0 for 0 (the gadget's constraints decide
    what a zero means: a failed ``b * inv == 1`` or an is-zero flag)."""
    return [pow(v[0], P - 2, P)]


class WitnessError(Exception):
    """The witness is incomplete or inconsistent; the message names the target and scope."""


class PartialWitness:
    """Values the user sets before proving (inputs, secrets)."""

    def __init__(self) -> None:
        self.values: dict[Target, int] = {}

    def set_target(self, t: Target, value: int) -> None:
        """Give ``t`` the field value ``value`` (in [0, p); setting it twice to different
        values raises :class:`WitnessError`)."""
        if not isinstance(value, int) or not 0 <= value < P:
            raise WitnessError(f"value {value!r} for {t} is not a field element in [0, p)")
        old = self.values.get(t)
        if old is not None and old != value:
            raise WitnessError(f"{t} set twice, to {old} and {value}")
        self.values[t] = value

    def set_targets(self, ts: Sequence[Target], values: Sequence[int]) -> None:
        """:meth:`set_target` for each pair."""
        for t, v in zip(ts, values, strict=True):
            self.set_target(t, v)


@dataclass(slots=True)  # millions per circuit: slots make them smaller and faster to create
class Generator:
    """Computes ``outputs`` from ``deps`` once all deps are known (a witness hint).

    ``fn`` receives the dependency values and returns the output values. A generator's
    outputs are *not* constrained by it: the circuit must constrain them with gates.
    """

    deps: tuple[Target, ...]
    outputs: tuple[Target, ...]
    fn: Callable[[list[int]], Sequence[int]]
    scope: str = ""
    name: str = "hint"
    free: bool = False  # a hint: the prover may choose its outputs (a partial witness overrides it)
