"""A first run compiles the prover's kernels in parallel processes (issue 11).

numba compiles one kernel at a time on one thread, so on a fresh install the first proof
spent about a minute compiling with every other core idle. When the CLI creates the CPU
backend and this installation's kernels have never been compiled into this cache, the
kernels a proof uses (:data:`UNITS`, with the argument types the prover calls them with)
are split across one process per core: this process compiles its share while the others
compile theirs; each writes numba's on-disk cache (atomically, file by file), and this
process loads the others' kernels from it when it first calls them. Then a marker file
records that the cache is warm, so later runs skip all this.

Nothing here can change a result: a kernel missing from the table, or compiled for other
argument types, is compiled lazily on its first call as before; a child that fails costs
only time. ``tests/test_warmup.py`` checks that the table covers what a proof calls.
``PSYC_PARALLEL_COMPILE=0`` turns it off (the tests do: their workers compile anyway).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from psyc.util import jit_notice
from psyc.util.cachedir import cache_dir

ENV = "PSYC_PARALLEL_COMPILE"


class Unit:
    """Kernels compiled together in one process (a caller with the kernels it calls: a
    callee compiled by two processes would be compiled twice), with about the CPU seconds
    they took to compile on a 2-core AMD EPYC (only to balance the processes). ``module`` is a module name, or
    ``module:attribute`` for a module held in an attribute (the generated Poseidon);
    ``kernels`` lists (kernel name, signatures in numba's syntax)."""

    __slots__ = ("module", "kernels", "seconds")

    def __init__(self, module: str, kernels: tuple[tuple[str, tuple[str, ...]], ...], seconds: float) -> None:
        self.module, self.kernels, self.seconds = module, kernels, seconds


_F = "psyc.field.field_kernels"
_N = "psyc.poly.ntt_kernels"
_R = "psyc.backend_cpu.fri_kernels"
_K = "psyc.backend_cpu.plonk_kernels"
_V = "psyc.backend_cpu.gate_vm"
_H = "psyc.hash.poseidon_kernels:_module"  # the generated Poseidon module

#: Kernel sources outside this package (relative to psyc/), part of the warm-cache marker.
_OTHER_KERNEL_FILES = (
    "field/field_kernels.py",
    "field/ext_kernels.py",
    "poly/ntt_kernels.py",
    "hash/poseidon_kernels.py",
    "hash/templates/poseidon.py.j2",
    "util/threads.py",
)

_U1, _U2, _I1, _I2 = "uint64[::1]", "uint64[:, ::1]", "int64[::1]", "int64[:, ::1]"
_RO1 = "Array(uint64, 1, 'C', readonly=True)"  # a cached twiddle table
_SRC = f"UniTuple({_U2}, 6)"  # the tape VM's sources


def _sig(*args: str) -> str:
    return "(" + ", ".join(args) + ("," if len(args) == 1 else "") + ")"


#: Every kernel a proof calls from Python (``psyc demo``, ``psyc demo --program``, the
#: examples), with the argument types it passes (numba's syntax), and the callees compiled
#: with them (listed so the test can compare the table
#: with what a proof compiled; compiling one again only finds it in memory).
UNITS: tuple[Unit, ...] = (
    Unit(_H, (
        ("permute_lanes", (_sig(_U2),)),
        ("sponge_range", (_sig("int64", _U2, _U2, "int64", "int64"),)),
        ("grind", (_sig(_U1, _U1, "int64", "int64", "int64"),)),
    ), 11.5),
    Unit(_H, (
        ("_sbox", (_sig("uint64"),)),
        ("_rounds", (_sig(_U1, _U2),)),
        ("permute_inplace", (_sig(_U1),)),
        ("gate_trace", (_sig(_U1, _U2),)),
    ), 3.2),
    Unit(_V, (
        ("_run_block", (_sig(_I2, _U1, _U2, _U1, _U1, _SRC, _I1, _U1, "int64", "int64"),)),
        ("_accumulate_blocks", (_sig(_I2, _U1, "int64", _I1, _SRC, _I1, _U1, _U1, _U1, _U1, _U2, "int64", "int64"),)),
    ), 9.4),
    Unit(_F, (("_add_kernel", (_sig(_U1, _U1, _U1),)),), 1.1),
    Unit(_F, (("_sub_kernel", (_sig(_U1, _U1, _U1),)),), 1.4),
    Unit(_F, (("_mul_kernel", (_sig(_U1, _U1, _U1),)),), 1.3),
    Unit(_F, (("_scale_kernel", (_sig(_U1, "uint64", _U1),)),), 1.1),
    Unit(_F, (("_powers_kernel", (_sig("uint64", "uint64", _U1),)),), 3.8),
    Unit(_F, (
        ("_batch_inverse_serial", (_sig(_U1, _U1, "int64", "int64"),)),
        ("_batch_inverse_kernel", (_sig(_U1, _U1),)),
    ), 4.5),
    Unit(_N, (
        ("_dif_stages", (_sig(_U1, _RO1, "int64", "int64"),)),
        ("dif_serial", (_sig(_U1, _RO1),)),
        ("dif_rows", (_sig(_U2, _RO1, "int64", "int64"),)),
        ("coset_lde_rows", (_sig(_U2, _U2, _RO1, "uint64", "int64", "int64"),)),
    ), 7.5),
    Unit(_N, (
        ("_bit_reverse_index", (_sig("int64", "int64"), _sig("uint64", "int64"))),
        ("bit_reverse_permutation", (_sig(_U1, _U1, "int64"),)),
        ("bit_reverse_rows", (_sig(_U2, _U2, "int64"),)),
    ), 2.9),
    Unit(_N, (("scale_rows_by_powers", (_sig(_U2, _U2, "uint64", "uint64"),)),), 2.9),
    Unit(_R, (("combine_rows", (_sig(_U2, _U2, _U2),)),), 4.1),
    Unit(_R, (("divide_by_linear", (_sig(_U2, "uint64", "uint64", _U2),)),), 4.0),
    Unit(_R, (("ext_powers", (_sig("uint64", "uint64", "int64"),)),), 3.2),
    Unit(_R, (("fold_coeffs", (_sig(_U2, "int64", "uint64", "uint64", _U2),)),), 4.0),
    Unit(_R, (("scaled_add", (_sig(_U2, _U2, "uint64", "uint64"),)),), 3.6),
    Unit(_K, (("divide_by_zh", (_sig(_U2, _U1),)),), 2.2),
    Unit(_K, (("running_sum", (_sig(_U1, _U1),)),), 0.5),
    Unit(_K, (("z_and_partial_products", (_sig(_U2, _U2, _U1, _U2),)),), 1.0),
)  # fmt: skip


_state = {"enabled": False, "done": False}


def enable() -> None:
    """Let :func:`ensure_compiled` run (the CLI enables it; library users compile lazily)."""
    _state["enabled"] = True


def _marker() -> Path:
    """The marker of a warm cache: named by everything that decides whether numba's cache
    holds these kernels (their sources, numba, Python, where the cache is)."""
    import hashlib

    here = Path(__file__).resolve().parent
    psyc_root = here.parent
    h = hashlib.sha256()
    # this package's kernels, and the kernels of field, poly and hash that UNITS lists or
    # that they inline (all used to live here; any change must warm the cache up again)
    kernel_files = [*here.glob("*.py"), *here.glob("templates/*.j2")]
    kernel_files += [psyc_root / name for name in _OTHER_KERNEL_FILES]
    for path in sorted(set(kernel_files)):
        h.update(str(path.relative_to(psyc_root)).encode() + path.read_bytes())
    import numba

    h.update(f"{numba.__version__}|{sys.version}|{os.environ.get('NUMBA_CACHE_DIR', '')}|{here}".encode())
    return cache_dir() / "kernels" / f"compiled-{h.hexdigest()[:16]}"


def ensure_compiled() -> None:
    """On the first run into this cache (and where enabled), compile :data:`UNITS` in one
    process per core, this one included; return when all are compiled."""
    if not _state["enabled"] or _state["done"] or os.environ.get(ENV, "1") == "0":
        return
    _state["done"] = True
    marker = _marker()
    procs = min(os.cpu_count() or 1, len(UNITS))
    if marker.exists() or procs < 2:
        return
    import subprocess

    jit_notice.announce(f" in {procs} processes")
    # run from the folder holding this psyc (so `-m` finds this one, not a `psyc/` in the
    # user's folder), with the cache folders made absolute for that
    env = {**os.environ, ENV: "0"}
    for var in ("NUMBA_CACHE_DIR", "PSYC_CACHE_DIR", jit_notice.LOG_ENV):
        if env.get(var):
            env[var] = os.path.abspath(env[var])
    children = [
        subprocess.Popen(
            [sys.executable, "-m", __name__, str(k), str(procs)],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for k in range(1, procs)
    ]
    ok = True
    try:
        ok = compile_share(0, procs)
    finally:
        for child in children:
            ok = child.wait() == 0 and ok
    if ok:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # an unwritable cache: the next run warms up again, still correct


def shares(procs: int) -> list[list[Unit]]:
    """:data:`UNITS` in ``procs`` groups of about equal compile time (longest first, each
    to the least loaded group)."""
    groups: list[list[Unit]] = [[] for _ in range(procs)]
    load = [0.0] * procs
    for unit in sorted(UNITS, key=lambda u: -u.seconds):
        k = load.index(min(load))
        groups[k].append(unit)
        load[k] += unit.seconds
    return groups


def _resolve(module: str):
    import importlib

    name, _, attr = module.partition(":")
    mod = importlib.import_module(name)
    return getattr(mod, attr) if attr else mod


def compile_share(k: int, procs: int) -> bool:
    """Compile group ``k`` of :func:`shares` (kernels already in the cache only load);
    False if one failed to compile (it will compile lazily when called)."""
    from numba.core.sigutils import normalize_signature

    ok = True
    for unit in shares(procs)[k]:
        mod = _resolve(unit.module)
        for attr, signatures in unit.kernels:
            for sig in signatures:
                try:
                    # a tuple of types, as a call passes: numba's cache is keyed by exactly that
                    getattr(mod, attr).compile(tuple(normalize_signature(sig)[0]))
                except Exception:  # noqa: BLE001 (a wrong table entry costs time, not a result)
                    ok = False
    return ok


def signature_text(args: tuple) -> str:
    """numba argument types in the syntax :data:`UNITS` uses (``uint64[:, ::1]``, …)."""
    from numba.core import types

    def one(t) -> str:
        if isinstance(t, types.Array):
            dims = [":"] * t.ndim
            if t.layout == "C":
                dims[-1] = "::1"
            text = f"{t.dtype}[{', '.join(dims)}]"
            return f"Array({t.dtype}, {t.ndim}, '{t.layout}', readonly=True)" if not t.mutable else text
        if isinstance(t, types.UniTuple):
            return f"UniTuple({one(t.dtype)}, {t.count})"
        if isinstance(t, types.Tuple):
            return f"Tuple(({', '.join(one(x) for x in t.types)},))"
        return str(t)

    return "(" + ", ".join(one(t) for t in args) + ("," if len(args) == 1 else "") + ")"


def compiled_signatures() -> set[tuple[str, str, str]]:
    """(module, kernel, signature) of every kernel this process has compiled or loaded, the
    module named as in :data:`UNITS` (what ``tests/test_warmup.py`` compares with it)."""
    from numba.core.registry import CPUDispatcher

    poseidon = sys.modules.get("psyc.hash.poseidon_kernels")
    kernel_modules = {"psyc." + f.removesuffix(".py").replace("/", ".") for f in _OTHER_KERNEL_FILES}
    named = {
        m.__name__: name for name, m in list(sys.modules.items())
        if name.startswith("psyc.backend_cpu.") or name in kernel_modules
    }
    if poseidon is not None:
        named[poseidon._module.__name__] = "psyc.hash.poseidon_kernels:_module"
    found = set()
    for mod_name, label in named.items():
        for attr, value in vars(sys.modules[mod_name]).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == mod_name:
                found |= {(label, attr, signature_text(sig)) for sig in value.signatures}
    return found


if __name__ == "__main__":
    sys.exit(0 if compile_share(int(sys.argv[1]), int(sys.argv[2])) else 1)
