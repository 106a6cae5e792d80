"""Cold start of ``psyc demo``: first run on empty caches, second run, compile time per kernel.

Usage::

    python benchmarks/cold_start.py [--json OUT] [--serial] [--no-latency] [-- CLI ARGS]

The caches are emptied without touching the installation: ``NUMBA_CACHE_DIR`` and
``PSYC_CACHE_DIR`` point at a fresh temporary folder, so every numba kernel and every
generated module (gate evaluators, Poseidon) is compiled again, exactly as after a fresh
``pip install``. The first run records each kernel's compile time through numba's event
API, in every process (``PSYC_COMPILE_LOG``, :mod:`psyc.util.jit_notice`: the first run
compiles on every core, :mod:`psyc.backend_cpu.warmup`; ``--serial`` turns that off), as
exclusive time (a kernel compiled while compiling its caller is not counted twice); the
second run, on the now warm caches, is the everyday figure. The JIT overhead is the
difference of the two runs (wall time, and CPU time of all processes, which a loaded
machine does not inflate as much, and parallel compiles do not shorten).

Then ``psyc --help``, ``psyc check`` of a small program and ``psyc verify`` of its proof
are timed as whole processes on the warm caches (best of 5, wall and CPU), each also
listing whether it imported numba or sympy. Python may write bytecode (an installed
package has its ``.pyc`` files; ``PYTHONDONTWRITEBYTECODE`` is dropped for the runs).

Prints a Markdown table (the format of ``docs/benchmarks.md``); ``--json`` also writes the
raw figures. For a truly fresh install (new venv, ``pip install .``) run the same
``psyc demo`` twice by hand: the figures agree with this script's, since a new venv only
adds pip's own time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds of the child, exit code, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode, proc.stdout + proc.stderr


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def measure(cli_args: list[str], keep: Path | None = None, serial: bool = False, latency: bool = True) -> dict:
    """First and second run of ``psyc CLI_ARGS`` on empty caches; compile times of the first
    (``serial``: without the parallel first-run compile, :mod:`psyc.backend_cpu.warmup`)."""
    tmp = Path(tempfile.mkdtemp(prefix="psyc-cold-")) if keep is None else keep
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NUMBA_CACHE_DIR"] = str(tmp / "numba")
    env["PSYC_CACHE_DIR"] = str(tmp / "psyc")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if serial:
        env["PSYC_PARALLEL_COMPILE"] = "0"
    log = tmp / "compiles.jsonl"  # every process's compilations (psyc.util.jit_notice)
    env["PSYC_COMPILE_LOG"] = str(log)
    load_before = os.getloadavg()[0]
    first_s, first_cpu, rc1, out1 = _run([sys.executable, "-m", "psyc.cli.main", *cli_args], env)
    if rc1 != 0:
        raise SystemExit(f"first run failed (exit {rc1}):\n{out1}")
    compiles = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    env.pop("PSYC_COMPILE_LOG")
    second_s, second_cpu, rc2, out2 = _run([sys.executable, "-m", "psyc.cli.main", *cli_args], env)
    if rc2 != 0:
        raise SystemExit(f"second run failed (exit {rc2}):\n{out2}")
    return {
        "latency_s": latencies(env) if latency else {},
        "load_average": (load_before, os.getloadavg()[0]),
        "command": "psyc " + " ".join(cli_args),
        "machine": _machine(),
        "date": time.strftime("%Y-%m-%d"),
        "first_s": first_s,
        "second_s": second_s,
        "jit_overhead_s": first_s - second_s,
        "first_cpu_s": first_cpu,
        "second_cpu_s": second_cpu,
        "jit_overhead_cpu_s": first_cpu - second_cpu,
        "compiles": compiles,
        "processes": len({c["pid"] for c in compiles}),
        "parallel_compile": not serial,
        "cache_dir": str(tmp),
    }


_PROBE = r"""
import runpy, sys
try:
    runpy.run_module("psyc.cli.main", run_name="__main__")
finally:
    heavy = [m for m in ("numba", "sympy") if m in sys.modules]
    sys.stderr.write("\nheavy-imports: " + ",".join(heavy) + "\n")
