"""The ``circuit`` scheme: your own key circuit with any private witness.

The circuit is ``fn main(pub message: Hash, pub param: Hash, <private inputs>)`` with no
output (the convention, docs/signatures.md); the key file records the circuit's path and
the values of its private inputs (``psyc key new --scheme circuit --circuit FILE.psy
--inputs SECRETS.toml``). The parameter is what the circuit's entry ``key_param`` returns
for those values: a function taking exactly ``main``'s private inputs (same names, types
and order) and returning ``pub Hash`` — the circuit computes its own parameter, so psyc
needs no scheme-specific code. Signing runs ``main`` on ``(message, param, witness)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from psyc.sig.convention import SignatureError, public_key
from psyc.sig.scheme import CircuitScheme

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape

SCHEME = "circuit"
PARAM_ENTRY = "key_param"  # the circuit's function that computes the parameter from the witness


@dataclass
class CircuitKey:
    """A key of an author's own circuit: ``inputs`` are the values of its private inputs by
    name, as an inputs file's JSON form (decimal strings, booleans, lists, objects)."""

    circuit: Path
    inputs: dict
    param: list[int]
    fingerprint: list[int]
    public_key: list[int]
    shape: str = "standard"
    scheme: ClassVar[str] = SCHEME


def key_to_doc(key: CircuitKey) -> dict:
    """The scheme's fields of a key file: ``circuit`` (absolute path) and ``inputs``."""
    return {"circuit": str(Path(key.circuit).resolve()), "inputs": key.inputs}


def key_from_doc(doc: dict, path: str | Path, hash_field: Callable[[str], list[int]]) -> CircuitKey:
    """The key in a parsed key file. ``param`` cannot be recomputed without compiling the
    circuit: signing runs the circuit, whose own check of ``param`` against the witness
    fails for a damaged file."""
    circuit, inputs = doc.get("circuit"), doc.get("inputs")
    if not isinstance(circuit, str) or not circuit:
        raise SignatureError(f"{path}: field 'circuit' must be the key circuit's path", "E1000")
    if not isinstance(inputs, dict):
        raise SignatureError(f"{path}: field 'inputs' must be an object (the circuit's private inputs)", "E1000")
    if {"message", "param"} & set(inputs):  # the public inputs come from the command line and the key
        raise SignatureError(f"{path}: field 'inputs' holds only private inputs (not 'message' or 'param')", "E1000")
    return CircuitKey(Path(circuit), inputs, hash_field("param"), hash_field("fingerprint"),
                      hash_field("public_key"), doc.get("shape", "standard"))


def scheme_for(key: CircuitKey | None, shape: StandardShape | None = None) -> CircuitKeyScheme:
    """The scheme that signs with ``key`` (its circuit). A fresh key needs a circuit:
    ``CircuitKeyScheme(path).new_key(inputs)``."""
    if key is None:
        raise SignatureError("a circuit key needs --circuit FILE.psy and --inputs SECRETS.toml", "E1002")
    return CircuitKeyScheme(key.circuit, shape=shape)


def public_fields(key: CircuitKey) -> dict:
    return {"circuit": str(key.circuit)}


def _describe(params: Sequence[tuple[str, object, bool]]) -> str:
    return ", ".join(f"{'pub ' if pub else ''}{n}: {t}" for n, t, pub in params) or "no inputs"


class CircuitKeyScheme(CircuitScheme):
    """An author's key circuit ``path`` with any private inputs (compiled once, zero
    knowledge on); ``config``, ``shape``: as :class:`~psyc.sig.scheme.CircuitScheme`."""

    name = "key"

    def __init__(self, path: str | Path, config: CircuitConfig | None = None,
                 shape: StandardShape | None = None) -> None:
        super().__init__(config, shape)
        self.path = Path(path)

    def circuit_path(self) -> Path:
        return self.path

    def check_key(self, key: CircuitKey) -> None:
        if not Path(key.circuit).is_file():
            raise SignatureError(f"the key's circuit {key.circuit} does not exist", "E1004")

    def check_program(self, prog: CompiledProgram) -> None:
        """E1004 naming what breaks the convention: the public inputs must be exactly
        ``pub message: Hash, pub param: Hash``, first, then only private inputs, no output."""
        from psyc.frontend import types as ty

        where = f"{prog.project.main_file}: `{prog.program.name}`"
        public = [(n, t) for n, t, pub in prog.params if pub]
        if [(n, t) for n, t, _ in prog.params[:2]] != [("message", ty.HASH), ("param", ty.HASH)] \
                or len(public) != 2 or not all(pub for _, _, pub in prog.params[:2]):
            raise SignatureError(
                f"{where} takes ({_describe(prog.params)}); a key circuit's public inputs are exactly "
                "`pub message: Hash, pub param: Hash`, first, and every other input is private", "E1004")
        if prog.output_type is not None:
            raise SignatureError(f"{where} returns {prog.output_type}; a key circuit has no output", "E1004")

    def witness_params(self) -> list[tuple[str, object]]:
        """The private inputs of ``main``: what the key file records."""
        return [(n, t) for n, t, _ in self.program().params[2:]]

    def param_of(self, inputs: dict) -> list[int]:
        """The parameter of ``inputs``: what the circuit's ``key_param`` entry returns."""
        from psyc.compiler import CompileOptions, compile_path
        from psyc.frontend import types as ty
        from psyc.util.diagnostics import CompileError

        want = [(n, t, False) for n, t in self.witness_params()]
        try:
            prog = compile_path(self.path, CompileOptions(entry=PARAM_ENTRY))
        except CompileError as e:
            if any(d.code == "E0100" for d in e.diagnostics):  # no such function (its own note says --entry)
                raise SignatureError(
                    f"{self.path} has no `fn {PARAM_ENTRY}({_describe(want)}) -> pub Hash`: a circuit key's "
                    "parameter is what that function returns for the witness", "E1004") from None
            raise
        if prog.params != want or prog.output_type != ty.HASH:
            got = f"fn {PARAM_ENTRY}({_describe(prog.params)}) -> {prog.output_type}"
            raise SignatureError(
                f"{self.path}: `{got}`; the parameter's entry is `fn {PARAM_ENTRY}({_describe(want)}) -> pub Hash`: "
                "main's private inputs, in order, returning the parameter", "E1004")
        return [int(x) for x in prog.execute(inputs).outputs]

    def read_witness(self, path: str | Path) -> dict:
        """The private inputs' values from an inputs file (``.toml`` / ``.json``), checked
        against their types with located errors (E06xx: missing, unknown, out of range)."""
        from psyc.project.inputs import format_value, read_inputs

        params = self.witness_params()
        values = read_inputs(str(path), params, self.program().sources)
        return {n: format_value(t, v) for (n, t), v in zip(params, values, strict=True)}

    def new_key(self, inputs: dict) -> CircuitKey:
        """The key of the witness ``inputs`` (by name, as :meth:`read_witness` gives)."""
        param = self.param_of(inputs)
        fp = self.fingerprint()
        return CircuitKey(self.path.resolve(), dict(inputs), param, fp, public_key(fp, param), self.shape_name())

    def sign(self, key: CircuitKey, message: Sequence[int]) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """A signature of ``message``: a proof of the circuit on ``(message, param, witness)``."""
        self.check_key_circuit(key)
        return self.prove_inputs({"message": list(message), "param": list(key.param), **key.inputs})
