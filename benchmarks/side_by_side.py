#!/usr/bin/env python3
"""Side-by-side workloads of issue 18, proved through the CLI like a user would.

Two programs, each at two sizes, written as ordinary psyc projects in a scratch folder:

* ``poseidon_chain`` — ``h = hash_two(h, [i, 0, 0, 0])`` N times (one Poseidon permutation
  per link), N = 880 (Noir/Barretenberg's published figure) and 4,096;
* ``muladd_chain`` — ``acc = acc * y + x`` N times, N = 65,520 (snarkjs' figure) and 262,144.

For each, ``psyc compile --json`` and ``psyc prove --json`` run as separate processes, so
compile and prove are reported separately (with the phases ``prove --json`` prints: compiling,
executing, building the circuit, proving, verifying) next to the processes' wall times, which
include interpreter start-up and loading the numba JIT cache. One JSON object goes to
``--out`` (default ``benchmarks/results/side_by_side-DATE-HOST.json``).

Usage::

    python benchmarks/side_by_side.py                 # all four sizes
    python benchmarks/side_by_side.py --quick         # the two small sizes only
    python benchmarks/side_by_side.py --only poseidon_chain --sizes 880

Compare runs as ratios taken on one machine in one run; the repeat count keeps the best.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

POSEIDON_CHAIN = """\
// {n} chained Poseidon hashes (issue 18's side-by-side workload).
use std::hash::{{hash_two, poseidon}};

fn main(seed: Felt) -> pub Hash {{
    let mut h = poseidon([seed]);
    for i in 0..{n} {{
        h = hash_two(h, [i as Felt, 0, 0, 0]);
    }}
    h
}}
"""

MULADD_CHAIN = """\
// {n} chained multiply-adds (issue 18's side-by-side workload).
fn main(x: Felt, y: Felt) -> pub Felt {{
    let mut acc = x;
    for _ in 0..{n} {{
        acc = acc * y + x;
    }}
    acc
}}
"""

WORKLOADS: dict[str, tuple[str, str, tuple[int, ...], tuple[int, ...]]] = {
    # name: (program template, inputs.toml, full sizes, quick sizes)
    "poseidon_chain": (POSEIDON_CHAIN, "seed = 42\n", (880, 4096), (880,)),
    "muladd_chain": (MULADD_CHAIN, "x = 3\ny = 5\n", (65_520, 262_144), (65_520,)),
}


def write_project(folder: Path, name: str, template: str, inputs: str, n: int) -> Path:
    """Write a one-file psyc project for workload ``name`` at size ``n``; return its folder."""
    project = folder / f"{name}_{n}"
    (project / "src").mkdir(parents=True, exist_ok=True)
    (project / "psy.toml").write_text(
        f'[package]\nname = "{name}_{n}"\nversion = "0.1.0"\n\n[compile]\nzero_knowledge = false\n'
    )
    (project / "src" / "main.psy").write_text(template.format(n=n))
    (project / "inputs.toml").write_text(inputs)
    return project


def run_cli(args: list[str]) -> tuple[dict, float]:
    """Run ``psyc ARGS --json`` in a fresh process; return its JSON output and wall time."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "psyc.cli.main", *args, "--json"],
        capture_output=True, text=True, env=env, check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"psyc {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout), wall


def measure(project: Path, repeat: int) -> dict:
    """Compile and prove ``project`` ``repeat`` times each; keep the best of each figure."""
    best: dict = {}

    def keep(key: str, value: float) -> None:
        best[key] = min(value, best.get(key, float("inf")))

    for _ in range(repeat):
        stats, wall = run_cli(["compile", str(project), "--force"])
        keep("compile_wall_s", wall)
        best["compile_stats"] = stats
        out, wall = run_cli(["prove", str(project), "--force"])
        keep("prove_wall_s", wall)
        for phase, seconds in out["timings_s"].items():
            keep(f"prove_{phase.replace(' ', '_')}_s", seconds)
        best["rows"] = out["rows"]
        best["proof_bytes"] = out["proof_bytes"]
    return best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="only the small size of each workload")
    p.add_argument("--only", choices=sorted(WORKLOADS), help="one workload")
    p.add_argument("--sizes", type=int, nargs="+", help="sizes to run (default: the workload's)")
    p.add_argument("--repeat", type=int, default=3, help="runs per size; the best is kept")
    p.add_argument("--out", type=Path, help="JSON file to write")
    args = p.parse_args(argv)

    results = []
    with tempfile.TemporaryDirectory(prefix="psyc-side-by-side-") as scratch:
        for name, (template, inputs, full, quick) in WORKLOADS.items():
            if args.only and name != args.only:
                continue
            for n in args.sizes or (quick if args.quick else full):
                project = write_project(Path(scratch), name, template, inputs, n)
                print(f"{name} N={n} ...", file=sys.stderr, flush=True)
                figures = measure(project, args.repeat)
                results.append({"workload": name, "n": n, **figures})
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)

    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "repeat": args.repeat,
        "results": results,
    }
    out = args.out or ROOT / "benchmarks" / "results" / (
        f"side_by_side-{datetime.datetime.now():%Y%m%d-%H%M%S}-{socket.gethostname()}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
