"""The build cache: results that take seconds to compute and are fully determined by their
inputs, stored under a hash of those inputs — under ``PROJECT/target/cache/`` for a
project's builds (:class:`BuildCache`), under ``psyc.util.cachedir`` for what is not a
project's (:meth:`BuildCache.user`: signature circuits and their fingerprints).

Kinds stored today: the fingerprints ``fingerprint!`` computes (each builds a child
circuit and its standard-shape wrapper), child proofs wrapped into the standard shape (a
proof of the wrapper circuit), the standard fingerprints of signature circuits and the
compiled signature circuits themselves (``psyc.snapshot``) — the steps that made
every ``psyc prove`` of a recursion parent rebuild its children and every ``psyc sign``
recompile its key's circuit.

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
import hmac
import os
import secrets
from pathlib import Path

import psyc

_SOURCE_SUFFIXES = (".py", ".psy", ".json", ".lark", ".j2", ".toml")
_MAGIC = b"psyc-cache-2\n"
_TAG = 32  # HMAC-SHA256


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


def mac_key_path() -> Path:
    """``$PSYC_CACHE_KEY``, else ``$XDG_CONFIG_HOME/psyc/cache.key`` (default
    ``~/.config/psyc``): outside the cache folder, so a cache copied or restored from
    elsewhere does not bring the key that vouches for it."""
    env = os.environ.get("PSYC_CACHE_KEY")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "psyc" / "cache.key"


def mac_key() -> bytes | None:
    """This user's cache key (32 random bytes, created with mode 0600 on first use); None
    when it can be neither read nor created (then nothing is cached)."""
    path = mac_key_path()
    for _ in range(2):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = None
        except OSError:
            return None
        if data is not None:
            return data if len(data) == 32 else None
        try:  # first use: create it exclusively (two processes racing: one wins, both read it)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError:
            return None
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
            f.flush()
            os.fsync(f.fileno())
    return None


class BuildCache:
    """Entries by kind and key in a folder: ``PROJECT/target/cache`` for a project root,
    or ``directory`` itself. ``hits`` and ``misses`` count :meth:`get`'s answers (tests and
    ``--json`` read them)."""

    def __init__(self, project_root: str | os.PathLike | None = None, *, directory: str | os.PathLike | None = None
                 ) -> None:
        if (project_root is None) == (directory is None):
            raise ValueError("BuildCache needs a project root or a directory")
        self.dir = Path(directory) if directory is not None else Path(project_root) / "target" / "cache"
        self.hits = 0
        self.misses = 0

    @classmethod
    def user(cls) -> BuildCache:
        """The cache of what belongs to no project: ``psyc.util.cachedir.cache_dir()/build``."""
        from psyc.util.cachedir import cache_dir

        return cls(directory=cache_dir() / "build")

    def path(self, kind: str, key: str) -> Path:
        return self.dir / f"{kind}-{key}"

    @staticmethod
    def _tag(mac: bytes, kind: str, key: str, data: bytes) -> bytes:
        h = hmac.new(mac, digestmod=hashlib.sha256)
        h.update(_MAGIC + kind.encode() + b"\0" + key.encode() + b"\0")
        h.update(data)
        return h.digest()

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry's data, or None when it is missing, unreadable, truncated, corrupt or
        not written under this user's key (the caller recomputes it)."""
        mac = mac_key()
        try:
            blob = self.path(kind, key).read_bytes() if mac is not None else b""
        except OSError:
            blob = b""
        head = len(_MAGIC) + _TAG
        if len(blob) >= head and blob.startswith(_MAGIC):
            tag, data = blob[len(_MAGIC) : head], blob[head:]
            if hmac.compare_digest(tag, self._tag(mac, kind, key, data)):
                self.hits += 1
                return data
        self.misses += 1
        return None

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store ``data`` (best effort: a read-only folder just does not cache)."""
        mac = mac_key()
        if mac is None:
            return
        path = self.path(kind, key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(_MAGIC + self._tag(mac, kind, key, data))
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)  # readers see the old entry or the new one, never half
        except OSError:
            tmp.unlink(missing_ok=True)
