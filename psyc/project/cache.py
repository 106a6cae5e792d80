"""The build cache: results that take seconds to compute and are fully determined by their
inputs, stored under a hash of those inputs — under ``PROJECT/target/cache/`` for a
project's builds (:class:`BuildCache`), under ``psyc.util.cachedir`` for what is not a
project's (:meth:`BuildCache.user`: signature circuits and their fingerprints).

Kinds stored today: the fingerprints ``fingerprint!`` computes (each builds a child
circuit and its standard-shape wrapper), child proofs wrapped into the standard shape (a
proof of the wrapper circuit), the standard fingerprints of signature circuits and the
compiled signature circuits themselves (``psyc.snapshot``) — the steps that made
every ``psyc prove`` of a recursion parent rebuild its children and every ``psyc sign``
recompile its key's circuit — and the Merkle trees of large circuits' preprocessed
commitments (``psyc.plonk.build.cached_commitment``, in the user's cache).

A key hashes every input *and* the psyc build itself (its source files), so a changed
program, shape, proof or psyc version never reads a stale entry. Every entry is written
atomically (a temporary file in the same folder, synced, then ``os.replace``: a process
killed mid-write leaves the old entry or none, never half of one) and framed with an
HMAC-SHA256 tag under a per-user key kept outside the cache (:func:`mac_key`): a
truncated, corrupted or foreign entry (written by another user, or copied from another
machine) fails the check and is recomputed. What an entry holds is checked again by its
reader. ``rm -rf`` of the folder is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import psyc
from psyc.util.build_cache import BuildCache, mac_key, mac_key_path

_SOURCE_SUFFIXES = (".py", ".psy", ".json", ".lark", ".j2", ".toml")


def source_files(root: Path) -> list[tuple[str, Path]]:
    """The source files under ``root`` as (path relative to ``root``, file), sorted by that
    path. Folders reached through a symlink are entered (in a source checkout ``psyc/stdlib``
    links to the repository's ``stdlib/``, which ``Path.rglob`` would skip), each real folder
    once, so a link cycle ends."""
    out: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = Path(folder, name)
            if path.suffix in _SOURCE_SUFFIXES and path.is_file():
                out.append((str(path.relative_to(root)), path))
    return sorted(out)


def tree_id(root: Path, salt: str = "") -> str:
    """A hash of ``salt`` and every source file under ``root`` (:func:`source_files`): its
    relative path and bytes."""
    h = hashlib.sha256(salt.encode())
    for rel, path in source_files(root):
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def psyc_build_id() -> str:
    """A hash of the psyc package's own files, the stdlib's included: a cache key part that
    changes whenever the compiler, the gates, the prover or the stdlib change (the version
    number does not, in development)."""
    return tree_id(Path(psyc.__file__).parent, psyc.__version__)


def cache_key(*parts: bytes | str) -> str:
    """The hex key of ``parts`` together with :func:`psyc_build_id`."""
    h = hashlib.sha256(psyc_build_id().encode())
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little") + b)
    return h.hexdigest()[:40]


__all__ = ["BuildCache", "cache_key", "mac_key", "mac_key_path", "psyc_build_id", "source_files", "tree_id"]
