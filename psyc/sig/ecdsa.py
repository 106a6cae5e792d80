"""The ``ecdsa`` scheme: ECDSA over secp256k1 (``stdlib/sig/ecdsa.psy``).

* the secret is a scalar d in 1..n-1, the public key Q = d G;
* the signed digest is the 32 bytes ``message_bytes(message)``: the 4 field elements of
  the message, each as 8 big-endian bytes (so any 32-byte digest whose four 8-byte words
  are below p is a message);
* signatures are deterministic (RFC 6979 with HMAC-SHA256) and low-s (s <= (n - 1) / 2);
* the public parameter is ``poseidon(DOMAIN ++ x limbs ++ y limbs)``, the limbs the
  circuit's: 20 little-endian 13-bit limbs per coordinate (:func:`param_of`, the twin of
  ``std::sig::ecdsa::param_of``).

A signature (proof) is made from the key file, or from an external (r, s) made by a
wallet that holds the key (:meth:`EcdsaScheme.sign_external`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from psyc.field.goldilocks import P as FIELD_P
from psyc.frontend.bigint_hints import to_limbs
from psyc.hash.poseidon import hash_no_pad
from psyc.sig import secp256k1 as curve
from psyc.sig.convention import SignatureError, public_key
from psyc.sig.scheme import CircuitScheme

if TYPE_CHECKING:
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape
    from psyc.sig.registry import SigBenchCase

SCHEME = "ecdsa"
# ASCII "psyc-sig", "-ecdsa-1", the format version, the number of 13-bit limbs that follow.
DOMAIN = (0x7073_7963_2D73_6967, 0x2D65_6364_7361_2D31, 3, 40)
HALF_N = (curve.N - 1) // 2
# 13-bit limbs: one lookup each; the table and zero knowledge's blinding rows fit a 2^14-row circuit
RANGE_TABLE_BITS = 13


def message_bytes(message: Sequence[int]) -> bytes:
    """The 32 bytes the circuit verifies: each of the 4 elements as 8 big-endian bytes."""
    if len(message) != 4 or not all(isinstance(x, int) and 0 <= x < FIELD_P for x in message):
        raise SignatureError("a message is 4 field elements", "E1002")
    return b"".join(int(x).to_bytes(8, "big") for x in message)


def message_of_digest(digest: bytes) -> list[int]:
    """The message whose :func:`message_bytes` is ``digest`` (32 bytes, each 8-byte word below p)."""
    if len(digest) != 32:
        raise SignatureError(f"an ECDSA digest is 32 bytes, got {len(digest)}", "E1002")
    felts = [int.from_bytes(digest[8 * i : 8 * i + 8], "big") for i in range(4)]
    for i, x in enumerate(felts):
        if x >= FIELD_P:
            raise SignatureError(f"digest word {i} ({x:#018x}) is not below p: not a message of 4 field elements",
                                 "E1002")
    return felts


def param_of(pub: tuple[int, int]) -> list[int]:
    """The public parameter of a public key (a point on the curve)."""
    if not curve.is_on_curve(pub) or pub is None:
        raise SignatureError("the public key is not a point of secp256k1", "E1000")
    return [int(x) for x in hash_no_pad([*DOMAIN, *limbs(pub[0]), *limbs(pub[1])])]


def public_point(secret: int) -> tuple[int, int]:
    if not 1 <= secret < curve.N:
        raise SignatureError("an ECDSA secret is a scalar in 1..n-1", "E1000")
    pt = curve.mul(secret, curve.G)
    assert pt is not None
    return pt


def _bits2int(b: bytes) -> int:
    return int.from_bytes(b, "big")


def _rfc6979_nonce(secret: int, digest: bytes) -> int:
    """RFC 6979 section 3.2 with HMAC-SHA256 (qlen = hlen = 256)."""
    x = secret.to_bytes(32, "big")
    h1 = (_bits2int(digest) % curve.N).to_bytes(32, "big")
    v, k = b"\x01" * 32, b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h1, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h1, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        t = _bits2int(v)
        if 1 <= t < curve.N:
            return t
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def sign_digest(secret: int, digest: bytes) -> tuple[int, int]:
    """A deterministic (RFC 6979), low-s signature ``(r, s)`` of a 32-byte digest."""
    if len(digest) != 32:
        raise SignatureError(f"an ECDSA digest is 32 bytes, got {len(digest)}", "E1002")
    z = _bits2int(digest)
    k = _rfc6979_nonce(secret, digest)
    pt = curve.mul(k, curve.G)
    assert pt is not None
    r = pt[0] % curve.N
    s = pow(k, -1, curve.N) * (z + r * secret) % curve.N
    if r == 0 or s == 0:  # probability ~2^-256; RFC 6979 would retry with the next k
        raise SignatureError("degenerate nonce (r or s is 0)", "E1003")
    return r, min(s, curve.N - s)


def verify_digest(pub: tuple[int, int], digest: bytes, r: int, s: int, low_s: bool = True) -> bool:
    """Standard ECDSA verification (with the low-s rule unless ``low_s=False``)."""
    if not (1 <= r < curve.N and 1 <= s < curve.N) or (low_s and s > HALF_N) or not curve.is_on_curve(pub):
        return False
    w = pow(s, -1, curve.N)
    z = _bits2int(digest)
    pt = curve.add(curve.mul(z * w, curve.G), curve.mul(r * w, pub))
    return pt is not None and pt[0] % curve.N == r


def limbs(v: int) -> list[int]:
    """A 256-bit number as the circuit's 20 little-endian 13-bit limbs."""
    return to_limbs(v)


