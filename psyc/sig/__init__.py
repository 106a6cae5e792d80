"""Software-defined signatures: an account key is a circuit (docs/signatures.md).

A *signature circuit* is a program whose public inputs are exactly ``(message, param)``
(two 4-felt hashes). The account key is ``public_key(fingerprint, param) =
two_to_one(fingerprint, param)``, where ``fingerprint`` is the circuit's fingerprint as a
verifying circuit sees it (its standard-shape key, :func:`standard_fingerprint`). A
signature of ``message`` is a proof of the circuit with public inputs ``message ++ param``.

* :mod:`psyc.sig.convention` — the key, the check a verifier runs (:func:`verify_signature`),
  hashes as text;
* :mod:`psyc.sig.zk` — the Poseidon-preimage scheme (``stdlib/sig/zk.psy``): key generation
  from the OS's randomness, signing = proving with zero knowledge;
* :mod:`psyc.sig.multisig` — t-of-n over any keys (``stdlib/sig/multisig.psy``);
* :mod:`psyc.sig.keyfile` — the versioned key file;
* :mod:`psyc.sig.registry` — the schemes by name (key files, CLI, ``psyc bench``).
"""

from psyc.util.lazy import lazy_exports

# imported on first use: the CLI reads psyc.sig.registry without loading the hash kernels
_EXPORTS = {name: "psyc.sig.convention" for name in (
    "SignatureError", "format_hash", "parse_hash", "public_key", "standard_fingerprint", "verify_signature")}
__getattr__, __dir__ = lazy_exports("psyc.sig", globals(), _EXPORTS)

__all__ = [
    "SignatureError",
    "format_hash",
    "parse_hash",
    "public_key",
    "standard_fingerprint",
    "verify_signature",
]
