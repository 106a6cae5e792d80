"""The program ABI: names, types, visibility and order of an entry's inputs and output.

Made once from the front end's elaborated entry (:meth:`ProgramAbi.from_entry`) and used by everything that
needs to know what a program takes and what its proof's public inputs mean: the compiled
program (:attr:`psyc.compiler.CompiledProgram.abi`), the verifying key files psyc writes
(stored as JSON beside the circuit data, see :class:`psyc.plonk.keys.VerifyingKey`), and
``psyc verify`` (named public inputs in and out).

The public-input order is fixed here and nowhere else: the public parameters in
declaration order, each flattened (:func:`psyc.frontend.types.flatten`), then the public
return value under the name ``return``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from psyc.frontend import types as ty
from psyc.frontend.types import Array, ProofT, Scalar, Struct, Tuple, Type
from psyc.project.inputs import format_value

#: the name of the public return value among the named public inputs
RETURN = "return"


class AbiError(ValueError):
    """A serialized ABI that does not describe a program (malformed key metadata)."""


@dataclass(frozen=True)
class AbiParam:
    """One parameter of the entry function."""

    name: str
    type: Type
    public: bool


@dataclass(frozen=True)
class ProgramAbi:
    """What a program takes and what its proof's public inputs are."""

    params: tuple[AbiParam, ...]
    output: Type | None  # the public return value's type (None: no public output)

    @staticmethod
    def from_entry(params: Sequence[tuple[str, Type, bool]], output: Type | None) -> ProgramAbi:
        """From the elaborated entry: ``(name, type, is_public)`` per parameter."""
        if output is not None and ty.size(output) == 0:
            output = None
        return ProgramAbi(tuple(AbiParam(n, t, bool(p)) for n, t, p in params), output)

    @property
    def public(self) -> list[tuple[str, Type]]:
        """``(name, type)`` of each public input group, in public-input order."""
        out = [(p.name, p.type) for p in self.params if p.public]
        if self.output is not None:
            out.append((RETURN, self.output))
        return out

    @property
    def num_public_inputs(self) -> int:
        """Field elements of public input (what the verifying key says too)."""
        return sum(ty.size(t) for _, t in self.public)

    def public_inputs(self, inputs: Sequence[Sequence[int]], outputs: Sequence[int]) -> list[int]:
        """The proof's public inputs from the flattened value of every parameter (in
        declaration order) and the flattened return value."""
        pis = [int(x) for p, vals in zip(self.params, inputs, strict=True) if p.public for x in vals]
        return pis + ([int(x) for x in outputs] if self.output is not None else [])

    def name_public_inputs(self, values: Sequence[int]) -> dict[str, object]:
        """The public inputs by name, each in the JSON form of its type (integers as
        decimal strings, bools, lists, struct objects)."""
        if len(values) != self.num_public_inputs:
            raise AbiError(f"{len(values)} public inputs, the ABI describes {self.num_public_inputs}")
        named, pos = {}, 0
        for name, t in self.public:
            n = ty.size(t)
            named[name] = format_value(t, [int(x) for x in values[pos:pos + n]])
            pos += n
        return named

    # --- serialization (the JSON stored with verifying keys) --------------------------
    def to_json(self) -> dict:
        return {
            "params": [{"name": p.name, "type": type_to_json(p.type), "public": p.public} for p in self.params],
            "output": None if self.output is None else type_to_json(self.output),
        }

    @staticmethod
    def from_json(data: object) -> ProgramAbi:
        """Parse :meth:`to_json`'s form; raises :class:`AbiError` on anything else."""
        if not isinstance(data, Mapping) or not isinstance(data.get("params"), list):
            raise AbiError("an ABI is an object with a `params` list")
        params = []
        for i, p in enumerate(data["params"]):
            if not isinstance(p, Mapping) or not isinstance(p.get("name"), str) or not isinstance(p.get("public"), bool):
                raise AbiError(f"ABI parameter {i}: expected {{name, type, public}}")
            params.append(AbiParam(p["name"], type_from_json(p.get("type")), p["public"]))
        if len({p.name for p in params}) != len(params):
            raise AbiError("ABI parameters must have distinct names")
        output = data.get("output")
        return ProgramAbi(tuple(params), None if output is None else type_from_json(output))


_MAX_DEPTH = 32
_MAX_LEN = 1 << 20


def type_to_json(t: Type) -> object:
    """A type as JSON: scalars by name, ``{"array": T, "len": n}``, ``{"tuple": [...]}``,
    ``{"struct": name, "module": m, "fields": [[name, T], ...]}``, ``{"proof": n}``."""
    if isinstance(t, Scalar):
        return t.name
    if isinstance(t, Array):
        return {"array": type_to_json(t.element), "len": t.length}
    if isinstance(t, Tuple):
        return {"tuple": [type_to_json(e) for e in t.elements]}
    if isinstance(t, Struct):
        return {"struct": t.name, "module": t.module, "fields": [[n, type_to_json(f)] for n, f in t.fields]}
    if isinstance(t, ProofT):
        return {"proof": t.num_public_inputs}
    raise AbiError(f"no JSON form for type {t!r}")


def type_from_json(data: object, depth: int = 0) -> Type:
    """Inverse of :func:`type_to_json` (bounded: a hostile key file cannot nest forever)."""
    if depth > _MAX_DEPTH:
        raise AbiError("ABI type nests too deeply")
    if isinstance(data, str):
        if data not in ("Felt", "bool", *ty.INT_BITS):
            raise AbiError(f"unknown scalar type `{data}` in the ABI")
        return Scalar(data)
    if isinstance(data, Mapping):
        if "array" in data:
            n = data.get("len")
            if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= _MAX_LEN:
                raise AbiError("ABI array length must be an integer in range")
            return Array(type_from_json(data["array"], depth + 1), n)
        if "tuple" in data and isinstance(data["tuple"], list):
            return Tuple(tuple(type_from_json(e, depth + 1) for e in data["tuple"]))
        if "struct" in data and isinstance(data["struct"], str) and isinstance(data.get("fields"), list):
            fields = []
            for f in data["fields"]:
                if not (isinstance(f, list) and len(f) == 2 and isinstance(f[0], str)):
                    raise AbiError("ABI struct fields are [name, type] pairs")
                fields.append((f[0], type_from_json(f[1], depth + 1)))
            module = data.get("module", "")
            if not isinstance(module, str):
                raise AbiError("ABI struct module must be a string")
            return Struct(data["struct"], tuple(fields), module)
        if "proof" in data and isinstance(data["proof"], int) and 0 <= data["proof"] <= _MAX_LEN:
            return ProofT(data["proof"])
    raise AbiError(f"not an ABI type: {str(data)[:60]}")
