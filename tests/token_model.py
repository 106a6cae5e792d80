"""An independent model of examples/token on PARTH, for the devnet tests: plain dictionaries,
no trees, no circuits. Writes of a block's sessions are staged and become visible to other
users' `claim` (which reads the sender's outbox as of the anchored checkpoint) only when the
block commits — the rule PARTH.md states. Shares nothing with psyc."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


class Refused(Exception):
    pass


@dataclass
class Account:
    balance: int = 0
    claimed: dict[int, int] = field(default_factory=dict)  # from user -> total claimed
    sent: dict[int, int] = field(default_factory=dict)  # to user -> total sent
    sends: dict[int, int] = field(default_factory=dict)  # to user -> number of transfers


class TokenModel:
    ISSUER = 0

    def __init__(self) -> None:
        self.committed: dict[int, Account] = {}
        self.working: dict[int, Account] = {}

    def acct(self, user: int) -> Account:
        if user not in self.working:
            self.working[user] = copy.deepcopy(self.committed.get(user, Account()))
        return self.working[user]

    def mint(self, user: int, amount: int) -> None:
        if user != self.ISSUER:
            raise Refused("only the issuer mints")
        self.acct(user).balance += amount

    def transfer(self, user: int, to: int, amount: int) -> None:
        a = self.acct(user)
        if amount > a.balance:
            raise Refused("insufficient balance")
        a.balance -= amount
        a.sent[to] = a.sent.get(to, 0) + amount
        a.sends[to] = a.sends.get(to, 0) + 1

    def claim(self, user: int, frm: int) -> int:
        total = self.committed.get(frm, Account()).sent.get(user, 0)  # as of the anchored checkpoint
        a = self.acct(user)
        new = total - a.claimed.get(frm, 0)
        a.claimed[frm] = total
        a.balance += new
        return new

    def commit(self) -> None:
        self.committed.update(self.working)
        self.working = {}

    def fields(self, user: int) -> dict[str, int]:
        """The committed storage as the devnet names it (non-zero fields only)."""
        a = self.committed.get(user, Account())
        out = {"balance": a.balance} if a.balance else {}
        out.update({f"claimed[{k}]": v for k, v in a.claimed.items() if v})
        for to in sorted(a.sent):
            out[f"outbox[{to}].sent"] = a.sent[to]
            out[f"outbox[{to}].nonce"] = a.sends[to]
        return {k: out[k] for k in sorted(out)}
