"""What every scheme's class shares (zk, schnorr, ecdsa, multisig): its circuit compiled
once with zero knowledge on, the verifying key, the fingerprint verifying circuits see,
the check that a key was made for this circuit, and proving a witness."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.sig.convention import SignatureError, standard_fingerprint

if TYPE_CHECKING:
    from psyc.recursion.shape import StandardShape
    from psyc.sig.ecdsa import EcdsaKey
    from psyc.sig.multisig import MultisigKey
    from psyc.sig.registry import SigBenchCase
    from psyc.sig.schnorr import SchnorrKey
    from psyc.sig.zk import ZkKey

    #: a key of one of the built-in schemes
    SigKey = ZkKey | SchnorrKey | EcdsaKey | MultisigKey
    from psyc.compiler import CompiledProgram, CompileOptions
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs


def shape_named(name: str) -> StandardShape:
    """The standard shape called ``name`` ("standard", or "small"/"test" in tests)."""
    from psyc.recursion import shape as shapes

    try:
        return shapes.shape_named(name)
    except ValueError as e:
        raise SignatureError(str(e), "E1001") from None


def shape_name(shape: StandardShape | None) -> str:
    """The name of ``shape`` as key files record it."""
    from psyc.recursion import shape as shapes

    try:
        return shapes.shape_name(shape)
    except ValueError as e:
        raise SignatureError(str(e), "E1001") from None


class CircuitScheme:
    """Base of the scheme classes. ``config``: the circuit's table shape (default
    :meth:`default_config`); ``shape``: the standard shape verifying circuits use (default
    ``standard_shape()``). A subclass names its circuit (:meth:`circuit_path`) and may add
    compile options (:meth:`compile_options`) or check the compiled program (:meth:`check_program`)."""

    name = "signature"  # how messages name the circuit

    def __init__(self, config: CircuitConfig | None = None, shape: StandardShape | None = None) -> None:
        self.config = config if config is not None else self.default_config()
        self.shape = shape
        self._program: CompiledProgram | None = None
        self._fingerprint: list[int] | None = None
        self._from_cache = False  # the program came from the build cache
        self._refresh = False  # compile even if the build cache has the circuit

    def default_config(self) -> CircuitConfig | None:
        """The circuit's table shape when none is given (None: the standard config)."""
        return None

    def circuit_path(self) -> Path:
        raise NotImplementedError

    def compile_options(self) -> CompileOptions:
        from psyc.compiler import CompileOptions

        return CompileOptions(config=self.config, zero_knowledge=True)

    def check_program(self, prog: CompiledProgram) -> None:
        """Raise ``SignatureError`` for a program that cannot be this scheme's circuit."""

    def program(self) -> CompiledProgram:
        """The compiled signature circuit, built: from the build cache when an earlier run
        compiled it (``psyc.program_cache``), else compiled, then kept (and cached)."""
        if self._program is None:
            from psyc.program_cache import load_program, store_program

            prog = None if self._refresh else load_program(self.circuit_path(), self.compile_options())
            if prog is not None:
                try:
                    self.check_program(prog)
                except SignatureError:
                    prog = None
            self._from_cache = prog is not None
            if prog is None:
                from psyc.compiler import compile_path

                prog = compile_path(self.circuit_path(), self.compile_options())
                self.check_program(prog)
                prog.circuit()
                store_program(self.circuit_path(), self.compile_options(), prog)
            self._program = prog
        return self._program

    def verifying_key(self) -> VerifyingKey:
        return self.program().circuit().verifier_data

    def fingerprint(self) -> list[int]:
        """The circuit's fingerprint as verifying circuits see it (seconds the first time on
        a machine: the wrapper key is built, then cached)."""
        if self._fingerprint is None:
            self._fingerprint = standard_fingerprint(self.verifying_key(), self.shape)
        return self._fingerprint

    def shape_name(self) -> str:
        """The name of this scheme's standard shape, as key files record it."""
        return shape_name(self.shape)

    def check_key(self, key: SigKey) -> None:
        """Raise ``SignatureError`` for a key this scheme cannot sign with, before anything
        is compiled (``psyc sign`` asks first)."""

    def check_key_circuit(self, key: SigKey) -> None:
        """E1001 unless ``key`` was made for this circuit (a changed circuit, or a psyc that
        compiles it differently, would sign for another account key). A circuit from the
        build cache that is not the key's is dropped and compiled again first: the cache
        never decides which circuit a key signs with."""
        if self.fingerprint() != list(key.fingerprint) and self._from_cache:
            self._program, self._fingerprint, self._refresh = None, None, True
        if self.fingerprint() != list(key.fingerprint):
            raise SignatureError(f"the {self.name} circuit's fingerprint is not the key's: the circuit changed since "
                                 "the key was made (or psyc did, in a way that changes circuits)", "E1001")

    def prove_inputs(self, inputs: dict) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """Run the circuit on ``inputs`` and prove it: a signature and its verifying key."""
        prog = self.program()
        run = prog.execute(inputs)
        return prog.prove(run), self.verifying_key()

    def bench_case(
        self, label: str, sign: Callable[[], object], note: str = "", target: str = "",
    ) -> SigBenchCase:
        """``psyc bench``'s case for this scheme (the circuit built first, so the time
        measured is signing alone)."""
        from psyc.sig.registry import SigBenchCase

        prog = self.program()
        prog.circuit()
        return SigBenchCase(label, prog, sign, note, target)
