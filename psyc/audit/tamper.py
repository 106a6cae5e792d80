"""A tamper fuzzer for proof files (``psyc fuzz-proof``): mutate a valid proof in every way
an attacker or a broken channel could, and check that the verifier rejects each mutant.

The proof's byte layout comes from the reader itself (:class:`LayoutReader` records the
offset, size and name of every field it reads), so mutations target real slots:

* ``sweep``: every element of every slot outside the query rounds (public inputs, the
  three caps, every opening at ζ and gζ, the FRI commit caps, the final polynomial, the
  proof-of-work nonce) incremented by one, each once, first;
* ``byte``: one random byte XORed with a random non-zero mask;
* ``element``: one random field element (any slot, query rounds included) replaced by a
  random value, its neighbour ±1, 0, p − 1 or a non-canonical value;
* ``swap``: two elements of one slot exchanged (two openings, two leaf values, …);
* ``splice``: one query round replaced by another, or one slot's element copied into
  another slot;
* ``length``: a length prefix changed, the file truncated, bytes appended, an element
  deleted or duplicated.

A mutant is *accepted* if it parses and verifies: that is a soundness bug (or a
malleability) and is reported with its bytes. Any exception other than a format or
verification error is a *crash*, also reported.
"""

from __future__ import annotations

import random
import struct
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psyc.field.goldilocks import P
from psyc.field.serialization import ByteReader, FormatError

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData
    from psyc.plonk.keys import VerifyingKey

KINDS = ("sweep", "byte", "element", "swap", "splice", "length")


@dataclass(frozen=True)
class Slot:
    """One read of the proof reader: ``size`` bytes at ``offset``, named ``name``."""

    offset: int
    size: int
    name: str

    @property
    def elements(self) -> int:
        """Field elements in the slot (0 for length prefixes and headers)."""
        if self.name.startswith(("length of", "number of", "magic", "format")):
            return 0
        return self.size // 8

    @property
    def in_query(self) -> bool:
        return "query" in self.name


class LayoutReader(ByteReader):
    """A :class:`ByteReader` that records every read as a :class:`Slot`."""

    def __init__(self, data: bytes, what: str = "data") -> None:
        super().__init__(data, what)
        self.slots: list[Slot] = []

    def _take(self, n: int, ctx: str):
        start = self.pos
        out = super()._take(n, ctx)
        self.slots.append(Slot(start, n, ctx))
        return out


def proof_layout(data: bytes, common: CommonCircuitData) -> list[Slot]:
    """Every field of a (valid) proof file, in file order."""
    from psyc.plonk.keys import proof_from_bytes

    r = LayoutReader(data, "proof")
    proof_from_bytes(data, common, reader=r)
    return r.slots


@dataclass
class Finding:
    kind: str
    what: str
    mutant: bytes
    error: str = ""  # for crashes: the exception


@dataclass
class TamperReport:
    mutations: int = 0
    by_kind: Counter = field(default_factory=Counter)
    rejected_format: int = 0
    rejected_verify: int = 0
    noop: int = 0  # mutations that reproduced the original bytes (not counted)
    accepted: list[Finding] = field(default_factory=list)
    crashes: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    sweep_done: bool = False

    @property
    def clean(self) -> bool:
        return not self.accepted and not self.crashes

    def to_json(self) -> dict:
        return {
            "mutations": self.mutations,
            "by_kind": dict(self.by_kind),
            "rejected_format": self.rejected_format,
            "rejected_verify": self.rejected_verify,
            "accepted": [{"kind": f.kind, "what": f.what} for f in self.accepted],
            "crashes": [{"kind": f.kind, "what": f.what, "error": f.error} for f in self.crashes],
            "seconds": round(self.seconds, 3),
            "non_query_sweep_complete": self.sweep_done,
        }


