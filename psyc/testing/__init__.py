"""Hypothesis strategies for psyc programs and their inputs, for users' own tests.

from psyc.testing import values_of, inputs_for
from psyc.frontend.types import U32, HASH, Array

@given(inputs_for([("x", U32), ("path", Array(HASH, 4))]))
def test_my_circuit(inputs): ...
"""

from psyc.testing.values import inputs_for, values_of

__all__ = ["inputs_for", "values_of"]
