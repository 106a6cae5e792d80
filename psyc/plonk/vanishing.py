"""The permutation and logUp vanishing terms, defined once symbolically (like the gates).

Every argument term of the quotient is one of the sympy expressions below; evaluators are
generated from them with the gate code generator (:func:`psyc.plonk.gates.codegen.emit`)
for a target backend (:data:`OPERATOR_BACKEND`: Python ints and :class:`Ext2`, used by the
native verifier). The prover's kernels (numba, CUDA) are checked against these
definitions term by term on random inputs (``tests/test_vanishing_terms.py``); the
in-circuit verifier (:mod:`psyc.recursion.vanishing`, hand-fused to save rows) is checked
against the generated native evaluator at random openings (``tests/test_recursion.py``).

Term order, after the gate constraints (each challenge set ``r`` has its own β, γ, δ):

* permutation: ``L0·(Z_r − 1)`` for every r; then for every r and chunk c
  :func:`permutation_chunk` with ``prev`` = the previous partial product (``Z_r`` for
  c = 0) and ``cur`` = this one (``Z_r(ωx)`` for the last chunk);
* lookups (per r): the four :func:`lookup_terms`;
* both groups multiplied by ``active = 1 − s_blind`` with zero knowledge;
* zero knowledge only, last: :data:`BOUNDARY_Z` for every r, then :data:`BOUNDARY_PHI`
  for every r (lookups only).

Symbol names: ``l0``/``lu`` the Lagrange polynomials of row 0 / the first blinding row,
``z`` Z_r(x), ``beta``, ``gamma``, ``prev``, ``cur``, ``w{j}`` the chunk's wires,
``sigma{j}`` their permutation columns, ``kx{j}`` the identity values ``k_j·x``; for the
lookups ``d`` (δ), ``h``, ``g``, ``phi``, ``phi_next`` (φ(ωx)), ``sel``, ``mult``,
``table`` and ``w{j}`` the looked-up wires.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import sympy

from psyc.field.extension import Ext2
from psyc.plonk.gates.codegen import OPERATOR_BACKEND, Backend, emit

l0, lu, z, beta, gamma, prev, cur = sympy.symbols("l0 lu z beta gamma prev cur")
d, h, g, phi, phi_next, sel, mult, table = sympy.symbols("d h g phi phi_next sel mult table")

#: ``L0(x)·(Z_r(x) − 1)``: Z starts at 1.
PERMUTATION_START = l0 * (z - 1)
#: Zero knowledge: ``L_u(x)·(Z_r(x) − 1)``: the product closes at the first blinding row.
BOUNDARY_Z = lu * (z - 1)
#: Zero knowledge: ``L_u(x)·φ_r(x)``: the logUp sum closes at the first blinding row.
BOUNDARY_PHI = lu * phi


def _wires(width: int) -> list[sympy.Symbol]:
    return list(sympy.symbols(f"w0:{width}"))


@cache
def permutation_chunk(width: int) -> sympy.Expr:
    """``cur·Π_j (w_j + β σ_j + γ) − prev·Π_j (w_j + β k_j x + γ)`` over a chunk of ``width``
    routed wires: the partial products step through the copy-constraint product."""
    w, sigma, kx = _wires(width), sympy.symbols(f"sigma0:{width}"), sympy.symbols(f"kx0:{width}")
    num = sympy.Mul(*[w[j] + beta * kx[j] + gamma for j in range(width)])
    den = sympy.Mul(*[w[j] + beta * sigma[j] + gamma for j in range(width)])
    return cur * den - prev * num


@cache
def lookup_terms(num_lookups: int) -> tuple[sympy.Expr, ...]:
    """The logUp terms for one challenge δ and ``num_lookups`` looked-up wires per row:
    ``L0·φ`` (the sum starts at 0); ``h·Π_j (δ − w_j) − Σ_j Π_{k≠j} (δ − w_k)`` (h is
    ``Σ_j 1/(δ − w_j)``); ``g·(δ − table) − 1`` (g is ``1/(δ − table)``);
    ``φ(ωx) − φ(x) − sel·h + mult·g`` (the running sum)."""
    w = _wires(num_lookups)
    diffs = [d - wj for wj in w]
    sum_others = sympy.Add(
        *[sympy.Mul(*[x for k, x in enumerate(diffs) if k != j]) for j in range(num_lookups)]
    )
    return (
        l0 * phi,
        h * sympy.Mul(*diffs) - sum_others,
        g * (d - table) - 1,
        phi_next - phi - sel * h + mult * g,
    )


Evaluator = Callable[..., list]


@cache
def evaluator(exprs: tuple[sympy.Expr, ...], backend: Backend = OPERATOR_BACKEND) -> Evaluator:
    """A function of keyword arguments (one per free symbol) returning every expression's
    value, generated (CSE'd straight-line code) for ``backend``."""
    names = sorted({s.name for e in exprs for s in e.free_symbols})
    temps, outs = emit(exprs, backend)
    lines = [f"def _evaluate(*, {', '.join(names)}):"]
    lines += [f"    {name} = {code}" for name, code in temps]
    lines.append(f"    return [{', '.join(outs)}]")
    namespace: dict = {"Ext2": Ext2}
    exec(compile("\n".join(lines), f"<vanishing terms {len(exprs)}>", "exec"), namespace)  # generated code
    return namespace["_evaluate"]


def permutation_terms_at(
    zs: Sequence,
    zs_next: Sequence,
    partial_products: Sequence,
    wires: Sequence,
    sigmas: Sequence,
    kx: Sequence,
    l0_value,
    betas: Sequence,
    gammas: Sequence,
    chunk: int,
) -> list:
    """Every permutation term at one point, in order (values of any type the operator
    backend works on: ints mod p, :class:`Ext2`). ``partial_products`` holds the m − 1
    stored ones per challenge, ``kx[j] = k_j·x``."""
    R = len(wires)
    m = -(-R // chunk)
    start = evaluator((PERMUTATION_START,))
    terms = [start(l0=l0_value, z=zr)[0] for zr in zs]
    for r in range(len(zs)):
        pps = partial_products[r * (m - 1) : (r + 1) * (m - 1)]
        previous = zs[r]
        for c in range(m):
            j0, j1 = c * chunk, min(R, (c + 1) * chunk)
            current = pps[c] if c < m - 1 else zs_next[r]
            args = {f"w{j - j0}": wires[j] for j in range(j0, j1)}
            args |= {f"sigma{j - j0}": sigmas[j] for j in range(j0, j1)}
            args |= {f"kx{j - j0}": kx[j] for j in range(j0, j1)}
            term = evaluator((permutation_chunk(j1 - j0),))(
                beta=betas[r], gamma=gammas[r], prev=previous, cur=current, **args
            )[0]
            terms.append(term)
            previous = current
    return terms


def lookup_terms_at(
    looked: Sequence,
    helpers: Sequence,
    phis_next: Sequence,
    selector,
    multiplicity,
    table_value,
    l0_value,
    deltas: Sequence,
) -> list:
    """Every logUp term at one point, in order; ``helpers`` is (h, g, φ) per challenge."""
    ev = evaluator(lookup_terms(len(looked)))
    terms = []
    for r, delta in enumerate(deltas):
        hr, gr, phir = helpers[3 * r : 3 * r + 3]
        terms += ev(
            l0=l0_value,
            d=delta,
            h=hr,
            g=gr,
            phi=phir,
            phi_next=phis_next[r],
            sel=selector,
            mult=multiplicity,
            table=table_value,
            **{f"w{j}": v for j, v in enumerate(looked)},
        )
    return terms


def boundary_terms_at(zs: Sequence, phis: Sequence, lu_value) -> list:
    """The zero-knowledge closing terms at one point: per challenge L_u(Z − 1), then L_u·φ."""
    bz, bphi = evaluator((BOUNDARY_Z,)), evaluator((BOUNDARY_PHI,))
    return [bz(lu=lu_value, z=zr)[0] for zr in zs] + [bphi(lu=lu_value, phi=p)[0] for p in phis]
