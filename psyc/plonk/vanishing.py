"""The permutation and logUp vanishing terms, defined once symbolically (like the gates).

Every argument term of the quotient is one of the sympy expressions below, assembled in
quotient order by :func:`permutation_system` / :func:`lookup_system` (a :class:`TermSystem`:
the terms and where a kernel reads each input). Every evaluator is generated from them by
the gate code generator (:mod:`psyc.plonk.gates.codegen`), none is hand-written:

* the CPU prover: a tape for the gates' VM (:meth:`TermSystem.kernel_tape`, :mod:`psyc.backend_cpu.gate_vm`);
* the GPU prover: a CUDA kernel (:func:`psyc.backend_gpu.sources.terms_cuda_source`,
  ``backend_gpu/templates/terms.cu.j2``, printed with the emitter's ``CUDA_BACKEND``);
* the native verifier: Python over ints / :class:`Ext2` (:mod:`psyc.plonk.vanishing_eval`,
  which loads the cached code without sympy);
* the in-circuit verifier: circuit-builder calls (:func:`evaluator` with the circuit
  backend, run through :class:`psyc.recursion.gate_eval.FusingExtBuilder`).

``tests/test_vanishing_terms.py`` checks each backend's kernels against the definition on
random inputs, ``tests/test_recursion.py`` the in-circuit evaluation against the native one.

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

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.util.codegen import cached_source, load_function

if TYPE_CHECKING:
    import sympy

    from psyc.plonk.gates.codegen import Backend

# sympy (~0.7 s to import) and the code generator are imported only where a definition is
# built or printed: a prover whose generated code is cached (any run but the first) names
# the terms by their parameters (TermSystem.key) and loads the code without them.
_VANISHING = Path(__file__)
_CODEGEN = Path(__file__).with_name("gates") / "codegen.py"
_SYMBOL_NAMES = ("l0", "lu", "z", "beta", "gamma", "prev", "cur", "d", "h", "g", "phi", "phi_next", "sel", "mult", "table")


@cache
def _symbols() -> SimpleNamespace:
    """sympy, the shared symbols and the three fixed terms (built with sympy, once)."""
    import sympy

    s = SimpleNamespace(sympy=sympy, **dict(zip(_SYMBOL_NAMES, sympy.symbols(_SYMBOL_NAMES), strict=True)))
    # ``L0(x)·(Z_r(x) − 1)``: Z starts at 1.
    s.PERMUTATION_START = s.l0 * (s.z - 1)
    # Zero knowledge: ``L_u(x)·(Z_r(x) − 1)``: the product closes at the first blinding row.
    s.BOUNDARY_Z = s.lu * (s.z - 1)
    # Zero knowledge: ``L_u(x)·φ_r(x)``: the logUp sum closes at the first blinding row.
    s.BOUNDARY_PHI = s.lu * s.phi
    return s


def __getattr__(name: str):
    # the symbols and fixed terms (PERMUTATION_START, BOUNDARY_Z, BOUNDARY_PHI, beta…) as
    # module attributes, built with sympy on first access
    if name == "sympy" or name in _SYMBOL_NAMES or name in ("PERMUTATION_START", "BOUNDARY_Z", "BOUNDARY_PHI"):
        return getattr(_symbols(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _wires(width: int) -> list[sympy.Symbol]:
    import sympy

    return list(sympy.symbols(f"w0:{width}"))


@cache
def chunk_fractions(width: int) -> tuple[sympy.Expr, sympy.Expr]:
    """``(Π_j (w_j + β k_j x + γ), Π_j (w_j + β σ_j + γ))`` over a chunk of ``width`` routed
    wires: the numerator and denominator the copy-constraint product multiplies up."""
    s = _symbols()
    sympy, beta, gamma = s.sympy, s.beta, s.gamma
    w, sigma, kx = _wires(width), sympy.symbols(f"sigma0:{width}"), sympy.symbols(f"kx0:{width}")
    num = sympy.Mul(*[w[j] + beta * kx[j] + gamma for j in range(width)])
    den = sympy.Mul(*[w[j] + beta * sigma[j] + gamma for j in range(width)])
    return num, den


@cache
def permutation_chunk(width: int) -> sympy.Expr:
    """``cur·Π_j (w_j + β σ_j + γ) − prev·Π_j (w_j + β k_j x + γ)`` over a chunk of ``width``
    routed wires (:func:`chunk_fractions`): the partial products step through the
    copy-constraint product."""
    s = _symbols()
    num, den = chunk_fractions(width)
    return s.cur * den - s.prev * num


@cache
def lookup_terms(num_lookups: int) -> tuple[sympy.Expr, ...]:
    """The logUp terms for one challenge δ and ``num_lookups`` looked-up wires per row:
    ``L0·φ`` (the sum starts at 0); ``h·Π_j (δ − w_j) − Σ_j Π_{k≠j} (δ − w_k)`` (h is
    ``Σ_j 1/(δ − w_j)``); ``g·(δ − table) − 1`` (g is ``1/(δ − table)``);
    ``φ(ωx) − φ(x) − sel·h + mult·g`` (the running sum)."""
    s = _symbols()
    sympy, d = s.sympy, s.d
    w = _wires(num_lookups)
    diffs = [d - wj for wj in w]
    sum_others = sympy.Add(
        *[sympy.Mul(*[x for k, x in enumerate(diffs) if k != j]) for j in range(num_lookups)]
    )
    return (
        s.l0 * s.phi,
        s.h * sympy.Mul(*diffs) - sum_others,
        s.g * (d - s.table) - 1,
        s.phi_next - s.phi - s.sel * s.h + s.mult * s.g,
    )


@dataclass(frozen=True)
class Definition:
    """The symbolic content of a :class:`TermSystem` (see there)."""

    title: str
    terms: tuple[sympy.Expr, ...]
    columns: tuple[tuple[str, int, int, bool], ...]
    scalars: tuple[str, ...]
    derived: tuple[tuple[str, sympy.Expr], ...] = ()
    emit_order: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TermSystem:
    """Every term of one argument, in quotient order, over named inputs, with where a
    quotient kernel reads each input: what every evaluator is generated from.

    A system is named by its ``kind`` (the function that defines it: "permutation",
    "permutation products", "lookup") and that function's ``params`` (``term``: only term
    ``k`` of it); its definition (the sympy terms) is built on first use of one of the
    attributes below, so that loading its cached generated code (:meth:`kernel_tape`, the
    GPU kernel) needs neither sympy nor the generator.

    ``columns``: ``(symbol, source, row, shifted)``, the value at a point is
    ``sources[source][row, i]`` (at the next point ``ω x``, ``nxt[i]``, when shifted);
    ``scalars``: the symbols of the scalars vector, in order (the challenges);
    ``derived``: inputs defined by the others (``kx_j = k_j·x``), substituted by the
    kernels (CSE shares ``β·x``) and computed by the caller in circuit (where constants
    cost rows); ``emit_order``: the order a kernel computes the terms in (None: in order),
    so that terms reading the same inputs are computed together (the CPU tape keeps fewer
    registers live).
    """

    kind: str
    params: tuple
    term_index: int | None = None

    #: The name of the one kernel of the terms' CUDA source
    #: (:func:`psyc.backend_gpu.sources.terms_cuda_source`).
    CUDA_KERNEL: ClassVar[str] = "vanishing_terms"

    @cached_property
    def definition(self) -> Definition:
        """The symbolic terms (built with sympy on first use)."""
        full = _DEFINITIONS[self.kind](*self.params)
        if self.term_index is None:
            return full
        k = self.term_index
        return Definition(f"{full.title}, term {k}", (full.terms[k],), full.columns, full.scalars, full.derived)

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def terms(self) -> tuple[sympy.Expr, ...]:
        return self.definition.terms

    @property
    def columns(self) -> tuple[tuple[str, int, int, bool], ...]:
        return self.definition.columns

    @property
    def scalars(self) -> tuple[str, ...]:
        return self.definition.scalars

    @property
    def derived(self) -> tuple[tuple[str, sympy.Expr], ...]:
        return self.definition.derived

    @property
    def emit_order(self) -> tuple[int, ...] | None:
        return self.definition.emit_order

    @property
    def source_names(self) -> tuple[str, ...]:
        """What each of the kernel's sources holds, in order (for error messages; no sympy)."""
        return _SOURCE_NAMES[self.kind]

    @property
    def slug(self) -> str:
        """A short name of the system for cached files (not unique: :meth:`key` is)."""
        name = self.kind.replace(" ", "_")
        return name if self.term_index is None else f"{name}_term{self.term_index}"

    def expanded(self) -> tuple[sympy.Expr, ...]:
        """The terms with the derived inputs substituted."""
        if not self.derived:
            return self.terms
        import sympy

        subs = {sympy.Symbol(name): e for name, e in self.derived}
        return tuple(t.xreplace(subs) for t in self.terms)

    def key(self) -> str:
        """Changes whenever the generated code would (part of the on-disk cache keys): the
        kind, the parameters and the text of every source a definition reads (this module,
        the gate code with the generator, the field; sympy's version), computed without
        building the definition."""
        from psyc.plonk.gates.catalog import _definitions_key

        return ";".join([self.kind, repr(self.params), repr(self.term_index), _definitions_key(), _vanishing_text()])

    def term(self, k: int) -> TermSystem:
        """The system of term ``k`` alone (same inputs): a tape VM run of it writes the
        term's value, not a combination."""
        return TermSystem(self.kind, self.params, k)

    def kernel_tape(self) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """The terms as a program of the CPU tape VM (:mod:`psyc.backend_cpu.gate_vm`): (code,
        immediates, registers, output registers), reading the columns and scalars; cached
        on disk and per process."""
        return _kernel_tape(self)


