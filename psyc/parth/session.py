"""User proving sessions (PARTH.md): a user executes and proves their own calls against
the latest finalized checkpoint, then signs the session's net change.

The circuits are written in the language (``stdlib/parth/session_step.psy``,
``stdlib/parth/session_end.psy``, shared logic in ``std::parth::session``) and are
``#[recursive]``: of the standard shape, so their proofs fold without wrapping. A
session is

* one **step** proof per call: the first step anchors the user's leaf to the checkpoint
  (and registers a new user: empty leaf → leaf with the public key); each step verifies
  the previous one and the call's CFC proof (the contract is compiled ``recursive`` too:
  :func:`psyc.contracts.session_contract`), checks the CFC in the contract's function tree, updates UCON
  and the user leaf and pushes the call onto the transaction stack;
* the **end cap**: verifies the last step and a signature proof (``std::sig::verify``)
  over ``hash(checkpoint root, start leaf, end leaf, tx stack, nonce, NETWORK_MAGIC)``;
  its public inputs are the :class:`~psyc.parth.transition.Transition` of the user's
  GUSR leaf, what GUTA folds.

    >>> r = prove_session(chain, user_id=1, key=key, calls=[Call(0, "transfer", [2, 5])],
    ...                   contracts={0: token})                          # doctest: +SKIP
    >>> r.transition.new_root, r.end_cap.public_inputs                  # doctest: +SKIP
    >>> r.apply(chain); chain.commit_block()                            # doctest: +SKIP

Nothing is written to ``chain`` by :func:`prove_session`; :meth:`SessionResult.apply` does
it (the block does, on commit).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psyc.hash.poseidon import hash_no_pad
from psyc.parth.chain import ChainState, StateError
from psyc.parth.heights import HEIGHTS
from psyc.parth.leaves import ZERO_HASH, UserLeaf
from psyc.parth.transition import Transition
from psyc.parth.tree import leaf_hash

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram
    from psyc.contracts.compile import CompiledContract
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape
    from psyc.sig.scheme import CircuitScheme, SigKey

NETWORK_MAGIC = 0x7073_7963_2D6E_6574  # ASCII "psyc-net": std::parth::session::NETWORK_MAGIC
STATE_LEN = 28  # public inputs of a step proof (std::parth::session::SessionState)
EMPTY_LEAF = leaf_hash([0] * 13)  # a GUSR leaf no user holds yet


class SessionError(Exception):
    """A session the prover refuses: the message names the cause (stale checkpoint, a key
    that is not the user's, a nonce that does not increase, a contract whose circuits are
    not the deployed ones, a failing call, …)."""


@dataclass(frozen=True)
class Call:
    """One call of a session: ``contract`` id, ``method`` name and its arguments (one
    value per parameter: an integer, or a list of field elements for an aggregate)."""

    contract: int
    method: str
    args: Sequence[Any] = ()

    def flat_args(self) -> list[list[int]]:
        return [[int(x) for x in a] if isinstance(a, list | tuple) else [int(a)] for a in self.args]


# --- circuits ---------------------------------------------------------------------------------
def _stdlib(name: str) -> Path:
    from psyc.frontend.modules import stdlib_dir

    return stdlib_dir() / "parth" / name


@dataclass
class SessionCircuits:
    """The compiled step and end-cap programs for one standard shape (built on first use)."""

    shape: Any
    step: CompiledProgram
    end: CompiledProgram

    @property
    def step_key(self) -> VerifyingKey:
        return self.step.circuit().verifier_data

    @property
    def end_key(self) -> VerifyingKey:
        return self.end.circuit().verifier_data

    def step_fingerprint(self) -> list[int]:
        return [int(x) for x in self.step_key.fingerprint]


_CIRCUITS: dict[Any, SessionCircuits] = {}


def session_circuits(shape: StandardShape | None = None) -> SessionCircuits:
    """The session programs compiled for ``shape`` (default ``standard_shape()``), cached."""
    from psyc.compiler import CompileOptions, compile_path
    from psyc.recursion.shape import standard_shape

    shape = shape or standard_shape()
    if shape not in _CIRCUITS:
        opts = CompileOptions(shape=shape, config=shape.config)
        _CIRCUITS[shape] = SessionCircuits(shape, compile_path(_stdlib("session_step.psy"), opts),
                                           compile_path(_stdlib("session_end.psy"), opts))
    return _CIRCUITS[shape]


def _dummy(shape, n: int):
    """A zero-filled proof input for a verification switched off (no previous step, no
    call): never verified, natively or in circuit."""
    from psyc.plonk.circuit_data import VerifierOnlyCircuitData, circuit_digest
    from psyc.plonk.keys import VerifyingKey
    from psyc.project.inputs import ProofArg
    from psyc.recursion.dummy import dummy_proof

    common = shape.common(n)
    cap = [[0, 0, 0, 0] for _ in range(1 << common.config.fri_config.cap_height)]
    return ProofArg(dummy_proof(common), VerifyingKey(VerifierOnlyCircuitData(cap, circuit_digest(common, cap)),
                                                      common), "dummy")


def signed_message(
    chkp_root: Sequence[int], start_leaf: Sequence[int], end_leaf: Sequence[int], tx_stack: Sequence[int], nonce: int
) -> list[int]:
    """What the user signs (``std::parth::session::signed_message``)."""
    return [int(x) for x in hash_no_pad([*chkp_root, *start_leaf, *end_leaf, *tx_stack, int(nonce), NETWORK_MAGIC])]


# --- the result -----------------------------------------------------------------------------------
@dataclass
class SessionResult:
    """A proved session. ``end_cap`` (with ``end_cap_key``) states ``transition``; what the
    block applies on commit: the CSTATE ``writes`` (contract, {slot: value}) in call order,
    ``register`` (a new user with ``start``/``end`` leaves), the ``end_leaf`` (new nonce,
    anchored checkpoint id)."""

    user_id: int
    checkpoint_id: int
    chkp_root: tuple[int, ...]
    register: bool
    start_leaf: UserLeaf
    end_leaf: UserLeaf
    nonce: int
    tx_stack: list[int]
    transition: Transition
    end_cap: ProofWithPublicInputs
    end_cap_key: VerifyingKey
    writes: list[tuple[int, dict[int, tuple[int, ...]]]] = field(default_factory=list)
    outputs: list = field(default_factory=list)  # each call's result (None for a unit method)
    steps: list = field(default_factory=list)  # (proof, key) per step, last one verified by the end cap
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per stage
    cpu: dict[str, float] = field(default_factory=dict)  # process CPU seconds per stage
    witness: dict[str, Any] = field(default_factory=dict)  # the programs' inputs (audits, tests)
    calls: int = 0  # calls in the session (a registration alone has none)

    def apply(self, chain: ChainState) -> None:
        """Write the session into ``chain`` (uncommitted): refuses (:class:`SessionError`)
        when the chain has moved past the anchored checkpoint or the user's leaf is not the
        one the session started from."""
        head = chain.head()
        if head is None or head["id"] != self.checkpoint_id:
            raise SessionError(f"stale session: it anchors to checkpoint {self.checkpoint_id}, the chain's latest is "
                               f"{None if head is None else head['id']}; prove it again")
        current = leaf_hash(chain.gusr.leaf(self.user_id))
        if current != tuple(self.transition.old_root):
            raise SessionError(f"user {self.user_id}'s leaf changed since the session started (another session of "
                               "theirs was applied): prove it again")
        if self.register:
            chain.register_user(self.user_id, self.end_leaf.public_key)
        for contract, writes in self.writes:
            chain.write_slots(self.user_id, contract, writes)
        if chain.user_leaf(self.user_id).ucon_root != tuple(self.end_leaf.ucon_root):
            raise SessionError("internal: the chain's contract tree does not follow the session's writes")
        chain.gusr.set(self.user_id, self.end_leaf.felts())


# --- proving --------------------------------------------------------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def run(self, stage: str, fn, *args):
        w, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args)
        finally:
            self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - w
            self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - c


def _hashes(path) -> list[list[int]]:
    return [list(h) for h in path]


def _key_of(key):
    """A zk key object from a key or a key file path."""
    if isinstance(key, str | Path):
        from psyc.sig.keyfile import read_key

        return read_key(key)
    return key


def prove_session(chain: ChainState, user_id: int, key: SigKey | str | Path, calls: Sequence[Call], *,
                  contracts: Mapping[int, CompiledContract], shape: StandardShape | None = None, register: bool = False,
                  nonce: int | None = None, checkpoint_id: int | None = None, whitelist: Sequence[int] = ZERO_HASH,
                  scheme: CircuitScheme | None = None, resume: SessionResult | None = None) -> SessionResult:
    """Execute and prove ``calls`` for ``user_id`` against ``chain``'s latest committed
    checkpoint, then the end cap signed with ``key`` (a zk key or its key file).

    ``contracts``: contract id → :func:`psyc.contracts.session_contract` of that contract (its CFT must
    be the deployed one); ``register``: the user is new (their GUSR leaf is empty) and the
    session registers ``key``'s public key; ``nonce``: the new nonce (default: one above
    the user's); ``checkpoint_id``: the checkpoint the caller expects to anchor to (a
    stale one is refused); ``whitelist``: the end cap's whitelist root (PARTH_IFACE);
    ``scheme``: the key's signature scheme (default: the key's own, zk or schnorr, for
    ``shape``); ``resume``: the same user's session proved earlier against the same
    checkpoint — ``calls`` then continue it from its last step (one step per new call and a
    new end cap, instead of proving every call again; ``resume.steps`` needs the last step's
    proof). Raises :class:`SessionError` for anything the prover refuses."""
    from psyc.compiler import CompileError
    from psyc.ir.interpret import ExecutionError
    from psyc.project.inputs import ProofArg
    from psyc.sig.convention import SignatureError

    circuits = session_circuits(shape)
    shape = circuits.shape
    clock = _Clock()
    key = _key_of(key)
    if chain.heights != HEIGHTS:
        raise SessionError(f"the session circuits are built for PARTH's tree heights {HEIGHTS}, the chain has "
                           f"{chain.heights}")
    view = ChainState(chain.store, chain.heights)  # the committed state; the session's writes stay in memory
    head = view.head()
    if head is None:
        raise SessionError("the chain has no committed checkpoint to anchor to")
    cid, chkp_root = head["id"], tuple(head["chkp_root"])
    if checkpoint_id is not None and checkpoint_id != cid:
        raise SessionError(f"stale checkpoint: the session was to anchor to checkpoint {checkpoint_id}, the chain's "
                           f"latest is {cid}")
    if not 0 <= user_id < 1 << view.heights.gusr:
        raise SessionError(f"user id {user_id} is outside the user tree")
    anchored = tuple(view.gusr.leaf(user_id))
    pk = tuple(int(x) for x in key.public_key)
    if resume is not None:
        _check_resume(resume, user_id, cid, register, nonce, circuits)
        register, nonce = resume.register, resume.nonce
    if register:
        if view.record("user", user_id) is not None or any(anchored):
            raise SessionError(f"user {user_id} is already registered")
        view.register_user(user_id, pk)
    else:
        if view.record("user", user_id) is None:
            raise SessionError(f"user {user_id} is not registered at checkpoint {cid}")
        if tuple(UserLeaf.from_felts(anchored).public_key) != pk:
            raise SessionError(f"the key is not user {user_id}'s (its public key differs from the one in their leaf)")
    start = UserLeaf.from_felts(anchored)
    new_nonce = start.nonce + 1 if nonce is None else int(nonce)
    if not start.nonce < new_nonce < 1 << 32:
        raise SessionError(f"the nonce must increase: user {user_id}'s nonce is {start.nonce}, the session's "
                           f"{new_nonce}")

    anchor = {"chkp_root": list(chkp_root), "checkpoint_id": cid, "chkp_path": _hashes(view.chkp.siblings(cid)),
              "gcon_root": list(head["gcon_root"]), "gusr_root": list(head["gusr_root"]),
              "stats_hash": list(head["stats_hash"]), "user_id": user_id, "anchored_leaf": list(anchored),
              "gusr_path": _hashes(view.gusr.siblings(user_id)), "register": register, "public_key": list(pk)}
    no_call = {"has_call": False, "cfc": _dummy(shape, 4), "contract_id": 0, "contract_leaf": [0] * 14,
               "gcon_path": [[0] * 4] * view.heights.gcon, "method_id": 0, "method_index": 0,
               "cft_path": [[0] * 4] * view.heights.cft, "ucon_leaf": [0] * 4,
               "ucon_path": [[0] * 4] * view.heights.ucon, "args_hash": [0] * 4, "end_root": [0] * 4,
               "outputs_hash": [0] * 4}
    step_fp = clock.run("compile", circuits.step_fingerprint)
    result_writes, outputs, steps, step_inputs = [], [], [], []
    prev, done = None, 0
    if resume is not None:  # the session so far: its writes on the view, its last step to verify next
        for contract, writes in resume.writes:
            view.write_slots(user_id, contract, writes)
        result_writes, outputs = list(resume.writes), list(resume.outputs)
        steps, step_inputs, prev = list(resume.steps), list(resume.witness.get("steps", [])), resume.steps[-1]
        done = resume.calls
        if leaf_hash(view.gusr.leaf(user_id)) != tuple(prev[0].public_inputs[14:18]):
            raise SessionError("the session to resume does not match its own writes (its last step proves another "
                               "user leaf): prove it again from the start")
        if not calls:
            raise SessionError("nothing to resume the session with: no new call")
    try:
        for k, call in enumerate([*calls] or [None], start=done):
            leaf = list(view.gusr.leaf(user_id))
            inputs = {"step_fp": step_fp, "first": prev is None,
                      "prev": _dummy(shape, STATE_LEN) if prev is None else ProofArg(*prev, "the previous step"),
                      **anchor, "leaf": leaf, **no_call}
            if call is not None:
                inputs.update(clock.run("cfc", _call_witness, view, user_id, call, contracts, k, shape,
                                        result_writes, outputs))
            step_inputs.append(inputs)
            run = clock.run("step", circuits.step.execute, inputs)
            proof = clock.run("step", circuits.step.prove, run)
            prev = (proof, circuits.step_key)
            steps.append(prev)
        state = list(prev[0].public_inputs)
        tx_stack = state[18:22]
        cur = UserLeaf.from_felts(view.gusr.leaf(user_id))
        if leaf_hash(cur.felts()) != tuple(state[14:18]):
            raise SessionError("internal: the step's user leaf is not the executed one")
        end = replace(cur, nonce=new_nonce, last_checkpoint_id=cid)
        start_hash, end_hash = leaf_hash(anchored), leaf_hash(end.felts())
        message = signed_message(chkp_root, start_hash, end_hash, tx_stack, new_nonce)
        scheme = scheme or _scheme_for(key, shape)
        sig, sig_vk = clock.run("sign", scheme.sign, key, message)
        end_inputs = {"last": ProofArg(*prev, "the last step"), "start_leaf": list(anchored),
                      "leaf": list(cur.felts()), "nonce": new_nonce, "sig": ProofArg(sig, sig_vk, "the signature"),
                      "param": list(key.param), "whitelist": [int(x) for x in whitelist]}
        run = clock.run("end cap", circuits.end.execute, end_inputs)
        end_cap = clock.run("end cap", circuits.end.prove, run)
    except (ExecutionError, CompileError) as e:
        raise SessionError(f"the session does not prove: {_message(e)}") from e
    except SignatureError as e:
        raise SessionError(f"cannot sign the session: {e}") from None
    transition = Transition.from_felts(end_cap.public_inputs)
    return SessionResult(user_id, cid, chkp_root, register, start, end, new_nonce, tx_stack, transition, end_cap,
                         circuits.end_key, result_writes, outputs, steps, clock.wall, clock.cpu,
                         {"steps": step_inputs, "end": end_inputs, "message": message},
                         calls=done + len(calls))


def _check_resume(resume: SessionResult, user_id: int, cid: int, register: bool, nonce: int | None,
                  circuits: SessionCircuits) -> None:
    """Refuse to continue a session that is not this user's open session at this checkpoint."""
    if resume.user_id != user_id:
        raise SessionError(f"the session to resume is user {resume.user_id}'s, not user {user_id}'s")
    if resume.checkpoint_id != cid:
        raise SessionError(f"stale session: the session to resume anchors to checkpoint {resume.checkpoint_id}, the "
                           f"chain's latest is {cid}; prove its calls again")
    if register and not resume.register:
        raise SessionError("the session to resume does not register the user")
    if nonce is not None and int(nonce) != resume.nonce:
        raise SessionError(f"the session to resume has nonce {resume.nonce}; its continuation cannot change it "
                           f"to {nonce}")
    if not resume.steps:
        raise SessionError("the session to resume has no step proof to continue from")
    proof, key = resume.steps[-1]
    if list(key.fingerprint) != list(circuits.step_key.fingerprint) or len(proof.public_inputs) != STATE_LEN:
        raise SessionError("the session to resume was proved with other session circuits (another shape)")