def circuit_inputs(message: Sequence[int], pub: tuple[int, int], r: int, s: int) -> dict:
    """The circuit's inputs for a signature (r, s) of ``message`` under ``pub``."""
    return {"message": list(message), "param": param_of(pub), "pubkey_x": limbs(pub[0]),
            "pubkey_y": limbs(pub[1]), "r": limbs(r), "s": limbs(s)}


def stdlib_circuit() -> Path:
    """The scheme's circuit, ``std::sig::ecdsa`` (``stdlib/sig/ecdsa.psy``)."""
    from psyc.frontend.modules import stdlib_dir

    return stdlib_dir() / "sig" / "ecdsa.psy"


@dataclass
class EcdsaKey:
    """An ECDSA signing key. ``secret`` is None for a key whose secret lives in a wallet
    (only the public key is known: sign with an external signature)."""

    secret: int | None
    pub: tuple[int, int]
    param: list[int]
    fingerprint: list[int]
    public_key: list[int]
    shape: str = "standard"
    scheme: ClassVar[str] = SCHEME


# --- key files (psyc.sig.keyfile holds the common fields) ---------------------------------------
#
#     "scheme": "ecdsa", "secret": "0x…" (the scalar d, 64 hex digits) or null for a key whose
#     secret stays in a wallet, "pubkey": "0x02…" (SEC 1 compressed, 33 bytes), "circuit": null


def parse_pubkey(text: str, what: str = "public key") -> tuple[int, int]:
    """A secp256k1 public key from ``0x`` + SEC 1 hex (33 or 65 bytes); E1002 otherwise."""
    t = text.strip()
    digits = t[2:] if t[:2].lower() == "0x" else t
    try:
        data = bytes.fromhex(digits)
    except ValueError:
        raise SignatureError(f"{what} {text!r} is not hex (0x + 66 or 130 hex digits, SEC 1)", "E1002") from None
    try:
        return curve.decode(data)
    except ValueError as e:
        raise SignatureError(f"{what}: {e}", "E1002") from None


def format_pubkey(pub: tuple[int, int]) -> str:
    """SEC 1 compressed, as ``0x`` + 66 hex digits."""
    return "0x" + curve.encode(pub, compressed=True).hex()


def key_to_doc(key: EcdsaKey) -> dict:
    """The ecdsa fields of a key file: ``circuit`` (null), ``secret`` and ``pubkey``."""
    return {"circuit": None, "secret": None if key.secret is None else f"0x{key.secret:064x}",
            "pubkey": format_pubkey(key.pub)}


