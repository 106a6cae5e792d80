"""A gate's facts without building it: what loading a verifying key needs.

Building a gate constructs its sympy constraints (the Poseidon gate: about half a second)
and its fingerprint prints them (a third of a second more); a verifier needs only the
gate's sizes, degree, constraint count and fingerprint (for the circuit digest), and its
generated evaluators, which :mod:`.codegen` caches on disk by fingerprint. So the facts
of every gate built once are remembered on disk too, keyed by the gate's name and
parameters and by the text of every source a gate definition reads (the gate modules,
the field and Poseidon constants) and the sympy version: an edited gate is rebuilt, never
served stale. :class:`GateInfo` stands in for the :class:`~.base.Gate`; anything else
asked of it (``constraints``…) is answered by the real gate, built on first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import psyc.plonk.gates.base as _base
from psyc.util.codegen import cached_source

if TYPE_CHECKING:
    from psyc.plonk.gates.base import Gate

_PSYC = Path(__file__).resolve().parents[2]
# what a gate definition reads: its module, the shared gate code, the field, Poseidon's constants
_SOURCES = ("plonk/gates/*.py", "field/*.py", "hash/constants.py", "hash/poseidon_goldilocks.json")


def _sympy_version() -> str:
    """sympy's installed version (the name of its ``.dist-info`` folder), found without
    importing sympy or :mod:`importlib.metadata` (~10 ms of a ``psyc verify``)."""
    spec = importlib.util.find_spec("sympy")
    if spec is not None and spec.origin is not None:
        dists = sorted(p.name for p in Path(spec.origin).parent.parent.glob("sympy-*.dist-info"))
        if len(dists) == 1:
            return dists[0]
    from importlib import metadata

    return metadata.version("sympy")


@cache
def _definitions_key() -> str:
    h = hashlib.sha256(_sympy_version().encode())
    for pattern in _SOURCES:
        for path in sorted(_PSYC.glob(pattern)):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class GateInfo:
    """The facts of one gate (see the module docstring); equal to the gate it describes."""

    name: str
    params: tuple[int, ...]
    num_wires: int
    num_constants: int
    degree: int
    num_constraints: int
    fingerprint: str

    @property
    def id(self) -> str:
        """As :attr:`Gate.id <psyc.plonk.gates.base.Gate.id>`."""
        return self.name if not self.params else f"{self.name}_" + "_".join(map(str, self.params))

    def full(self):
        """The gate itself (built, with sympy, on first use; gate constructors are cached)."""
        return _base.gate_from_spec(self.name, self.params)

    def __getattr__(self, attr: str):
        # only for what the facts do not hold (constraints, description, …); never for a
        # dunder or a field (unset while pickle or copy rebuilds the object)
        if attr.startswith("__") or attr in _FIELDS:
            raise AttributeError(attr)
        return getattr(self.full(), attr)

    def __eq__(self, other: object) -> bool:
        return (
            getattr(other, "id", None) == self.id
            and getattr(other, "fingerprint", None) == self.fingerprint
            and getattr(other, "num_wires", None) == self.num_wires
            and getattr(other, "num_constants", None) == self.num_constants
        )

    def __hash__(self) -> int:
        return hash(self.id)  # as Gate's (equal objects hash equal)


_FIELDS = frozenset(f.name for f in fields(GateInfo))


def gate_info(name: str, params: tuple[int, ...]) -> GateInfo:
    """The facts of gate ``name`` with ``params`` (remembered on disk; a gate not seen
    before is built once). Raises what :func:`~psyc.plonk.gates.gate_from_spec` raises for
    an unknown gate or parameters it does not take."""
    params = tuple(int(p) for p in params)
    return _gate_info(name, params)


@cache
def _gate_info(name: str, params: tuple[int, ...]) -> GateInfo:
    def build() -> str:
        g = _base.gate_from_spec(name, params)
        facts = [g.num_wires, g.num_constants, g.definition_degree(), g.num_constraints, g.definition_fingerprint()]
        return json.dumps(facts)

    key = f"{name};{list(params)};{_definitions_key()}"
    # a JSON list, stored with the generated sources (same cache folder, atomic writes)
    num_wires, num_constants, degree, num_constraints, fingerprint = json.loads(
        cached_source(f"gate_info_{name}", key, build)
    )
    return GateInfo(name, params, num_wires, num_constants, degree, num_constraints, fingerprint)


def registry_facts(gate: Gate) -> GateInfo | None:
    """The remembered facts of ``gate`` when it is the registry's own gate for its name and
    parameters (the object :func:`~psyc.plonk.gates.gate_from_spec` returns, whose
    definition the catalog's key covers); None for any other gate object, whose degree and
    fingerprint must be read from its own constraints."""
    try:
        if _base.gate_from_spec(gate.name, tuple(gate.params)) is not gate:
            return None
    except (ValueError, TypeError):  # not a registry gate (or not these parameters)
        return None
    return _gate_info(gate.name, tuple(int(p) for p in gate.params))


_base.registry_facts = registry_facts  # Gate.degree and .fingerprint read these (see there)
_base.registry_info = gate_info  # what the public gate constructors return (gate_kind)
