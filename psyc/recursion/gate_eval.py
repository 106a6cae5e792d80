"""Evaluating gate constraints in circuit with few rows.

``GateEvaluators.eval_circuit`` (generated from each gate's symbolic constraints) calls
``constant_extension``, ``add_extension``, ``sub_extension`` and ``mul_extension`` on the
object it is given. Called on the builder itself, every call is one extension-arithmetic
op, and the generated text repeats sub-expressions (``x^7`` spells out its base seven
times). :class:`FusingExtBuilder` takes the builder's place and builds the same values
with fewer ops:

* values are kept as *linear forms* ``Σ c_i · atom_i + k`` over atoms that are either an
  extension target or a product of two; additions, subtractions and constant factors
  cost nothing;
* a form is materialized only where a multiplication (or the caller) needs a target:
  one ``c0·a·b + c1·acc`` op per atom (a product with coefficient ±1 fuses into the op,
  other coefficients multiply a constant target, so only five (c0, c1) row keys occur);
* materializations and products are memoized (hash-consing), so repeated text costs once;
  so are the partial sums of a materialization, so forms sharing terms share their ops.

The arithmetic is the same polynomial identity, so the constraint values are the same
extension elements the plain evaluation computes (tested against ``eval_ext``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.plonk.builder import CircuitBuilder, ExtTarget

if TYPE_CHECKING:
    from psyc.plonk.gates.evaluators import GateEvaluators

Atom = tuple  # (t,) for a target, (a, b) with a <= b for the product a·b


class Lin:
    """Σ terms[atom]·atom + const (coefficients and const in the base field)."""

    __slots__ = ("terms", "const")

    def __init__(self, terms: dict, const: int = 0) -> None:
        self.terms = terms
        self.const = const % P

    def key(self):
        return (frozenset(self.terms.items()), self.const)


def _lin(x: Lin | ExtTarget) -> Lin:
    if isinstance(x, Lin):
        return x
    return Lin({(tuple(x),): 1})


class FusingExtBuilder:
    """Stands in for the builder in ``GateEvaluators.eval_circuit`` (see the module docstring)."""

    def __init__(self, builder: CircuitBuilder) -> None:
        self.b = builder
        self._materialized: dict = {}
        self._products: dict = {}
        self._consts: dict[int, ExtTarget] = {}
        self._ranks: dict[Atom, int] = {}
        self.num_ops = 0

    # --- the backend interface of the generated code --------------------------------
    def constant_extension(self, v: Ext2) -> Lin:
        if v.a1:
            raise ValueError("gate constraints have base-field constants")
        return Lin({}, v.a0)

    def add_extension(self, x: Lin | ExtTarget, y: Lin | ExtTarget) -> Lin:
        return self._combine(_lin(x), _lin(y), 1)

    def sub_extension(self, x: Lin | ExtTarget, y: Lin | ExtTarget) -> Lin:
        return self._combine(_lin(x), _lin(y), P - 1)

    def mul_extension(self, x: Lin | ExtTarget, y: Lin | ExtTarget) -> Lin:
        x, y = _lin(x), _lin(y)
        if not x.terms:
            return self._scale(y, x.const)
        if not y.terms:
            return self._scale(x, y.const)
        a, b = self.materialize(x), self.materialize(y)
        return Lin({(min(a, b), max(a, b)): 1})

    # --- linear forms ----------------------------------------------------------------
    @staticmethod
    def _combine(x: Lin, y: Lin, k: int) -> Lin:
        terms = dict(x.terms)
        for atom, c in y.terms.items():
            v = (terms.get(atom, 0) + k * c) % P
            if v:
                terms[atom] = v
            else:
                terms.pop(atom, None)
        return Lin(terms, x.const + k * y.const)

    @staticmethod
    def _scale(x: Lin, k: int) -> Lin:
        k %= P
        if not k:
            return Lin({})
        return Lin({a: c * k % P for a, c in x.terms.items()}, x.const * k)

    def _rank(self, atom: Atom) -> int:
        return self._ranks.setdefault(atom, len(self._ranks))

    def _const(self, v: int) -> ExtTarget:
        v %= P
        if v not in self._consts:
            self._consts[v] = self.b.constant_extension(Ext2(v))
        return self._consts[v]

    def _op(self, c0: int, c1: int, a: ExtTarget, b: ExtTarget, c: ExtTarget) -> ExtTarget:
        self.num_ops += 1
        return self.b.arithmetic_extension(c0, c1, a, b, c)

    def _product(self, a: ExtTarget, b: ExtTarget) -> ExtTarget:
        key = (a, b)
        if key not in self._products:
            self._products[key] = self._op(1, 0, a, b, self._const(0))
        return self._products[key]

    def materialize(self, x: Lin | ExtTarget) -> ExtTarget:
        """A target holding the value of x."""
        x = _lin(x)
        if not x.terms:
            return self._const(x.const)
        if not x.const and len(x.terms) == 1:
            ((atom, c),) = x.terms.items()
            if c == 1:
                return atom[0] if len(atom) == 1 else self._product(*atom)
        key = x.key()
        if key in self._materialized:
            return self._materialized[key]
        one, minus_one = 1, P - 1
        acc: ExtTarget | None = self._const(x.const) if x.const else None
        # positive unit coefficients first: they start an accumulator for free; ties in the
        # order atoms were first seen, so that sums sharing terms share their prefixes
        # (w + γ of both w + γ + β·kx and w + γ + β·σ, in the permutation argument)
        items = sorted(x.terms.items(), key=lambda ac: (ac[1] != one, len(ac[0]), self._rank(ac[0])))
        done: dict = {}
        for atom, c in items:
            done[atom] = c
            prefix = (frozenset(done.items()), x.const)
            if prefix in self._materialized:
                acc = self._materialized[prefix]
                continue
            if len(atom) == 1:
                t = atom[0]
                if acc is None:
                    acc = t if c == one else self._op(1, 0, self._const(c), t, self._const(0))
                elif c == one:
                    acc = self._op(1, 1, t, self._const(1), acc)
                elif c == minus_one:
                    acc = self._op(1, -1, acc, self._const(1), t)
                else:
                    acc = self._op(1, 1, self._const(c), t, acc)
            else:
                a, b = atom
                if acc is None:
                    if c == one:
                        acc = self._product(a, b)
                    elif c == minus_one:
                        acc = self._op(-1, 0, a, b, self._const(0))
                    else:
                        acc = self._op(1, 0, self._const(c), self._product(a, b), self._const(0))
                elif c == one:
                    acc = self._op(1, 1, a, b, acc)
                elif c == minus_one:
                    acc = self._op(-1, 1, a, b, acc)
                else:
                    acc = self._op(1, 1, self._const(c), self._product(a, b), acc)
            self._materialized[prefix] = acc
        return acc


def eval_gate_circuit(
    fb: FusingExtBuilder, evaluator: GateEvaluators, wires: Sequence[ExtTarget], consts: Sequence[ExtTarget],
    pi_digest: Sequence[ExtTarget],
) -> list[Lin]:
    """The constraints of one gate as linear forms (materialize with ``fb.materialize``)."""
    return [_lin(v) for v in evaluator.eval_circuit(fb, wires, consts, pi_digest)]
