"""The elaborator's fast paths (loop replay, ``a[3]`` on an array variable, parameter
types of non-generic functions resolved once) against the general code: an expression
observer (what the language server sets) turns every one of them off, so compiling with a
no-op observer and without one must give the same IR, value ids and positions included.

Programs: the examples, psyc.testing's generated programs and the random loop programs of
tests/test_loop_replay.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lang_util import write_project
from test_loop_replay import random_program

from psyc.compiler import CompileOptions, compile_path
from psyc.frontend.elaborate import EXPRESSION_OBSERVER
from psyc.ir.interpret import ExecutionError
from psyc.util.diagnostics import CompileError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["hash_chain", "merkle_membership", "range_proof_u64", "spending_policy", "struct_transfer"]


def _ir(root: Path, observed: bool) -> tuple:
    token = EXPRESSION_OBSERVER.set((lambda e, t: None) if observed else None)
    try:
        prog = compile_path(root, CompileOptions(optimize=False))
    except CompileError as e:
        return ("compile error", [(d.code, d.message, [lb.span for lb in d.labels]) for d in e.diagnostics])
    except ExecutionError as e:
        return ("execution error", e.message, e.span)
    finally:
        EXPRESSION_OBSERVER.reset(token)
    return (prog.program.format(prog.sources),)


def _same(root: Path) -> None:
    assert _ir(root, False) == _ir(root, True)


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples(name):
    _same(ROOT / "examples" / name)


@pytest.mark.parametrize("seed", range(0, 120, 4))
def test_random_loop_programs(seed):
    _same(write_project(random_program(seed)))


def test_generated_programs():
    from hypothesis import HealthCheck, given, settings

    from psyc.testing import programs

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(programs())
    def check(prog):
        _same(write_project(prog.source))

    check()


def test_index_and_call_edge_cases():
    """Literal indices out of bounds and past u32, indexing a scalar or a constant array,
    a shadowed array, and calls of one helper at several argument shapes."""
    for src in [
        "fn main(xs: [Felt; 3]) -> pub Felt { xs[3] }",
        "fn main(xs: [Felt; 3]) -> pub Felt { xs[4294967296] }",
        "fn main(x: Felt) -> pub Felt { x[0] }",
        "const K: [Felt; 2] = [1, 2];\nfn main(x: Felt) -> pub Felt { x * K[1] }",
        "fn main(xs: [Felt; 3]) -> pub Felt { let xs = [xs[2], xs[1]]; xs[1] + xs[0] }",
        "fn f(a: [Felt; 2], b: Felt) -> Felt { a[0] * b + a[1] }\n"
        "fn main(x: Felt, y: Felt) -> pub Felt { f([x, y], 3) + f([1, 2], x) + f([y, y], y) }",
        "fn f(a: [Felt; 2]) -> Felt { a[0] }\nfn main(x: Felt) -> pub Felt { f([x, x, x]) }",
    ]:
        _same(write_project(src))
