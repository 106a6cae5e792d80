#!/usr/bin/env bash
# Full benchmark run: JSON results under benchmarks/results/, then the slow test cases.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p benchmarks/results
out="benchmarks/results/$(date +%Y%m%d-%H%M%S)-$(hostname).json"
psyc bench --json --repeat "${REPEAT:-3}" > "$out"
echo "wrote $out"
python -m pytest -m slow -q
# the larger fuzzing budget: 1000 generated programs through the differential check
PSYC_FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-1000}" python -m pytest tests/test_fuzz_differential.py -k generated -q