@cache
def _vanishing_text() -> str:
    return _VANISHING.read_text()


def _names(prefix: str, n: int) -> list[sympy.Symbol]:
    import sympy

    return [sympy.Symbol(f"{prefix}{j}") for j in range(n)]


#: The sources of :func:`permutation_system` (the arrays of
#: ``ProverBackend.accumulate_permutation_terms``; ``pps`` flattened to ``(C·(m − 1), N)``).
PERMUTATION_SOURCES = ("routed", "sigmas", "zs", "pps", "l0", "xs")
#: The sources of :func:`lookup_system` (``helpers`` flattened to ``(3C, N)``).
LOOKUP_SOURCES = ("looked", "selector", "mult", "table", "helpers", "l0")


@cache
def permutation_system(num_routed: int, chunk: int, num_challenges: int, k_is: tuple[int, ...]) -> TermSystem:
    """The permutation terms: ``L0·(Z_r − 1)`` for every r, then :func:`permutation_chunk`
    for every r and chunk c (``prev`` the previous partial product, ``Z_r`` for c = 0;
    ``cur`` this one, ``Z_r(ωx)`` for the last chunk). Inputs ``w{j}``, ``sigma{j}``,
    ``z{r}``, ``znext{r}``, ``pp{r}_{c}``, ``l0``, ``x``; scalars ``beta{r}``, ``gamma{r}``;
    derived ``kx{j} = k_j·x``."""
    return TermSystem("permutation", (num_routed, chunk, num_challenges, tuple(k_is)))


