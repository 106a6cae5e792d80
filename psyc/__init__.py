"""psyc: a toolkit for recursive zero-knowledge circuits over the Goldilocks field.

The language pipeline is available at the top (loaded on first use, so ``import psyc``
stays cheap)::

    import psyc

    prog = psyc.compile_path("examples/hash_chain")      # a CompiledProgram
    run = prog.execute({"seed": 7})                       # inputs by name (or prog.read_inputs())
    proof = prog.prove(run)                               # a psyc.plonk.ProofWithPublicInputs
    prog.circuit().verify(proof)

Mistakes in a program raise :class:`CompileError` (with rustc-style diagnostics); a run
that fails an assertion raises :class:`ExecutionError`. ``psyc.plonk`` is the proving
system underneath (``CircuitBuilder``, ``PartialWitness``, ...).
"""

from __future__ import annotations

import os as _os
from typing import TYPE_CHECKING

from psyc.util.lazy import lazy_exports

# numba's OpenMP workers spin after every parallel region; on a 2-core machine that
# starves the Python thread between small kernel calls (measured: 7.8 ms vs 0.2 ms per
# call). Passive waiting must be chosen before the OpenMP runtime starts; users can
# still override it in their environment.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"

# name -> module that defines it: the top-level API, imported lazily (module __getattr__)
_EXPORTS = {
    "compile_path": "psyc.compiler",
    "compile_project": "psyc.compiler",
    "open_project": "psyc.compiler",
    "CompileOptions": "psyc.compiler",
    "CompiledProgram": "psyc.compiler",
    "CompileError": "psyc.util.diagnostics",
    "Diagnostic": "psyc.util.diagnostics",
    "ExecutionError": "psyc.ir.interpret",
    "Execution": "psyc.ir.interpret",
}

__all__ = [  # the names of _EXPORTS (a literal list, for linters and type checkers)
    "__version__",
    "CompileError",
    "CompileOptions",
    "CompiledProgram",
    "Diagnostic",
    "Execution",
    "ExecutionError",
    "compile_path",
    "compile_project",
    "open_project",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time names load lazily
    from psyc.compiler import CompiledProgram, CompileOptions, compile_path, compile_project, open_project
    from psyc.ir.interpret import Execution, ExecutionError
    from psyc.util.diagnostics import CompileError, Diagnostic


__getattr__, __dir__ = lazy_exports("psyc", globals(), _EXPORTS)
