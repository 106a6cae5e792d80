"""A local PARTH devnet: contracts, users, proving sessions and blocks over the embedded store.

Store layout (``./.psyc-devnet/`` by default)::

    chain.db               SQLite (WAL): the PARTH trees and records (psyc.parth.store), plus
                           the devnet's own records: ``devnet/config``, ``pending/*`` (what the
                           next block includes) and ``block/NNNNNNNNNN`` (the blocks)
    contracts/ID/          the deployed contract's sources, copied at deploy time
    proofs/SHA256.proof    sessions' end caps and last step proofs, named by their content
    blocks/ID.proof        block proofs

What the next block includes lives in ``pending`` records: deployments and registrations
(``deploy/ID``, ``register/ID``: before the genesis) and one open session per user
(``session/ID``: the calls made since the last block and the session's proved end cap; a
registration after the genesis is a session of its own). A call
appends to its user's open session in one SQLite transaction that first checks that no
block was committed since the call started (else the call's checkpoint is stale).

A block applies every pending entry to the chain state, proves the block and commits the
checkpoint, the block record and the removal of the pending entries in *one* transaction,
the last step. Proof files are written under a temporary name and renamed into place
before that commit, and the commit's guard checks that the head and the pending entries
are still the ones proved. So a process killed at any moment (``kill -9``) leaves either
the previous checkpoint with every pending entry intact, or the new checkpoint with none;
running ``devnet block`` again continues the chain, nothing is lost or committed twice.

The first block is the *genesis* (checkpoint 0): the contracts and users known at launch,
committed without a proof — its CHKP root is the chain's trust anchor, as any chain's
genesis is. Every later block is proved: its proof shows old CHKP root → new CHKP root.

Proving: user sessions with :mod:`psyc.parth.session` (every call extends its user's
session: its CFC, a step, a new signed end cap), GUTA aggregation and the block circuit with
:mod:`psyc.parth.block`. A devnet never holds an unproved block after the genesis, and
:meth:`Devnet.verify_chain` requires a block proof for each.

Format versions: 3 (this psyc). Older devnets are refused: version 2 (and 1 made with
sessions) hold the same data, but were proved with PARTH circuits that this psyc compiles to
other keys (the 64-bit limb decomposition of the language's u64 operations, shared with the
recursion gadgets since, changed GUTA's circuits, so the whitelist root and the block key), so
their block proofs would not verify; a version-1 devnet made without sessions has contracts
not compiled for sessions and blocks without proofs.

Fault injection for tests: ``PSYC_DEVNET_CRASH=STAGE`` makes the process kill itself with
SIGKILL when it reaches ``STAGE`` (``block:applied``, ``block:proved``, ``block:committed``).
"""

from __future__ import annotations

import gc
import hashlib
import os
import secrets
import shutil
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from psyc.parth import block as parth_block
from psyc.parth import session as parth_session
from psyc.parth.chain import ChainState
from psyc.parth.heights import HEIGHTS, Heights
from psyc.parth.leaves import ZERO_HASH, checkpoint_leaf, global_chain_root
from psyc.parth.store import Batch, SqliteStore
from psyc.parth.transition import stats_hash as transition_stats_hash

DEFAULT_DIR = ".psyc-devnet"
FORMAT, VERSION = "psyc-devnet", 3
DB_NAME = "chain.db"
CRASH_ENV = "PSYC_DEVNET_CRASH"


class DevnetError(Exception):
    """A request the devnet refuses. ``usage``: a usage or file error (exit 2) rather
    than a refusal of the request itself (exit 1). ``cause``: a short machine-readable
    name (``stale-checkpoint``, ``replayed-nonce``, ``wrong-key``, ``execution``, …)."""

    def __init__(self, message: str, cause: str = "refused", usage: bool = False) -> None:
        super().__init__(message)
        self.cause = cause
        self.usage = usage


def _crash_point(stage: str) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _hex(felts: Sequence[int]) -> str:
    from psyc.sig.convention import format_hash

    return format_hash(felts)


def _result_doc(r) -> dict:
    """What the block needs of a proved session (psyc.parth.session.SessionResult), as JSON."""
    return {"register": bool(r.register), "start_leaf": list(r.start_leaf.felts()), "end_leaf": list(r.end_leaf.felts()),
            "tx_stack": [int(x) for x in r.tx_stack], "transition": [int(x) for x in r.transition.felts()],
            "writes": [[int(c), {str(k): [int(x) for x in v] for k, v in w.items()}] for c, w in r.writes],
            "timings": {k: round(v, 3) for k, v in r.timings.items()}}


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a synced temporary file and a rename: a reader
    (or a process killed mid-write) never sees a partial file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


_COMPILED: dict[tuple, object] = {}


def _compile_cached(source: Path, shape):
    """A deployed contract compiled for sessions (every CFC of the standard ``shape``), once
    per process and content of its sources (a devnet's copy never changes; copies of a
    devnet share the compile)."""
    from psyc.contracts import session_contract

    files = sorted(p for p in ([source] if source.is_file() else source.rglob("*")) if p.is_file())
    digest = hashlib.sha256()
    for p in files:
        digest.update(str(p.relative_to(source.parent if source.is_file() else source)).encode() + b"\0")
        digest.update(p.read_bytes())
    key = (digest.hexdigest(), shape)
    if key not in _COMPILED:
        _COMPILED[key] = session_contract(source, shape)
    return _COMPILED[key]


