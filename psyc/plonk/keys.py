"""Verifying keys on disk (proof files: :mod:`psyc.plonk.proof`, re-exported here).

Both are versioned binary files: an 8-byte magic, a u32 format version, then
length-prefixed little-endian fields (see :mod:`psyc.field.serialization`). Every read is
bounds-checked and every field element must be canonical, so a truncated, padded or
corrupted file is a :class:`FormatError` naming the field and byte offset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from psyc.field.serialization import ByteReader, ByteWriter, FormatError
from psyc.fri.proof import read_cap, write_cap
from psyc.plonk.circuit_data import CommonCircuitData, VerifierOnlyCircuitData, check_gate_set, circuit_digest
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates import check_gate_spec
from psyc.plonk.gates.catalog import gate_info
from psyc.plonk.proof import (
    FORMAT_VERSION,
    PROOF_MAGIC,
    ProofWithPublicInputs,
    proof_from_bytes,
    proof_to_bytes,
)
from psyc.plonk.verifier import verify

VK_MAGIC = b"PSYCVK\x00\x00"
# the proof file's names, where the command-line code reads them beside the key's
__all__ = ["FORMAT_VERSION", "PROOF_MAGIC", "VK_MAGIC", "VerifyingKey", "proof_from_bytes", "proof_to_bytes"]


def _config_from_fields(v: list[int]) -> CircuitConfig:
    try:
        return CircuitConfig.from_list(v)
    except (ValueError, TypeError, IndexError) as e:
        raise FormatError(f"verifying key holds an invalid circuit config: {e}") from None


ABI_MAGIC = b"ABI\x00"
_MAX_ABI_BYTES = 1 << 20


def _read_abi(r: ByteReader) -> dict:
    """The optional ABI section after a key's circuit data: magic, u32 length, JSON object."""
    if r.raw(4, "ABI section magic") != ABI_MAGIC:
        raise FormatError(f"verifying key: unexpected bytes after the circuit digest at offset {r.pos - 4}")
    n = r.u32("ABI length")
    if n > _MAX_ABI_BYTES:
        raise FormatError(f"verifying key: an ABI of {n} bytes is over the limit")
    try:
        abi = json.loads(r.raw(n, "ABI"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"verifying key: the ABI section is not JSON ({e})") from None
    if not isinstance(abi, dict):
        raise FormatError("verifying key: the ABI section is not a JSON object")
    return abi


@dataclass
class VerifyingKey:
    """Everything a verifier needs: the common data and the preprocessed commitment."""

    verifier_only: VerifierOnlyCircuitData
    common: CommonCircuitData
    # The program's ABI (psyc.project.abi.ProgramAbi.to_json()) when psyc compiled the key
    # from a program: names and types of the public inputs, for `psyc verify`. Metadata
    # like Noir's ABI file: the fingerprint covers the circuit, not these names.
    abi: dict | None = None

    @property
    def fingerprint(self) -> list[int]:
        """Four field elements identifying the circuit (what ``--fingerprint`` pins)."""
        return self.verifier_only.fingerprint

    def verify(self, proof: ProofWithPublicInputs) -> None:
        """Raise ``VerificationError`` unless ``proof`` is valid for this key."""
        verify(proof, self.verifier_only, self.common)

    def to_bytes(self) -> bytes:
        """The serialized key (the ``.vk`` files psyc writes)."""
        w = ByteWriter()
        w.raw(VK_MAGIC)
        w.u32(FORMAT_VERSION)
        c = self.common
        w.felts(c.config.to_list())
        w.u32(c.degree_bits)
        w.u32(c.num_public_inputs)
        w.u32(len(c.gates))
        for g in c.gates:
            name = g.name.encode()
            w.u32(len(name))
            w.raw(name)
            w.felts(list(g.params))
        write_cap(w, self.verifier_only.constants_sigmas_cap)
        w.felts(self.verifier_only.circuit_digest)
        if self.abi is not None:
            blob = json.dumps(self.abi, separators=(",", ":"), sort_keys=True).encode()
            w.raw(ABI_MAGIC)
            w.u32(len(blob))
            w.raw(blob)
        return w.getvalue()

    @staticmethod
    def from_bytes(data: bytes) -> VerifyingKey:
        """Parse a serialized key (raises ``FormatError`` on anything malformed)."""
        r = ByteReader(data, "verifying key")
        r.header(VK_MAGIC, FORMAT_VERSION, "verifying key")
        config = _config_from_fields(r.felts("circuit config", expected=13))
        degree_bits = r.u32("degree bits")
        if not 1 <= degree_bits <= 28:
            raise FormatError(f"verifying key: degree bits {degree_bits} out of range")
        if degree_bits + config.fri_config.rate_bits > 32:
            raise FormatError(
                f"verifying key: degree 2^{degree_bits} with blowup 2^{config.fri_config.rate_bits} exceeds 2^32"
            )
        num_pis = r.u32("number of public inputs")
        if num_pis > 1 << 20:
            raise FormatError(f"verifying key: {num_pis} public inputs is over the limit")
        num_gates = r.u32("number of gates")
        if num_gates > 64:
            raise FormatError(f"verifying key: {num_gates} gates is more than the limit 64")
        gates = []
        for i in range(num_gates):
            length = r.u32(f"gate {i} name length")
            if length > 64:
                raise FormatError(f"verifying key: gate {i} name is {length} bytes long")
            name = r.raw(length, f"gate {i} name").decode(errors="replace")
            params = tuple(r.felts(f"gate {i} parameters", limit=8))
            try:
                check_gate_spec(name, params, config)
            except ValueError as e:
                raise FormatError(f"verifying key: gate {i}: {e}") from None
            try:
                gate = gate_info(name, params)  # the gate's facts, without building it
            except (ValueError, TypeError) as e:
                raise FormatError(f"verifying key: gate {i}: {e}") from None
            if gate.num_wires > config.num_wires or gate.num_constants > config.num_constants:
                raise FormatError(f"verifying key: gate {i} ({gate.id}) does not fit the circuit config")
            if gate.degree + 1 > config.max_quotient_degree_factor:
                raise FormatError(f"verifying key: gate {i} ({gate.id}) has too high a degree for the config")
            gates.append(gate)
        try:
            check_gate_set(gates)
        except ValueError as e:
            raise FormatError(f"verifying key: {e}") from None
        cap = read_cap(r, "constants/sigmas cap")
        digest = r.felts("circuit digest", expected=4)
        abi = _read_abi(r) if r.pos < len(r.data) else None
        r.finish()
        from psyc.field.goldilocks import MULTIPLICATIVE_GENERATOR, P

        common = CommonCircuitData(
            config=config,
            degree_bits=degree_bits,
            gates=gates,
            num_public_inputs=num_pis,
            k_is=[pow(MULTIPLICATIVE_GENERATOR, j, P) for j in range(config.num_routed_wires)],
            num_gate_constraints=max((g.num_constraints for g in gates), default=0),
        )
        if len(cap) != 1 << config.fri_config.cap_height:
            raise FormatError("verifying key: the cap size does not match the config's cap height")
        if circuit_digest(common, cap) != digest:
            raise FormatError("verifying key: the circuit digest does not match its contents (corrupted key)")
        return VerifyingKey(VerifierOnlyCircuitData(cap, digest), common, abi)
