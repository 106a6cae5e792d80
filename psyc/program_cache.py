"""Compiled programs in the user's build cache (``psyc.project.cache``), as snapshots
(``psyc.snapshot``): what lets a second ``psyc sign`` skip compiling its key's
circuit. An entry is keyed by the entry file and every compile option (and the psyc
build); it records the digest of every source the compile read, so an edited source is
never served stale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psyc.snapshot import SnapshotError, dumps, loads

if TYPE_CHECKING:
    from pathlib import Path

    from psyc.compiler import CompiledProgram, CompileOptions
    from psyc.project.cache import BuildCache

PROGRAM_KIND = "program"


def _program_key(path: str | Path, options: CompileOptions) -> str:
    """The entry file and every compile option (what the sources are is checked on load)."""
    from pathlib import Path

    from psyc.project.cache import cache_key

    o = options
    text = "|".join(map(str, (o.entry, o.max_unroll, o.optimize, repr(o.config), o.zero_knowledge, o.shape,
                              o.recursive, o.collect_errors)))
    return cache_key(str(Path(path).resolve()), text)


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _sources_unchanged(files: dict) -> bool:
    from pathlib import Path

    for path, digest in files.items():
        try:
            if _digest(Path(path).read_text(encoding="utf-8")) != digest:
                return False
        except (OSError, UnicodeDecodeError):
            return False
    return True


def _real_path(prog, shown: str):
    """The file behind a path as diagnostics show it (``std/…``: the stdlib; others relative
    to the project, ``psyc.frontend.modules.ModuleLoader.display_path``)."""
    from pathlib import Path

    from psyc.frontend.modules import stdlib_dir

    if shown.startswith("std/"):
        return (stdlib_dir() / shown[4:]).resolve()
    return (Path(prog.project.root) / shown).resolve()


def store_program(
    path: str | Path, options: CompileOptions, prog: CompiledProgram, cache: BuildCache | None = None
) -> None:
    """Put ``prog`` (compiled from ``path`` with ``options``, its circuit built) in the build
    cache (default the user's, ``BuildCache.user()``); nothing when it cannot be snapshot
    (a hint written in the language captures the elaborator: such programs are compiled
    each time)."""
    import json

    from psyc.fri.oracle import PolynomialBatch
    from psyc.project.cache import BuildCache

    cache = cache or BuildCache.user()
    files = {str(_real_path(prog, p)): _digest(t) for p, t in prog.sources.files().items()}
    head = json.dumps({"files": files, "fingerprint": [int(x) for x in prog.circuit().verifier_data.fingerprint]})
    try:
        body = dumps(prog, unset=(PolynomialBatch,))
    except SnapshotError:
        return
    blob = head.encode()
    cache.put(PROGRAM_KIND, _program_key(path, options), len(blob).to_bytes(8, "little") + blob + body)


def load_program(
    path: str | Path, options: CompileOptions, cache: BuildCache | None = None
) -> CompiledProgram | None:
    """The program :func:`store_program` stored for ``path`` and ``options``, or None when
    there is none, a source it read has changed since, or the entry does not load. The
    preprocessed columns are committed again and the verifying key derived from them, and
    it must be the one stored with the entry: what a loaded circuit proves is what its key
    says."""
    import json

    from psyc.compiler import CompiledProgram
    from psyc.plonk.build import commit_preprocessed
    from psyc.plonk.circuit import CircuitData
    from psyc.project.cache import BuildCache

    cache = cache or BuildCache.user()
    data = cache.get(PROGRAM_KIND, _program_key(path, options))
    if data is None:
        return None
    try:
        n = int.from_bytes(data[:8], "little")
        head = json.loads(data[8 : 8 + n])
        if not _sources_unchanged(head["files"]):
            return None
        prog = loads(data[8 + n :])
        circuit = prog._circuit
        if not isinstance(prog, CompiledProgram) or not isinstance(circuit, CircuitData):
            return None
        po = circuit.prover_only
        po.constants_sigmas, circuit.verifier_only = commit_preprocessed(
            circuit.common, po.constants_values, po.sigma_values, po.constants_sigmas_table)
        if [int(x) for x in circuit.verifier_data.fingerprint] != head["fingerprint"]:
            return None
    except Exception:  # a damaged entry fails in many ways; any of them means: compile instead
        return None
    return prog
