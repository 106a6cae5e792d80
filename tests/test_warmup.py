"""The parallel first-run compile (:mod:`psyc.backend_cpu.warmup`): its table must name every
kernel, with the argument types, that a proof calls — a kernel it misses, or lists with
other types, is compiled by the main process alone after the warm-up (correct, but the
first run's minute comes back without anything failing). Checked by listing, in a fresh
interpreter, what a small proof and a recursive fold actually compiled or loaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from psyc.backend_cpu import warmup

ROOT = Path(__file__).resolve().parent.parent

_PROVE = """
import contextlib, io, json, sys
from psyc.cli.main import main
from psyc.backend_cpu.warmup import compiled_signatures
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(sys.argv[1:])
assert rc == 0, rc
print(json.dumps(sorted(compiled_signatures())))
"""


def _table() -> set[tuple[str, str, str]]:
    from numba.core.sigutils import normalize_signature

    return {
        (u.module, name, warmup.signature_text(tuple(normalize_signature(sig)[0])))
        for u in warmup.UNITS
        for name, sigs in u.kernels
        for sig in sigs
    }


def _called(args: list[str]) -> set[tuple[str, str, str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), warmup.ENV: "0"}
    out = subprocess.run([sys.executable, "-c", _PROVE, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    return {tuple(x) for x in json.loads(out.stdout.strip().splitlines()[-1])}


def test_table_entries_name_real_kernels():
    """Every entry resolves to a numba kernel, its signatures parse, and no kernel is in
    two units (two processes would compile it twice)."""
    seen = set()
    for unit in warmup.UNITS:
        mod = warmup._resolve(unit.module)
        for name, sigs in unit.kernels:
            assert hasattr(getattr(mod, name), "compile"), f"{unit.module}.{name} is not a kernel"
            assert (unit.module, name) not in seen, f"{unit.module}.{name} listed twice"
            seen.add((unit.module, name))
            assert sigs
    assert _table()


def test_table_covers_what_a_proof_calls(tmp_path):
    """A proof with range-check lookups and the Poseidon gate, zero knowledge on."""
    example = "range_proof_u64"
    shutil.copytree(ROOT / "examples" / example, tmp_path / example)  # prove writes target/ beside it
    missing = _called(["prove", str(tmp_path / example), "-o", str(tmp_path / "p.proof")]) - _table()
    lines = [f"    {m} {k} {s}" for m, k, s in sorted(missing)]
    assert not missing, "kernels a proof calls that warmup.UNITS misses:\n" + "\n".join(lines)


def test_shares_split_every_unit_once():
    for procs in (2, 3, 4):
        groups = warmup.shares(procs)
        flat = [u for g in groups for u in g]
        assert sorted(map(id, flat)) == sorted(map(id, warmup.UNITS))
        loads = [sum(u.seconds for u in g) for g in groups]
        # greedy longest-first: no group exceeds another by more than its largest unit
        assert max(loads) - min(loads) <= max(u.seconds for u in warmup.UNITS)


def test_off_unless_enabled(monkeypatch, tmp_path):
    """Library use (nothing enabled) and PSYC_PARALLEL_COMPILE=0 start no process and
    write no marker."""
    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(warmup._state, "enabled", False)
    monkeypatch.setitem(warmup._state, "done", False)
    warmup.ensure_compiled()
    monkeypatch.setitem(warmup._state, "enabled", True)
    monkeypatch.setenv(warmup.ENV, "0")
    warmup.ensure_compiled()
    assert not (tmp_path / "kernels").exists()


def test_compiling_prints_the_notice_once_and_logs_each_compile(tmp_path):
    """The CLI's first compile says so on stderr (never a silent minute), once per process;
    with PSYC_COMPILE_LOG every compilation is one JSON line (what benchmarks/cold_start.py
    reads, from every process)."""
    log = tmp_path / "log.jsonl"
    code = (
        "from psyc.field import field_kernels  # installs the listeners\n"
        "from psyc.util import jit_notice\n"
        "from numba import njit\n"
        "jit_notice.enable()\n"
        "njit(lambda x: x + 1)(1)\n"
        "njit(lambda x: x * 2)(1)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PSYC_COMPILE_LOG": str(log)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stderr.count("compiling kernels") == 1, out.stderr
    assert "first run only" in out.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 2 and all(r["inclusive_s"] >= r["exclusive_s"] >= 0 for r in records)
