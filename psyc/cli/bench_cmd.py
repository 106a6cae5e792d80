"""``psyc bench``: measure the primitives and print a table (or JSON)."""

from __future__ import annotations

import argparse
import json
import os
import platform

from psyc.cli.common import add_backend_option, select_backend
from psyc.cli.console import console, error_console

HELP = "benchmark field arithmetic, NTT/LDE, Poseidon, Merkle trees, FRI, Plonk, the language and recursion"


def register(p: argparse.ArgumentParser) -> None:
    from psyc.bench import BENCHMARKS, OPTIONAL  # the suite imports every kernel module

    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--quick", action="store_true", help="smaller sizes (a few seconds)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per case; the best is kept (default 3)")
    p.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only these groups (repeatable): {', '.join(BENCHMARKS)}; "
        f"without --only every group but {', '.join(sorted(OPTIONAL))} runs",
    )
    add_backend_option(p)


def machine_description() -> dict:
    from numba import config as numba_config

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numba_threads": numba_config.NUMBA_NUM_THREADS,
        "python": platform.python_version(),
    }


def _fmt_time(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def _fmt_rate(r: float | None, unit: str) -> str:
    if r is None:
        return ""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if r >= scale:
            return f"{r / scale:.1f} {suffix}{unit}"
    return f"{r:.0f} {unit}"


def run(args: argparse.Namespace) -> int:
    from psyc.bench import BENCHMARKS, OPTIONAL, run_benchmarks

    if args.repeat < 1:
        error_console.print("[red]error:[/red] --repeat must be at least 1")
        return 2
    rc = select_backend(args)
    if rc is not None:
        return rc
    from psyc.backend import get_backend

    backend = get_backend()
    names = args.only or [n for n in BENCHMARKS if n not in OPTIONAL]
    if backend.name == "gpu" and not args.only:
        names.append("gpu")  # the GPU kernels beside the CPU's
    results = []
    with error_console.status("benchmarking…") as status:
        for m in run_benchmarks(names, quick=args.quick, repeat=args.repeat):
            status.update(f"benchmarking… {m.name} {m.size}")
            results.append(m)
    machine = machine_description()
    machine["backend"] = backend.name
    if backend.name == "gpu":
        from psyc.backend_gpu.runtime import device_name

        machine["gpu"] = device_name()
    if args.json:
        print(
            json.dumps(
                {"machine": machine, "quick": args.quick, "results": [m.to_json() for m in results]}, indent=2
            )
        )
        return 0
    gpu = f", {machine['gpu']}" if "gpu" in machine else ""
    from rich.table import Table

    table = Table(title=f"psyc bench — {machine['cpu']}, {machine['cores']} cores{gpu}")
    for col in ("benchmark", "size", "time", "rate", "target", "note"):
        table.add_column(col, justify="right" if col in ("time", "rate") else "left")
    for m in results:
        table.add_row(m.name, m.size, _fmt_time(m.seconds), _fmt_rate(m.rate, m.unit), m.target, m.extra)
    console.print(table)
    return 0
