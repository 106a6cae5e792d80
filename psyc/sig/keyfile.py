"""The secret-key file: JSON with a format tag and version, written with mode 0600.

    {"format": "psyc-signing-key", "version": 1, "scheme": "zk", "circuit": null,
     "secret": "0x…", "param": "0x…", "fingerprint": "0x…", "public_key": "0x…",
     "shape": "standard"}

Hashes are ``0x`` + 64 hex digits (4 big-endian u64s). ``circuit`` is the author's own key
circuit (an absolute path) or null for the scheme's stdlib circuit; ``shape`` the standard
shape the fingerprint is for ("test" only in tests). Reading checks the
tag, the version, the scheme and that ``param`` and ``public_key`` follow from the rest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.sig.convention import SignatureError, format_hash, parse_hash, public_key

if TYPE_CHECKING:
    from psyc.sig.scheme import SigKey

FORMAT = "psyc-signing-key"
VERSION = 1
SHAPES = ("standard", "small", "test")


def key_to_json(key: SigKey) -> str:
    """The key file's text: the common fields and the scheme's own (its module's ``key_to_doc``)."""
    from psyc.sig.registry import scheme_module

    doc = {"format": FORMAT, "version": VERSION, "scheme": key.scheme, **scheme_module(key.scheme).key_to_doc(key),
           "param": format_hash(key.param), "fingerprint": format_hash(key.fingerprint),
           "public_key": format_hash(key.public_key), "shape": key.shape}
    return json.dumps(doc, indent=2) + "\n"


def write_key(path: str | Path, key: SigKey) -> None:
    """Create ``path`` with mode 0600; never replaces an existing file (E1005).

    The key is written and synced under a temporary name in the same folder, then linked
    into place (``link`` fails if ``path`` exists), so a process killed mid-write never
    leaves a truncated key at ``path``."""
    path = Path(path)
    if path.exists():
        raise SignatureError(f"refusing to overwrite {path}: it exists (a key file is never replaced)", "E1005")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:  # named by the user's path, not the temporary one
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w") as f:
            f.write(key_to_json(key))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise SignatureError(f"refusing to overwrite {path}: it exists (a key file is never replaced)",
                                 "E1005") from None
    finally:
        tmp.unlink(missing_ok=True)


def read_key(path: str | Path, scheme: str | None = None):
    """The key in ``path`` (of any scheme of ``psyc.sig.registry``: its module's
    ``key_from_doc`` checks the scheme's fields, this the common ones); ``SignatureError``
    E1000 (malformed) or E1001 (another scheme or version) with the file and the field at
    fault."""
    data = Path(path).read_bytes()  # OSError: the caller reports it
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SignatureError(f"{path}: not a psyc key file (binary, not JSON text)", "E1000") from None
    except ValueError as e:
        raise SignatureError(f"{path}: not a psyc key file (not JSON: line {e.lineno}, column {e.colno})",
                             "E1000") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SignatureError(f'{path}: not a psyc key file (no "format": "{FORMAT}")', "E1000")
    if doc.get("version") != VERSION:
        raise SignatureError(f"{path}: key file version {doc.get('version')!r}; this psyc reads version {VERSION}",
                             "E1001")
    from psyc.sig.registry import names, scheme_module

    got = doc.get("scheme")
    if got not in names():
        raise SignatureError(f"{path}: unknown scheme {got!r} (this psyc knows: {', '.join(names())})", "E1001")
    if scheme is not None and got != scheme:
        raise SignatureError(f"{path}: a key for scheme {got!r}, not {scheme!r}", "E1001")

    def field(name: str) -> list[int]:
        value = doc.get(name)
        if not isinstance(value, str):
            raise SignatureError(f"{path}: field {name!r} is missing or not a string", "E1000")
        try:
            return parse_hash(value, f"{path}: field {name!r}")
        except SignatureError as e:
            raise SignatureError(str(e), "E1000") from None

    param, fp, pk = field("param"), field("fingerprint"), field("public_key")
    if doc.get("shape", "standard") not in SHAPES:
        raise SignatureError(f"{path}: field 'shape' must be " + ", ".join(f'"{x}"' for x in SHAPES), "E1000")
    key = scheme_module(got).key_from_doc(doc, path, field)
    if list(key.param) != param:
        raise SignatureError(f"{path}: field 'param' does not follow from the key's other fields (file damaged?)",
                             "E1000")
    if public_key(fp, param) != pk:
        raise SignatureError(f"{path}: field 'public_key' is not hash_two(fingerprint, param) (file damaged?)",
                             "E1000")
    return key
