"""The signature-circuit convention: public inputs ``(message, param)``, account key
``two_to_one(fingerprint, param)``, and the native check of a signature."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from psyc.field.goldilocks import P
from psyc.hash.poseidon import two_to_one

if TYPE_CHECKING:
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape

HASH_LEN = 4
NUM_PUBLIC_INPUTS = 2 * HASH_LEN  # message ++ param


class SignatureError(ValueError):
    """A signature, key or message that is malformed or does not verify; ``code`` is the
    diagnostic code (docs/errors.md)."""

    def __init__(self, message: str, code: str = "E1003") -> None:
        super().__init__(message)
        self.code = code


def public_key(fingerprint: Sequence[int], param: Sequence[int]) -> list[int]:
    """The account key of a signature circuit: ``hash_two(fingerprint, param)``
    (``std::sig::public_key``)."""
    return [int(x) for x in two_to_one(list(fingerprint), list(param))]


_HEX = re.compile(r"^0x[0-9a-fA-F]*$")


def parse_hash(text: str, what: str = "message") -> list[int]:
    """A hash (4 field elements) from ``0x`` + 64 hex digits (32 bytes: 4 big-endian
    u64s, each below p) or 4 comma-separated integers. ``SignatureError`` (E1002) otherwise."""
    text = text.strip()
    if _HEX.match(text):
        digits = text[2:]
        if len(digits) != 64:
            raise SignatureError(
                f"{what} {text!r} is {len(digits) / 2:g} bytes; expected 32 bytes (0x + 64 hex digits) "
                "or 4 comma-separated field elements", "E1002")
        felts = [int(digits[16 * i : 16 * i + 16], 16) for i in range(4)]
    else:
        parts = [p.strip() for p in text.split(",")]
        try:
            felts = [int(p, 0) for p in parts]
        except ValueError:
            raise SignatureError(
                f"{what} {text!r} is neither 0x + 64 hex digits nor 4 comma-separated integers", "E1002"
            ) from None
        if len(felts) != HASH_LEN:
            raise SignatureError(f"{what} has {len(felts)} field elements; expected 4", "E1002")
    for i, x in enumerate(felts):
        if not 0 <= x < P:
            raise SignatureError(f"{what}: element {i} ({x:#x}) is not a field element (must be below p = {P:#x})",
                                 "E1002")
    return felts


def format_hash(felts: Sequence[int]) -> str:
    """``0x`` + 64 hex digits: the 4 elements as big-endian u64s (what :func:`parse_hash` reads)."""
    return "0x" + "".join(f"{int(x):016x}" for x in felts)


def standard_fingerprint(vk: VerifyingKey, shape: StandardShape | None = None) -> list[int]:
    """The fingerprint a verifying circuit sees for proofs of ``vk``: ``vk``'s own when
    it is of the standard shape, otherwise that of its wrapper key (what
    ``fingerprint!`` and ``Proof<N>.fingerprint`` give). Building the wrapper takes seconds,
    so the result is cached per key bytes and psyc build (the user's build cache,
    ``psyc.project.cache``: authenticated entries, so a cache copied from elsewhere or
    written by another user is never believed)."""
    import json

    from psyc.project.cache import BuildCache, cache_key
    from psyc.recursion.shape import standard_shape, wrapped_key

    shape = shape or standard_shape()
    if shape.matches(vk.common):
        return [int(x) for x in vk.fingerprint]
    cache = BuildCache.user()
    key = cache_key(vk.to_bytes(), str(shape))
    data = cache.get("sig-fingerprint", key)
    if data is not None:
        try:
            values = json.loads(data)
            if isinstance(values, list) and len(values) == 4 and all(isinstance(x, int) and 0 <= x < P
                                                                     for x in values):
                return values
        except ValueError:
            pass
    fingerprint = [int(x) for x in wrapped_key(vk, shape).fingerprint]
    cache.put("sig-fingerprint", key, json.dumps(fingerprint).encode())
    return fingerprint


def verify_signature(
    proof: ProofWithPublicInputs, vk: VerifyingKey, key: Sequence[int], message: Sequence[int],
    shape: StandardShape | None = None,
) -> list[int]:
    """Check that ``proof`` (with ``vk``, which may come from the signer: the key binds
    it) is a signature of ``message`` under the account key ``key``: the proof verifies,
    its public inputs are ``message ++ param`` and ``public_key(fingerprint, param) == key``.
    Returns ``param``; raises :class:`SignatureError` (E1003) otherwise."""
    from psyc.plonk.verifier import VerificationError

    pis = [int(x) for x in proof.public_inputs]
    if len(pis) != NUM_PUBLIC_INPUTS:
        raise SignatureError(f"not a signature: the proof has {len(pis)} public inputs, a signature circuit has "
                             f"{NUM_PUBLIC_INPUTS} (message, param)")
    try:
        vk.verify(proof)
    except VerificationError as e:
        raise SignatureError(f"the proof does not verify: {e}") from None
    if pis[:HASH_LEN] != [int(x) for x in message]:
        raise SignatureError(f"the signature is for message {format_hash(pis[:HASH_LEN])}, not {format_hash(message)}")
    param = pis[HASH_LEN:]
    if public_key(standard_fingerprint(vk, shape), param) != [int(x) for x in key]:
        raise SignatureError("the signature is not for this public key (another circuit or parameter)"
                             + _shape_hint(shape))
    return param


def _shape_hint(shape: StandardShape | None) -> str:
    """The shape the key was checked as: the one check the shape changes (the fingerprint
    of a proof not of that shape is its wrapper's), so a key of another shape fails here."""
    from psyc.recursion.shape import shape_name

    try:
        name = shape_name(shape)
    except ValueError:  # a shape without a name: nothing to point the user to
        return ""
    other = "small or test" if name == "standard" else "standard"
    return (f"; checked as a key of the {name} shape — a key made with `psyc key new --shape {other}` is "
            "checked with the same --shape")
