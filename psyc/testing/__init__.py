"""Hypothesis strategies for psyc programs and their inputs, for users' own tests.

from psyc.testing import values_of, inputs_for
from psyc.frontend.types import U32, HASH, Array

@given(inputs_for([("x", U32), ("path", Array(HASH, 4))]))
def test_my_circuit(inputs): ...

Whole generated programs (``psyc.testing.programs``) and a reference evaluator of their
source (``psyc.testing.reference``) for differential tests:

from psyc.testing import program_and_inputs, evaluate, ReferenceFailure

@given(program_and_inputs())
def test_pipeline(case):
    prog, inputs = case                 # prog.source, prog.params, prog.compile()
    expected = evaluate(prog, inputs)   # or raises ReferenceFailure (.code: E0500..E0504)
"""

from psyc.testing.programs import (
    GeneratedProgram,
    inputs_for_program,
    program_and_input_sets,
    program_and_inputs,
    programs,
)
from psyc.testing.reference import ReferenceFailure, evaluate
from psyc.testing.values import inputs_for, values_of

__all__ = [
    "GeneratedProgram",
    "ReferenceFailure",
    "evaluate",
    "inputs_for",
    "inputs_for_program",
    "program_and_input_sets",
    "program_and_inputs",
    "programs",
    "values_of",
]