def key_from_doc(doc: dict, path: str | Path, hash_field: Callable[[str], list[int]]) -> EcdsaKey:
    """The ecdsa key in a parsed key file: the public point is on the curve and equals d·G
    when the secret is there (E1000 with the field at fault; ``param`` follows from the
    point, which the caller compares with the file's)."""
    text = doc.get("pubkey")
    if not isinstance(text, str):
        raise SignatureError(f"{path}: field 'pubkey' is missing or not a string", "E1000")
    try:
        pub = parse_pubkey(text, f"{path}: field 'pubkey'")
    except SignatureError as e:
        raise SignatureError(str(e), "E1000") from None
    secret = doc.get("secret")
    if secret is not None:
        if not isinstance(secret, str) or not secret.startswith("0x") or len(secret) != 66:
            raise SignatureError(f"{path}: field 'secret' must be 0x + 64 hex digits or null", "E1000")
        try:
            secret = int(secret, 16)
        except ValueError:
            raise SignatureError(f"{path}: field 'secret' is not hex", "E1000") from None
        if not 1 <= secret < curve.N:
            raise SignatureError(f"{path}: field 'secret' is not a scalar in 1..n-1", "E1000")
        if public_point(secret) != pub:
            raise SignatureError(f"{path}: field 'pubkey' is not secret·G (file damaged?)", "E1000")
    if doc.get("circuit") is not None:
        raise SignatureError(f"{path}: field 'circuit' must be null for an ecdsa key (the stdlib circuit)", "E1000")
    return EcdsaKey(secret, pub, param_of(pub), hash_field("fingerprint"), hash_field("public_key"),
                    doc.get("shape", "standard"))


def scheme_for(key: EcdsaKey | None, shape: StandardShape | None = None) -> EcdsaScheme:
    """The scheme that signs with ``key``."""
    return EcdsaScheme(shape=shape)


def public_fields(key: EcdsaKey) -> dict:
    return {"circuit": "std::sig::ecdsa", "pubkey": format_pubkey(key.pub)}


def _default_config(zero_knowledge: bool = True):
    from psyc.plonk.config import CircuitConfig

    return CircuitConfig(range_table_bits=RANGE_TABLE_BITS, zero_knowledge=zero_knowledge)


class EcdsaScheme(CircuitScheme):
    """Compiles the ECDSA circuit once (zero knowledge on, 13-bit range table) and makes
    keys and signatures. ``config``, ``shape``: as :class:`~psyc.sig.scheme.CircuitScheme`."""

    name = "ecdsa"

    def default_config(self) -> CircuitConfig:
        return _default_config()

    def circuit_path(self) -> Path:
        return stdlib_circuit()

    def compile_options(self):
        from psyc.compiler import CompileOptions

        return CompileOptions(config=self.config, zero_knowledge=self.config.zero_knowledge)

    def key_for(self, pub: tuple[int, int], secret: int | None = None) -> EcdsaKey:
        """The key of a public key (from a wallet: no secret) or of a secret."""
        param = param_of(pub)
        fp = self.fingerprint()
        return EcdsaKey(secret, pub, param, fp, public_key(fp, param), self.shape_name())

    def new_key(self, secret: int | None = None) -> EcdsaKey:
        """A fresh key: the secret from the OS's CSPRNG (``secrets``), unless given."""
        secret = 1 + _secrets.randbelow(curve.N - 1) if secret is None else int(secret)
        return self.key_for(public_point(secret), secret)

    def check_key(self, key: EcdsaKey) -> None:
        if key.secret is None:
            raise SignatureError("this key has no secret (it stays in a wallet): sign with --scheme ecdsa "
                                 "--external-signature r,s --pubkey 0x…", "E1000")

    def sign(self, key: EcdsaKey, message: Sequence[int]) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """Sign ``message`` natively with the key's secret (RFC 6979), then prove."""
        self.check_key(key)
        self.check_key_circuit(key)
        r, s = sign_digest(key.secret, message_bytes(message))
        return self.sign_external(key.pub, message, r, s)

    def sign_external(self, pub: tuple[int, int], message: Sequence[int], r: int, s: int
                      ) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """The proof for a signature (r, s) made elsewhere (a wallet). A high-s signature
        is normalised to (r, n - s) — the same signature to ECDSA — and a signature that
        does not verify natively is refused before proving (E1003)."""
        digest = message_bytes(message)
        if not (1 <= r < curve.N and 1 <= s < curve.N):
            raise SignatureError("r and s must be in 1..n-1", "E1003")
        s = min(s, curve.N - s)
        if not verify_digest(pub, digest, r, s):
            raise SignatureError("the signature does not verify for this message and public key", "E1003")
        return self.prove_inputs(circuit_inputs(message, pub, r, s))


def bench_case(shape: StandardShape | None = None) -> SigBenchCase:
    """``psyc bench``'s ecdsa case: a fresh key, one message (``psyc.sig.registry``)."""
    scheme = EcdsaScheme(shape=shape)
    key = scheme.new_key()
    return scheme.bench_case("ecdsa", lambda: scheme.sign(key, [1, 2, 3, 4]),
                             "signing (RFC 6979) + proving the verification circuit", "<= 20 s")
