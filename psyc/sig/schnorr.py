"""The ``schnorr`` scheme: Schnorr signatures over ecGFp5 (``stdlib/sig/schnorr.psy``).

Pornin's ecGFp5 README defines the signature for a hash H of at least 320 bits; psyc's H
is Poseidon (plonky2's ``hash_n_to_m_no_pad``, 5 outputs) over field elements:

* secret ``d``: a uniformly random non-zero scalar (mod n, from the OS's CSPRNG);
  public key ``Q = d·G``, published as its encoding ``key = encode(Q)`` (5 felts);
* ``param = poseidon(key ++ DOMAIN)``;
* sign ``message`` (4 felts): random non-zero ``k``, ``r = encode(k·G)``,
  ``e = H(r ++ key ++ message)`` read as the little-endian integer ``Σ e_i·2^(64i)``,
  ``s = k + d·e mod n``; the signature is ``(r, s)`` — 80 bytes as the spec lays it out
  (``r``'s 40 bytes, then ``s``'s 40 little-endian bytes);
* verify: ``s < n``, ``r`` and ``key`` decode to non-neutral points, ``s·G = R + e·Q``.

A *signature proof* of ``message`` (what ``psyc sign`` writes) is a proof of the circuit
that verifies such a signature, with public inputs ``(message, param)``.
:func:`param_of`, :func:`challenge`, :func:`schnorr_sign` and :func:`schnorr_verify` are
the native twins of the circuit's functions (tests check they agree).
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_no_pad, permute
from psyc.sig import ecgfp5 as ec
from psyc.sig.convention import SignatureError, public_key
from psyc.sig.scheme import CircuitScheme

if TYPE_CHECKING:
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape
    from psyc.sig.registry import SigBenchCase

SCHEME = "schnorr"
# ASCII "psyc-sig" and "-schnorr", the format version, the key's length: the same
# constants as stdlib/sig/schnorr.psy.
DOMAIN = (0x7073_7963_2D73_6967, 0x2D73_6368_6E6F_7272, 1, 5)


def param_of(key: Sequence[int]) -> list[int]:
    """The public parameter of a public key's encoding: ``poseidon(key ++ DOMAIN)``."""
    if len(key) != 5 or not all(isinstance(x, int) and 0 <= x < P for x in key):
        raise SignatureError("a schnorr public key is 5 field elements (an ecGFp5 encoding)", "E1000")
    return [int(x) for x in hash_no_pad([*key, *DOMAIN])]


def challenge(r: Sequence[int], key: Sequence[int], message: Sequence[int]) -> list[int]:
    """``H(r ++ key ++ message)``: Poseidon's overwrite sponge (rate 8) over 14 elements,
    5 elements squeezed."""
    xs = [*r, *key, *message]
    state = [0] * 12
    for start in range(0, len(xs), 8):
        chunk = xs[start : start + 8]
        state[: len(chunk)] = chunk
        state = permute(state)
    return state[:5]


def challenge_scalar(r: Sequence[int], key: Sequence[int], message: Sequence[int]) -> int:
    """``e``: the challenge as the integer ``Σ e_i·2^(64i)``, reduced mod n."""
    return sum(int(h) << (64 * i) for i, h in enumerate(challenge(r, key, message))) % ec.N


def public_key_of(d: int) -> list[int]:
    """The encoding of ``d·G``."""
    if not 0 < d < ec.N:
        raise SignatureError("a schnorr secret is a scalar in [1, n)", "E1000")
    return list(ec.encode(ec.mulgen(d)))


def schnorr_sign(d: int, message: Sequence[int], k: int | None = None) -> tuple[list[int], int]:
    """The signature ``(r, s)`` of ``message`` (4 felts) under the secret ``d``; ``k`` the
    nonce (default: uniformly random non-zero, from the OS's CSPRNG)."""
    key = public_key_of(d)
    k = _secrets.randbelow(ec.N - 1) + 1 if k is None else k
    r = list(ec.encode(ec.mulgen(k)))
    s = (k + d * challenge_scalar(r, key, message)) % ec.N
    return r, s


