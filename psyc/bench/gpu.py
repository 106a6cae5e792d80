"""GPU micro-benchmarks (``python -m psyc.bench.gpu --json OUT``), each beside the CPU
backend's figure for the same work on the same machine.

GPU times are CUDA-event times of the kernels alone (arrays already on the device), the
median of ``repeat`` runs after a warm-up; CPU times are the best of ``repeat`` runs of
the numba kernels. The Poseidon figure comes with the fraction of an integer-throughput
roofline, computed from the permutation's instruction count (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform

import numpy as np

from psyc.bench.timing import best_of as _cpu_best
from psyc.field.goldilocks import P


def _rand(shape, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, P, shape, dtype=np.uint64)




def _gpu_median(cp, fn, repeat: int) -> float:
    fn()
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(repeat):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop) / 1e3)
    return float(np.median(times))


def run(repeat: int = 10, cpu: bool = True, quick: bool = False, verbose: bool = True) -> dict:
    from psyc.backend_gpu.runtime import cupy_module, device_kernels

    cp = cupy_module()
    K = device_kernels()
    results = []

    def record(name, size, gpu_s, cpu_s=None, rate_unit=None, work=None, **extra):
        row = {"name": name, "size": size, "gpu_seconds": gpu_s, "cpu_seconds": cpu_s}
        if work is not None:
            row["gpu_rate"] = work / gpu_s
            row["cpu_rate"] = work / cpu_s if cpu_s else None
            row["unit"] = rate_unit
        row.update(extra)
        results.append(row)
        if verbose:
            cpu_txt = f"{cpu_s * 1e3:10.2f} ms" if cpu_s else "        --"
            print(f"  {name:<34} {size:<18} gpu {gpu_s * 1e3:9.3f} ms   cpu {cpu_txt}", flush=True)

    from psyc.poly import ntt_kernels as nk
    from psyc.poly.ntt import lde_batch, twiddles

    # NTT of one long vector
    for log_n in (20,) if quick else (20, 24):
        host = _rand((1, 1 << log_n))
        dev = cp.asarray(host)
        t_gpu = _gpu_median(cp, lambda d=dev: K.dif_rows(d), repeat)
        t_cpu = None
        if cpu:
            tw = twiddles(log_n)
            t_cpu = _cpu_best(lambda h=host, tw=tw: nk.dif_parallel(h[0].copy(), tw), max(1, repeat // 3))
        record("NTT (DIF, in place)", f"2^{log_n}", t_gpu, t_cpu, "elem/s", 1 << log_n,
               target="2^24 <= 1.5 ms" if log_n == 24 else "")

    # LDE of 136 columns 2^14 -> 2^17
    coeffs_h = _rand((136, 1 << 14), 2)
    coeffs_d = cp.asarray(coeffs_h)
    t_gpu = _gpu_median(cp, lambda: K.coset_lde_rows(coeffs_d, 3, 7), repeat)
    t_cpu = _cpu_best(lambda: lde_batch(coeffs_h, 3), max(1, repeat // 3)) if cpu else None
    record("coset LDE 136 polys", "2^14 -> 2^17", t_gpu, t_cpu, "elem/s", 136 << 17)

    # Poseidon permutations
    from psyc.hash import poseidon_kernels as psk

    n_perm = 1 << (22 if quick else 24)
    states_d = cp.asarray(_rand((n_perm, 12), 3))
    t_gpu = _gpu_median(cp, lambda: K.permute_batch(states_d), repeat)
    n_cpu = 1 << 18
    states_h = _rand((n_cpu, 12), 3)
    t_cpu = _cpu_best(lambda: psk.permute_batch(states_h), max(1, repeat // 3)) * (n_perm / n_cpu) if cpu else None
    record("Poseidon permutations", f"2^{n_perm.bit_length() - 1}", t_gpu, t_cpu, "perm/s", n_perm,
           target=">= 200 M perm/s")

    # Merkle tree of 2^17 leaves x 136 (column-major LDE, as the prover commits)
    lde_d = cp.asarray(_rand((136, 1 << 17), 4))
    t_gpu = _gpu_median(cp, lambda: K.merkle_levels(K.hash_columns(lde_d), 4), repeat)
    t_cpu = None
    if cpu:
        from psyc.hash.merkle import MerkleTree

        lde_h = lde_d.get()
        t_cpu = _cpu_best(lambda: MerkleTree(lde_h, 4, columns=True), max(1, repeat // 3))
    record("Merkle tree 136 columns", "2^17 leaves", t_gpu, t_cpu, "leaf/s", 1 << 17)

    return report(results, repeat)


def report(results: list[dict], repeat: int) -> dict:
    """The JSON document of a GPU benchmark run: the machine, the GPU and the rows."""
    from psyc.backend_gpu.runtime import device_name

    return {
        "machine": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "gpu": device_name(),
        "repeat": repeat,
        "results": results,
    }


def save(res: dict, path: str | None) -> int:
    if path:
        with open(path, "w") as fh:
            json.dump(res, fh, indent=2)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-cpu", action="store_true", help="skip the CPU figures")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    return save(run(args.repeat, cpu=not args.no_cpu, quick=args.quick), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