# ---------------------------------------------------------------------------------------------
# The devnet
# ---------------------------------------------------------------------------------------------


@dataclass
class CallResult:
    """What ``Devnet.call`` did: the call and the user's open session, proved to its new end cap."""

    user: int
    contract: int
    method: str
    outputs: object
    state_diff: list[dict]
    checkpoint_id: int
    nonce: int
    session_calls: int
    end_cap: str  # the session's end cap after this call (the call's CFC is inside it)
    timings: dict[str, float] = field(default_factory=dict)
    proof_bytes: int = 0

    def to_json(self) -> dict:
        return asdict(self)


class Devnet:
    """One devnet folder. Open with :meth:`create` or :meth:`open`."""

    def __init__(self, root: Path, store: SqliteStore, config: dict) -> None:
        self.root = root
        self.store = store
        self.config = config
        self.heights = Heights(**config["heights"])
        self._contracts: dict[int, object] = {}

    # --- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path = DEFAULT_DIR, heights: Heights = HEIGHTS, shape: str = "standard") -> Devnet:
        """Make a new devnet in ``root`` (refused when one is there already)."""
        root = Path(root)
        if (root / DB_NAME).exists():
            raise DevnetError(f"{root} already holds a devnet (remove the folder to start over, or use --dir)",
                              "exists", usage=True)
        if root.exists() and not root.is_dir():
            raise DevnetError(f"{root} exists and is not a folder", "exists", usage=True)
        if shape not in ("standard", "small"):  # PARTH's circuits do not fit the 2^11 test shape
            raise DevnetError(f"unknown shape {shape!r} (standard, or small for tests: no security)", "usage",
                              usage=True)
        root.mkdir(parents=True, exist_ok=True)
        config = {"format": FORMAT, "version": VERSION, "heights": asdict(heights), "shape": shape,
                  # the network magic every signed session binds: sessions of one devnet are not valid on another
                  "network_magic": secrets.randbelow(1 << 62), "created": time.time()}
        store = SqliteStore(root / DB_NAME)
        store.commit(Batch(records={("devnet", "config"): config}))
        return cls(root, store, config)

    @classmethod
    def open(cls, root: str | Path = DEFAULT_DIR) -> Devnet:
        root = Path(root)
        if not (root / DB_NAME).is_file():
            raise DevnetError(f"no devnet in {root}: run `psyc devnet init` first (or pass --dir)", "no-devnet",
                              usage=True)
        try:
            store = SqliteStore(root / DB_NAME)
            config = store.record("devnet", "config")
        except Exception as e:  # sqlite3.DatabaseError: not a database, or a damaged one
            raise DevnetError(f"{root / DB_NAME}: not a readable devnet store ({e})", "bad-store", usage=True) from None
        if not config or config.get("format") != FORMAT:
            raise DevnetError(f"{root / DB_NAME}: not a devnet store (no devnet configuration)", "bad-store",
                              usage=True)
        version = config.get("version")
        if version == 1 and not config.get("sessions"):
            store.close()
            raise DevnetError(f"{root}: a version-1 devnet made without session circuits (its contracts are not "
                              "compiled for sessions, its blocks were committed without block proofs); this psyc "
                              "proves every block: make a new devnet (`psyc devnet init --dir NEW`)", "bad-store",
                              usage=True)
        if version in (1, 2):
            store.close()
            raise DevnetError(f"{root}: a version-{version} devnet, made by an earlier psyc whose PARTH circuits "
                              "compile to other keys (its block proofs do not verify under this psyc's block key, "
                              "and its users' Schnorr and ECDSA keys are for other circuits): make a new devnet "
                              "(`psyc devnet init --dir NEW`)", "bad-store", usage=True)
        if version != VERSION:
            store.close()
            raise DevnetError(f"{root}: devnet version {version!r}; this psyc reads version {VERSION}", "bad-store",
                              usage=True)
        return cls(root, store, config)

    def close(self) -> None:
        self.store.close()

    # --- views ---------------------------------------------------------------------------------
    def chain(self) -> ChainState:
        """The chain state as of the last committed block (a fresh view)."""
        return ChainState(self.store, self.heights)

    def head(self) -> dict | None:
        return self.chain().head()

    def shape(self):
        """The standard shape of this devnet's recursive proofs."""
        from psyc.recursion.shape import shape_named

        return shape_named(self.config["shape"])

    def _end_key(self):
        return parth_session.session_circuits(self.shape()).end_key

    def _block_circuits(self):
        return parth_block.block_circuits([self._end_key()], self.shape())

    def _whitelist(self) -> list[int]:
        return [int(x) for x in self._block_circuits().whitelist.root]

    def pending(self) -> dict[str, dict]:
        return dict(self.store.records("pending"))

    def blocks(self) -> list[dict]:
        return [b for _, b in self.store.records("block")]

    def users(self) -> dict[int, dict]:
        """Users committed to the chain (id → record)."""
        return {int(k): v for k, v in self.store.records("user")}

    def _pending_users(self) -> dict[int, list[int]]:
        """Users who join the chain with the next block (id → public key)."""
        out = {}
        for k, v in self.pending().items():
            if k.startswith("register/") or (k.startswith("session/") and (v.get("result") or {}).get("register")):
                out[int(k.split("/")[1])] = v["public_key"]
        return out

    def _all_user_keys(self) -> dict[int, list[int]]:
        return {**{u: rec["public_key"] for u, rec in self.users().items()}, **self._pending_users()}

    def _all_contracts(self) -> dict[int, dict]:
        out = {int(k): v for k, v in self.store.records("contract")}
        for k, v in self.pending().items():
            if k.startswith("deploy/"):
                out[int(k.split("/")[1])] = {**v, "pending": True}
        return out

    def resolve_contract(self, name_or_id: str) -> tuple[int, dict]:
        """A contract by id or by name (the #[contract] struct's name, any case)."""
        known = self._all_contracts()
        if name_or_id.isdigit() and int(name_or_id) in known:
            cid = int(name_or_id)
            return cid, known[cid]
        hits = [(cid, rec) for cid, rec in sorted(known.items()) if rec["name"].lower() == name_or_id.lower()]
        if not hits:
            names = ", ".join(f"{rec['name']} (id {cid})" for cid, rec in sorted(known.items())) or "none yet"
            raise DevnetError(f"no contract `{name_or_id}` is deployed (deployed: {names})", "unknown-contract",
                              usage=True)
        if len(hits) > 1:
            raise DevnetError(f"several contracts are named `{name_or_id}` (ids "
                              f"{', '.join(str(c) for c, _ in hits)}): name it by id", "ambiguous", usage=True)
        return hits[0]

    def compiled(self, contract_id: int):
        """The deployed contract, compiled from its copied sources (cached in this process);
        its function tree must be the one deployed (else psyc or the copy changed)."""
        c = self._contracts.get(contract_id)
        if c is None:
            rec = self._all_contracts()[contract_id]
            c = _compile_cached(self.root / rec["source"], self.shape())
            if [list(fp) for fp, _ in c.cft_leaves()] != [m[0] for m in rec["methods"]]:
                raise DevnetError(f"contract {contract_id} ({rec['name']}) no longer compiles to the circuits it was "
                                  "deployed with (psyc or its sources in the devnet changed)", "contract-changed")
            self._contracts[contract_id] = c
        return c

    # --- deploy and register -------------------------------------------------------------------
    def deploy(self, source: str | Path) -> dict:
        """Deploy the contract at ``source`` (a ``.psy`` file or a project): it is compiled,
        its sources copied into the devnet, and it joins the chain with the next block."""
        from psyc.compiler import open_project
        from psyc.contracts.compile import is_contract

        project, loader = open_project(source)
        if not is_contract(project, loader):
            raise DevnetError(f"{source}: no #[contract] struct in the project's entry file", "not-a-contract",
                              usage=True)
        if self.head() is not None:
            limit = parth_block.MAX_DEPLOYS  # the block circuit's deploy slots (the genesis is not proved)
            waiting = sum(1 for k in self.pending() if k.startswith("deploy/"))
            if waiting >= limit:
                raise DevnetError(f"the next block already deploys {waiting} contracts, as many as a block proves: "
                                  "run `psyc devnet block`, then deploy again", "block-full")
        # compiled where the user wrote it (diagnostics name their files); the copy has the same circuits
        c = _compile_cached(Path(source), self.shape())
        cid = max(self._all_contracts(), default=-1) + 1
        dest = self.root / "contracts" / str(cid)
        if dest.exists():  # left by a deploy killed before its record was written
            shutil.rmtree(dest)
        tmp = dest.with_name(f".{cid}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if (project.root / "psy.toml").is_file():
            shutil.copy2(project.root / "psy.toml", tmp / "psy.toml")
            shutil.copytree(project.src_dir, tmp / project.src_dir.relative_to(project.root))
        else:
            shutil.copy2(project.main_file, tmp / project.main_file.name)
        os.replace(tmp, dest)
        source_rel = str(dest.relative_to(self.root)) if (dest / "psy.toml").is_file() else \
            str((dest / project.main_file.name).relative_to(self.root))
        methods = [[list(fp), mid] for fp, mid in c.cft_leaves()]
        rec = {"name": c.name, "state_height": c.height, "methods": methods, "source": source_rel,
               "abi": c.abi(with_cft=False)}
        self.store.commit(Batch(records={("pending", f"deploy/{cid}"): rec}, guard=self._no_id_clash("deploy", cid)))
        self._contracts[cid] = c
        return {"contract_id": cid, "name": c.name, "methods": [m.name for m in c.methods],
                "cft_root": _hex(c.cft_root()), "state_height": c.height, "joins_block": self._next_block_id()}

    def _no_id_clash(self, kind: str, ident: int) -> Callable[[], None]:
        def guard() -> None:
            if self.store.record("pending", f"{kind}/{ident}") is not None or \
                    (kind == "register" and self.store.record("pending", f"session/{ident}") is not None) or \
                    self.store.record("contract" if kind == "deploy" else "user", str(ident)) is not None:
                raise DevnetError(f"{kind} id {ident} was taken by another process meanwhile: try again", "race")
        return guard

    def _next_block_id(self) -> int:
        head = self.head()
        return 0 if head is None else head["id"] + 1

    def register(self, keyfile: str | Path) -> dict:
        """Register the account whose key is in ``keyfile``: a new user id, joining the
        chain with the next block."""
        key = self.read_key(keyfile)
        pk = [int(x) for x in key.public_key]
        for u, other in self._all_user_keys().items():
            if list(other) == pk:
                raise DevnetError(f"{keyfile}: this key is already user {u}'s", "already-registered")
        if key.shape != self.config["shape"]:
            raise DevnetError(f"{keyfile}: a key for the {key.shape!r} proof shape; this devnet uses "
                              f"{self.config['shape']!r}", "wrong-shape", usage=True)
        uid = max(self._all_user_keys(), default=-1) + 1
        account = {"scheme": getattr(key, "scheme", "zk"), "fingerprint": [int(x) for x in key.fingerprint]}
        head = self.head()
        if head is not None:
            # after the genesis a registration is a session of its own (empty leaf → the key's leaf), proved now
            from psyc.plonk.keys import proof_to_bytes

            result = self._prove_session(uid, key, [], None, head["id"], register=True)
            doc = {"user": uid, "anchor": {"id": head["id"], "root": head["chkp_root"]}, "nonce": result.nonce,
                   "version": 1, "calls": [], "end_cap": self._store_proof(proof_to_bytes(result.end_cap)),
                   "result": _result_doc(result), "public_key": pk, "account": account}
            clash = self._no_id_clash("register", uid)

            def guard() -> None:
                clash()
                now = ChainState(self.store, self.heights).head()
                if now is None or now["id"] != head["id"]:
                    raise DevnetError("stale checkpoint: a block was committed while the registration was proved; "
                                      "register again", "stale-checkpoint")

            self.store.commit(Batch(records={("pending", f"session/{uid}"): doc}, guard=guard))
        else:  # joins with the genesis, which is not proved
            rec = {"public_key": pk, **account}
            clash = self._no_id_clash("register", uid)

            def guard() -> None:
                clash()
                if ChainState(self.store, self.heights).head() is not None:
                    raise DevnetError("the genesis was committed while the user was registered; register again (a "
                                      "registration after the genesis is proved as a session)", "stale-checkpoint")

            self.store.commit(Batch(records={("pending", f"register/{uid}"): rec}, guard=guard))
        return {"user_id": uid, "public_key": _hex(pk), "joins_block": self._next_block_id()}

    @staticmethod
    def read_key(keyfile: str | Path):
        from psyc.sig import SignatureError
        from psyc.sig.keyfile import read_key

        try:
            return read_key(keyfile)
        except SignatureError as e:
            raise DevnetError(str(e), "bad-key", usage=True) from None
        except OSError as e:
            raise DevnetError(f"{keyfile}: {e.strerror or e}", "bad-key", usage=True) from None

    # --- calls -----------------------------------------------------------------------------------
    def call(self, keyfile: str | Path, target: str, args: Sequence[str], *, user: int | None = None,
             nonce: int | None = None, checkpoint: int | None = None,
             progress: Callable[[str], None] | None = None) -> CallResult:
        """Execute ``CONTRACT.METHOD(args)`` as the key's user, prove it (its CFC, then the
        session's end cap) and append it to the user's open session for the next block."""
        say = progress or (lambda _msg: None)
        timings: dict[str, float] = {}
        key = self.read_key(keyfile)
        if "." not in target:
            raise DevnetError(f"`{target}`: name the call as CONTRACT.METHOD (e.g. Token.transfer)", "usage", usage=True)
        cname, mname = target.rsplit(".", 1)
        cid, crec = self.resolve_contract(cname)
        head = self.head()
        if head is None:
            raise DevnetError("the chain has no checkpoint yet: run `psyc devnet block` to commit the genesis",
                              "no-checkpoint")
        if crec.get("pending"):
            raise DevnetError(f"contract {cid} ({crec['name']}) joins the chain with the next block: run "
                              "`psyc devnet block` first", "not-yet-deployed")
        if checkpoint is not None and checkpoint != head["id"]:
            raise DevnetError(f"stale checkpoint: the call anchors to checkpoint {checkpoint}, but the chain's "
                              f"latest is {head['id']} (sessions anchor to the latest finalized checkpoint)",
                              "stale-checkpoint")
        uid = self._user_of(key, keyfile, user)
        state = self.chain()
        leaf = state.user_leaf(uid)
        session = self.store.record("pending", f"session/{uid}")
        if session is not None and session["anchor"]["id"] != head["id"]:
            raise DevnetError(f"stale checkpoint: user {uid}'s open session anchors to checkpoint "
                              f"{session['anchor']['id']}, the chain's latest is {head['id']}", "stale-checkpoint")
        want_nonce = leaf.nonce + 1 if session is None else session["nonce"]
        if nonce is not None:
            if nonce <= leaf.nonce:
                raise DevnetError(f"replayed nonce: {nonce} is not above user {uid}'s nonce {leaf.nonce} (a "
                                  "session's nonce strictly increases)", "replayed-nonce")
            if session is not None and nonce != session["nonce"]:
                raise DevnetError(f"user {uid}'s open session has nonce {session['nonce']}; a call joining it "
                                  f"cannot change it to {nonce}", "nonce-mismatch")
            want_nonce = nonce
        c = self.compiled(cid)
        try:
            m = c.method(mname)
        except KeyError:
            raise DevnetError(f"`{crec['name']}` has no method `{mname}` (methods: "
                              f"{', '.join(x.name for x in c.methods)})", "unknown-method", usage=True) from None
        values = self._parse_args(m, args)
        previous = session["calls"] if session is not None else []
        for p in previous:  # the session so far: its writes on top of the anchored checkpoint
            state.write_slots(uid, p["contract"], {int(s): tuple(w[1]) for s, w in p["writes"].items()})
        from psyc.ir.interpret import ExecutionError

        t0 = time.perf_counter()
        say(f"executing {crec['name']}.{mname}")
        try:
            run = m.execute(state, uid, cid, values)
        except ExecutionError as e:
            raise DevnetError(f"`{crec['name']}.{mname}` fails for user {uid}: {e.message}", "execution") from None
        timings["execute"] = time.perf_counter() - t0
        from psyc.plonk.keys import proof_to_bytes

        call_rec = {"contract": cid, "method": mname, "method_id": m.id, "args": values,
                    "outputs": run.outputs, "writes": {str(s): [list(b), list(a)] for s, (b, a) in run.writes.items()},
                    "start_root": list(run.start_root), "end_root": list(run.end_root),
                    "public_input": [int(x) for x in run.public_inputs]}
        calls = [*previous, call_rec]
        t1 = time.perf_counter()
        if session is not None and session.get("last_step") and session.get("result"):
            # continue the open session: this call's CFC and step, then a new end cap signed over the net change
            say(f"proving the call and extending the session to {len(calls)} call(s), the signed end cap")
            result = self._prove_session(uid, key, [call_rec], want_nonce, head["id"],
                                         resume=self._session_result(session, steps=True))
        else:  # a new session (or one stored without its last step): every call's CFC, a step each, the end cap
            say(f"proving the session: {len(calls)} call(s), a step each, the signed end cap")
            result = self._prove_session(uid, key, calls, want_nonce, head["id"])
        timings["prove_session"] = time.perf_counter() - t1
        raw = proof_to_bytes(result.end_cap)
        end_cap, size = self._store_proof(raw), len(raw)
        last_step = self._store_proof(proof_to_bytes(result.steps[-1][0]))
        new = {"user": uid, "anchor": {"id": head["id"], "root": head["chkp_root"]}, "nonce": want_nonce,
               "version": (session["version"] + 1) if session else 1, "calls": calls, "end_cap": end_cap,
               "last_step": last_step, "result": _result_doc(result), "public_key": list(leaf.public_key)}

        def guard() -> None:
            now = ChainState(self.store, self.heights).head()
            if now is None or now["id"] != head["id"]:
                raise DevnetError(f"stale checkpoint: block {now['id'] if now else '?'} was committed while the "
                                  f"call was proved against checkpoint {head['id']}; run the call again",
                                  "stale-checkpoint")
            cur = self.store.record("pending", f"session/{uid}")
            if (cur or {}).get("version") != (session or {}).get("version"):
                raise DevnetError(f"user {uid}'s session changed while this call was proved; run the call again",
                                  "race")

        self.store.commit(Batch(records={("pending", f"session/{uid}"): new}, guard=guard))
        from psyc.contracts.call import describe_slot

        diff = [{"slot": int(s), "fields": describe_slot(c.struct, int(s)), "before": [str(x) for x in b],
                 "after": [str(x) for x in a]} for s, (b, a) in sorted(run.writes.items())]
        return CallResult(uid, cid, mname, run.output_value(), diff, head["id"], want_nonce, len(calls),
                          end_cap, {k: round(v, 3) for k, v in timings.items()}, size)

    def _user_of(self, key, keyfile, user: int | None) -> int:
        pk = [int(x) for x in key.public_key]
        committed = self.users()
        if user is not None:
            if user not in committed:
                pend = user in self._pending_users()
                raise DevnetError(f"user {user} " + ("joins the chain with the next block: run `psyc devnet block` "
                                  "first" if pend else "is not registered"), "unknown-user")
            if committed[user]["public_key"] != pk:
                raise DevnetError(f"wrong key: {keyfile} is not user {user}'s (its public key {_hex(pk)} is not the "
                                  "one the user registered)", "wrong-key")
            return user
        for u, rec in committed.items():
            if rec["public_key"] == pk:
                return u
        for u, other in self._pending_users().items():
            if other == pk:
                raise DevnetError(f"{keyfile} is user {u}'s, who joins the chain with the next block: "
                                  "run `psyc devnet block` first", "unknown-user")
        raise DevnetError(f"{keyfile}: no registered user has this key (run `psyc devnet register {keyfile}`)",
                          "unknown-user")

    def _parse_args(self, method, args: Sequence[str]) -> list[list[int]]:
        """Arguments as ``VALUE`` (in order) or ``NAME=VALUE``; values as in an inputs file."""
        from psyc.frontend.diagnostics import CompileError
        from psyc.project.inputs import parse_inputs

        names = [n for n, _ in method.args]
        given: dict[str, str] = {}
        for k, a in enumerate(args):
            name, eq, value = a.partition("=")
            if not eq:
                if k >= len(names):
                    raise DevnetError(f"`{method.name}` takes {len(names)} argument(s) ({', '.join(names)}); "
                                      f"got {len(args)}", "usage", usage=True)
                name, value = names[k], a
            given[name.strip()] = value.strip()
        text = "".join(f"{n} = {v}\n" for n, v in given.items())
        try:
            return parse_inputs(text, "arguments.toml", method.args)
        except CompileError as e:
            msgs = "; ".join(d.message.replace("arguments.toml", "the arguments") for d in e.diagnostics)
            raise DevnetError(f"`{method.name}({', '.join(f'{n}: {t}' for n, t in method.args)})`: {msgs}",
                              "bad-arguments", usage=True) from None

    def _store_proof(self, raw: bytes) -> str:
        rel = f"proofs/{hashlib.sha256(raw).hexdigest()}.proof"
        path = self.root / rel
        if not path.exists():
            _write_atomic(path, raw)
        return rel

    def _prove_session(self, uid: int, key, calls: list[dict], nonce: int, checkpoint: int, register: bool = False,
                       resume=None):
        """prove_session over the committed chain: the session's calls (after ``resume``'s,
        when it continues an open session), signed with ``key``."""
        contracts = {c["contract"]: self.compiled(c["contract"]) for c in calls}
        try:
            return parth_session.prove_session(
                self.chain(), uid, key, [parth_session.Call(c["contract"], c["method"], c["args"]) for c in calls],
                contracts=contracts, shape=self.shape(), register=register, nonce=nonce, checkpoint_id=checkpoint,
                whitelist=self._whitelist(), resume=resume)
        except parth_session.SessionError as e:
            raise DevnetError(f"the session does not prove: {e}", "session") from None

    def _session_result(self, session: dict, steps: bool = False):
        """The stored session as the session prover's result (what the block applies; with
        ``steps``, its last step proof too: what continuing the session needs)."""
        from psyc.parth.leaves import UserLeaf
        from psyc.parth.transition import Transition
        from psyc.plonk.keys import proof_from_bytes

        r = session["result"]
        key = self._end_key()
        proof = proof_from_bytes((self.root / session["end_cap"]).read_bytes(), key.common)
        last = []
        if steps:
            step_key = parth_session.session_circuits(self.shape()).step_key
            last = [(proof_from_bytes((self.root / session["last_step"]).read_bytes(), step_key.common), step_key)]
        return parth_session.SessionResult(
            user_id=session["user"], checkpoint_id=session["anchor"]["id"], chkp_root=tuple(session["anchor"]["root"]),
            register=r["register"], start_leaf=UserLeaf.from_felts(r["start_leaf"]),
            end_leaf=UserLeaf.from_felts(r["end_leaf"]), nonce=session["nonce"], tx_stack=r["tx_stack"],
            transition=Transition.from_felts(r["transition"]), end_cap=proof, end_cap_key=key,
            writes=[(c, {int(k): tuple(v) for k, v in w.items()}) for c, w in r["writes"]], steps=last,
            outputs=[None] * len(session["calls"]), calls=len(session["calls"]))

    def submit_session(self, session: dict) -> None:
        """Queue a session made elsewhere (a user's own machine) for the next block, after
        the checks a sequencer makes: anchored to the latest checkpoint, a nonce above the
        user's, no other open session of the user, the user's key."""
        head = self.head()
        uid = int(session["user"])
        if head is None or session["anchor"]["id"] != head["id"] or session["anchor"]["root"] != head["chkp_root"]:
            raise DevnetError(f"stale checkpoint: the session anchors to checkpoint {session['anchor']['id']}, the "
                              f"chain's latest is {head['id'] if head else 'none'}", "stale-checkpoint")
        if uid not in self.users():
            raise DevnetError(f"user {uid} is not registered", "unknown-user")
        leaf = self.chain().user_leaf(uid)
        if session["nonce"] <= leaf.nonce:
            raise DevnetError(f"replayed end cap: its nonce {session['nonce']} is not above user {uid}'s nonce "
                              f"{leaf.nonce}", "replayed-nonce")
        if list(session.get("public_key", [])) != list(leaf.public_key):
            raise DevnetError(f"wrong key: the session is signed for {_hex(session.get('public_key', ZERO_HASH))}, "
                              f"not user {uid}'s key", "wrong-key")

        def guard() -> None:
            if self.store.record("pending", f"session/{uid}") is not None:
                raise DevnetError(f"user {uid} already has an open session for the next block", "replayed-nonce")

        self.store.commit(Batch(records={("pending", f"session/{uid}"): {**session, "version": 1}}, guard=guard))

    # --- blocks --------------------------------------------------------------------------------
    def block(self, progress: Callable[[str], None] | None = None) -> dict:
        """Apply every pending entry, prove the block (every block but the genesis) and
        commit it; a block that does not prove commits nothing."""
        say = progress or (lambda _msg: None)
        t0 = time.perf_counter()
        state = self.chain()
        head = state.head()
        pending = self.pending()
        if not pending:
            return {"committed": False, "reason": "nothing pending: no deployment, registration or call since the "
                    "last block", "head": None if head is None else head["id"]}
        cid = 0 if head is None else head["id"] + 1
        deploys = sorted((int(k.split("/")[1]), v) for k, v in pending.items() if k.startswith("deploy/"))
        registers = sorted((int(k.split("/")[1]), v) for k, v in pending.items() if k.startswith("register/"))
        sessions = sorted((int(k.split("/")[1]), v) for k, v in pending.items() if k.startswith("session/"))
        if head is not None:  # after the genesis every entry must be provable: no unproved block is ever made
            if registers:
                raise DevnetError(f"cannot prove block {cid}: user(s) {', '.join(str(u) for u, _ in registers)} were "
                                  "queued for registration without a session (after the genesis a registration is a "
                                  "proved session); nothing was committed", "bad-store")
            bare = [u for u, s in sessions if not s.get("result") or not s.get("end_cap")]
            if bare:
                raise DevnetError(f"cannot prove block {cid}: the open session(s) of user(s) "
                                  f"{', '.join(map(str, bare))} have no proved end cap; nothing was committed",
                                  "bad-store")
        say(f"applying {len(sessions)} session(s), {len(registers)} registration(s), {len(deploys)} deployment(s)")
        for k, rec in deploys:
            state.deploy(k, rec["name"], rec["state_height"], [(fp, mid) for fp, mid in rec["methods"]],
                         abi=rec["abi"])
            state.put_record("contract", k, {**state.record("contract", k), "source": rec["source"]})
        for u, rec in registers:
            state.register_user(u, rec["public_key"])
            state.put_record("user", u, {"public_key": rec["public_key"], "scheme": rec["scheme"],
                                         "fingerprint": rec["fingerprint"]})
        txs = slots = 0
        results = []
        for u, s in sessions:
            if s["anchor"]["id"] != (head or {}).get("id"):  # a block commits every open session: cannot happen
                raise DevnetError(f"user {u}'s session anchors to checkpoint {s['anchor']['id']}, not the latest",
                                  "stale-checkpoint")
            written: set[tuple[int, int]] = set()
            for call in s["calls"]:
                written |= {(call["contract"], int(k)) for k in call["writes"]}
            r = self._session_result(s)
            try:
                r.apply(state)  # the session's own writes and end leaf, checked against the chain
            except parth_session.SessionError as e:
                raise DevnetError(f"user {u}'s session: {e}", "stale-checkpoint") from None
            if r.register:
                state.put_record("user", u, {"public_key": list(r.end_leaf.public_key), **s.get("account", {})})
            results.append(r)
            txs += len(s["calls"])
            slots += len(written)
        stats = {"transactions": txs, "users": len(sessions), "slots_modified": slots,
                 "registrations": len(registers) + sum(1 for r in results if r.register), "deployments": len(deploys)}
        stats_hash = transition_stats_hash(txs, len(sessions), slots)  # what the block circuit binds
        _crash_point("block:applied")
        timings = {"apply": time.perf_counter() - t0}
        proof_rel, proof_size = None, 0
        if head is not None:
            say(f"aggregating {len(results)} end cap(s) (GUTA) and proving the block")
            t1 = time.perf_counter()
            bp = self._prove_block(state, results, say)
            timings["prove"] = time.perf_counter() - t1
            if bp.top is not None:  # a block of deployments only has no GUTA top
                t = bp.top.transition
                stats.update(transactions=t.tx_count, users=t.user_count, slots_modified=t.slots_modified)
            stats_hash = bp.stats_hash
            raw = bp.to_bytes()
            proof_rel, proof_size = f"blocks/{cid}.proof", len(raw)
            _write_atomic(self.root / proof_rel, raw)
        _crash_point("block:proved")
        summary = {"id": cid, "genesis": head is None, "proof": proof_rel, "proof_bytes": proof_size,
                   "prev_chkp_root": None if head is None else head["chkp_root"], "stats": stats,
                   "sessions": [{"user": u, "nonce": s["nonce"], "calls": [
                       {k: c[k] for k in ("contract", "method", "method_id", "args", "outputs", "public_input",
                                          "start_root", "end_root")} for c in s["calls"]],
                       "end_cap": s["end_cap"]} for u, s in sessions],
                   "registrations": [u for u, _ in registers], "deployments": [k for k, _ in deploys]}
        for key in pending:
            state.put_record("pending", key, None)

        def guard() -> None:  # inside the commit: nobody committed a block or touched the proved entries
            now = ChainState(self.store, self.heights).head()
            if (now or {}).get("id") != (head or {}).get("id"):
                raise DevnetError(f"block {now['id']} was committed by another process meanwhile; nothing was "
                                  "committed by this one", "race")
            if dict(self.store.records("pending")) != pending:
                raise DevnetError("calls arrived while the block was proved; nothing was committed: run "
                                  "`psyc devnet block` again (it includes them)", "race")

        say("committing the checkpoint")
        t2 = time.perf_counter()
        state.put_record("block", f"{cid:010d}", summary)
        rec = state.commit_block(stats_hash, guard=guard)
        timings["commit"] = time.perf_counter() - t2
        _crash_point("block:committed")
        timings["total"] = time.perf_counter() - t0
        return {"committed": True, "checkpoint_id": rec["id"], "chkp_root": _hex(rec["chkp_root"]),
                "prev_chkp_root": None if head is None else _hex(head["chkp_root"]), "genesis": head is None,
                "proof": proof_rel, "proof_bytes": proof_size, "stats": stats,
                "timings": {k: round(v, 3) for k, v in timings.items()}}

    def _prove_block(self, state: ChainState, results: list, say: Callable[[str], None]):
        """GUTA over the sessions' end caps and the block proof; ``state`` holds the block's
        writes (the sessions applied, contracts deployed), which must be what it proves."""
        try:
            bp = parth_block.prove_block(state, [(r.end_cap, r.end_cap_key) for r in results], self._block_circuits(),
                                         progress=say)
        except parth_block.BlockError as e:
            raise DevnetError(f"the block does not prove: {e}", "block") from None
        if tuple(state.gusr.root) != tuple(bp.new_gusr_root) or tuple(state.gcon.root) != tuple(bp.new_gcon_root):
            raise DevnetError("internal: the chain's pending state is not the state the block proves", "block")
        return bp

    # --- reading -----------------------------------------------------------------------------------
    def user_state(self, contract: str, user: int) -> dict:
        """The user's committed storage in ``contract`` as named fields (zero fields omitted)."""
        from psyc.contracts.call import describe_slot, resolve_path
        from psyc.project.inputs import format_value

        cid, crec = self.resolve_contract(contract)
        if crec.get("pending"):
            raise DevnetError(f"contract {cid} joins the chain with the next block", "not-yet-deployed")
        if user not in self.users():
            raise DevnetError(f"user {user} is not registered (at the latest checkpoint)", "unknown-user", usage=True)
        struct = self.compiled(cid).struct
        state = self.chain()
        fields: dict[str, object] = {}
        for slot, felts in self.store.tree_leaves(f"cstate/{user}/{cid}"):
            for path in describe_slot(struct, slot):
                s, felt, t = resolve_path(struct, path)
                if felts[felt]:
                    fields[path] = format_value(t, [felts[felt]])
        leaf = state.user_leaf(user)
        return {"contract": cid, "name": crec["name"], "user": user, "fields": fields,
                "cstate_root": _hex(state.cstate_root(user, cid)), "nonce": leaf.nonce,
                "checkpoint_id": (self.head() or {}).get("id")}

    def verify_chain(self, progress: Callable[[str], None] | None = None) -> dict:
        """Check every block from genesis: each checkpoint leaf in the store's CHKP tree is
        the recorded one, every block after the genesis has a block proof that verifies
        against the previous checkpoint's root and ends at this one's, and the store's
        trees have the roots the last one commits to. ``verify_ms``: each block proof's
        verification with the key at hand; ``key_ms``: deriving that key from the circuits,
        once per call (0 when no block has a proof)."""
        say = progress or (lambda _msg: None)
        state = self.chain()
        head = state.head()
        if head is None:
            raise DevnetError("the chain has no checkpoint yet (run `psyc devnet block`)", "no-checkpoint")
        problems: list[str] = []
        blocks = {b["id"]: b for b in self.blocks()}
        beyond = sorted(set(blocks) - set(range(head["id"] + 1)))
        if beyond:
            problems.append(f"block record(s) {', '.join(map(str, beyond))} after the latest checkpoint {head['id']}")
        times: list[float] = []
        key, key_s = None, 0.0
        for cid in range(head["id"] + 1):
            rec = state.record("checkpoint", cid)
            if rec is None or cid not in blocks:
                problems.append(f"checkpoint {cid}: no record")
                continue
            leaf = checkpoint_leaf(rec["chain_root"], rec["stats_hash"])
            if tuple(state.chkp.leaf(cid)) != tuple(leaf):
                problems.append(f"checkpoint {cid}: the CHKP tree's leaf is not the recorded checkpoint")
            if list(global_chain_root(rec["gcon_root"], rec["gusr_root"])) != list(rec["chain_root"]):
                problems.append(f"checkpoint {cid}: the chain root does not hash its GCON and GUSR roots")
            if cid == 0:
                continue
            b = blocks[cid]
            prev = state.record("checkpoint", cid - 1)
            if not b.get("proof"):
                problems.append(f"block {cid}: no block proof (every block after the genesis is proved)")
                continue
            if prev is None:  # reported as checkpoint cid - 1's problem: nothing to verify the proof from
                continue
            if b.get("prev_chkp_root") != prev["chkp_root"]:
                problems.append(f"block {cid}: its record names another previous checkpoint root than checkpoint "
                                f"{cid - 1}'s")
            try:
                raw = (self.root / b["proof"]).read_bytes()
            except OSError as e:
                problems.append(f"block {cid}: its proof {b['proof']} cannot be read ({e.strerror or e})")
                continue
            if key is None:
                # rebuilt from the circuits (seconds in a fresh process: four programs compiled
                # and their constants committed), once, and timed apart: `verify_ms` is what a
                # verifier holding the key spends on each block (issue 16's ≤ 30 ms). The build
                # ran with the collector paused (psyc.util.gc_pause): its first collection,
                # a scan of the millions of objects the circuits hold (~0.6 s), belongs here too,
                # not to the first block
                say("deriving the block circuit's key")
                t = time.perf_counter()
                key = self._block_circuits().block_key
                gc.collect()
                key_s = time.perf_counter() - t
            say(f"verifying block {cid}")
            t = time.perf_counter()
            ok, why = self._verify_block(raw, prev["chkp_root"], rec["chkp_root"], cid, key)
            times.append(time.perf_counter() - t)
            if not ok:
                problems.append(f"block {cid}: {why}")
        if list(state.chkp.root) != list(head["chkp_root"]):
            problems.append("the store's CHKP root is not the latest checkpoint's")
        if list(state.chain_root()) != list(head["chain_root"]):
            problems.append("the store's GCON/GUSR roots are not those the latest checkpoint commits to")
        genesis = state.record("checkpoint", 0)
        return {"valid": not problems, "checkpoints": head["id"] + 1, "blocks_proved": len(times),
                "genesis_root": _hex(genesis["chkp_root"]) if genesis else None, "head_root": _hex(head["chkp_root"]),
                "problems": problems, "verify_ms": [round(t * 1e3, 2) for t in times], "key_ms": round(key_s * 1e3, 1)}

    def _verify_block(self, raw: bytes, prev_root, new_root, cid, key) -> tuple[bool, str]:
        """The block proof verifies under the block circuit's ``key`` (rebuilt from the
        circuits, never read from the store), extends ``prev_root`` and ends at ``new_root``."""
        try:
            st = parth_block.check_block(raw, prev_root, key)
        except parth_block.BlockError as e:
            return False, str(e)
        if list(st.new_chkp_root) != list(new_root) or int(st.checkpoint_id) != cid:
            return False, f"the proof ends at checkpoint {st.checkpoint_id}, root {list(st.new_chkp_root)}, not the " \
                          "recorded one"
        return True, ""
