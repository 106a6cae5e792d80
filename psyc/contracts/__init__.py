"""Contracts: a ``#[contract]`` struct and its ``#[method]``\\ s compiled to one contract
function circuit (CFC) per method, the ABI, the contract's function tree (CFT), and
running methods against a chain state (:mod:`psyc.parth`).

    >>> from psyc.contracts import compile_contract                 # doctest: +SKIP
    >>> c = compile_contract("examples/token")                      # doctest: +SKIP
    >>> run = c.method("transfer").execute(state, user=1, contract=0, args=[[2], [5]])  # doctest: +SKIP
"""

from psyc.contracts.compile import (
           CompiledContract,
           ContractMethod,
           compile_contract,
           method_id,
           session_contract,
)
from psyc.contracts.runtime import MethodRun, public_input_hash

__all__ = ["CompiledContract", "ContractMethod", "MethodRun", "compile_contract", "method_id", "public_input_hash",
           "session_contract"]
