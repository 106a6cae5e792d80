"""The ``zk`` scheme: a Poseidon-preimage key (``stdlib/sig/zk.psy``).

The secret is 4 uniformly random field elements; the public parameter is
``poseidon(secret ++ DOMAIN)``; a signature of a message is a zero-knowledge proof of the
circuit ``main(pub message, pub param, secret)``. :func:`param_of` is the native twin of
``std::sig::zk::param_of`` (tests check that they agree).
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_no_pad
from psyc.sig.convention import SignatureError, format_hash, public_key
from psyc.sig.scheme import CircuitScheme

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape
    from psyc.sig.registry import SigBenchCase

SCHEME = "zk"
# ASCII "psyc-sig" and "-zk-v1" as big-endian integers, the format version, the secret's
# length: the same constants as stdlib/sig/zk.psy.
DOMAIN = (0x7073_7963_2D73_6967, 0x2D7A_6B2D_7631, 1, 4)


def param_of(secret: Sequence[int]) -> list[int]:
    """The public parameter of a secret: ``poseidon(secret ++ DOMAIN)``."""
    if len(secret) != 4 or not all(isinstance(x, int) and 0 <= x < P for x in secret):
        raise SignatureError("a zk secret is 4 field elements", "E1000")
    return [int(x) for x in hash_no_pad([*secret, *DOMAIN])]


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


def key_from_doc(doc: dict, path: str | Path, hash_field: Callable[[str], list[int]]) -> ZkKey:
    """The zk key in a parsed key file (``param`` follows from the secret; the caller
    compares it with the file's and checks the common fields)."""
    secret = hash_field("secret")
    circuit = doc.get("circuit")
    if circuit is not None and not isinstance(circuit, str):
        raise SignatureError(f"{path}: field 'circuit' must be a path or null", "E1000")
    return ZkKey(secret, param_of(secret), hash_field("fingerprint"), hash_field("public_key"),
                 Path(circuit) if circuit else None, doc.get("shape", "standard"))


def scheme_for(key: ZkKey | None, shape: StandardShape | None = None) -> ZkScheme:
    """The scheme that signs with ``key`` (its own circuit, if any)."""
    return ZkScheme(key.circuit if key else None, shape=shape)


def public_fields(key: ZkKey) -> dict:
    return {"circuit": str(key.circuit) if key.circuit else "std::sig::zk"}


class ZkScheme(CircuitScheme):
    """Compiles the scheme's circuit once (zero knowledge on) and makes keys and
    signatures. ``circuit``: an author's own key circuit with the zk inputs (default the
    stdlib one); ``config``, ``shape``: as :class:`~psyc.sig.scheme.CircuitScheme`."""

    name = "key"

    def __init__(
        self,
        circuit: str | Path | None = None,
        config: CircuitConfig | None = None,
        shape: StandardShape | None = None,
    ) -> None:
        super().__init__(config, shape)
        self.circuit = Path(circuit) if circuit is not None else None

    def circuit_path(self) -> Path:
        return self.circuit or stdlib_circuit()

    def check_program(self, prog: CompiledProgram) -> None:
        """E1004 for a program that breaks the convention or has other inputs than the zk ones."""
        from psyc.frontend import types as ty

        shape = [(n, ty.size(t), public) for n, t, public in prog.params]
        if shape != [("message", 4, True), ("param", 4, True), ("secret", 4, False)] or prog.output_type:
            raise SignatureError(
                f"{prog.project.main_file}: a zk key circuit is `fn main(pub message: Hash, pub param: Hash, "
                "secret: [Felt; 4])` with no output", "E1004")

    def new_key(self, secret: Sequence[int] | None = None) -> ZkKey:
        """A fresh key: the secret from the OS's CSPRNG (``secrets``), unless given."""
        secret = [_secrets.randbelow(P) for _ in range(4)] if secret is None else [int(x) for x in secret]
        param = param_of(secret)
        fp = self.fingerprint()
        return ZkKey(secret, param, fp, public_key(fp, param), self.circuit, self.shape_name())

    def sign(self, key: ZkKey, message: Sequence[int]) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """A signature of ``message``: a zero-knowledge proof with public inputs
        ``message ++ param``, and the circuit's verifying key."""
        if param_of(key.secret) != list(key.param):
            raise SignatureError("the key file's secret does not match its parameter", "E1000")
        self.check_key_circuit(key)
        return self.prove_inputs({"message": list(message), "param": list(key.param), "secret": list(key.secret)})


def bench_case(shape: StandardShape | None = None) -> SigBenchCase:
    """``psyc bench``'s zk case: a fresh key, one message (``psyc.sig.registry``)."""
    scheme = ZkScheme(shape=shape)
    key = scheme.new_key()
    return scheme.bench_case("zk", lambda: scheme.sign(key, [1, 2, 3, 4]), target="<= 1.5 s")
