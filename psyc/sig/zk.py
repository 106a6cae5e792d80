"""The ``zk`` scheme: a Poseidon-preimage key (``stdlib/sig/zk.psy``).

The secret is 4 uniformly random field elements; the public parameter is
``poseidon(secret ++ DOMAIN)``; a signature of a message is a zero-knowledge proof of the
circuit ``main(pub message, pub param, secret)``. :func:`param_of` is the native twin of
``std::sig::zk::param_of`` (tests check that they agree).
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_no_pad
from psyc.sig.convention import SignatureError, format_hash, public_key, standard_fingerprint

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs

SCHEME = "zk"
# ASCII "psyc-sig" and "-zk-v1" as big-endian integers, the format version, the secret's
# length: the same constants as stdlib/sig/zk.psy.
DOMAIN = (0x7073_7963_2D73_6967, 0x2D7A_6B2D_7631, 1, 4)


def param_of(secret: Sequence[int]) -> list[int]:
    """The public parameter of a secret: ``poseidon(secret ++ DOMAIN)``."""
    if len(secret) != 4 or not all(isinstance(x, int) and 0 <= x < P for x in secret):
        raise SignatureError("a zk secret is 4 field elements", "E1000")
    return [int(x) for x in hash_no_pad([*secret, *DOMAIN])]


def shape_named(name: str):
    """The standard shape called ``name`` ("standard", or "small"/"test" in tests)."""
    from psyc.recursion import shape as shapes

    try:
        return shapes.shape_named(name)
    except ValueError as e:
        raise SignatureError(str(e), "E1001") from None


def shape_name(shape) -> str:
    """The name of ``shape`` as key files record it."""
    from psyc.recursion import shape as shapes

    try:
        return shapes.shape_name(shape)
    except ValueError as e:
        raise SignatureError(str(e), "E1001") from None


def stdlib_circuit() -> Path:
    """The scheme's circuit, ``std::sig::zk`` (``stdlib/sig/zk.psy``)."""
    from psyc.frontend.modules import stdlib_dir

    return stdlib_dir() / "sig" / "zk.psy"


@dataclass
class ZkKey:
    """A zk signing key. ``fingerprint`` is the circuit's standard-shape fingerprint;
    ``circuit`` is None for the standard circuit, else the author's own ``.psy`` file
    (same inputs: ``message``, ``param``, ``secret: [Felt; 4]``)."""

    secret: list[int]
    param: list[int]
    fingerprint: list[int]
    public_key: list[int]
    circuit: Path | None = None
    shape: str = "standard"  # the standard shape the fingerprint is for: "standard", or "test" (tests only)
    scheme: ClassVar[str] = SCHEME


def key_to_doc(key: ZkKey) -> dict:
    """The zk fields of a key file (``psyc.sig.keyfile``): ``circuit`` and ``secret``."""
    return {"circuit": str(key.circuit.resolve()) if key.circuit else None, "secret": format_hash(key.secret)}


def key_from_doc(doc: dict, path, hash_field) -> ZkKey:
    """The zk key in a parsed key file (the common fields are checked by the caller)."""
    secret = hash_field("secret")
    circuit = doc.get("circuit")
    if circuit is not None and not isinstance(circuit, str):
        raise SignatureError(f"{path}: field 'circuit' must be a path or null", "E1000")
    param, fp = hash_field("param"), hash_field("fingerprint")
    if param_of(secret) != param:
        raise SignatureError(f"{path}: field 'param' does not follow from the secret (file damaged?)", "E1000")
    return ZkKey(secret, param, fp, hash_field("public_key"), Path(circuit) if circuit else None,
                 doc.get("shape", "standard"))


class ZkScheme:
    """Compiles the scheme's circuit once (zero knowledge on) and makes keys and
    signatures. ``circuit``: an author's own key circuit with the zk inputs (default the
    stdlib one); ``config``: the circuit's shape (default ``CircuitConfig.standard()``);
    ``shape``: the standard shape verifying circuits use (default ``standard_shape()``)."""

    def __init__(self, circuit: str | Path | None = None, config: CircuitConfig | None = None, shape=None) -> None:
        self.circuit = Path(circuit) if circuit is not None else None
        self.config = config
        self.shape = shape
        self._program: CompiledProgram | None = None
        self._fingerprint: list[int] | None = None

    def program(self) -> CompiledProgram:
        """The compiled signature circuit (raises ``CompileError`` for a bad program,
        ``SignatureError`` (E1004) for one that breaks the convention)."""
        if self._program is None:
            from psyc.compiler import CompileOptions, compile_path
            from psyc.frontend import types as ty

            prog = compile_path(self.circuit or stdlib_circuit(),
                                CompileOptions(config=self.config, zero_knowledge=True))
            shape = [(n, ty.size(t), public) for n, t, public in prog.params]
            if shape != [("message", 4, True), ("param", 4, True), ("secret", 4, False)] or prog.output_type:
                raise SignatureError(
                    f"{prog.project.main_file}: a zk key circuit is `fn main(pub message: Hash, pub param: Hash, "
                    "secret: [Felt; 4])` with no output", "E1004")
            self._program = prog
        return self._program

    def verifying_key(self) -> VerifyingKey:
        return self.program().circuit().verifier_data

    def fingerprint(self) -> list[int]:
        """The circuit's fingerprint as verifying circuits see it (seconds the first time
        on a machine: the wrapper key is built, then cached)."""
        if self._fingerprint is None:
            self._fingerprint = standard_fingerprint(self.verifying_key(), self.shape)
        return self._fingerprint

    def new_key(self, secret: Sequence[int] | None = None) -> ZkKey:
        """A fresh key: the secret from the OS's CSPRNG (``secrets``), unless given."""
        secret = [_secrets.randbelow(P) for _ in range(4)] if secret is None else [int(x) for x in secret]
        param = param_of(secret)
        fp = self.fingerprint()
        return ZkKey(secret, param, fp, public_key(fp, param), self.circuit, shape_name(self.shape))

    def sign(self, key: ZkKey, message: Sequence[int]) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """A signature of ``message``: a zero-knowledge proof with public inputs
        ``message ++ param``, and the circuit's verifying key."""
        if param_of(key.secret) != list(key.param):
            raise SignatureError("the key file's secret does not match its parameter", "E1000")
        if self.fingerprint() != list(key.fingerprint):
            raise SignatureError("the key circuit's fingerprint is not the key's: the circuit changed since "
                                 "the key was made (or psyc did, in a way that changes circuits)", "E1001")
        prog = self.program()
        run = prog.execute({"message": list(message), "param": list(key.param), "secret": list(key.secret)})
        return prog.prove(run), self.verifying_key()


def bench_case(shape=None):
    """``psyc bench``'s zk case: a fresh key, one message (``psyc.sig.registry``)."""
    from psyc.sig.registry import SigBenchCase

    scheme = ZkScheme(shape=shape)
    key = scheme.new_key()
    prog = scheme.program()
    prog.circuit()
    return SigBenchCase("zk", prog, lambda: scheme.sign(key, [1, 2, 3, 4]), target="<= 1.5 s")