def schnorr_verify(key: Sequence[int], message: Sequence[int], r: Sequence[int], s: int) -> bool:
    """The spec's verification (with the circuit's rejection of a neutral ``r`` or key,
    which no honest signature has)."""
    if not 0 <= s < ec.N:
        return False
    try:
        q, rr = ec.decode(key), ec.decode(r)
    except ValueError:
        return False
    if q is None or rr is None:
        return False
    e = challenge_scalar(r, key, message)
    return ec.mulgen(s) == ec.point_add(rr, ec.point_mul(q, e))


def signature_to_bytes(r: Sequence[int], s: int) -> bytes:
    """The spec's 80-byte signature: ``r`` (40 bytes), then ``s`` (40 bytes, little-endian)."""
    return ec.fp5_to_bytes(ec.fp5(r)) + ec.scalar_to_bytes(s)


def signature_from_bytes(data: bytes) -> tuple[list[int], int]:
    """Inverse of :func:`signature_to_bytes`; ``SignatureError`` (E1002) for another length
    or a non-canonical part."""
    if len(data) != 80:
        raise SignatureError(f"a schnorr signature is 80 bytes, got {len(data)}", "E1002")
    try:
        return list(ec.fp5_from_bytes(data[:40])), ec.scalar_from_bytes(data[40:])
    except ValueError as e:
        raise SignatureError(f"not a schnorr signature: {e}", "E1002") from None


def circuit_inputs(key: Sequence[int], message: Sequence[int], r: Sequence[int], s: int) -> dict:
    """The witness of ``stdlib/sig/schnorr.psy`` for the signature ``(r, s)`` (the decode
    hints are computed here); ``SignatureError`` (E1003) when ``key`` or ``r`` does not
    decode to a non-neutral point."""
    hints = {}
    for name, w in (("key", key), ("r", r)):
        h = ec.decode_hints(ec.fp5(w))
        if h is None:
            raise SignatureError(f"the signature's {name} is not the encoding of a non-neutral ecGFp5 point")
        hints[name] = {"x": list(h[0]), "root": list(h[1])}
    if not 0 <= s < ec.N:
        raise SignatureError("the signature's s is not below the group order n")
    return {
        "message": list(message),
        "param": param_of(list(key)),
        "key": list(key),
        "r": list(r),
        "s": [(s >> (32 * i)) & 0xFFFF_FFFF for i in range(10)],
        "key_hint": hints["key"],
        "r_hint": hints["r"],
    }


def stdlib_circuit() -> Path:
    """The scheme's circuit, ``std::sig::schnorr`` (``stdlib/sig/schnorr.psy``)."""
    from psyc.frontend.modules import stdlib_dir

    return stdlib_dir() / "sig" / "schnorr.psy"


@dataclass
class SchnorrKey:
    """A schnorr signing key: ``secret`` the scalar d, ``key`` the encoding of d·G,
    ``param`` = :func:`param_of` (key); ``fingerprint`` the circuit's standard-shape one."""

    secret: int
    key: list[int]
    param: list[int]
    fingerprint: list[int]
    public_key: list[int]
    shape: str = "standard"  # the standard shape the fingerprint is for: "standard", or "test" (tests only)
    scheme: ClassVar[str] = SCHEME


def key_to_doc(key: SchnorrKey) -> dict:
    """The schnorr fields of a key file (``psyc.sig.keyfile``): ``secret`` (the scalar d,
    ``0x`` + 80 hex digits: its 40 bytes, little-endian as the spec encodes scalars,
    written big-endian here for reading) and ``key`` (the encoding of d·G, 5 felts)."""
    return {"secret": f"0x{key.secret:080x}", "key": [f"0x{x:016x}" for x in key.key]}


