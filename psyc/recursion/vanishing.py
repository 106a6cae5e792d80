"""The vanishing-polynomial identity at ζ in circuit (:func:`psyc.plonk.verifier.eval_vanishing_at`).

Same terms, same order: gate constraints (each gate's constraints generated from its
symbolic definition by ``GateEvaluators.eval_circuit``, times its selector, summed per
constraint index), then ``L0(ζ)(Z(ζ) − 1)`` and the partial-product chunks per challenge,
then the logUp terms; each challenge set combines them with powers of its α (one Horner
pass over the concatenated list, which is ``Σ α^k G_k + α^K Σ α^t P_t + …``).
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.plonk.builder import CircuitBuilder, ExtTarget
from psyc.plonk.proof import OpeningSet
from psyc.plonk.target import Target
from psyc.recursion.gadgets import (
    assert_nonzero_ext,
    ext_const,
    ext_div,
    ext_exp_power_of_two,
    ext_from_base,
    reduce_with_powers,
)
from psyc.recursion.gate_eval import FusingExtBuilder, Lin, eval_gate_circuit


def gate_constraint_terms(
    b: CircuitBuilder, common, o: OpeningSet, pi_digest: Sequence[Target]
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
    b: CircuitBuilder,
    common,
    o: OpeningSet,
    zeta: ExtTarget,
    l0: ExtTarget,
    betas: Sequence[Target],
    gammas: Sequence[Target],
) -> list[ExtTarget]:
    cfg = common.config
    R = cfg.num_routed_wires
    m, chunk = cfg.num_partial_product_chunks, cfg.partial_product_chunk
    one = ext_const(b, 1)
    terms = [b.mul_extension(l0, b.sub_extension(z, one)) for z in o.plonk_zs]
    for r in range(cfg.num_challenges):
        beta, gamma = ext_from_base(b, betas[r]), ext_from_base(b, gammas[r])
        # s_j = ζ·β·k_j, stepped by k_j / k_{j−1} in the op's coefficient (k_j = 7^j: one row key)
        s_j = b.mul_extension(zeta, beta)
        if common.k_is[0] != 1:
            s_j = b.mul_extension(s_j, ext_const(b, common.k_is[0]))
        zero = ext_const(b, 0)
        pps = o.partial_products[r * (m - 1) : (r + 1) * (m - 1)]
        prev = o.plonk_zs[r]
        for c in range(m):
            num = den = None
            for j in range(c * chunk, min(R, (c + 1) * chunk)):
                wg = b.add_extension(o.wires[j], gamma)
                # w + ζ·β·k_j + γ  and  w + β·σ_j + γ
                if j:
                    step = common.k_is[j] * pow(common.k_is[j - 1], P - 2, P) % P
                    s_j = b.arithmetic_extension(step, 0, s_j, one, zero)
                n_j = b.add_extension(wg, s_j)
                d_j = b.mul_add_extension(o.plonk_sigmas[j], beta, wg)
                num = n_j if num is None else b.mul_extension(num, n_j)
                den = d_j if den is None else b.mul_extension(den, d_j)
            cur = pps[c] if c < m - 1 else o.plonk_zs_next[r]
            # cur·den − prev·num
            terms.append(b.sub_extension(b.mul_extension(cur, den), b.mul_extension(prev, num)))
            prev = cur
    return terms


def lookup_terms(
    b: CircuitBuilder, common, o: OpeningSet, l0: ExtTarget, deltas: Sequence[Target]
) -> list[ExtTarget]:
    if not common.has_lookups:
        return []
    L = common.config.lookups_per_row
    sel = o.constants[common.lookup_selector]
    table, mult = o.lookup_table[0], o.lookup_multiplicities[0]
    one = ext_const(b, 1)
    terms = []
    for r, d in enumerate(deltas):
        h, g, phi = o.lookup_helpers[3 * r : 3 * r + 3]
        d_ext = ext_from_base(b, d)
        diffs = [b.sub_extension(d_ext, w) for w in o.wires[:L]]
        # prefix[j] = Π_{k<j} diffs_k, suffix[j] = Π_{k>=j} diffs_k
        prefix = [one]
        for x in diffs[:-1]:
            prefix.append(x if prefix[-1] is one else b.mul_extension(prefix[-1], x))
        suffix = [one] * (L + 1)
        for j in range(L - 1, 0, -1):
            suffix[j] = diffs[j] if suffix[j + 1] is one else b.mul_extension(diffs[j], suffix[j + 1])
        prod = b.mul_extension(prefix[-1], diffs[-1]) if L > 1 else diffs[0]
        sum_others = None
        for j in range(L):
            if prefix[j] is one:
                p = suffix[j + 1]
            elif suffix[j + 1] is one:
                p = prefix[j]
            else:
                p = b.mul_extension(prefix[j], suffix[j + 1])
            sum_others = p if sum_others is None else b.add_extension(sum_others, p)
        # φ(gζ) − φ(ζ) − sel·h + m·g
        look = b.sub_extension(o.lookup_phi_next[r], phi)
        look = b.sub_extension(look, b.mul_extension(sel, h))
        look = b.mul_add_extension(mult, g, look)
        terms += [
            b.mul_extension(l0, phi),
            b.sub_extension(b.mul_extension(h, prod), sum_others),
            b.sub_extension(b.mul_extension(g, b.sub_extension(d_ext, table)), one),
            look,
        ]
    return terms


def combine_terms(b: CircuitBuilder, terms: Sequence[ExtTarget], alphas: Sequence[Target]) -> list[ExtTarget]:
    """V_r = Σ_t α_r^t · terms[t] for each challenge set."""
    return [reduce_with_powers(b, terms, ext_from_base(b, a)) for a in alphas]


def zeta_powers(b: CircuitBuilder, common, zeta: ExtTarget) -> tuple[ExtTarget, ExtTarget, ExtTarget]:
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
    common,
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
    with b.scope("permutation"):
        arguments = permutation_terms(b, common, o, zeta, l0, betas, gammas)
    with b.scope("lookups"):
        arguments += lookup_terms(b, common, o, l0, deltas)
    if common.config.zero_knowledge:
        with b.scope("zk_blinding"):
            arguments = zk_terms(b, common, o, zeta, l0, arguments, len(deltas))
    with b.scope("combine"):
        return combine_terms(b, terms + arguments, alphas)


def zk_terms(
    b: CircuitBuilder, common, o: OpeningSet, zeta: ExtTarget, l0: ExtTarget, arguments, num_deltas: int
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
