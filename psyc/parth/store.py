"""The state store: where the PARTH trees and the chain's records live.

The interface (:class:`StateStore`) is deliberately small so that a server database can
be added later: point reads of tree nodes, leaves and JSON records, and one atomic
:meth:`~StateStore.commit` per block. Two implementations:

* :class:`MemoryStore` — dictionaries (tests, ``#[test]`` runs, ``psyc execute`` on a
  state file);
* :class:`SqliteStore` — the default on disk, the standard library's ``sqlite3`` in WAL
  mode. A block's writes go in one transaction: a process killed at any moment leaves the
  last committed checkpoint intact and readable (SQLite's journal rolls back a torn write
  on the next open).

Tree names are strings (``"gusr"``, ``"ucon/7"``, ``"cstate/7/2"``, …, see
:mod:`psyc.parth.chain`); record kinds are ``"contract"``, ``"user"``, ``"checkpoint"``,
``"meta"``.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Digest = tuple[int, int, int, int]
RECORD_KINDS = ("contract", "user", "checkpoint", "meta")


@dataclass
class Batch:
    """Everything one block writes; committed atomically. A record set to ``None`` is
    deleted. ``guard``, when given, runs inside the transaction before anything is
    written and reads the store as the transaction sees it: raising aborts the commit
    (a devnet checks there that no other process committed meanwhile)."""

    nodes: dict[tuple[str, int, int], Digest] = field(default_factory=dict)
    leaves: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    records: dict[tuple[str, str], dict | None] = field(default_factory=dict)
    guard: Callable[[], None] | None = None

    def __bool__(self) -> bool:
        return bool(self.nodes or self.leaves or self.records)


class StateStore(ABC):
    """Point reads plus one atomic commit per block."""

    @abstractmethod
    def node(self, tree: str, level: int, index: int) -> Digest | None: ...

    @abstractmethod
    def leaf(self, tree: str, index: int) -> tuple[int, ...] | None: ...

    @abstractmethod
    def record(self, kind: str, key: str) -> dict | None: ...

    @abstractmethod
    def records(self, kind: str) -> list[tuple[str, dict]]: ...

    @abstractmethod
    def tree_leaves(self, tree: str) -> list[tuple[int, tuple[int, ...]]]:
        """Every stored leaf of ``tree`` as (index, felts), by index (for state listings)."""

    @abstractmethod
    def commit(self, batch: Batch) -> None:
        """Write the whole batch or nothing."""

    def close(self) -> None:  # noqa: B027  (optional for implementations)
        pass


class MemoryStore(StateStore):
    def __init__(self) -> None:
        self._nodes: dict = {}
        self._leaves: dict = {}
        self._records: dict = {}

    def node(self, tree: str, level: int, index: int) -> Digest | None:
        return self._nodes.get((tree, level, index))

    def leaf(self, tree: str, index: int) -> tuple[int, ...] | None:
        return self._leaves.get((tree, index))

    def record(self, kind: str, key: str) -> dict | None:
        r = self._records.get((kind, key))
        return json.loads(r) if r is not None else None

    def records(self, kind: str) -> list[tuple[str, dict]]:
        return sorted((k, json.loads(v)) for (kd, k), v in self._records.items() if kd == kind)

    def tree_leaves(self, tree: str) -> list[tuple[int, tuple[int, ...]]]:
        return sorted((i, f) for (t, i), f in self._leaves.items() if t == tree)

    def commit(self, batch: Batch) -> None:
        if batch.guard is not None:
            batch.guard()
        self._nodes.update(batch.nodes)
        self._leaves.update(batch.leaves)
        for k, v in batch.records.items():
            if v is None:
                self._records.pop(k, None)
            else:
                self._records[k] = json.dumps(v)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (tree TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL,
                                  digest BLOB NOT NULL, PRIMARY KEY (tree, level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leaves (tree TEXT NOT NULL, idx INTEGER NOT NULL, felts BLOB NOT NULL,
                                   PRIMARY KEY (tree, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                                    PRIMARY KEY (kind, key)) WITHOUT ROWID;
"""
SCHEMA_VERSION = 1


def _pack(felts) -> bytes:
    return struct.pack(f"<{len(felts)}Q", *felts)


def _unpack(blob: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(blob) // 8}Q", blob)


class SqliteStore(StateStore):
    """The on-disk store (one SQLite file, WAL journal, full sync on commit)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE ... COMMIT)
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        row = self.db.execute("SELECT value FROM records WHERE kind='meta' AND key='schema'").fetchone()
        if row is None:
            self.db.execute("INSERT OR REPLACE INTO records VALUES ('meta', 'schema', ?)",
                            (json.dumps({"version": SCHEMA_VERSION}),))
        elif json.loads(row[0]).get("version") != SCHEMA_VERSION:
            raise ValueError(f"{self.path}: state store schema {row[0]} is not version {SCHEMA_VERSION}")

    def node(self, tree: str, level: int, index: int) -> Digest | None:
        row = self.db.execute("SELECT digest FROM nodes WHERE tree=? AND level=? AND idx=?",
                              (tree, level, index)).fetchone()
        return _unpack(row[0]) if row else None

    def leaf(self, tree: str, index: int) -> tuple[int, ...] | None:
        row = self.db.execute("SELECT felts FROM leaves WHERE tree=? AND idx=?", (tree, index)).fetchone()
        return _unpack(row[0]) if row else None

    def record(self, kind: str, key: str) -> dict | None:
        row = self.db.execute("SELECT value FROM records WHERE kind=? AND key=?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def records(self, kind: str) -> list[tuple[str, dict]]:
        rows = self.db.execute("SELECT key, value FROM records WHERE kind=? ORDER BY key", (kind,)).fetchall()
        return [(k, json.loads(v)) for k, v in rows]

    def tree_leaves(self, tree: str) -> list[tuple[int, tuple[int, ...]]]:
        rows = self.db.execute("SELECT idx, felts FROM leaves WHERE tree=? ORDER BY idx", (tree,)).fetchall()
        return [(i, _unpack(f)) for i, f in rows]

    def commit(self, batch: Batch) -> None:
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            if batch.guard is not None:
                batch.guard()
            cur.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?, ?)",
                            [(t, lv, i, _pack(d)) for (t, lv, i), d in batch.nodes.items()])
            cur.executemany("INSERT OR REPLACE INTO leaves VALUES (?, ?, ?)",
                            [(t, i, _pack(f)) for (t, i), f in batch.leaves.items()])
            cur.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                            [(k, key, json.dumps(v)) for (k, key), v in batch.records.items() if v is not None])
            cur.executemany("DELETE FROM records WHERE kind=? AND key=?",
                            [(k, key) for (k, key), v in batch.records.items() if v is None])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()


def open_store(path: str | Path | None) -> StateStore:
    """``None`` or ``":memory:"``: a :class:`MemoryStore`; otherwise the SQLite file."""
    if path is None or str(path) == ":memory:":
        return MemoryStore()
    return SqliteStore(path)
