"""The ``ecdsa`` fields of a key file (``psyc.sig.keyfile`` holds the common ones):

    "scheme": "ecdsa", "secret": "0x…" (the scalar d, 64 hex digits) or null for a key
    whose secret stays in a wallet, "pubkey": "0x02…" (SEC 1 compressed, 33 bytes),
    "param", "fingerprint", "public_key", "shape", "circuit": null

Reading checks that the public point is on the curve, equals d·G when the secret is
there, and that ``param`` and ``public_key`` follow from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from psyc.sig import secp256k1 as curve
from psyc.sig.convention import SignatureError, format_hash, public_key
from psyc.sig.ecdsa import SCHEME, EcdsaKey, param_of, public_point


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
    return "0x" + curve.encode(pub, compressed=True).hex()


def ecdsa_key_doc(key: EcdsaKey) -> dict:
    return {
        "scheme": SCHEME,
        "circuit": None,
        "secret": None if key.secret is None else f"0x{key.secret:064x}",
        "pubkey": format_pubkey(key.pub),
        "param": format_hash(key.param),
        "fingerprint": format_hash(key.fingerprint),
        "public_key": format_hash(key.public_key),
        "shape": key.shape,
    }


def ecdsa_key_from_doc(doc: dict, path: str | Path, field: Callable[[str], list[int]]) -> EcdsaKey:
    """The key in a parsed key file (``field`` reads a hash field with located errors)."""
    param, fp, pk = field("param"), field("fingerprint"), field("public_key")
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
    if param_of(pub) != param:
        raise SignatureError(f"{path}: field 'param' does not follow from the public key (file damaged?)", "E1000")
    if public_key(fp, param) != pk:
        raise SignatureError(f"{path}: field 'public_key' is not hash_two(fingerprint, param) (file damaged?)",
                             "E1000")
    if doc.get("circuit") is not None:
        raise SignatureError(f"{path}: field 'circuit' must be null for an ecdsa key (the stdlib circuit)", "E1000")
    shape = doc.get("shape", "standard")
    if shape not in ("standard", "small", "test"):
        raise SignatureError(f"{path}: field 'shape' must be \"standard\", \"small\" or \"test\"", "E1000")
    return EcdsaKey(secret, pub, param, fp, pk, shape)