class _Mutator:
    def __init__(self, data: bytes, slots: list[Slot], rng: random.Random) -> None:
        self.data, self.rng = data, rng
        self.slots = slots
        self.element_slots = [s for s in slots if s.elements]
        self.prefixes = [s for s in slots if s.name.startswith(("length of", "number of"))]
        self.rounds = _query_rounds(slots)

    def _element(self, slot: Slot, i: int) -> tuple[int, int]:
        at = slot.offset + 8 * i
        return at, struct.unpack_from("<Q", self.data, at)[0]

    def _set(self, buf: bytearray, at: int, v: int) -> None:
        struct.pack_into("<Q", buf, at, v % (1 << 64))

    def sweep(self) -> list[tuple[str, bytes]]:
        out = []
        for s in self.element_slots:
            if s.in_query:
                continue
            for i in range(s.elements):
                at, v = self._element(s, i)
                buf = bytearray(self.data)
                self._set(buf, at, (v + 1) % P)
                out.append((f"{s.name}[{i}] + 1", bytes(buf)))
        return out

    def byte(self) -> tuple[str, bytes]:
        buf = bytearray(self.data)
        at = self.rng.randrange(len(buf))
        mask = self.rng.randrange(1, 256)
        buf[at] ^= mask
        return f"byte {at} ^= {mask:#04x} ({self._name_at(at)})", bytes(buf)

    def element(self) -> tuple[str, bytes]:
        s = self.rng.choice(self.element_slots)
        i = self.rng.randrange(s.elements)
        at, v = self._element(s, i)
        choice = self.rng.randrange(6)
        new = [self.rng.randrange(P), v + 1, v - 1, 0, P - 1, P + self.rng.randrange(1 << 32)][choice]
        buf = bytearray(self.data)
        self._set(buf, at, new if choice == 5 else new % P)
        how = ["random", "+1", "-1", "0", "p-1", "non-canonical"][choice]
        return f"{s.name}[{i}] := {how}", bytes(buf)

    def swap(self) -> tuple[str, bytes]:
        multi = [s for s in self.element_slots if s.elements >= 2]
        s = self.rng.choice(multi)
        i, j = self.rng.sample(range(s.elements), 2)
        (ai, vi), (aj, vj) = self._element(s, i), self._element(s, j)
        buf = bytearray(self.data)
        self._set(buf, ai, vj)
        self._set(buf, aj, vi)
        return f"{s.name}: swap [{i}] and [{j}]", bytes(buf)

    def splice(self) -> tuple[str, bytes]:
        if len(self.rounds) >= 2 and self.rng.random() < 0.5:
            (a0, a1), (b0, b1) = self.rng.sample(self.rounds, 2)
            if a1 - a0 == b1 - b0:  # same-size rounds (always, for one proof's structure)
                buf = bytearray(self.data)
                buf[a0:a1] = self.data[b0:b1]
                return f"query round at {a0} replaced by the round at {b0}", bytes(buf)
        s, t = self.rng.sample(self.element_slots, 2)
        i, j = self.rng.randrange(s.elements), self.rng.randrange(t.elements)
        _, v = self._element(s, i)
        at, _ = self._element(t, j)
        buf = bytearray(self.data)
        self._set(buf, at, v)
        return f"{t.name}[{j}] := {s.name}[{i}]", bytes(buf)

    def length(self) -> tuple[str, bytes]:
        choice = self.rng.randrange(5)
        d = self.data
        if choice == 0 and self.prefixes:
            s = self.rng.choice(self.prefixes)
            (old,) = struct.unpack_from("<I", d, s.offset)
            new = self.rng.choice([old + 1, max(old - 1, 0), 0, self.rng.randrange(1 << 32), old * 2])
            buf = bytearray(d)
            struct.pack_into("<I", buf, s.offset, new % (1 << 32))
            return f"{s.name} := {new % (1 << 32)} (was {old})", bytes(buf)
        if choice == 1:
            cut = self.rng.randrange(len(d))
            return f"truncated to {cut} bytes", d[:cut]
        if choice == 2:
            extra = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 65)))
            return f"{len(extra)} bytes appended", d + extra
        s = self.rng.choice(self.element_slots)
        i = self.rng.randrange(s.elements)
        at, _ = self._element(s, i)
        if choice == 3:
            return f"{s.name}[{i}] deleted", d[:at] + d[at + 8 :]
        return f"{s.name}[{i}] duplicated", d[: at + 8] + d[at:]

    def _name_at(self, at: int) -> str:
        for s in self.slots:
            if s.offset <= at < s.offset + s.size:
                return s.name
        return "?"


def _query_rounds(slots: list[Slot]) -> list[tuple[int, int]]:
    """Byte ranges of the query rounds (from the first field of round q to that of q + 1)."""
    starts: dict[int, int] = {}
    end = None
    for s in slots:
        token = s.name.split("query ")[1].split()[0] if "query " in s.name else ""
        if token.isdigit():
            starts.setdefault(int(token), s.offset)
        elif s.name.startswith("length of final polynomial"):
            end = s.offset
    qs = sorted(starts)
    bounds = [starts[q] for q in qs] + ([end] if end is not None else [])
    return [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]


def fuzz_proof(
    data: bytes,
    vk: VerifyingKey,
    *,
    seconds: float | None = 10.0,
    max_mutations: int | None = None,
    seed: int | None = None,
    sweep: bool = True,
    progress: Callable[[TamperReport], None] | None = None,
) -> TamperReport:
    """Mutate ``data`` (a proof valid for ``vk``) until the time budget or the mutation
    count runs out; every mutant must fail to parse or to verify. Raises ``ValueError``
    when ``data`` itself does not verify."""
    from psyc.plonk.keys import proof_from_bytes
    from psyc.plonk.verifier import VerificationError

    try:
        vk.verify(proof_from_bytes(data, vk.common))
        slots = proof_layout(data, vk.common)
    except (FormatError, VerificationError) as e:
        raise ValueError(f"the proof does not verify, so there is nothing to tamper with: {e}") from None
    rng = random.Random(seed)
    mut = _Mutator(data, slots, rng)
    report = TamperReport()
    queue = mut.sweep() if sweep else []
    report.sweep_done = not queue and sweep
    random_kinds = [(k, getattr(mut, k)) for k in KINDS[1:]]
    t0 = time.perf_counter()
    deadline = None if seconds is None else t0 + seconds
    while True:
        if max_mutations is not None and report.mutations >= max_mutations:
            break
        if deadline is not None and time.perf_counter() >= deadline:
            break
        if queue:
            kind, (what, mutant) = "sweep", queue.pop()
            report.sweep_done = not queue
        else:
            kind, fn = rng.choice(random_kinds)
            what, mutant = fn()
        if mutant == data:
            report.noop += 1
            continue
        report.mutations += 1
        report.by_kind[kind] += 1
        if progress and report.mutations % 64 == 0:
            progress(report)
        try:
            proof = proof_from_bytes(mutant, vk.common)
        except FormatError:
            report.rejected_format += 1
            continue
        except Exception as e:  # noqa: BLE001 - a crash of the reader is itself a finding
            report.crashes.append(Finding(kind, what, mutant, f"{type(e).__name__}: {e}"))
            continue
        try:
            vk.verify(proof)
        except VerificationError:
            report.rejected_verify += 1
            continue
        except Exception as e:  # noqa: BLE001
            report.crashes.append(Finding(kind, what, mutant, f"{type(e).__name__}: {e}"))
            continue
        report.accepted.append(Finding(kind, what, mutant))
    report.seconds = time.perf_counter() - t0
    return report
