"""The compiler's phases on issue 18's side-by-side workloads, in process: CPU seconds of
elaboration, the lints, and each IR pass, and µs per raw IR operation (the elaborator's
instructions). The program is compiled once first (imports, the standard library's
modules parsed), then each size best of ``--repeat``, the collector paused as
``psyc.compiler.compile_project`` pauses it.

Usage::

    python benchmarks/compile_phases.py                       # both workloads, small sizes
    python benchmarks/compile_phases.py --only muladd_chain --sizes 65520 262144
    python benchmarks/compile_phases.py --tree ../old-checkout  # the same on another tree

``--tree`` imports psyc from another checkout (an older commit, for before/after ratios
measured on one machine by alternating runs).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def phases(project_dir: Path) -> dict[str, float]:
    """One compile of ``project_dir``, phase by phase (CPU seconds) and the raw op count."""
    from psyc import compiler
    from psyc.frontend.elaborate import Elaborator, Mode
    from psyc.ir import passes

    project, loader = compiler.open_project(project_dir)
    module = compiler.root_module(project, loader)
    fn = module.items[project.entry]
    out: dict[str, float] = {}
    gc.disable()
    try:
        t0 = time.process_time()
        el = Elaborator(loader, Mode.CONSTRAINED, project.max_unroll or compiler.DEFAULT_MAX_UNROLL)
        el.prog.name = project.entry
        el.elaborate_entry(module, fn)
        t1 = time.process_time()
        out["raw_ops"] = len(el.prog.instrs)
        compiler.unverified_proof_errors(el.prog)
        compiler.unconstrained_hint_warnings(el.prog)
        compiler.unpinned_fingerprint_warnings(el.prog)
        compiler.unused_input_warnings(el.prog)
        compiler.unused_variable_warnings(loader, project.entry)
        t2 = time.process_time()
        out["elaborate"], out["lints"] = t1 - t0, t2 - t1
        for name, run in passes.PASSES:
            t = time.process_time()
            run(el.prog)
            out[f"pass_{name}"] = time.process_time() - t
        out["passes"] = time.process_time() - t2
    finally:
        gc.enable()
        gc.collect()
    out["compile"] = out["elaborate"] + out["lints"] + out["passes"]
    out["us_per_raw_op"] = out["compile"] / out["raw_ops"] * 1e6
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=["poseidon_chain", "muladd_chain"], help="one workload")
    p.add_argument("--sizes", type=int, nargs="+", help="sizes to run (default: the workload's small one)")
    p.add_argument("--repeat", type=int, default=3, help="compiles per size; the best is kept")
    p.add_argument("--tree", type=Path, default=ROOT, help="the psyc checkout to import (default: this one)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    sys.path.insert(0, str(args.tree.resolve()))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import side_by_side

    import psyc

    if not Path(psyc.__file__).resolve().is_relative_to(args.tree.resolve()):
        raise SystemExit(f"psyc was imported from {psyc.__file__}, not {args.tree}")
    results = []
    with tempfile.TemporaryDirectory(prefix="psyc-compile-phases-") as scratch:
        for name, (template, inputs, _full, quick) in side_by_side.WORKLOADS.items():
            if args.only and name != args.only:
                continue
            for n in args.sizes or quick:
                project = side_by_side.write_project(Path(scratch), name, template, inputs, n)
                phases(project)  # warm-up: imports, the standard library parsed
                best = min((phases(project) for _ in range(args.repeat)), key=lambda r: r["compile"])
                results.append({"workload": name, "n": n, **best})
                shown = " ".join(f"{k}={v:.3f}" for k, v in best.items() if k.startswith("pass_"))
                print(f"{name} N={n}: {best['raw_ops']} raw ops, compile {best['compile']:.3f} s CPU "
                      f"({best['us_per_raw_op']:.2f} us/op): elaborate {best['elaborate']:.3f}, "
                      f"lints {best['lints']:.3f}, passes {best['passes']:.3f} ({shown}); "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"tree": str(args.tree), "load_average": os.getloadavg(),
                                         "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
