"""The build cache under ``PROJECT/target/cache/``: results that take seconds to compute
and are fully determined by their inputs, stored under a hash of those inputs.

Today: the fingerprints ``fingerprint!`` computes (each builds a child circuit and its
standard-shape wrapper) and child proofs wrapped into the standard shape (a proof of
the wrapper circuit) — the two steps that made every ``psyc prove`` of a recursion
parent rebuild and re-prove its children.

A key hashes every input *and* the psyc build itself (its source files), so a changed
program, shape, proof or psyc version never reads a stale entry. Entries are plain data
(JSON, psyc's own proof and key formats — never pickles), written atomically, and checked
when read; anything unreadable is recomputed. ``rm -rf target/cache`` is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import psyc

_SOURCE_SUFFIXES = (".py", ".psy", ".json", ".lark", ".j2", ".toml")


@functools.cache
def psyc_build_id() -> str:
    """A hash of the psyc package's own files: a cache key part that changes whenever the
    compiler, the gates or the prover change (the version number does not, in development)."""
    h = hashlib.sha256(psyc.__version__.encode())
    root = Path(psyc.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in _SOURCE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key(*parts: bytes | str) -> str:
    """The hex key of ``parts`` together with :func:`psyc_build_id`."""
    h = hashlib.sha256(psyc_build_id().encode())
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little") + b)
    return h.hexdigest()[:40]


class BuildCache:
    """Files under ``root/target/cache`` by kind and key."""

    def __init__(self, project_root: str | os.PathLike) -> None:
        self.dir = Path(project_root) / "target" / "cache"

    def path(self, kind: str, key: str) -> Path:
        return self.dir / f"{kind}-{key}"

    def get(self, kind: str, key: str) -> bytes | None:
        try:
            return self.path(kind, key).read_bytes()
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store ``data`` (best effort: a read-only project just does not cache)."""
        path = self.path(kind, key)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # readers see the old entry or the new one, never half
        except OSError:
            pass
