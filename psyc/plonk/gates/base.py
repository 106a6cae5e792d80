"""A gate is defined once, as symbolic constraints over one row of the table.

Each constraint is a sympy polynomial in the row's wires ``w0..w{W-1}``, its constant
columns ``c0..c{K-1}`` and the public-input digest ``pi0..pi3``; it must vanish on every
row where the gate's selector is 1. Every evaluator — the numba quotient kernel, the
verifier at the challenge point, the recursive verifier's circuit — is generated from
these expressions by :mod:`psyc.plonk.gates.codegen`, and the degree is read off them.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
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

    def __hash__(self) -> int:
        # the id alone, as GateInfo's: a gate and its catalog facts compare equal, so they
        # must hash equal (a dict or set mixing them would hold the gate twice); gates
        # equal as dataclasses share the id, and hashing the constraints would cost more
        return hash(self.id)

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
    constructor from the stored parameters: the :class:`Gate` with its sympy constraints)
    and ``limits(config, params)``, the upper bound of each parameter that a circuit
    config allows (checked before a gate is built from a verifying key: a crafted key
    could otherwise ask for billions of constraints)."""

    name: str
    make: Callable[..., Gate]
    limits: Callable[[Any, tuple[int, ...]], list[int]]


GATE_KINDS: dict[str, GateKind] = {}

# The gate catalog's facts of a registry gate by name and parameters (a GateInfo, which
# stands in for the Gate and builds it only when asked for its constraints), installed by
# psyc.plonk.gates.catalog; None: the public constructors return the Gate itself.
registry_info: Callable[[str, tuple[int, ...]], Any] | None = None


def _params_with_defaults(make: Callable[..., Gate]) -> Callable[..., tuple[int, ...]]:
    """The stored parameters of ``make(*args, **kwargs)`` when they are its arguments
    with the defaults filled in (every gate but ``random_access``, which says its own)."""
    sig = inspect.signature(make)

    def params(*args: int, **kwargs: int) -> tuple[int, ...]:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    return params


def gate_kind(
    name: str,
    limits: Callable[[Any, tuple[int, ...]], list[int]],
    params: Callable[..., tuple[int, ...]] | None = None,
) -> Callable:
    """Decorator: register a gate constructor (beside its definition) under ``name`` with
    its parameter ``limits``; ``params(*args)`` gives the parameters the gate stores for
    the constructor's arguments (default: the arguments, defaults filled in).

    The decorated name returns the gate's catalog facts (:class:`~.catalog.GateInfo`,
    equal to the gate), which the builder, the prover and the verifier need, without
    constructing the sympy constraints (up to a second of CPU per gate and process, and
    importing sympy); asked for anything else (``constraints``…) it builds the gate. The
    registry keeps the constructor itself (``GATE_KINDS[name].make``)."""

    def register(make: Callable[..., Gate]) -> Callable[..., Gate]:
        assert name not in GATE_KINDS, f"gate kind '{name}' registered twice"
        GATE_KINDS[name] = GateKind(name, make, limits)
        stored = params or _params_with_defaults(make)

        def public(*args: int, **kwargs: int) -> Gate:
            if registry_info is not None:
                try:
                    info = registry_info(name, stored(*args, **kwargs))
                except (TypeError, ValueError):
                    info = None  # arguments the constructor refuses: it says why below
                if info is not None:
                    return info
            return make(*args, **kwargs)

        functools.update_wrapper(public, make)
        return functools.cache(public)  # called per operation by the builder

    return register


def check_gate_spec(name: str, params: tuple[int, ...], config: Any) -> None:
    """Bound a stored gate's parameters against a circuit config *before* building it: a
    crafted verifying key could otherwise ask for billions of constraints (its digest
    cannot stop that, since anyone can recompute it). Raises ValueError."""
    kind = GATE_KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown gate type '{name}'")
    bound = kind.limits(config, tuple(params))
    if len(params) != len(bound) or any(not 1 <= p <= b for p, b in zip(params, bound, strict=True)):
        raise ValueError(f"'{name}' has parameters {list(params)} outside {bound}")


def gate_from_spec(name: str, params: tuple[int, ...]) -> Gate:
    """Rebuild a gate from its name and parameters (as stored in verifying keys)."""
    kind = GATE_KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown gate '{name}'")
    gate = kind.make(*params)
    if gate.params != tuple(params):
        raise ValueError(f"gate '{name}' does not take parameters {params}")
    return gate