"""


def latencies(env: dict[str, str], repeat: int = 5) -> dict[str, dict]:
    """Quick commands as whole processes (warm caches): ``--help``, ``check`` of a small
    program, ``verify`` of its proof. Per command: best-of-``repeat`` wall and CPU
    seconds (``wall_s``, ``cpu_s``) and the heavy modules it imported (``heavy``)."""
    work = Path(tempfile.mkdtemp(prefix="psyc-latency-"))
    project = work / "hash_chain"
    shutil.copytree(ROOT / "examples" / "hash_chain", project)
    psyc = [sys.executable, "-m", "psyc.cli.main"]
    proof = work / "p.proof"
    _, _, rc, out = _run([*psyc, "prove", str(project), "-o", str(proof)], env)
    if rc != 0:
        raise SystemExit(f"prove failed (exit {rc}):\n{out}")
    _, _, rc, out = _run([*psyc, "verify", str(proof)], env)  # a first verify fills its caches
    if rc != 0:
        raise SystemExit(f"verify failed (exit {rc}):\n{out}")
    cases = {
        "psyc --help": [*psyc, "--help"],
        "psyc check (examples/hash_chain)": [*psyc, "check", str(project)],
        "psyc verify (its proof)": [*psyc, "verify", str(proof)],
    }
    best = {}
    for name, cmd in cases.items():
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu, rc, out = _run(cmd, env)
            if rc != 0:
                raise SystemExit(f"{name} failed (exit {rc}):\n{out}")
            walls.append(wall)
            cpus.append(cpu)
        _, _, _, out = _run([sys.executable, "-c", _PROBE, *cmd[3:]], env)
        heavy = out.rsplit("heavy-imports: ", 1)[-1].strip()
        best[name] = {"wall_s": min(walls), "cpu_s": min(cpus), "heavy": heavy or "none"}
    return best


def kernel_table(compiles: list[dict]) -> list[tuple[str, int, float]]:
    """(kernel, signatures compiled, exclusive seconds), slowest first."""
    by: dict[str, list[float]] = {}
    for c in compiles:
        by.setdefault(c["kernel"], []).append(c["exclusive_s"])
    return sorted(((k, len(v), sum(v)) for k, v in by.items()), key=lambda r: -r[2])


def markdown(result: dict, top: int = 25) -> str:
    rows = kernel_table(result["compiles"])
    total = sum(r[2] for r in rows)
    lines = [
        f"`{result['command']}` on empty caches — {result['machine']}, {result['date']}, "
        f"load average {result['load_average'][0]:.1f} at the start, {result['load_average'][1]:.1f} at the end; "
        f"kernels compiled by {result['processes']} process(es)",
        "",
        "| run | wall | CPU |",
        "|---|---|---|",
        f"| first (empty caches) | {result['first_s']:.1f} s | {result['first_cpu_s']:.1f} s |",
        f"| second (warm caches) | {result['second_s']:.1f} s | {result['second_cpu_s']:.1f} s |",
        f"| **JIT overhead** (first − second) | **{result['jit_overhead_s']:.1f} s** "
        f"| **{result['jit_overhead_cpu_s']:.1f} s** |",
        "",
        "| command (warm caches, whole process, best of 5) | wall | CPU | imports numba/sympy |",
        "|---|---|---|---|",
        *(
            f"| `{k}` | {v['wall_s']:.2f} s | {v['cpu_s']:.2f} s | {v['heavy']} |"
            for k, v in result["latency_s"].items()
        ),
        "",
        f"Compile time per kernel ({len(rows)} kernels, {len(result['compiles'])} signatures, "
        f"{total:.1f} s in all; CPU time of the compiling thread, exclusive of nested compiles):",
        "",
        "| kernel | signatures | compile |",
        "|---|---|---|",
    ]
    for name, n, secs in rows[:top]:
        lines.append(f"| `{name}` | {n} | {secs:.1f} s |")
    if len(rows) > top:
        rest = rows[top:]
        lines.append(f"| {len(rest)} others | {sum(r[1] for r in rest)} | {sum(r[2] for r in rest):.1f} s |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    ap.add_argument("--top", type=int, default=25, help="kernels listed in the table")
    ap.add_argument("--serial", action="store_true", help="compile in one process (PSYC_PARALLEL_COMPILE=0)")
    ap.add_argument("--no-latency", action="store_true", help="skip the --help / check / verify timings")
    ap.add_argument("cli", nargs="*", default=["demo"], help="psyc arguments (default: demo)")
    args = ap.parse_args()
    result = measure(args.cli or ["demo"], serial=args.serial, latency=not args.no_latency)
    print(markdown(result, args.top))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