def _message(e) -> str:
    if hasattr(e, "message"):
        return e.message
    diags = getattr(e, "diagnostics", None)
    return diags[0].message if diags else str(e)


def _scheme_for(key, shape):
    """The scheme that signs with ``key`` for ``shape`` (its module in psyc.sig.registry): a
    session is signed by any single key; t-of-n keys need their members' signatures
    combined (``psyc sign``), passed as ``scheme=``."""
    from psyc.sig.registry import scheme_module

    name = getattr(key, "scheme", "zk")
    if name == "multisig":
        raise SessionError("a multisig key signs a session with its members' signatures combined: pass scheme=…")
    return scheme_module(name).scheme_for(key, shape)


def _call_witness(view: ChainState, user_id: int, call: Call, contracts, k: int, shape, writes: list,
                  outputs: list) -> dict:
    """Execute and prove call ``k`` on ``view`` (its writes applied there), and the step's
    witness for it."""
    from psyc.ir.interpret import ExecutionError
    from psyc.project.inputs import ProofArg

    where = f"call {k + 1} ({call.method} on contract {call.contract})"
    compiled = contracts.get(call.contract)
    if compiled is None:
        raise SessionError(f"{where}: no compiled contract given for contract {call.contract}")
    try:
        deployed = view.contract(call.contract)
    except StateError as e:
        raise SessionError(f"{where}: {e}") from None
    contract_leaf = view.gcon.leaf(call.contract)
    if tuple(contract_leaf[4:8]) != tuple(compiled.cft_root()):
        raise SessionError(f"{where}: the circuits of `{compiled.name}` are not the deployed contract's "
                           f"(`{deployed['name']}`): its CFCs are not in the contract's function tree")
    try:
        method = compiled.method(call.method)
    except KeyError:
        raise SessionError(f"{where}: `{compiled.name}` has no method `{call.method}`") from None
    if not shape.matches(method.program.circuit().common):
        raise SessionError(f"{where}: `{compiled.name}` was not compiled for this session's shape (use "
                           "session_contract with the same shape)")
    args = call.flat_args()
    if len(args) != len(method.args):
        raise SessionError(f"{where}: `{call.method}` takes {len(method.args)} argument(s), got {len(args)}")
    ucon = view.ucon(user_id)
    ucon_leaf, ucon_path = list(ucon.leaf(call.contract)), _hashes(ucon.siblings(call.contract))
    try:
        run = method.execute(view, user_id, call.contract, args)
    except ExecutionError as e:
        raise SessionError(f"{where}: {e.message}") from None
    proof = run.prove()
    if run.end_root != run.start_root:
        run.apply(view)
        writes.append((call.contract, {s: after for s, (_, after) in run.writes.items()}))
    outputs.append(run.output_value())
    return {"has_call": True, "cfc": ProofArg(proof, method.program.circuit().verifier_data, f"the CFC of {where}"),
            "contract_id": call.contract, "contract_leaf": list(contract_leaf),
            "gcon_path": _hashes(view.gcon.siblings(call.contract)), "method_id": method.id,
            "method_index": method.index, "cft_path": _hashes(view.cft(call.contract).siblings(method.index)),
            "ucon_leaf": ucon_leaf, "ucon_path": ucon_path,
            "args_hash": list(hash_no_pad([x for a in args for x in a])), "end_root": list(run.end_root),
            "outputs_hash": list(hash_no_pad(run.outputs))}
