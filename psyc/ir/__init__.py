"""The SSA IR (``psyc.ir.ir``; its op table ``psyc.ir.ops``), its interpreter (``psyc.ir.interpret``), optimisation passes
(``psyc.ir.passes``) and the lowering to circuits (``psyc.ir.lower``).

The lowering is not imported here: it pulls in the circuit builder and its gate
definitions, which the front end (IR + interpreter) does not need. Import it as
``from psyc.ir.lower import lower, check``.
"""

from psyc.ir.interpret import Execution, ExecutionError, eval_instr, run
from psyc.ir.ir import INT_TYPES, OPS, SCALAR_TYPES, SIDE_EFFECTS, HintFn, Instr, Program, Value
from psyc.ir.ops import OpSpec
from psyc.ir.passes import cse, dce, dedupe_checks, fold_constants, fuse_arithmetic, optimize

__all__ = [
    "INT_TYPES",
    "OPS",
    "OpSpec",
    "SCALAR_TYPES",
    "SIDE_EFFECTS",
    "Execution",
    "ExecutionError",
    "HintFn",
    "Instr",
    "Program",
    "Value",
    "cse",
    "dce",
    "dedupe_checks",
    "eval_instr",
    "fold_constants",
    "fuse_arithmetic",
    "optimize",
    "run",
]
