"""A gate is defined once, as symbolic constraints over one row of the table.

Each constraint is a sympy polynomial in the row's wires ``w0..w{W-1}``, its constant
columns ``c0..c{K-1}`` and the public-input digest ``pi0..pi3``; it must vanish on every
row where the gate's selector is 1. Every evaluator — the numba quotient kernel, the
verifier at the challenge point, the recursive verifier's circuit — is generated from
these expressions by :mod:`psyc.plonk.gates.codegen`, and the degree is read off them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy

# sympy (~0.7 s to import) is imported by the functions that build or print expressions:
# importing the gate modules registers every kind (GATE_KINDS) for a verifier reading a
# key, which builds no gate (docs/benchmarks.md, "Cold start and latency")

PI_DIGEST_LEN = 4


def wire(i: int) -> sympy.Symbol:
    """The symbol of wire column ``i`` in a gate's constraints."""
    import sympy

    return sympy.Symbol(f"w{i}")


def const(i: int) -> sympy.Symbol:
    """The symbol of constant column ``i``."""
    import sympy

    return sympy.Symbol(f"c{i}")


def pi(i: int) -> sympy.Symbol:
    """The symbol of element ``i`` of the public-input digest."""
    import sympy

    return sympy.Symbol(f"pi{i}")


# The gate catalog's remembered facts of the registry's own gates (degree, fingerprint),
# installed by psyc.plonk.gates.catalog when it is imported (it needs the gate registry,
# so it imports this module, not the reverse); None: computed from the constraints.
registry_facts: Callable[[Gate], Any] | None = None

@dataclass(frozen=True)
class Gate:
    """A named family of row constraints.

    ``constraints`` are sympy expressions; ``num_wires`` / ``num_constants`` say how many
    wire and constant columns the gate reads (its symbols must stay within them).
    """

    name: str
    num_wires: int
    num_constants: int
    constraints: tuple[sympy.Expr, ...]
    description: str = ""
    params: tuple = field(default=())

    def __post_init__(self) -> None:
        allowed = (
            {wire(i) for i in range(self.num_wires)}
            | {const(i) for i in range(self.num_constants)}
            | {pi(i) for i in range(PI_DIGEST_LEN)}
        )
        for k, c in enumerate(self.constraints):
            extra = c.free_symbols - allowed
            if extra:
                raise ValueError(
                    f"gate {self.name}: constraint {k} uses undeclared symbols {sorted(map(str, extra))}"
                )

    @property
    def id(self) -> str:
        """Identifier unique per gate and parameters (used in keys and generated names)."""
        return self.name if not self.params else f"{self.name}_" + "_".join(map(str, self.params))

    @cached_property
    def degree(self) -> int:
        """Highest total degree of any constraint (0 for a gate without constraints).

        Read structurally off the expression tree (no expansion, which is very slow for
        Poseidon's (a + b + c)^7 terms); an upper bound that is exact without cancellation.
        For the registry's own gates it is read from the catalog (as :attr:`fingerprint`).
        """
        facts = registry_facts(self) if registry_facts is not None else None
        return facts.degree if facts is not None else self.definition_degree()

    def definition_degree(self) -> int:
        """:attr:`degree` computed from the constraints themselves."""
        return max((expr_degree(c) for c in self.constraints), default=0)

    @cached_property
    def fingerprint(self) -> str:
        """Digest of the definition itself, so a changed gate under the same id (say, new
        Poseidon constants) changes every circuit digest that uses it.

        For the registry's own gate of a name and parameters it is read from the gate
        catalog, which remembers :meth:`definition_fingerprint` on disk per definition:
        printing the constraints costs about a second of CPU for Poseidon, in every
        process that builds a circuit."""
        facts = registry_facts(self) if registry_facts is not None else None
        return facts.fingerprint if facts is not None else self.definition_fingerprint()

    def definition_fingerprint(self) -> str:
        """:attr:`fingerprint` computed from the constraints themselves (sympy's ``srepr``)."""
        import sympy

        text = f"{self.id};{self.num_wires};{self.num_constants};" + ";".join(
            map(sympy.srepr, self.constraints)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def num_constraints(self) -> int:
        return len(self.constraints)

    def uses_public_inputs(self) -> bool:
        return any(s.name.startswith("pi") for c in self.constraints for s in c.free_symbols)


def expr_degree(e: sympy.Expr) -> int:
    if e.is_Symbol:
        return 1
    if e.is_Number:
        return 0
    if e.is_Add:
        return max(expr_degree(a) for a in e.args)
    if e.is_Mul:
        return sum(expr_degree(a) for a in e.args)
    if e.is_Pow and e.args[1].is_Integer and int(e.args[1]) >= 0:
        return expr_degree(e.args[0]) * int(e.args[1])
    raise ValueError(f"unsupported expression in a gate constraint: {e!r}")


@dataclass(frozen=True)
class GateKind:
    """A gate family in the registry: the ``name`` a stored gate has, ``make`` (its
    constructor from the stored parameters) and ``limits(config, params)``, the upper
    bound of each parameter that a circuit config allows (checked before a gate is built
    from a verifying key: a crafted key could otherwise ask for billions of constraints)."""

    name: str
    make: Callable[..., Gate]
    limits: Callable[[Any, tuple[int, ...]], list[int]]


GATE_KINDS: dict[str, GateKind] = {}


def gate_kind(name: str, limits: Callable[[Any, tuple[int, ...]], list[int]]) -> Callable:
    """Decorator: register a gate constructor (beside its definition) under ``name`` with
    its parameter ``limits``."""

    def register(make: Callable[..., Gate]) -> Callable[..., Gate]:
        assert name not in GATE_KINDS, f"gate kind '{name}' registered twice"
        GATE_KINDS[name] = GateKind(name, make, limits)
        return make

    return register