def _permutation_definition(num_routed: int, chunk: int, num_challenges: int, k_is: tuple[int, ...]) -> Definition:
    import sympy

    s = _symbols()
    R, C = num_routed, num_challenges
    m = -(-R // chunk)
    w, sig, kx = _names("w", R), _names("sigma", R), _names("kx", R)
    zs, znext, betas, gammas = _names("z", C), _names("znext", C), _names("beta", C), _names("gamma", C)
    pps = [[sympy.Symbol(f"pp{r}_{c}") for c in range(m - 1)] for r in range(C)]
    terms = [s.PERMUTATION_START.xreplace({s.z: zs[r]}) for r in range(C)]
    for r in range(C):
        previous = zs[r]
        for c in range(m):
            j0, j1 = c * chunk, min(R, (c + 1) * chunk)
            current = pps[r][c] if c < m - 1 else znext[r]
            local = {s.beta: betas[r], s.gamma: gammas[r], s.prev: previous, s.cur: current}
            for i, j in enumerate(range(j0, j1)):
                local |= {sympy.Symbol(f"w{i}"): w[j], sympy.Symbol(f"sigma{i}"): sig[j], sympy.Symbol(f"kx{i}"): kx[j]}
            terms.append(permutation_chunk(j1 - j0).xreplace(local))
            previous = current
    columns = [(f"w{j}", 0, j, False) for j in range(R)] + [(f"sigma{j}", 1, j, False) for j in range(R)]
    columns += [(f"z{r}", 2, r, False) for r in range(C)] + [(f"znext{r}", 2, r, True) for r in range(C)]
    columns += [(f"pp{r}_{c}", 3, r * (m - 1) + c, False) for r in range(C) for c in range(m - 1)]
    columns += [("l0", 4, 0, False), ("x", 5, 0, False)]
    x = sympy.Symbol("x")
    return Definition(
        title="permutation terms",
        terms=tuple(terms),
        columns=tuple(columns),
        scalars=tuple(b.name for b in betas + gammas),
        derived=tuple((f"kx{j}", k_is[j] % P * x) for j in range(R)),
        emit_order=(*range(C), *(C + r * m + c for c in range(m) for r in range(C))),
    )


#: The sources of :func:`permutation_products_system` (the arrays of
#: ``ProverBackend.permutation_products``; ``xs`` as one row).
PRODUCTS_SOURCES = ("routed", "sigmas", "xs")


@cache
def permutation_products_system(num_routed: int, chunk: int, k_is: tuple[int, ...]) -> TermSystem:
    """The copy-constraint product's factors on the trace, per chunk c of ``chunk`` wires:
    the numerator then the denominator of :func:`chunk_fractions` (terms ``2c`` and
    ``2c + 1``). Inputs ``w{j}``, ``sigma{j}``, ``x``; scalars ``beta``, ``gamma``; derived
    ``kx{j} = k_j·x``. The prover divides them and multiplies them up into Z and the
    partial products that :func:`permutation_system` then checks."""
    return TermSystem("permutation products", (num_routed, chunk, tuple(k_is)))


def _products_definition(num_routed: int, chunk: int, k_is: tuple[int, ...]) -> Definition:
    import sympy

    R = num_routed
    terms = []
    for c in range(-(-R // chunk)):
        j0, j1 = c * chunk, min(R, (c + 1) * chunk)
        local = {}
        for i, j in enumerate(range(j0, j1)):
            local |= {sympy.Symbol(f"w{i}"): sympy.Symbol(f"w{j}"), sympy.Symbol(f"sigma{i}"): sympy.Symbol(f"sigma{j}")}
            local[sympy.Symbol(f"kx{i}")] = sympy.Symbol(f"kx{j}")
        terms += [f.xreplace(local) for f in chunk_fractions(j1 - j0)]
    columns = [(f"w{j}", 0, j, False) for j in range(R)] + [(f"sigma{j}", 1, j, False) for j in range(R)]
    columns.append(("x", 2, 0, False))
    x = sympy.Symbol("x")
    return Definition(
        title="permutation products",
        terms=tuple(terms),
        columns=tuple(columns),
        scalars=("beta", "gamma"),
        derived=tuple((f"kx{j}", k_is[j] % P * x) for j in range(R)),
    )


@cache
def lookup_system(num_lookups: int, num_challenges: int) -> TermSystem:
    """The logUp terms: the four :func:`lookup_terms` for every challenge r. Inputs
    ``w{j}`` (the looked-up wires), ``sel``, ``mult``, ``table``, ``l0`` and per challenge
    ``h{r}``, ``g{r}``, ``phi{r}``, ``phinext{r}``; scalars ``d{r}`` (δ)."""
    return TermSystem("lookup", (num_lookups, num_challenges))


def _lookup_definition(num_lookups: int, num_challenges: int) -> Definition:
    import sympy

    s = _symbols()
    terms = []
    for r in range(num_challenges):
        local = {s.d: sympy.Symbol(f"d{r}"), s.h: sympy.Symbol(f"h{r}"), s.g: sympy.Symbol(f"g{r}")}
        local |= {s.phi: sympy.Symbol(f"phi{r}"), s.phi_next: sympy.Symbol(f"phinext{r}")}
        terms += [t.xreplace(local) for t in lookup_terms(num_lookups)]
    columns = [(f"w{j}", 0, j, False) for j in range(num_lookups)]
    columns += [("sel", 1, 0, False), ("mult", 2, 0, False), ("table", 3, 0, False)]
    for r in range(num_challenges):
        columns += [(f"h{r}", 4, 3 * r, False), (f"g{r}", 4, 3 * r + 1, False), (f"phi{r}", 4, 3 * r + 2, False)]
        columns.append((f"phinext{r}", 4, 3 * r + 2, True))
    columns.append(("l0", 5, 0, False))
    return Definition("logUp terms", tuple(terms), tuple(columns), tuple(f"d{r}" for r in range(num_challenges)))


#: The definition of each kind of :class:`TermSystem`, from its parameters.
_DEFINITIONS: dict[str, Callable[..., Definition]] = {
    "permutation": _permutation_definition,
    "permutation products": _products_definition,
    "lookup": _lookup_definition,
}
_SOURCE_NAMES = {"permutation": PERMUTATION_SOURCES, "permutation products": PRODUCTS_SOURCES, "lookup": LOOKUP_SOURCES}


@cache
def _kernel_tape(system: TermSystem) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    from psyc.backend_cpu import gate_tape as vm

    def make() -> str:
        from psyc.plonk.gates import codegen

        loads = {name: (vm.OP_LOAD_NEXT if shifted else vm.OP_LOAD, row, source) for name, source, row, shifted in system.columns}
        loads |= {name: (vm.OP_SCALAR, i, 0) for i, name in enumerate(system.scalars)}
        return json.dumps(codegen.tape(system.expanded(), loads.__getitem__, system.emit_order))

    key = ";".join([system.key(), _CODEGEN.read_text(), Path(vm.__file__).read_text()])
    code, imms, num_regs, outputs = json.loads(cached_source(f"vanishing_tape_{system.slug}", key, make))
    return (
        np.array(code, dtype=np.int64).reshape(-1, 4),
        np.array(imms, dtype=np.uint64),
        num_regs,
        np.array(outputs, dtype=np.int64),
    )


@cache
def evaluator(exprs: tuple[sympy.Expr, ...], backend: Backend | None = None) -> Callable[..., list]:
    """A function of keyword arguments (one per free symbol; the circuit backend's builder
    as ``b``) returning every expression's value, generated (CSE'd straight-line code) for
    ``backend`` (default: the generic operators'); the source is cached on disk (sympy's CSE
    is not free)."""
    import sympy

    from psyc.plonk.gates.codegen import OPERATOR_BACKEND

    backend = backend or OPERATOR_BACKEND
    key = ";".join([sympy.srepr(exprs), repr(backend), _CODEGEN.read_text(), _vanishing_text()])  # (evaluator_source)
    source = cached_source(f"vanishing_{len(exprs)}", key, lambda: evaluator_source(exprs, backend))
    return load_function(source, f"<vanishing terms {len(exprs)}>", "_evaluate", {"Ext2": Ext2})


def evaluator_source(exprs: tuple[sympy.Expr, ...], backend: Backend | None = None) -> str:
    """The Python source of :func:`evaluator`'s function ``_evaluate``."""
    from psyc.plonk.gates.codegen import OPERATOR_BACKEND, emit

    names = sorted({s.name for e in exprs for s in e.free_symbols})
    temps, outs = emit(exprs, backend or OPERATOR_BACKEND)
    lines = [f"def _evaluate(b=None, *, {', '.join(names)}):"]
    lines += [f"    {name} = {code}" for name, code in temps]
    lines.append(f"    return [{', '.join(outs)}]")
    return "\n".join(lines) + "\n"


__all__ = [
    "BOUNDARY_PHI",  # noqa: F822  (built on first access: module __getattr__)
    "BOUNDARY_Z",  # noqa: F822  (built on first access: module __getattr__)
    "PERMUTATION_START",  # noqa: F822  (built on first access: module __getattr__)
    "PRODUCTS_SOURCES",
    "TermSystem",
    "evaluator",
    "evaluator_source",
    "chunk_fractions",
    "permutation_products_system",
    "lookup_system",
    "lookup_terms",
    "permutation_chunk",
    "permutation_system",
]
