"""Benchmark cases: each warms up (JIT from the on-disk cache) and reports the best of k runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from psyc.bench.timing import best_of
from psyc.field.goldilocks import P

if TYPE_CHECKING:
    from psyc.recursion.shape import StandardShape


@dataclass(frozen=True)
class Measurement:
    name: str
    size: str
    seconds: float
    rate: float | None = None  # operations per second, where meaningful
    unit: str = ""
    target: str = ""
    extra: str = ""

    def to_json(self) -> dict:
        return asdict(self)


_best = best_of  # the suite's historical name


def _rand(shape, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, P, shape, dtype=np.uint64)


def bench_field(quick: bool, repeat: int) -> Iterator[Measurement]:
    from psyc.field import add_vec, ext_mul_vec, mul_vec

    n = 1 << (20 if quick else 24)
    a, b = _rand(n, 1), _rand(n, 2)
    t = _best(lambda: mul_vec(a, b), repeat)
    yield Measurement("field mul", f"2^{n.bit_length() - 1}", t, n / t, "mul/s", ">= 500 M/s")
    t = _best(lambda: add_vec(a, b), repeat)
    yield Measurement("field add", f"2^{n.bit_length() - 1}", t, n / t, "add/s")
    e1, e2 = a.reshape(-1, 2), b.reshape(-1, 2)
    t = _best(lambda: ext_mul_vec(e1, e2), repeat)
    yield Measurement("ext mul", f"2^{n.bit_length() - 2}", t, (n // 2) / t, "mul/s")


def bench_ntt(quick: bool, repeat: int) -> Iterator[Measurement]:
    from psyc.poly import lde_batch, ntt

    for log_n in (16, 18) if quick else (16, 18, 20):
        c = _rand(1 << log_n)
        t = _best(lambda c=c: ntt(c, bitrev_output=True), repeat)
        yield Measurement("NTT", f"2^{log_n}", t, target="<= 150 ms" if log_n == 20 else "")
    for cols, log_n in ((64, 12), (64, 14)) if not quick else ((16, 12),):
        m = _rand((cols, 1 << log_n))
        t = _best(lambda m=m: lde_batch(m, 3), repeat)
        target = "<= 1 s" if (cols, log_n) == (64, 14) else ""
        yield Measurement("LDE batch x8", f"{cols} x 2^{log_n} -> 2^{log_n + 3}", t, target=target)


def bench_poseidon(quick: bool, repeat: int) -> Iterator[Measurement]:
    from psyc.hash import permute, permute_many

    n = 1 << (16 if quick else 19)
    states = _rand((n, 12))
    t = _best(lambda: permute_many(states), repeat)
    yield Measurement("Poseidon batched", f"2^{n.bit_length() - 1} perms", t, n / t, "perm/s", ">= 500 k/s")
    k = 2000
    t = _best(lambda: [permute(list(range(12))) for _ in range(k)], 1)
    yield Measurement(
        "Poseidon single call", f"{k} calls", t, k / t, "perm/s", extra="Python -> numba per call"
    )


def bench_merkle(quick: bool, repeat: int) -> Iterator[Measurement]:
    from psyc.hash import MerkleTree

    log_n = 14 if quick else 17
    rows = _rand((1 << log_n, 64))
    t = _best(lambda: MerkleTree(rows, 4), max(1, repeat - 1))
    yield Measurement("Merkle tree", f"2^{log_n} rows x 64", t, target="<= 3 s" if log_n == 17 else "")


def bench_fri(quick: bool, repeat: int) -> Iterator[Measurement]:
    from psyc.field import Ext2
    from psyc.fri import FriConfig, FriOracleInfo, PolynomialBatch
    from psyc.fri.pcs import prove_openings, verify_openings

    cfg = FriConfig.standard()
    for log_n, cols in ((12, 64),) if quick else ((12, 64), (14, 64)):
        values = _rand((cols, 1 << log_n))
        points = [Ext2(12345, 678), Ext2(91011, 1213)]
        state = {}

        def prove(values=values, points=points, state=state):
            oracle = PolynomialBatch.from_values(values, cfg.rate_bits, cfg.cap_height)
            state["oracle"] = oracle
            state["proof"] = prove_openings([oracle], points, cfg)

        t_prove = _best(prove, max(1, repeat - 1))
        oracle, proof = state["oracle"], state["proof"]

        def verify(oracle=oracle, proof=proof, points=points, log_n=log_n, cols=cols):
            verify_openings([FriOracleInfo(cols)], [oracle.cap], points, proof, log_n, cfg)

        t_verify = _best(verify, repeat)
        size = len(proof.fri_proof.to_bytes())
        label = f"{cols} polys x 2^{log_n}, 2 points"
        yield Measurement("FRI commit+prove", label, t_prove, extra="standard config, incl. commitment")
        yield Measurement("FRI verify", label, t_verify, extra=f"proof {size / 1024:.1f} KiB")


def _plonk_case(
    label: str, build, repeat: int, target_prove: str, target_verify: str
) -> Iterator[Measurement]:
    from psyc.plonk.prover import Timing

    t = time.perf_counter()
    data, pw = build()
    t_build = time.perf_counter() - t
    state: dict = {}

    def prove():
        state["timing"] = Timing()
        state["proof"] = data.prove(pw, timing=state["timing"])

    t_prove = _best(prove, max(1, repeat - 1))
    t_verify = _best(lambda: data.verify(state["proof"]), repeat)
    size = len(state["proof"].to_bytes())
    rows = f"2^{data.common.degree_bits} rows"
    yield Measurement(f"{label}: build", rows, t_build)
    yield Measurement(f"{label}: prove", rows, t_prove, target=target_prove)
    for phase, secs in state["timing"].phases.items():
        yield Measurement(f"  {phase}", rows, secs, extra="phase of the last prove")
    yield Measurement(
        f"{label}: verify", rows, t_verify, target=target_verify, extra=f"proof {size / 1024:.1f} KiB"
    )


def _poseidon_chain(num_perms: int):
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.witness import PartialWitness

    b = CircuitBuilder()
    x = b.add_virtual_targets(4)
    h = x
    for _ in range(num_perms - 1):  # the public-input hash adds one more
        h = b.two_to_one(h, x)
    b.register_public_inputs(h)
    data = b.build()
    pw = PartialWitness()
    pw.set_targets(x, [1, 2, 3, 4])
    return data, pw


def _arithmetic_mix(num_ops: int):
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.witness import PartialWitness

    b = CircuitBuilder()
    x, y = b.add_virtual_target(), b.add_virtual_target()
    acc = x
    for i in range(num_ops):
        acc = b.mul_add(acc, y, x) if i % 2 else b.arithmetic(3, 5, acc, x, y)
    b.register_public_input(acc)
    data = b.build()
    pw = PartialWitness()
    pw.set_target(x, 3)
    pw.set_target(y, 7)
    return data, pw


def bench_plonk(quick: bool, repeat: int) -> Iterator[Measurement]:
    if quick:
        yield from _plonk_case("Plonk Poseidon x256", lambda: _poseidon_chain(256), repeat, "", "")
        return
    yield from _plonk_case("Plonk Poseidon x4096", lambda: _poseidon_chain(4096), repeat, "<= 4 s", "")
    yield from _plonk_case(
        "Plonk Poseidon x16000", lambda: _poseidon_chain(16000), repeat, "<= 8 s (2^14 rows)", "<= 50 ms"
    )
    yield from _plonk_case(
        "Plonk arithmetic x200k", lambda: _arithmetic_mix(200_000), repeat, "<= 8 s (2^14 rows)", "<= 50 ms"
    )


def _lang_program(tmp: str, body: str) -> str:
    import os

    os.makedirs(os.path.join(tmp, "src"), exist_ok=True)
    with open(os.path.join(tmp, "psy.toml"), "w") as f:
        f.write('[package]\nname = "bench"\n[compile]\nmax_unroll = 4194304\n')
    with open(os.path.join(tmp, "src", "main.psy"), "w") as f:
        f.write(body)
    return tmp


MULADD_CHAIN = """
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    for i in 0..N { acc = acc * y + x; }
    acc
}
"""


def lang_case(steps: int, tmp: str, build: bool = True) -> dict:
    """Compile a multiply-add chain of ``steps`` iterations (2 IR ops each) and run it:
    seconds per stage, IR size before and after the passes, witness speed, rows per op."""
    from psyc.compiler import compile_path

    _lang_program(tmp, MULADD_CHAIN.replace("N", str(steps)))
    t0 = time.perf_counter()
    prog = compile_path(tmp)
    t1 = time.perf_counter()
    run = prog.execute([[3], [5]])
    t2 = time.perf_counter()
    out = {
        "steps": steps,
        "ir_ops_raw": 2 * steps,
        "ir_ops": len(prog.program.instrs),
        "elaborate_s": prog.timings["elaborate"],
        "optimize_s": prog.timings["optimize"],
        "execute_s": t2 - t1,
        "compile_s": t1 - t0,
    }
    if build:
        data = prog.circuit()
        t3 = time.perf_counter()
        out["lower_build_s"] = t3 - t2
        arith_rows = prog.lowered().stats.get("arithmetic", 0)
        out["rows"] = data.common.degree
        out["arith_rows_per_op"] = arith_rows / steps
        low = prog.lowered()
        t4 = time.perf_counter()
        pw = low.partial_witness(run)
        from psyc.plonk.witness_gen import generate_witness

        generate_witness(data, pw)
        out["witness_table_s"] = time.perf_counter() - t4
    del run
    return out


def bench_lang(quick: bool, repeat: int) -> Iterator[Measurement]:
    import tempfile

    sizes = [10_000] if quick else [10_000, 50_000, 100_000, 250_000, 500_000]
    for steps in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            r = lang_case(steps, tmp, build=steps <= 100_000)
        ops = r["ir_ops_raw"]
        yield Measurement("lang compile (elaborate+optimise)", f"{ops:,} IR ops", r["compile_s"],
                          ops / r["compile_s"], "ops/s", "10^6 ops <= 30 s",
                          f"elaborate {r['elaborate_s']:.2f} s, passes {r['optimize_s']:.2f} s, "
                          f"{r['ir_ops']:,} ops after")
        yield Measurement("lang witness (IR interpreter)", f"{r['ir_ops']:,} IR ops", r["execute_s"],
                          r["ir_ops"] / r["execute_s"], "ops/s", ">= 300k ops/s")
        if "rows" in r:
            yield Measurement("lang lower + build circuit", f"2^{r['rows'].bit_length() - 1} rows",
                              r["lower_build_s"], None, "", "",
                              f"{r['arith_rows_per_op']:.4f} arithmetic rows per multiply-add "
                              f"(1/20 = 0.05 ideal); witness table {r['witness_table_s']:.2f} s")


def _fold_setup(quick: bool):
    """(shape, two leaf proofs with keys, whitelist) for the fold benchmarks."""
    from psyc.recursion.shape import standard_shape, test_shape

    return fold_setup(test_shape() if quick else standard_shape())


def fold_setup(shape: StandardShape) -> tuple:
    """(shape, two leaf proofs of ``shape`` with their circuits, whitelist of both): what a
    fold benchmark folds (benchmarks/fold_shape.py compares shapes with it)."""
    from psyc.plonk.witness import PartialWitness
    from psyc.recursion import Whitelist

    leaves = []
    for c in (5, 7):
        b = shape.builder()
        x, y = b.add_virtual_targets(2)
        b.register_public_inputs([x, b.mul_add(x, y, b.constant(c))])
        data = b.build()
        pw = PartialWitness()
        pw.set_targets([x, y], [3, c])
        leaves.append((data.prove(pw), data))
    return shape, leaves, Whitelist([d for _, d in leaves])


def _fold_build_seconds(shape: StandardShape, cached: bool) -> float:
    """Seconds of one fresh build of the level-1 fold circuit of ``shape`` (not the
    process's cached one): with ``cached``, the preprocessed commitment's Merkle tree comes
    from the user's build cache (psyc.plonk.build.cached_commitment); without, the build
    cache is an empty temporary folder, so the tree is hashed as on a first build (the
    user's entries are neither read nor touched; generated code stays cached)."""
    import os
    import tempfile
    from unittest import mock

    from psyc.recursion import fold

    with tempfile.TemporaryDirectory() as tmp:
        store = {} if cached else {"PSYC_BUILD_CACHE_DIR": tmp}  # BuildCache.user()'s folder
        with mock.patch.dict(fold._FOLDS, clear=True), mock.patch.dict(os.environ, store):
            t = time.perf_counter()
            fold.fold_circuit(shape, 1, 2)
            return time.perf_counter() - t


def bench_recursion(quick: bool, repeat: int) -> Iterator[Measurement]:
    """One fold step: a circuit of the standard shape verifying two standard-shape proofs
    (keys as witness, whitelisted) — the unit of aggregation and of the recursive step."""
    from psyc.plonk.keys import proof_to_bytes
    from psyc.plonk.prover import Timing
    from psyc.recursion.aggregate import fold_circuit

    shape, (left, right), whitelist = _fold_setup(quick)
    label = "fold of two (test shape)" if quick else "fold of two (standard shape)"
    fc = fold_circuit(shape, 1, 2)  # fills the build cache (and pays the process's first-build costs)
    rows = f"{fc.data.stats['rows'] + fc.data.stats['prelude_rows']:,} rows (2^{fc.data.common.degree_bits})"
    t_cold = _fold_build_seconds(shape, cached=False)
    t_cached = _fold_build_seconds(shape, cached=True)
    yield Measurement(f"{label}: build, cold", rows, t_cold, extra="constants' commitment not in the build cache")
    yield Measurement(f"{label}: build, cached", rows, t_cached, extra="its Merkle tree from the build cache")
    timing = Timing()

    def prove():
        timing.phases.clear()
        return fc.prove(left, right, whitelist, timing=timing)

    t_prove = _best(prove, repeat)
    proof = prove()
    yield Measurement(f"{label}: prove", rows, t_prove, 1 / t_prove, "folds/s", "<= 6 s, brief: 3 s")
    for phase, secs in timing.phases.items():
        yield Measurement(f"  {phase}", rows, secs, extra="phase of the last prove")
    t_verify = _best(lambda: fc.data.verify(proof), repeat)
    size = len(proof_to_bytes(proof))
    yield Measurement(f"{label}: verify", rows, t_verify, target="<= 50 ms", extra=f"proof {size / 1024:.1f} KiB")


def bench_aggregate(quick: bool, repeat: int) -> Iterator[Measurement]:
    """Aggregate 64 leaf proofs (8 with --quick, test shape) into one root; minutes."""
    from psyc.recursion import aggregate, verify_leaf_opening

    shape, (left, right), whitelist = _fold_setup(quick)
    count = 8 if quick else 64
    leaves = [left if i % 2 == 0 else right for i in range(count)]
    t = time.perf_counter()
    agg = aggregate(leaves, whitelist, shape=shape)
    total = time.perf_counter() - t
    if not verify_leaf_opening(agg.root_proof.public_inputs, agg.opening(count - 1)):
        raise AssertionError("aggregation benchmark: a leaf opening does not verify")
    folds = agg.stats["folds"]
    yield Measurement(
        f"aggregate {count} leaves", f"{folds} folds", total, folds / total, "folds/s", "",
        f"proving {agg.stats['prove_s']:.1f} s, building fold circuits {agg.stats['build_s']:.1f} s",
    )
    t_verify = _best(agg.verify, repeat)
    yield Measurement("aggregate: verify root", f"{count} leaves", t_verify, target="<= 50 ms")


def bench_contracts(quick: bool, repeat: int) -> Iterator[Measurement]:
    """The token of examples/token: per method, rows, Poseidon permutations and prove time
    (transfer and claim; CSTATE height 25, GUSR/CHKP 32, UCON 24)."""
    from pathlib import Path

    import psyc
    from psyc.contracts import compile_contract
    from psyc.parth.chain import ChainState
    from psyc.parth.store import MemoryStore

    project = Path(psyc.__file__).resolve().parent.parent / "examples" / "token"
    if not project.is_dir():
        return  # an installed psyc without the examples
    c = compile_contract(project, only=["mint", "transfer", "claim"])
    st = ChainState(MemoryStore())
    st.deploy(0, "Token", c.height, [])
    for u in (0, 1, 2):
        st.register_user(u)
    c.method("mint").execute(st, 0, 0, [[100]]).apply(st)
    transfer = c.method("transfer").execute(st, 0, 0, [[1], [30]])
    transfer.apply(st)
    st.commit_block()
    runs = {"transfer": transfer, "claim": c.method("claim").execute(st, 1, 0, [[0]])}
    for name, run in runs.items():
        m = c.method(name)
        data = m.program.circuit()
        t = _best(run.prove, repeat)
        yield Measurement(f"contract Token::{name} prove", f"2^{data.common.degree_bits} rows", t,
                          target="<= 2 s" if name == "transfer" else "",
                          extra=f"{m.program.lowered().num_rows} rows used, {m.hashes} permutations, "
                                f"{m.reads} reads, {m.writes} writes, state height {c.height}")


def bench_signatures(quick: bool, repeat: int) -> Iterator[Measurement]:
    """Per signature scheme of ``psyc.sig.registry`` (zk, multisig 2-of-3, and any scheme
    registered there): the signature circuit's rows and the time to sign (prove).
    ``--quick``: proofs verified in circuit (multisig's members) are of the test shape."""
    from psyc.recursion.shape import test_shape
    from psyc.sig.registry import names, scheme_module

    shape = test_shape() if quick else None
    for name in names():
        module = scheme_module(name)
        if not hasattr(module, "bench_case"):
            continue  # a scheme that gives no bench case yet
        t = time.perf_counter()
        case = module.bench_case(shape)
        setup = time.perf_counter() - t
        data = case.program.circuit()
        rows = f"{case.program.lowered().num_rows:,} rows (2^{data.common.degree_bits})"
        t_sign = _best(case.sign, repeat)
        proof, vk = case.sign()
        t_verify = _best(lambda vk=vk, proof=proof: vk.verify(proof), repeat)
        note = f"; {case.note}" if case.note else ""
        yield Measurement(f"signature {case.label}: sign", rows, t_sign, 1 / t_sign, "signatures/s", case.target,
                          f"setup {setup:.1f} s (keys, circuit, fingerprint){note}")
        yield Measurement(f"signature {case.label}: verify", rows, t_verify,
                          extra=f"proof {len(proof.to_bytes()) / 1024:.1f} KiB")


def bench_sessions(quick: bool, repeat: int) -> Iterator[Measurement]:
    """A PARTH user session (issue 16's ≤ 12 s target): one token transfer signed with a zk
    key — the CFC, the step, the signature and the end cap, by stage — and a second call
    continuing the session (CFC, step, a new end cap). Standard shape (``--quick``: the
    small shape, no security); circuits built before timing."""
    from pathlib import Path

    import psyc
    from psyc.contracts import session_contract
    from psyc.parth.chain import ChainState
    from psyc.parth.session import Call, prove_session, session_circuits
    from psyc.parth.store import MemoryStore
    from psyc.recursion.shape import small_shape, standard_shape
    from psyc.sig.zk import ZkScheme

    project = Path(psyc.__file__).resolve().parent.parent / "examples" / "token"
    if not project.is_dir():
        return  # an installed psyc without the examples
    shape = small_shape() if quick else standard_shape()
    token, scheme = session_contract(project, shape), ZkScheme(shape=shape)
    alice, bob = scheme.new_key(), scheme.new_key()
    chain = ChainState(MemoryStore())
    chain.deploy(0, "Token", token.height, token.cft_leaves())
    chain.register_user(0, alice.public_key)
    chain.register_user(1, bob.public_key)
    chain.write_slots(0, 0, {0: (100, 0, 0, 0)})
    chain.commit_block()
    session_circuits(shape)
    for name in ("transfer", "claim"):
        token.method(name).program.circuit()

    def one(resume=None, amount=30):
        return prove_session(chain, 0, alice, [Call(0, "transfer", [1, amount])], contracts={0: token}, shape=shape,
                             scheme=scheme, resume=resume)

    first = one()  # builds the wrapper of the signature circuit (cached per process)
    runs = [one() for _ in range(max(repeat, 1))]
    best = min(runs, key=lambda r: sum(r.timings.values()))
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in best.timings.items() if v >= 0.005)
    rows = f"step {session_circuits(shape).step.lowered().num_rows:,} rows (2^{shape.degree_bits})"
    yield Measurement("session: one transfer (CFC, step, zk signature, end cap)", rows, sum(best.timings.values()),
                      target="<= 12 s" if not quick else "", extra=stages)
    more = min((one(first, 5) for _ in range(max(repeat, 1))), key=lambda r: sum(r.timings.values()))
    yield Measurement("session: a second call continuing it", "CFC, step, end cap", sum(more.timings.values()),
                      extra=", ".join(f"{k} {v:.2f} s" for k, v in more.timings.items() if v >= 0.005))


def bench_gpu(quick: bool, repeat: int) -> Iterator[Measurement]:
    """The GPU kernels (NTT, LDE, Poseidon, Merkle) with the CPU figure beside each
    (``psyc bench --backend gpu``); see psyc.bench.gpu."""
    from psyc.bench.gpu import run

    res = run(repeat=max(repeat, 5), quick=quick, verbose=False)
    for r in res["results"]:
        cpu = f"CPU {r['cpu_seconds'] * 1e3:.2f} ms" if r.get("cpu_seconds") else "CPU not measured"
        yield Measurement(
            f"GPU {r['name']}", r["size"], r["gpu_seconds"], r.get("gpu_rate"), r.get("unit") or "",
            r.get("target", ""), f"{res['gpu']}; {cpu}",
        )


#: Groups left out of a plain ``psyc bench`` (minutes each); run them with ``--only``.
OPTIONAL = {"aggregate", "gpu", "signatures", "sessions"}

BENCHMARKS: dict[str, Callable[[bool, int], Iterator[Measurement]]] = {
    "field": bench_field,
    "ntt": bench_ntt,
    "poseidon": bench_poseidon,
    "merkle": bench_merkle,
    "fri": bench_fri,
    "plonk": bench_plonk,
    "lang": bench_lang,
    "recursion": bench_recursion,
    "aggregate": bench_aggregate,
    "contracts": bench_contracts,
    "signatures": bench_signatures,
    "sessions": bench_sessions,
    "gpu": bench_gpu,
}


def run_benchmarks(names: list[str], quick: bool = False, repeat: int = 3) -> Iterator[Measurement]:
    for name in names:
        yield from BENCHMARKS[name](quick, repeat)
