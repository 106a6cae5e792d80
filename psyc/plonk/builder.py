"""CircuitBuilder: build a Plonkish circuit from Python.

Cells of the table hold :class:`Target` variables. An operation places a gate row (or
an op inside a shared row) whose input cells hold the operand targets and whose output
cells hold fresh targets, and registers a generator that computes the outputs. A gate
with its own row keeps its builder entry and witness generator in its module, beside its
definition (``place_random_access``, ``place_exp``, ``place_interpolate_coset``,
``place_permute``; the packed ops' generators ``ext_arithmetic_witness`` and
``gfp5_mul_witness``); the methods here call them. A target
appearing in several cells — or targets joined by :meth:`connect` — becomes one cycle of
the permutation argument, so copy constraints need no separate bookkeeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.hash.constants import DIGEST_LEN, RATE, WIDTH
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates import (
    Gate,
    arithmetic_gate,
    base_sum_gate,
    constant_gate,
    extension_arithmetic_gate,
    gfp5_mul_gate,
    lookup_gate,
    public_input_gate,
)
from psyc.plonk.gates.arithmetic import WIRES_PER_OP, arithmetic_witness
from psyc.plonk.gates.base_sum import bits_witness
from psyc.plonk.gates.bigint import place_bigint_carry, place_bigint_mul
from psyc.plonk.gates.coset_interpolation import place_interpolate_coset
from psyc.plonk.gates.exponentiation import place_exp
from psyc.plonk.gates.extension_arithmetic import ext_arithmetic_witness
from psyc.plonk.gates.gfp5_mul import gfp5_mul_witness
from psyc.plonk.gates.poseidon import place_permute
from psyc.plonk.gates.random_access import place_random_access, place_random_access_many
from psyc.plonk.row import Row
from psyc.plonk.target import Target
from psyc.plonk.witness import Generator, inverse_hint
from psyc.util.gc_pause import with_gc_paused

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData

ExtTarget = tuple[Target, Target]  # a0 + a1*x in the quadratic extension
RANGE_CHECK_LIMBS = 63  # one base-2 decomposition gate serves every range check < 2^63
# Target(i) without the NamedTuple's Python-level __new__ (the same tuple): circuits make
# millions of targets
_new_target = tuple.__new__
_State = TypeVar("_State")
_Checked = TypeVar("_Checked")


def _split_limbs(v: list[int]) -> list[int]:
    """(lo, hi): the 32-bit limbs of a canonical field value."""
    return [v[0] & 0xFFFFFFFF, v[0] >> 32]


class CircuitBuilder:
    """Builds a Plonkish circuit: wires (:class:`Target`), arithmetic, Poseidon, range
    checks and copy constraints, then :meth:`build` freezes it into a
    :class:`~psyc.plonk.circuit.CircuitData` that proves and verifies.

    >>> b = CircuitBuilder()
    >>> x = b.add_virtual_target()
    >>> b.register_public_input(b.mul(x, x))
    """

    def __init__(self, config: CircuitConfig | None = None) -> None:
        self.config = config or CircuitConfig.standard()
        self.rows: list[Row] = []
        self.generators: list[Generator] = []
        self.public_inputs: list[Target] = []
        self._num_targets = 0
        self._parent: dict[int, int] = {}
        self._constants: dict[int, Target] = {}
        self._arith_open: dict[tuple, tuple[int, int]] = {}
        self._const_open: tuple[int, int] | None = None
        self._scopes: list[str] = []
        self._scope_name = ""  # "/".join(self._scopes), kept current: every row and generator reads it
        self._outer_names: list[str] = []  # _scope_name of each enclosing scope
        self._arith_fns: dict[tuple[int, int], Callable] = {}  # one witness function per (c0, c1)
        self._arith_slots: dict[tuple[int, int], list] = {}  # (c0, c1) -> its open row (arithmetic)
        self._arith_ops = -1  # ops per arithmetic row, once one is open
        self._lookup_open: tuple[int, int] | None = None
        self._packed_open: dict[tuple, tuple[int, int]] = {}  # add_packed_op's open rows
        self._gadget_state: dict[str, Any] = {}

    # --- the gates of the builder's own rows, built on first use -------------------------
    # (building a gate's sympy constraints costs up to a second of CPU per process, and most
    # circuits use a few of these)
    @cached_property
    def _arith(self) -> Gate:
        return arithmetic_gate(self.config.num_routed_wires // WIRES_PER_OP)

    @cached_property
    def _const_gate(self) -> Gate:
        return constant_gate(self.config.num_constants)

    @cached_property
    def _range_gate(self) -> Gate:
        return base_sum_gate(RANGE_CHECK_LIMBS)

    @cached_property
    def _lookup_gate(self) -> Gate:
        return lookup_gate(self.config.lookups_per_row)

    @cached_property
    def _ext_gate(self) -> Gate:
        return extension_arithmetic_gate(self.config.num_routed_wires // 8)

    @cached_property
    def _gfp5_gate(self) -> Gate:
        return gfp5_mul_gate(max(1, self.config.num_routed_wires // 15))

    # --- targets and scopes -----------------------------------------------------
    def add_virtual_target(self) -> Target:
        """A new wire whose value the witness (or a generator) sets."""
        t = _new_target(Target, (self._num_targets,))
        self._num_targets += 1
        return t

    def add_virtual_targets(self, n: int) -> list[Target]:
        """``n`` new wires (see :meth:`add_virtual_target`)."""
        start = self._num_targets
        self._num_targets += n
        return [_new_target(Target, (i,)) for i in range(start, start + n)]

    @contextlib.contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Name a region; rows and generators created inside carry ``outer/name``."""
        self.push_scope(name)
        try:
            yield
        finally:
            self.pop_scope()

    def push_scope(self, name: str) -> None:
        """Open scope ``name`` until :meth:`pop_scope` (:meth:`scope` without a context
        manager, for callers that open one per operation)."""
        self._outer_names.append(self._scope_name)
        self._scope_name = f"{self._scope_name}/{name}" if self._scopes else name
        self._scopes.append(name)

    def pop_scope(self) -> None:
        """Close the innermost scope opened by :meth:`push_scope`."""
        self._scopes.pop()
        self._scope_name = self._outer_names.pop()

    @property
    def current_scope(self) -> str:
        """The name of the innermost open scope (rows are attributed to it in stats)."""
        return self._scope_name

    def _add_row(self, gate: Gate, cells: list[Target | None], constants: Sequence[int] = ()) -> int:
        if gate.num_wires > self.config.num_wires:
            raise ValueError(
                f"gate {gate.id} needs {gate.num_wires} wires; the config has {self.config.num_wires}"
            )
        consts = [c % P for c in constants] + [0] * (self.config.num_constants - len(constants))
        self.rows.append(Row(gate, consts, cells, self._scope_name))
        return len(self.rows) - 1

    def add_gate_row(self, gate: Gate, cells: list[Target | None], constants: Sequence[int] = ()) -> int:
        """Place a row of ``gate`` with these cells and constants, with no witness generator
        (for gadgets whose cells are all computed elsewhere, e.g. pure check rows); returns
        its index."""
        return self._add_row(gate, cells, constants)

    def add_packed_op(
        self,
        gate: Gate,
        constants: Sequence[int],
        cells: Sequence[Target],
        op_width: int,
        ops_per_row: int,
        group: str | None = None,
    ) -> int:
        """Place one op's ``cells`` in the next free op slot of an open row of ``gate`` with
        these ``constants``: ops of the same gate, constants and ``group`` share rows,
        ``ops_per_row`` to a row, slot ``k`` holding cells ``k·op_width ..``; cells missing
        at the end of an op hold the constant 0 (a check op's output). A row opened here is
        labelled ``group`` (default: the current scope), so that ops made under several
        scopes can share rows under one label. No witness generator: for check ops whose
        cells are all computed elsewhere. Returns the row's index."""
        key = (gate.id, tuple(c % P for c in constants), group)
        open_ = self._packed_open.get(key)
        if open_ is None or open_[1] == ops_per_row:
            open_ = (self._add_row(gate, [None] * gate.num_wires, constants), 0)
            if group is not None:
                self.rows[open_[0]].scope = group
        row, slot = open_
        # the padding's constant is made after the row (a new constant row goes below it)
        cells = [*cells, *[self.zero()] * (op_width - len(cells))]
        self.rows[row].cells[op_width * slot : op_width * (slot + 1)] = cells
        self._packed_open[key] = (row, slot + 1)
        return row

    def gadget_state(self, name: str, factory: Callable[[], _State]) -> _State:
        """This builder's state of the gadget library ``name`` (e.g. the recursion gadgets'
        stack of verification conditions), made by ``factory`` on first use: it lives and
        dies with the builder, like the rows it is about."""
        state = self._gadget_state.get(name)
        if state is None:
            state = self._gadget_state[name] = factory()
        return state

    def add_generator(
        self,
        fn: Callable[[list[int]], Sequence[int]],
        deps: Sequence[Target],
        outputs: Sequence[Target],
        name: str = "hint",
    ) -> None:
        """A witness hint: computes ``outputs`` from ``deps`` (it does not constrain them).
        Outputs already set in the partial witness are kept and the hint is not run."""
        self.generators.append(Generator(tuple(deps), tuple(outputs), fn, self._scope_name, name, True))

    def add_gate_generator(
        self,
        fn: Callable[[list[int]], Sequence[int]],
        deps: Sequence[Target],
        outputs: Sequence[Target],
        name: str,
    ) -> None:
        """The witness generator of a gate row (each gate's module writes its own): unlike a
        hint its outputs are what the row's constraints determine, so a value that
        contradicts a copy constraint is reported where it was computed."""
        self.generators.append(Generator(tuple(deps), tuple(outputs), fn, self._scope_name, name))

    def is_constant(self, t: Target, value: int) -> bool:
        """Whether ``t`` is the builder's constant target of ``value``."""
        return self._constants.get(value % P) is t

    # --- copy constraints ---------------------------------------------------------
    def copy_roots(self) -> list[int]:
        """For every target, the representative of its copy class (targets constrained
        equal by :meth:`connect` share one)."""
        roots = list(range(self._num_targets))
        for t in list(self._parent):
            roots[t] = self._find(t)
        return roots

    def _find(self, i: int) -> int:
        root = i
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        while self._parent.get(i, i) != root:
            self._parent[i], i = root, self._parent[i]
        return root

    def connect(self, a: Target, b: Target) -> None:
        """Constrain a == b."""
        ra, rb = self._find(a.index), self._find(b.index)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def assert_equal(self, a: Target, b: Target) -> None:
        """Constrain ``a == b`` (a copy constraint: no gate is added)."""
        self.connect(a, b)

    # --- constants -----------------------------------------------------------------
    def constant(self, value: int) -> Target:
        """A wire fixed to ``value`` mod p (one per distinct value)."""
        value %= P
        if value in self._constants:
            return self._constants[value]
        t = self.add_virtual_target()
        slots = self.config.num_constants
        if self._const_open is None or self._const_open[1] == slots:
            row = self._add_row(self._const_gate, [None] * slots)
            self._const_open = (row, 0)
        row, slot = self._const_open
        self.rows[row].cells[slot] = t
        self.rows[row].constants[slot] = value
        self._const_open = (row, slot + 1)
        self.generators.append(Generator((), (t,), lambda _, v=value: [v], "", "constant"))
        self._constants[value] = t
        return t

    def zero(self) -> Target:
        """The constant 0."""
        return self.constant(0)

    def one(self) -> Target:
        """The constant 1."""
        return self.constant(1)

    # --- arithmetic -------------------------------------------------------------------
    def arithmetic(self, c0: int, c1: int, a: Target, b: Target, c: Target) -> Target:
        """c0*a*b + c1*c, packed with other ops of the same (c0, c1) into one row."""
        key = (c0 % P, c1 % P)
        slot = self._arith_slots.get(key)
        if slot is None or slot[1] == self._arith_ops:
            slot = self._open_arith_row(key)
        cells, op, fn = slot
        out = _new_target(Target, (self._num_targets,))  # (add_virtual_target, inlined: one per operation)
        self._num_targets += 1
        k = WIRES_PER_OP * op
        cells[k : k + WIRES_PER_OP] = (a, b, c, out)
        slot[1] = op + 1
        self.generators.append(Generator((a, b, c), (out,), fn, self._scope_name, "arithmetic"))
        return out

    def _open_arith_row(self, key: tuple[int, int]) -> list:
        """A new arithmetic row of constants ``key``: ``[its cells, ops placed, the ops'
        witness function]`` (what :meth:`arithmetic` keeps per open row)."""
        gate = self._arith
        self._arith_ops = gate.params[0]
        row = self._add_row(gate, [None] * gate.num_wires, key)
        fn = self._arith_fns.get(key)
        if fn is None:
            fn = self._arith_fns[key] = arithmetic_witness(*key)
        slot = self._arith_slots[key] = [self.rows[row].cells, 0, fn]
        return slot

    def add(self, a: Target, b: Target) -> Target:
        """``a + b``."""
        return self.arithmetic(1, 1, a, self.one(), b)

    def sub(self, a: Target, b: Target) -> Target:
        """``a - b``."""
        return self.arithmetic(1, P - 1, a, self.one(), b)

    def mul(self, a: Target, b: Target) -> Target:
        """``a * b``."""
        return self.arithmetic(1, 0, a, b, self.zero())

    def mul_add(self, a: Target, b: Target, c: Target) -> Target:
        """``a * b + c`` in one arithmetic operation."""
        return self.arithmetic(1, 1, a, b, c)

    def mul_const(self, k: int, a: Target) -> Target:
        """``k * a`` for a constant ``k``."""
        return self.arithmetic(k, 0, a, self.one(), self.zero())

    def add_const(self, a: Target, k: int) -> Target:
        """``a + k`` for a constant ``k``."""
        return self.add(a, self.constant(k))

    def neg(self, a: Target) -> Target:
        """``-a``."""
        return self.mul_const(P - 1, a)

    def assert_zero(self, t: Target) -> None:
        """Constrain ``t == 0``."""
        self.connect(t, self.zero())

    def assert_bool(self, t: Target) -> None:
        """t * (t - 1) = 0, as t*t - t."""
        self.assert_zero(self.arithmetic(1, P - 1, t, t, t))

    def range_check(self, t: Target, bits: int) -> None:
        """Constrain 0 <= t < 2^bits (bits <= 63: a bit decomposition cannot alias t + p)."""
        self.split_le(t, bits)

    def split_le(self, t: Target, bits: int, *, low_only: bool = False) -> list[Target]:
        """The ``bits`` little-endian bits of t, constrained boolean and recomposing to t
        (so 0 <= t < 2^bits is enforced too): one row of the base-sum gate, its limbs past
        ``bits`` tied to zero.

        The generator writes every limb, so an out-of-range t conflicts with the zero
        constant (reported where the value was made). ``low_only``: it writes only the low
        ``bits`` bits, as a hint, so an out-of-range t fails this row's recomposition
        constraint instead (the recursion gadgets' ``split_bits``)."""
        if not 0 <= bits <= RANGE_CHECK_LIMBS:
            name = "split_bits" if low_only else "range_check/split_le"
            raise ValueError(f"{name} support{'s' if low_only else ''} 0..{RANGE_CHECK_LIMBS} bits, got {bits}")
        limbs = self.add_virtual_targets(RANGE_CHECK_LIMBS)
        self._add_row(self._range_gate, [t, *limbs])
        zero = self.zero()
        for limb in limbs[bits:]:
            self.connect(limb, zero)
        if low_only:
            self.add_generator(bits_witness(bits), [t], limbs[:bits], "split_bits")
        else:
            self.add_gate_generator(bits_witness(RANGE_CHECK_LIMBS), (t,), limbs, "range_check")
        return limbs[:bits]

    def canonical_limbs(
        self,
        t: Target,
        check: Callable[[Target], _Checked],
        assert_equal: Callable[[Target, Target], None] | None = None,
    ) -> tuple[Target, Target, _Checked, _Checked]:
        """``(lo, hi, check(lo), check(hi))`` with t = hi·2^32 + lo, both limbs below 2^32
        and the pair canonical: the one decomposition of a field element into 32-bit limbs,
        for the language's 64-bit operations (``psyc.ir.lower``) and the recursion
        verifier's challenge bits (``psyc.recursion.gadgets.low_bits_of_challenge``).

        ``check`` constrains a limb below 2^32 (a bit split, a range check) and returns what
        it makes; ``assert_equal`` joins two targets (default :meth:`connect`; the recursion
        gadgets pass theirs, which honours a verification condition). Canonical means
        hi = 2^32 − 1 forces lo = 0 — else t + p < 2^64 would be a second decomposition,
        with other limbs, of any t < 2^32 − 1 — written lo·(d·d⁻¹) = lo for
        d = hi − (2^32 − 1) and d⁻¹ its inverse (0 when d = 0): three arithmetic ops."""
        eq = assert_equal or self.connect
        lo, hi = self.add_virtual_targets(2)
        self.add_generator(_split_limbs, [t], [lo, hi], "split_limbs")
        lo_checked, hi_checked = check(lo), check(hi)
        eq(self.arithmetic(1 << 32, 1, hi, self.one(), lo), t)
        d = self.add(hi, self.constant(P - (1 << 32) + 1))
        d_inv = self.add_virtual_target()
        self.add_generator(inverse_hint, [d], [d_inv], "inverse")
        eq(self.mul(lo, self.mul(d, d_inv)), lo)
        return lo, hi, lo_checked, hi_checked

    # --- selection and exponentiation ----------------------------------------------------
    def random_access(self, index: Target, items: Sequence[Target]) -> Target:
        """items[index] for up to 32 items. The gate decomposes ``index`` into bits; when the
        list is not a power of two long, ``len(items) - 1 - index`` is range-checked too, so
        any index past the list is unsatisfiable."""
        return place_random_access(self, index, items)

    def random_access_many(self, index: Target, item_lists: Sequence[Sequence[Target]],
                           outputs: Sequence[Target] | None = None) -> list[Target]:
        """``item_lists[k][index]`` for every k, several selections a row (lists of one
        length, a power of two up to 32; ``place_random_access_many``)."""
        return place_random_access_many(self, index, item_lists, outputs)

    def exp(self, base: Target, exponent: Target, num_bits: int) -> Target:
        """base^exponent for an exponent of ``num_bits`` bits (square-and-multiply in one row)."""
        return place_exp(self, base, exponent, num_bits)

    def interpolate_coset(self, shift: Target, values: Sequence[ExtTarget], x: ExtTarget) -> ExtTarget:
        """Value at x of the polynomial taking values[i] at shift * w^i (len(values) = 2..16,
        a power of two): one FRI folding step, in one row."""
        return place_interpolate_coset(self, shift, values, x)

    # --- extension-field arithmetic ------------------------------------------------------
    def arithmetic_extension(self, c0: int, c1: int, a: ExtTarget, b: ExtTarget, c: ExtTarget) -> ExtTarget:
        """c0*a*b + c1*c in F[x]/(x^2 - 7), packed by (c0, c1) like :meth:`arithmetic`."""
        gate = self._ext_gate
        key = ("ext", c0 % P, c1 % P)
        ops = gate.params[0]
        if key not in self._arith_open or self._arith_open[key][1] == ops:
            self._arith_open[key] = (self._add_row(gate, [None] * gate.num_wires, key[1:]), 0)
        row, op = self._arith_open[key]
        out = tuple(self.add_virtual_targets(2))
        self.rows[row].cells[8 * op : 8 * (op + 1)] = [*a, *b, *c, *out]
        self._arith_open[key] = (row, op + 1)
        self.add_gate_generator(ext_arithmetic_witness(*key[1:]), (*a, *b, *c), out, "ext_arithmetic")
        return out

    # --- GF(p^5) ------------------------------------------------------------------------
    def gfp5_mul(self, a: Sequence[Target], b: Sequence[Target]) -> list[Target]:
        """``a·b`` in GF(p^5) = GF(p)[z]/(z^5 − 3) (5 coefficients each), packed several to a
        ``gfp5_mul`` row."""
        from psyc.plonk.gates.gfp5_mul import WIRES_PER_OP

        gate = self._gfp5_gate
        key = ("gfp5",)
        if key not in self._arith_open or self._arith_open[key][1] == gate.params[0]:
            self._arith_open[key] = (self._add_row(gate, [None] * gate.num_wires), 0)
        row, op = self._arith_open[key]
        out = self.add_virtual_targets(5)
        self.rows[row].cells[WIRES_PER_OP * op : WIRES_PER_OP * (op + 1)] = [*a, *b, *out]
        self._arith_open[key] = (row, op + 1)
        self.add_gate_generator(gfp5_mul_witness, (*a, *b), out, "gfp5_mul")
        return out

    # --- non-native arithmetic (psyc.plonk.gates.bigint) --------------------------------------
    def bigint_mul(self, a: Sequence[Target], b: Sequence[Target], c: Sequence[Target]) -> list[Target]:
        """The column pairs of ``a·b − c`` (L-limb vectors), one ``bigint_mul`` row."""
        return place_bigint_mul(self, a, b, c)

    def bigint_carry(self, modulus: int, d: Sequence[Target], u: Sequence[Target]) -> list[Target]:
        """The biased carries and the residual of ``value(d) − q·m`` (``u`` = q's biased limbs,
        m the gate's modulus ``modulus``), one ``bigint_carry`` row."""
        return place_bigint_carry(self, modulus, d, u)

    def constant_extension(self, v: Ext2) -> ExtTarget:
        """A constant of the quadratic extension."""
        return (self.constant(v.a0), self.constant(v.a1))

    def add_extension(self, a: ExtTarget, b: ExtTarget) -> ExtTarget:
        """``a + b`` in the quadratic extension."""
        return self.arithmetic_extension(1, 1, a, self.constant_extension(Ext2.one()), b)

    def sub_extension(self, a: ExtTarget, b: ExtTarget) -> ExtTarget:
        """``a - b`` in the quadratic extension."""
        return self.arithmetic_extension(1, P - 1, a, self.constant_extension(Ext2.one()), b)

    def mul_extension(self, a: ExtTarget, b: ExtTarget) -> ExtTarget:
        """``a * b`` in the quadratic extension."""
        return self.arithmetic_extension(1, 0, a, b, self.constant_extension(Ext2.zero()))

    def mul_add_extension(self, a: ExtTarget, b: ExtTarget, c: ExtTarget) -> ExtTarget:
        """``a * b + c`` in the quadratic extension."""
        return self.arithmetic_extension(1, 1, a, b, c)

    # --- lookups (logUp) ---------------------------------------------------------------
    def lookup(self, t: Target) -> None:
        """Constrain t to be a value of the range table [0, 2^config.range_table_bits)."""
        per_row = self.config.lookups_per_row
        if self._lookup_open is None or self._lookup_open[1] == per_row:
            self._lookup_open = (self._add_row(self._lookup_gate, [None] * per_row), 0)
        row, slot = self._lookup_open
        self.rows[row].cells[slot] = t
        self._lookup_open = (row, slot + 1)

    def range_check_lookup(self, t: Target, bits: int) -> None:
        """Constrain 0 <= t < 2^bits with table lookups: limbs of ``range_table_bits`` bits,
        a shifted lookup for a partial top limb, and a recomposition. Cheaper than
        :meth:`range_check` when many values are checked (7 lookups share a row)."""
        tb = self.config.range_table_bits
        if not 0 <= bits <= RANGE_CHECK_LIMBS:
            raise ValueError(f"range_check_lookup supports 0..{RANGE_CHECK_LIMBS} bits, got {bits}")
        if bits == 0:
            self.assert_zero(t)
            return
        num_limbs = -(-bits // tb)
        if num_limbs == 1:
            limbs = [t]
        else:
            limbs = self.add_virtual_targets(num_limbs)
            mask = (1 << tb) - 1
            self.add_generator(
                lambda v: [(v[0] >> (tb * i)) & mask for i in range(num_limbs)], [t], limbs, "limbs"
            )
            acc = limbs[-1]
            for limb in reversed(limbs[:-1]):
                acc = self.arithmetic(1 << tb, 1, acc, self.one(), limb)
            self.connect(acc, t)
        for limb in limbs:
            self.lookup(limb)
        top_bits = bits - tb * (num_limbs - 1)
        if top_bits < tb:  # limb < 2^top_bits  <=>  limb * 2^(tb - top_bits) < 2^tb (no wrap: limb < 2^tb)
            self.lookup(self.mul_const(1 << (tb - top_bits), limbs[-1]))

    # --- hashing ---------------------------------------------------------------------
    def permute(self, inputs: Sequence[Target], swap: Target | None = None) -> list[Target]:
        """The Poseidon permutation in one row; with ``swap`` = 1 the input halves 0..3 and
        4..7 are exchanged first (swap must be boolean; the gate enforces it)."""
        return place_permute(self, inputs, swap)

    def hash_no_pad(self, inputs: Sequence[Target]) -> list[Target]:
        """plonky2's overwrite-mode sponge (no padding), as in psyc.hash.hash_no_pad."""
        state = [self.zero()] * WIDTH
        for start in range(0, len(inputs), RATE):
            chunk = list(inputs[start : start + RATE])
            state = self.permute(chunk + state[len(chunk) :])
        return state[:DIGEST_LEN]

    poseidon = hash_no_pad

    def hash_or_noop(self, inputs: Sequence[Target]) -> list[Target]:
        """Poseidon hash of ``inputs`` (inputs of at most 4 elements are returned padded, unhashed)."""
        if len(inputs) <= DIGEST_LEN:
            return list(inputs) + [self.zero()] * (DIGEST_LEN - len(inputs))
        return self.hash_no_pad(inputs)

    def two_to_one(self, a: Sequence[Target], b: Sequence[Target]) -> list[Target]:
        """Poseidon compression of two digests into one."""
        return self.permute([*a, *b] + [self.zero()] * 4)[:DIGEST_LEN]

    # --- public inputs and build ---------------------------------------------------------
    def register_public_input(self, t: Target) -> None:
        """Make ``t`` a public input: its value is part of the proof's public inputs."""
        self.public_inputs.append(t)

    def register_public_inputs(self, ts: Sequence[Target]) -> None:
        """Make each of ``ts`` a public input, in order."""
        self.public_inputs.extend(ts)

    @with_gc_paused
    def build(self) -> CircuitData:
        """Freeze the circuit: lay out the table, compute the permutation, commit constants."""
        # the build reaches the verifier and the key (psyc.plonk.circuit): loaded when a
        # circuit is built, not when a builder is made
        from psyc.plonk.build import build_circuit

        with self.scope("public_inputs"):
            digest = self.hash_or_noop(self.public_inputs)  # identity for <= 4 inputs
            self._add_row(public_input_gate(), list(digest))
        return build_circuit(self)

    # --- statistics --------------------------------------------------------------------------
    def num_gates(self) -> int:
        """Rows used so far."""
        return len(self.rows)
