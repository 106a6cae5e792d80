"""Compile a contract: one contract function circuit (CFC) per ``#[method]``.

A method's circuit takes as private witness the call context, its start CSTATE root, the
anchored checkpoint and its arguments; every storage access becomes a Merkle proof (a
delta proof for writes) whose witness a hint asks the state oracle for
(:mod:`psyc.contracts.runtime`). Its only public inputs are the 4 elements of

    poseidon([contract_id, method_id, args_hash[4], start_root[4], end_root[4],
              outputs_hash[4], checkpoint_root[4], checkpoint_id, user_id])

with ``args_hash = poseidon(arguments, flattened)`` and ``outputs_hash =
poseidon(result, flattened)`` (``poseidon([]) = [0; 4]``). ``ctx.caller`` is the user
(direct calls). The method id is the u32 truncation (element 0 mod 2^32) of
``poseidon(bytes of "name(T1,T2,..)->R")``, stable across compiles.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.compiler import CompiledProgram, CompileOptions, open_project, recursive_config, root_module
from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaborate import DEFAULT_MAX_UNROLL, TV, Binding, Elaborator, Frame, Mode, error
from psyc.frontend.storage import MerkleHandle, OracleSlot, StorageT, footprint, layout_table, state_height
from psyc.frontend.types import FELT, HASH, U32, Array, Struct
from psyc.hash.poseidon import hash_no_pad
from psyc.ir import passes
from psyc.ir.ir import HintFn
from psyc.parth.chain import empty_cstate_root
from psyc.parth.heights import HEIGHTS, Heights
from psyc.parth.leaves import USER_LEAF_LEN
from psyc.plonk.config import CircuitConfig
from psyc.util.diagnostics import CompileError, Diagnostic
from psyc.util.gc_pause import with_gc_paused

if TYPE_CHECKING:
    from psyc.contracts.runtime import MethodRun
    from psyc.frontend.modules import ModuleLoader
    from psyc.parth.chain import ChainState
    from psyc.project.manifest import Project
    from psyc.recursion.shape import StandardShape

_CAPTURE = "method result"
PUBLIC_INPUT_ORDER = ("contract_id", "method_id", "args_hash[4]", "start_root[4]", "end_root[4]",
                      "outputs_hash[4]", "checkpoint_root[4]", "checkpoint_id", "user_id")


def signature(fn: ast.FnDecl, arg_types: list[ty.Type], ret: ty.Type) -> str:
    return f"{fn.name}({','.join(str(t) for t in arg_types)})->{ret}"


def method_id(sig: str) -> int:
    """u32 truncation of the Poseidon hash of the signature's UTF-8 bytes."""
    return hash_no_pad(list(sig.encode()))[0] & 0xFFFFFFFF


