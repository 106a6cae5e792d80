#!/usr/bin/env bash
# GPU checks and benchmarks on a machine with an NVIDIA GPU:  benchmarks/gpu.sh OUTDIR
#
# Uses psyc from this tree (or a psyc wheel, if one is in $PSYC_WHEELS) plus the wheels in
# $PSYC_WHEELS (default .whl/: lark and galois for a machine without network; CuPy, numba,
# numpy, sympy, jinja2, pytest are expected to be installed), then
#   0. pays the one-time compiles and circuit builds (warm-up), log in OUTDIR/gpu_warmup.log;
#   1. runs the GPU tests (pytest -m gpu), log in OUTDIR/gpu_tests.log, JUnit XML beside it;
#   2. runs the GPU micro-benchmarks (NTT, LDE, Poseidon, Merkle), OUTDIR/gpu_micro.json;
#   3. runs the prover benchmarks on both backends, OUTDIR/gpu_prove.json;
# and prints a short table last. On a fresh H200 the kernel tests and micro-benchmarks took
# 131 s; the warm-up and prover stages have limits (WARM_TIMEOUT, TEST_TIMEOUT,
# PROVE_TIMEOUT) and their times are not measured yet (see docs/benchmarks.md).
set -uo pipefail
out="${1:?usage: benchmarks/gpu.sh OUTDIR}"
mkdir -p "$out"
cd "$(dirname "$0")/.."
py="${PYTHON:-python3}"
wheels="${PSYC_WHEELS:-.whl}"
export PYTHONUNBUFFERED=1
# Generated sources and compiled kernels are cached here. A fresh machine pays minutes of
# one-time work (sympy's gate sources, numba's and NVRTC's compiles, circuit builds): a
# cache folder carried along as .psyc-cache/ (copied from ~/.cache/psyc of a machine that
# ran psyc) saves the sympy part; the warm-up stage below pays the rest before any timing.
if [ -z "${PSYC_CACHE_DIR:-}" ]; then
    if [ -d .psyc-cache ]; then
        mkdir -p /tmp/psyc-cache && cp -r .psyc-cache/. /tmp/psyc-cache/
    fi
    export PSYC_CACHE_DIR=/tmp/psyc-cache
fi
site=/tmp/psyc-site
if compgen -G "$wheels/*.whl" > /dev/null; then
    "$py" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" "$wheels"/*.whl \
        || { echo "installing the wheels in $wheels failed"; exit 2; }
fi
if compgen -G "$site/psyc" > /dev/null; then
    export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
else
    export PYTHONPATH="$PWD:$site${PYTHONPATH:+:$PYTHONPATH}"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv | tee "$out/gpu_info.csv"
"$py" -c "import cupy, numba, numpy; print('cupy', cupy.__version__, 'numba', numba.__version__, 'numpy', numpy.__version__)" \
    | tee -a "$out/gpu_info.csv"

# With SASS=1: the Hopper SASS of the core kernels (instruction counts for the Poseidon
# roofline in docs/benchmarks.md), built in the background while the tests run.
if [ "${SASS:-0}" = 1 ] && command -v nvcc > /dev/null && command -v cuobjdump > /dev/null; then
    ( "$py" -c "from psyc.backend_gpu.sources import core_source; print(core_source())" > /tmp/psyc_core.cu \
      && nvcc -arch=sm_90 -std=c++17 -cubin -o /tmp/psyc_core.cubin -x cu /tmp/psyc_core.cu \
      && cuobjdump -sass /tmp/psyc_core.cubin | gzip > "$out/core_sass.txt.gz" ) > /dev/null 2>&1 &
fi

tw=$(date +%s)
echo "== warm-up (one-time compiles and circuit builds, not timed below)"
timeout "${WARM_TIMEOUT:-300}" "$py" -m psyc.bench.gpu_prove --warm-up 2>&1 | tee "$out/gpu_warmup.log"
warm_rc=${PIPESTATUS[0]}

t0=$(date +%s)
echo "== GPU tests"
timeout "${TEST_TIMEOUT:-300}" "$py" -m pytest -m gpu -q -p no:cacheprovider -rfE tests/test_gpu.py tests/test_gpu_prove.py tests/test_prover_backends.py \
    --junitxml="$out/gpu_tests.xml" 2>&1 | tee "$out/gpu_tests.log"
tests_rc=${PIPESTATUS[0]}
t1=$(date +%s)
echo "== GPU micro-benchmarks"
timeout "${BENCH_TIMEOUT:-240}" "$py" -m psyc.bench.gpu --json "$out/gpu_micro.json" ${BENCH_ARGS:-} 2>&1 | tee "$out/gpu_micro.log"
bench_rc=${PIPESTATUS[0]}
t2=$(date +%s)
prove_rc=skipped
if "$py" -c "import psyc.bench.gpu_prove" 2>/dev/null; then
    echo "== prover benchmarks (GPU and CPU backends)"
    timeout "${PROVE_TIMEOUT:-240}" "$py" -m psyc.bench.gpu_prove --json "$out/gpu_prove.json" 2>&1 | tee "$out/gpu_prove.log"
    prove_rc=${PIPESTATUS[0]}
fi
t3=$(date +%s)

wait
echo
echo "== summary: warm-up rc=$warm_rc ($((t0 - tw)) s), tests rc=$tests_rc ($((t1 - t0)) s), micro-benchmarks rc=$bench_rc ($((t2 - t1)) s), prove rc=$prove_rc ($((t3 - t2)) s)"
tail -n 3 "$out/gpu_tests.log"
"$py" - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
for name in ("gpu_micro.json", "gpu_prove.json"):
    p = out / name
    if not p.exists():
        continue
    data = json.loads(p.read_text())
    print(f"{name}: {data.get('gpu')} / {data.get('cpu_count')} CPU cores")
    for r in data["results"]:
        cpu = f"{r['cpu_seconds'] * 1e3:10.2f}" if r.get("cpu_seconds") else "        --"
        rate = f"  {r['gpu_rate']:.3g} {r['unit']}" if r.get("gpu_rate") else ""
        print(f"  {r['name']:<34} {r['size']:<16} gpu {r['gpu_seconds'] * 1e3:9.3f} ms  cpu {cpu} ms{rate}")
PY
[ "$tests_rc" = 0 ] && [ "$bench_rc" = 0 ]
