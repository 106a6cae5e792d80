"""Verifying keys (placeholder for the on-disk format; see issue 3 item 6)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class VerifyingKey:
    verifier_only: object
    common: object

    @property
    def fingerprint(self) -> list[int]:
        return self.verifier_only.fingerprint