class ContractContext:
    """What the elaborator needs while compiling one method: the call context values and
    the oracle the hints ask (``Elaborator.contract``)."""

    def __init__(self, struct: Struct, height: int, heights: Heights, oracle: OracleSlot, values: dict):
        self.struct = struct
        self.height = height
        self.heights = heights
        self.oracle = oracle
        self.values = values  # user_id, contract_id, checkpoint_id (u32), checkpoint_root (4 Felt)
        self.others: dict = {}
        self.handles: list[MerkleHandle] = []

    def state_of(self, el: Elaborator, recv: TV, e: ast.MethodCall) -> TV:
        if len(e.generic_args) != 1 or not isinstance(e.generic_args[0], ast.PathExpr):
            raise error("E0106", "`state_of` takes the contract type: `ctx.state_of::<C>(user)`", e.span)
        g = e.generic_args[0]
        st = el.resolve_struct("::".join(g.segments), g.span) if len(g.segments) == 1 else None
        if st != self.struct:
            raise error("E0904", f"`state_of::<{'::'.join(g.segments)}>`: only the calling contract's state "
                        f"(`{self.struct.name}`) can be read", g.span, "another contract",
                        ["reading other contracts' state needs their contract id: not supported yet"])
        if len(e.args) != 1:
            raise error("E0106", "`state_of` takes one argument, the user id", e.span)
        user = el.expr(e.args[0], U32)
        el.expect_type(U32, user.type, e.args[0].span, " for the user of `state_of`")
        u = user.payload
        key = ("c", u.const) if u.const is not None else ("v", u.id)
        if key in self.others:
            return self.others[key]
        h = self.heights
        sizes = [4, 4, 4, 4 * h.chkp, USER_LEAF_LEN, 4 * h.gusr, 4, 4 * h.ucon]
        oracle = self.oracle

        def run(vals: list[int]) -> list[int]:
            return oracle.get().user_proof(vals[0])

        ins = el.prog.emit("hint", [u], ["Felt"] * sum(sizes), e.span, (HintFn("state_of", run),))
        r, parts, pos = list(ins.results), [], 0
        for n in sizes:
            parts.append(r[pos : pos + n])
            pos += n
        gcon, gusr, stats, chkp_path, user_leaf, gusr_path, ucon_leaf, ucon_path = parts

        def hashes(flat):
            return [flat[4 * k : 4 * k + 4] for k in range(len(flat) // 4)]

        v = self.values
        empty = [el.const(x, FELT) for x in empty_cstate_root(self.height)]
        root = el.call_std("std::parth", "user_cstate_root", [
            TV(HASH, v["checkpoint_root"]), TV(U32, v["checkpoint_id"]), TV(Array(HASH, h.chkp), hashes(chkp_path)),
            TV(HASH, gcon), TV(HASH, gusr), TV(HASH, stats),
            TV(U32, u), TV(Array(FELT, USER_LEAF_LEN), user_leaf), TV(Array(HASH, h.gusr), hashes(gusr_path)),
            TV(U32, v["contract_id"]), TV(HASH, ucon_leaf), TV(Array(HASH, h.ucon), hashes(ucon_path)),
            TV(HASH, empty)], e.span).payload
        handle = MerkleHandle(root, self.height, oracle, user=u)
        self.handles.append(handle)
        out = TV(StorageT(self.struct, readonly=True), handle)
        self.others[key] = out
        return out


@dataclass
class ContractMethod:
    name: str
    id: int
    signature: str
    index: int  # position in the contract's function tree
    args: list[tuple[str, ty.Type]]
    output: ty.Type
    program: CompiledProgram
    oracle: OracleSlot
    fn: ast.FnDecl
    contract: CompiledContract = field(repr=False, default=None)
    reads: int = 0
    writes: int = 0
    result_values: list = field(default_factory=list)  # where an execution holds the result's elements

    @property
    def hashes(self) -> int:
        """Poseidon permutations in the circuit (after optimisation)."""
        return sum(1 for i in self.program.program.instrs if i.op == "permute")

    def fingerprint(self) -> list[int]:
        return list(self.program.circuit().verifier_data.fingerprint)

    def execute(self, state: ChainState, user: int, contract: int, args: list[list[int]]) -> MethodRun:
        """Run against a :class:`~psyc.parth.chain.ChainState` (see runtime.execute_method)."""
        from psyc.contracts.runtime import execute_method

        return execute_method(self, state, user, contract, args)

    def abi(self) -> dict:
        return {"name": self.name, "id": self.id, "signature": self.signature, "index": self.index,
                "args": [{"name": n, "type": str(t)} for n, t in self.args], "output": str(self.output),
                "reads": self.reads, "writes": self.writes}


@dataclass
class CompiledContract:
    name: str
    struct: Struct
    slots: int
    height: int
    heights: Heights
    methods: list[ContractMethod]
    project: object
    sources: object

    def method(self, name: str) -> ContractMethod:
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(name)

    def cft_leaves(self) -> list[tuple[list[int], int]]:
        return [(m.fingerprint(), m.id) for m in self.methods]

    def cft_root(self) -> tuple[int, ...]:
        """The function tree root: leaf i = (fingerprint of method i's circuit, method id)."""
        from psyc.parth.leaves import CFT_LEAF_LEN, cft_leaf
        from psyc.parth.tree import SparseMerkleTree

        t = SparseMerkleTree(self.heights.cft, CFT_LEAF_LEN)
        for k, (fp, mid) in enumerate(self.cft_leaves()):
            t.set(k, cft_leaf(fp, mid))
        return t.root

    def abi(self, with_cft: bool = True) -> dict:
        out = {"contract": self.name, "state_slots": self.slots, "state_height": self.height,
               "public_input": list(PUBLIC_INPUT_ORDER),
               "methods": [m.abi() for m in self.methods], "storage": layout_table(self.struct)}
        if with_cft:
            out["cft_root"] = [str(x) for x in self.cft_root()]
            for m, row in zip(self.methods, out["methods"], strict=True):
                row["fingerprint"] = [str(x) for x in m.fingerprint()]
        return out


def _contract_struct(module) -> ast.StructDecl:
    found = [it for it in module.items.values()
             if isinstance(it, ast.StructDecl) and any(a.name == "contract" for a in it.attributes)]
    if len(found) != 1:
        msg = "no #[contract] struct in this file" if not found else "more than one #[contract] struct"
        raise CompileError([Diagnostic.error("E0904", msg, found[1].span if found else None)])
    return found[0]


def compile_contract(path: str | Path = ".", options: CompileOptions | None = None,
                     heights: Heights = HEIGHTS, only: list[str] | None = None) -> CompiledContract:
    """Compile every ``#[method]`` of the project's ``#[contract]`` (or those in ``only``)."""
    project, loader = open_project(path)
    return compile_contract_project(project, loader, options, heights, only)


def is_contract(project: Project, loader: ModuleLoader) -> bool:
    """Whether the project's entry file declares a ``#[contract]`` struct."""
    module = root_module(project, loader)
    return any(isinstance(it, ast.StructDecl) and any(a.name == "contract" for a in it.attributes)
               for it in module.items.values())


@with_gc_paused
def compile_contract_project(project: Project, loader: ModuleLoader, options: CompileOptions | None = None, heights: Heights = HEIGHTS,
                             only: list[str] | None = None) -> CompiledContract:
    options = options or CompileOptions()
    module = root_module(project, loader)
    decl = _contract_struct(module)
    max_unroll = options.max_unroll or project.max_unroll or DEFAULT_MAX_UNROLL
    probe = Elaborator(loader, Mode.CONSTRAINED, max_unroll)
    probe.frame = Frame(module, None, False)
    st = probe.resolve_struct(decl.name, decl.span)
    slots = footprint(st)
    height = state_height(slots)
    impls = module.impls.get(decl.name, {})
    entries = [fn for fn in impls.values() if any(a.name == "method" for a in fn.attributes)]
    for fn in impls.values():
        for a in fn.attributes:
            if a.name not in ("method",):
                raise error("E0904", f"unknown attribute `#[{a.name}]` on a contract method", a.span)
        if fn.receiver is None and any(a.name == "method" for a in fn.attributes):
            raise error("E0904", f"#[method] `{fn.name}` needs a `&self` or `&mut self` receiver", fn.span)
    if not entries:
        raise error("E0904", f"contract `{decl.name}` has no #[method]", decl.span,
                    notes=["mark the public entry points with #[method] in an `impl` block"])
    if only:
        unknown = [n for n in only if n not in impls]
        if unknown:
            raise error("E0100", f"no method `{unknown[0]}` on `{decl.name}`", None,
                        notes=[f"methods: {', '.join(fn.name for fn in entries)}"])
        helpers = [n for n in only if not any(a.name == "method" for a in impls[n].attributes)]
        if helpers:
            raise error("E0901", f"`{helpers[0]}` is not a #[method] of contract `{decl.name}`",
                        impls[helpers[0]].span, "not an entry point",
                        ["only methods marked #[method] can be called from outside the contract"])
    compiled = CompiledContract(decl.name, st, slots, height, heights, [], project, loader.sources)
    for k, fn in enumerate(entries):
        if only and fn.name not in only:
            continue
        m = _compile_method(project, loader, module, st, height, heights, fn, k, options, max_unroll)
        m.contract = compiled
        compiled.methods.append(m)
    return compiled


def _compile_method(project, loader, module, st: Struct, height: int, heights: Heights, fn: ast.FnDecl, index: int,
                    options: CompileOptions, max_unroll: int) -> ContractMethod:
    t0 = time.perf_counter()
    el = Elaborator(loader, Mode.CONSTRAINED, max_unroll)
    el.prog.name = f"{st.name}::{fn.name}"
    el.frame = Frame(module, fn, False)
    el.scopes = [{}]
    span = fn.span
    counter = [0]

    def inp(name: str, t: ty.Type):
        return el._entry_payload(t, ast.Param(name, ast.NamedType("u32", span), False, span), counter)

    contract_id, user_id, checkpoint_id = inp("contract_id", U32), inp("user_id", U32), inp("checkpoint_id", U32)
    checkpoint_root, start_root = inp("checkpoint_root", HASH), inp("start_root", HASH)
    oracle = OracleSlot()
    values = {"contract_id": contract_id, "user_id": user_id, "checkpoint_id": checkpoint_id,
              "checkpoint_root": checkpoint_root}
    el.contract = ContractContext(st, height, heights, oracle, values)
    handle = MerkleHandle(start_root, height, oracle)
    el.scopes[0]["self"] = Binding(StorageT(st), handle, fn.receiver == "&mut self", span)
    args, arg_vals = [], []
    for p in fn.params:
        t = el.resolve_type(p.type)
        if isinstance(t, Struct) and t.name == "Ctx" and t.module == "std::parth":
            el.scopes[0][p.name] = Binding(t, (user_id, contract_id, checkpoint_id, user_id), False, p.span)
            continue
        if isinstance(t, ty.ProofT):
            raise error("E0904", "a contract method cannot take a proof argument", p.span)
        payload = el._entry_payload(t, p, counter)
        el.scopes[0][p.name] = Binding(t, payload, False, p.span)
        args.append((p.name, t))
        arg_vals.append(TV(t, payload))
    ret_t = el.resolve_type(fn.ret) if fn.ret is not None else ty.UNIT
    el.stack.append((module.name, f"{st.name}::{fn.name}"))
    try:
        result = el.fn_body(fn, ret_t)
    except RecursionError:
        raise error("E0303", "the method nests too deeply to compile", fn.span) from None
    el.check_imports()
    sig = signature(fn, [t for _, t in args], ret_t)
    mid = method_id(sig)

    def felts(tvs: list[TV]) -> list:
        out = []
        for v in tvs:
            for x in ty.flatten(v.type, v.payload):
                out.append(x if x.type == "Felt" else el.emit1("cast", (x,), "Felt", span))
        return out

    def poseidon(xs: list) -> list:
        return el.call_std("std::hash", "poseidon", [TV(Array(FELT, len(xs)), xs)], span).payload

    args_hash = poseidon(felts(arg_vals))
    res_felts = felts([result])
    if res_felts:  # the interpreter's value of the result is read back from this hint (see result_values)
        cap = el.prog.emit("hint", res_felts, ["Felt"] * len(res_felts), span, (HintFn(_CAPTURE, list),))
        for a, b in zip(cap.results, res_felts, strict=True):
            el.prog.emit("assert_eq", (a, b), (), span, ("internal: the method result capture",))
    outputs_hash = poseidon(res_felts)
    c = el.const
    pi = poseidon([*felts([TV(U32, contract_id)]), c(mid, FELT), *args_hash, *start_root, *handle.root,
                   *outputs_hash, *checkpoint_root, *felts([TV(U32, checkpoint_id), TV(U32, user_id)])])
    for x in pi:
        el.prog.emit("output", (x,), (), fn.ret.span if fn.ret is not None else span)
    t1 = time.perf_counter()
    stats = passes.optimize(el.prog) if options.optimize else {}
    config = options.config or CircuitConfig.standard()
    zk = options.zero_knowledge if options.zero_knowledge is not None else project.zero_knowledge
    shape = options.shape
    if options.recursive:  # a CFC that a session step verifies without wrapping
        shape, config = recursive_config(shape, zk, fn.span)
    elif zk != config.zero_knowledge:  # as compile_project: psy.toml's [compile] zero_knowledge
        config = dataclasses.replace(config, zero_knowledge=zk)
    params = [("contract_id", U32, False), ("user_id", U32, False), ("checkpoint_id", U32, False),
              ("checkpoint_root", HASH, False), ("start_root", HASH, False), *[(n, t, False) for n, t in args]]
    prog = CompiledProgram(project, loader.sources, el.prog, params, HASH, [], {"elaborate": t1 - t0,
                           "optimize": time.perf_counter() - t1}, stats, config, shape,
                           options.recursive)
    reads = handle.reads + sum(h.reads for h in el.contract.handles)
    captured = next((list(i.results) for i in el.prog.instrs if i.op == "hint" and i.attrs[0].name == _CAPTURE), [])
    return ContractMethod(fn.name, mid, sig, index, args, ret_t, prog, oracle, fn, reads=reads, writes=handle.writes,
                          result_values=captured)


def session_contract(path: str | Path, shape: StandardShape | None = None) -> CompiledContract:
    """A contract compiled for sessions: every method's CFC ``recursive`` (of the standard
    shape, verified by a step without wrapping). Its :meth:`cft_leaves` are what to deploy."""
    from psyc.recursion.shape import standard_shape

    shape = shape or standard_shape()
    return compile_contract(path, CompileOptions(shape=shape, config=shape.config, recursive=True))
