"""The vanishing-polynomial identity at ζ in circuit (:func:`psyc.plonk.verifier.eval_vanishing_at`).

Same terms, same order: gate constraints (each gate's constraints generated from its
symbolic definition by ``GateEvaluators.eval_circuit``, times its selector, summed per
constraint index), then ``L0(ζ)(Z(ζ) − 1)`` and the partial-product chunks per challenge,
then the logUp terms; each challenge set combines them with powers of its α (one Horner
pass over the concatenated list, which is ``Σ α^k G_k + α^K Σ α^t P_t + …``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.plonk.builder import CircuitBuilder, ExtTarget
from psyc.plonk.proof import OpeningSet
from psyc.plonk.target import Target
from psyc.plonk.vanishing_eval import cached_terms_evaluator, lookup_inputs, permutation_inputs
from psyc.recursion.gadgets import (
    assert_nonzero_ext,
    ext_const,
    ext_div,
    ext_exp_power_of_two,
    ext_from_base,
    reduce_with_powers,
)
from psyc.recursion.gate_eval import FusingExtBuilder, Lin, eval_gate_circuit

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData

_SELF = Path(__file__)  # which terms each kind prints: part of the cache key


@cache
def _circuit_evaluator(kind: str, params: tuple) -> Callable[..., list]:
    """``psyc.plonk.vanishing.evaluator(system.terms, CIRCUIT_BACKEND)`` of the terms
    ``kind`` ("permutation" or "lookup") with ``params``, loaded without sympy from the
    disk cache the native verifier's evaluators use (:func:`cached_terms_evaluator`), so
    building a recursive verifier neither imports sympy nor prints the expressions
    (~0.4 s per process); on a miss they are built, once."""

    def make() -> str:
        from psyc.plonk import vanishing as v
        from psyc.plonk.gates.codegen import CIRCUIT_BACKEND

        system = {"permutation": v.permutation_system, "lookup": v.lookup_system}[kind](*params)
        return v.evaluator_source(system.terms, CIRCUIT_BACKEND)

    return cached_terms_evaluator(f"circuit {kind}", params, _SELF, make, {"Ext2": Ext2})


def gate_constraint_terms(
    b: CircuitBuilder, common: CommonCircuitData, o: OpeningSet, pi_digest: Sequence[Target]
) -> list[ExtTarget]:
    """Σ_gates selector_g(ζ) · C_{g,k}(ζ) for every constraint index k (constraints from
    each gate's generated ``eval_circuit``, built through :class:`FusingExtBuilder`)."""
    S, K = common.num_selectors, common.config.num_constants
    consts = o.constants[S : S + K]
    pi_ext = [ext_from_base(b, t) for t in pi_digest]
    fb = FusingExtBuilder(b)
    terms = [Lin({})] * common.num_gate_constraints
    for gi, ev in enumerate(common.evaluators()):
        g = ev.gate
        if not g.num_constraints:
            continue
        with b.scope(g.id):
            vals = eval_gate_circuit(fb, ev, o.wires[: g.num_wires], consts[: g.num_constants], pi_ext)
            sel = o.constants[gi]
            for k, v in enumerate(vals):
                terms[k] = fb.add_extension(terms[k], fb.mul_extension(sel, v))
    with b.scope("sum"):
        return [fb.materialize(t) for t in terms]


def permutation_terms(
    fb: FusingExtBuilder,
    common: CommonCircuitData,
    o: OpeningSet,
    zeta: ExtTarget,
    l0: ExtTarget,
    betas: Sequence[Target],
    gammas: Sequence[Target],
) -> list[ExtTarget]:
    """The permutation terms at ζ, generated from :func:`psyc.plonk.vanishing.permutation_system`.
    Its derived inputs ``kx_j = k_j·ζ`` are computed here, once for every challenge:
    ``k_j = 7^j``, so each is the previous times 7 — one op of one row key (as constants,
    the k_j would cost a row each)."""
    b = fb.b
    cfg = common.config
    R, C = cfg.num_routed_wires, cfg.num_challenges
    evaluate = _circuit_evaluator("permutation", (R, cfg.partial_product_chunk, C, tuple(common.k_is)))
    values = permutation_inputs(
        o.plonk_zs, o.plonk_zs_next, o.partial_products, o.wires[:R], o.plonk_sigmas, l0,
        [ext_from_base(b, t) for t in betas], [ext_from_base(b, t) for t in gammas],
    )  # fmt: skip
    one, zero = ext_const(b, 1), ext_const(b, 0)
    kx = zeta if common.k_is[0] == 1 else b.mul_extension(zeta, ext_const(b, common.k_is[0]))
    values["kx0"] = kx
    for j in range(1, R):
        step = common.k_is[j] * pow(common.k_is[j - 1], P - 2, P) % P
        kx = values[f"kx{j}"] = b.arithmetic_extension(step, 0, kx, one, zero)
    return [fb.materialize(t) for t in evaluate(fb, **values)]


def lookup_terms(fb: FusingExtBuilder, common: CommonCircuitData, o: OpeningSet, l0: ExtTarget, deltas: Sequence[Target]) -> list[ExtTarget]:
    """The logUp terms at ζ, generated from :func:`psyc.plonk.vanishing.lookup_system`."""
    if not common.has_lookups:
        return []
    L = common.config.lookups_per_row
    values = lookup_inputs(
        o.wires[:L], o.lookup_helpers, o.lookup_phi_next, o.constants[common.lookup_selector],
        o.lookup_multiplicities[0], o.lookup_table[0], l0, [ext_from_base(fb.b, d) for d in deltas],
    )  # fmt: skip
    terms = _circuit_evaluator("lookup", (L, len(deltas)))(fb, **values)
    return [fb.materialize(t) for t in terms]


def combine_terms(b: CircuitBuilder, terms: Sequence[ExtTarget], alphas: Sequence[Target]) -> list[ExtTarget]:
    """V_r = Σ_t α_r^t · terms[t] for each challenge set."""
    return [reduce_with_powers(b, terms, ext_from_base(b, a)) for a in alphas]


def zeta_powers(b: CircuitBuilder, common: CommonCircuitData, zeta: ExtTarget) -> tuple[ExtTarget, ExtTarget, ExtTarget]:
    """(ζ^n, Z_H(ζ) = ζ^n − 1, L0(ζ) = Z_H(ζ) / (n(ζ − 1))), with Z_H(ζ) != 0 constrained
    (ζ outside the trace domain, as the native verifier requires; so ζ != 1 too)."""
    n = common.degree
    zeta_n = ext_exp_power_of_two(b, zeta, common.degree_bits)
    one = ext_const(b, 1)
    zh = b.sub_extension(zeta_n, one)
    assert_nonzero_ext(b, zh)
    l0 = ext_div(b, zh, b.arithmetic_extension(n % P, -n % P, zeta, one, one))
    return zeta_n, zh, l0


def eval_vanishing_circuit(
    b: CircuitBuilder,
    common: CommonCircuitData,
    o: OpeningSet,
    zeta: ExtTarget,
    l0: ExtTarget,
    pi_digest: Sequence[Target],
    betas: Sequence[Target],
    gammas: Sequence[Target],
    alphas: Sequence[Target],
    deltas: Sequence[Target] = (),
) -> list[ExtTarget]:
    """V_r(ζ) for each challenge set: the in-circuit ``eval_vanishing_at``."""
    with b.scope("gates"):
        terms = gate_constraint_terms(b, common, o, pi_digest)
    fb = FusingExtBuilder(b)
    with b.scope("permutation"):
        arguments = permutation_terms(fb, common, o, zeta, l0, betas, gammas)
    with b.scope("lookups"):
        arguments += lookup_terms(fb, common, o, l0, deltas)
    if common.config.zero_knowledge:
        with b.scope("zk_blinding"):
            arguments = zk_terms(b, common, o, zeta, l0, arguments, len(deltas))
    with b.scope("combine"):
        return combine_terms(b, terms + arguments, alphas)


def zk_terms(
    b: CircuitBuilder, common: CommonCircuitData, o: OpeningSet, zeta: ExtTarget, l0: ExtTarget,
    arguments: list[ExtTarget], num_deltas: int,
) -> list[ExtTarget]:
    """Zero knowledge (``eval_vanishing_at``'s ``active`` and boundary terms): the
    permutation and lookup terms times 1 − s_blind(ζ), then L_u(ζ)(Z_r(ζ) − 1) and
    L_u(ζ)·φ_r(ζ) at the first blinding row u, with L_u(ζ) = ω^u·L0(ζ)·(ζ − 1)/(ζ − ω^u)."""
    one = ext_const(b, 1)
    active = b.sub_extension(one, o.constants[common.blinding_selector])
    out = [b.mul_extension(active, t) for t in arguments]
    w_u = pow(primitive_root_of_unity(common.degree_bits), common.first_blinding_row, P)
    num = b.arithmetic_extension(w_u, P - w_u, l0, zeta, l0)  # ω^u·L0·(ζ − 1)
    l_u = ext_div(b, num, b.arithmetic_extension(1, P - w_u, zeta, one, one))  # ζ − ω^u != 0 (ζ^n != 1)
    out += [b.mul_extension(l_u, b.sub_extension(z, one)) for z in o.plonk_zs]
    out += [b.mul_extension(l_u, o.lookup_helpers[3 * r + 2]) for r in range(num_deltas)]
    return out
