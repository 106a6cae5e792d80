"""Tree heights (PARTH.md). Configuration: Psy's heights by default, smaller in tests."""

from __future__ import annotations

from dataclasses import dataclass

MAX_CSTATE_HEIGHT = 32


@dataclass(frozen=True)
class Heights:
    chkp: int = 32  # checkpoint tree, by checkpoint id (append-only)
    gusr: int = 32  # global user tree, by user id
    ucon: int = 24  # one per user, by contract id: that user's CSTATE root for the contract
    gcon: int = 24  # global contract tree, by contract id
    cft: int = 16  # one per contract, by method index: fingerprint of the method's circuit


HEIGHTS = Heights()
