"""The build cache's store (:class:`BuildCache`): entries by kind and key, written
atomically and framed with an HMAC-SHA256 tag under a per-user key kept outside the
cache (:func:`mac_key`). What the entries are, and the keys that hash the psyc build into
them, is :mod:`psyc.project.cache`; this part sits in :mod:`psyc.util` so that the circuit
build (:mod:`psyc.plonk.build`, below :mod:`psyc.project`) can keep its preprocessed
commitments in it too."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

_MAGIC = b"psyc-cache-2\n"
_TAG = 32  # HMAC-SHA256


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
        """The cache of what belongs to no project: ``$PSYC_BUILD_CACHE_DIR``, else
        ``psyc.util.cachedir.cache_dir()/build``."""
        from psyc.util.cachedir import cache_dir

        return cls(directory=os.environ.get("PSYC_BUILD_CACHE_DIR") or cache_dir() / "build")

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
        # per process and thread: two threads writing one entry must not share a file
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
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