def key_from_doc(doc: dict, path: str | Path, hash_field: Callable[[str], list[int]]) -> SchnorrKey:
    """The schnorr key in a parsed key file; E1000 with the field at fault."""
    secret = doc.get("secret")
    if not (isinstance(secret, str) and secret.startswith("0x") and len(secret) == 82):
        raise SignatureError(f"{path}: field 'secret' is not 0x + 80 hex digits (a schnorr scalar)", "E1000")
    try:
        d = int(secret[2:], 16)
    except ValueError:
        raise SignatureError(f"{path}: field 'secret' is not hexadecimal", "E1000") from None
    if not 0 < d < ec.N:
        raise SignatureError(f"{path}: field 'secret' is not a scalar in [1, n)", "E1000")
    enc = doc.get("key")
    try:
        key = [int(x, 16) for x in enc] if isinstance(enc, list) and len(enc) == 5 else None
    except (TypeError, ValueError):
        key = None
    if key is None or not all(0 <= x < P for x in key):
        raise SignatureError(f"{path}: field 'key' is not 5 field elements in hex (an ecGFp5 encoding)", "E1000")
    if public_key_of(d) != key:
        raise SignatureError(f"{path}: field 'key' is not the secret's public key (file damaged?)", "E1000")
    param = param_of(key)
    if hash_field("param") != param:
        raise SignatureError(f"{path}: field 'param' does not follow from the key (file damaged?)", "E1000")
    return SchnorrKey(d, key, param, hash_field("fingerprint"), hash_field("public_key"),
                      doc.get("shape", "standard"))


def scheme_for(key: SchnorrKey | None, shape: StandardShape | None = None) -> SchnorrScheme:
    """The scheme that signs with ``key``."""
    return SchnorrScheme(shape=shape)


def public_fields(key: SchnorrKey) -> dict:
    return {"circuit": "std::sig::schnorr", "key": [f"0x{x:016x}" for x in key.key]}


class SchnorrScheme(CircuitScheme):
    """Compiles ``std::sig::schnorr`` once (zero knowledge on) and makes keys and signature
    proofs. ``config``, ``shape``: as :class:`~psyc.sig.scheme.CircuitScheme`."""

    name = "schnorr"

    def circuit_path(self) -> Path:
        return stdlib_circuit()

    def new_key(self, secret: int | None = None) -> SchnorrKey:
        """A fresh key: ``d`` uniformly random in [1, n) from the OS's CSPRNG, unless given."""
        d = _secrets.randbelow(ec.N - 1) + 1 if secret is None else int(secret)
        key = public_key_of(d)
        param = param_of(key)
        fp = self.fingerprint()
        return SchnorrKey(d, key, param, fp, public_key(fp, param), self.shape_name())

    def prove(self, key: Sequence[int], message: Sequence[int], r: Sequence[int],
              s: int) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """A signature proof from a Schnorr signature ``(r, s)`` made elsewhere (E1003 when
        it does not verify natively: the circuit would fail on it)."""
        if not schnorr_verify(key, message, r, s):
            raise SignatureError("not a valid Schnorr signature of this message under this key")
        return self.prove_inputs(circuit_inputs(key, message, r, s))

    def sign(self, key: SchnorrKey, message: Sequence[int]) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """A signature proof of ``message``: a Schnorr signature, then the proof of its
        circuit (zero knowledge) with public inputs ``message ++ param``."""
        if public_key_of(key.secret) != list(key.key) or param_of(key.key) != list(key.param):
            raise SignatureError("the key file's secret does not match its public key", "E1000")
        self.check_key_circuit(key)
        r, s = schnorr_sign(key.secret, message)
        return self.prove(key.key, message, r, s)


def bench_case(shape: StandardShape | None = None) -> SigBenchCase:
    """``psyc bench``'s schnorr case: a fresh key, one message (``psyc.sig.registry``)."""
    scheme = SchnorrScheme(shape=shape)
    key = scheme.new_key()
    return scheme.bench_case("schnorr", lambda: scheme.sign(key, [1, 2, 3, 4]),
                             "signing (native Schnorr) + proving the verification circuit")


__all__ = [
    "SCHEME",
    "SchnorrKey",
    "SchnorrScheme",
    "challenge",
    "circuit_inputs",
    "param_of",
    "schnorr_sign",
    "schnorr_verify",
]
