"""``impl`` blocks, methods and contract storage (:mod:`psyc.frontend.storage`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.common import (
    TV,
    Binding,
    _did_you_mean,
    _unify,
    error,
)
from psyc.frontend.modules import Module
from psyc.frontend.storage import (
    MAX_LOAD_SLOTS,
    MemoryHandle,
    Place,
    StorageT,
    field_slots,
    footprint,
    leaf_positions,
)
from psyc.frontend.types import FELT, U32, Array, Scalar, Struct, Type
from psyc.ir.ir import Value
from psyc.util.diagnostics import CompileError, Span

if TYPE_CHECKING:
    from psyc.frontend.modules import Module


class MethodsMixin:
    """The elaborator's impl blocks, methods and contract storage (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

    @staticmethod
    def tv(t: Type, payload: object) -> TV:
        return TV(t, payload)

    def call_std(self, module_name: str, fn_name: str, args: list[TV], span: Span) -> TV:
        """Inline a standard-library function on elaborated arguments (const generics
        inferred from the argument types)."""
        mod = self.loader.module(module_name, span)
        fn = mod.items[fn_name]
        generics: dict[str, int] = {}
        names = {g.name for g in fn.generics}
        for p, a in zip(fn.params, args, strict=True):
            _unify(p.type, a.type, names, generics)
        return self.inline(mod, fn, generics, args, span)

    def _call_args(self, module: Module, fn: ast.FnDecl, e, expected: Type | None) -> tuple[dict[str, int], list[TV]]:
        if len(e.args) != len(fn.params):
            raise error("E0106", f"`{fn.name}` takes {len(fn.params)} argument(s) but {len(e.args)} were given",
                        e.span, notes=[f"defined at {self._where(fn.span)}"])
        generics = self.bind_generics(module, fn, e, expected)
        args = [self.expr(a, self._param_type(module, fn, p, generics)) for p, a in zip(fn.params, e.args, strict=True)]
        self._infer_generics(module, fn, generics, args, e)
        for p, a, v in zip(fn.params, e.args, args, strict=True):
            pt = self._param_type(module, fn, p, generics)
            self.expect_type(pt, v.type, a.span, f" for argument `{p.name}` of `{fn.name}`")
        return generics, args

    def struct_decl(self, st: Struct) -> ast.StructDecl | None:
        mod = self.loader.modules.get(st.module)
        item = mod.items.get(st.name) if mod is not None else None
        return item if isinstance(item, ast.StructDecl) else None

    def is_contract(self, st: Struct) -> bool:
        decl = self.struct_decl(st)
        return decl is not None and any(a.name == "contract" for a in decl.attributes)

    def find_method(self, st: Struct, name: str) -> tuple[Module, ast.FnDecl] | None:
        mod = self.loader.modules.get(st.module)
        fn = mod.impls.get(st.name, {}).get(name) if mod is not None else None
        return (mod, fn) if fn is not None else None

    def _inside_impl(self, st: Struct) -> bool:
        mod = self.loader.modules.get(st.module)
        fns = mod.impls.get(st.name, {}).values() if mod is not None else ()
        return self.frame is not None and any(fn is self.frame.fn for fn in fns)

    def method_call(
        self,
        found: tuple[Module, ast.FnDecl],
        recv: TV,
        e: ast.MethodCall,
        place: tuple[Place, Binding] | None,
        expected: Type | None,
    ) -> TV:
        module, fn = found
        st = recv.type.struct if isinstance(recv.type, StorageT) else recv.type
        if fn.receiver is None:
            raise error("E0201", f"`{st.name}::{fn.name}` is an associated function, not a method", e.span,
                        notes=[f"call it as `{st.name}::{fn.name}(..)`"])
        if (self.is_contract(st) and not self._inside_impl(st)
                and not any(a.name == "method" for a in fn.attributes)):
            raise error("E0901", f"`{fn.name}` is not a #[method] of contract `{st.name}`", e.span,
                        "called from outside the contract",
                        ["only methods marked #[method] are entry points; helpers are called from the "
                         "contract's own methods"])
        generics, args = self._call_args(module, fn, e, expected)
        mutating = fn.receiver == "&mut self"
        root_b = self.lookup_var(e.receiver.segments[0]) if (
            isinstance(e.receiver, ast.PathExpr) and len(e.receiver.segments) == 1) else None
        if isinstance(recv.type, StorageT):
            if mutating and recv.payload.readonly:
                raise self._readonly_error(recv.payload, e.span)
            if mutating and root_b is not None and not root_b.mutable:
                raise error("E0202", f"cannot call `&mut self` method `{fn.name}` on an immutable binding", e.span,
                            notes=["declare it `let mut`, or call it from a `&mut self` method"])
            receiver = Binding(recv.type, recv.payload, mutating, e.span)
            return self.inline(module, fn, generics, args, e.span, receiver)
        receiver = Binding(recv.type, recv.payload, mutating, e.span)
        result = self.inline(module, fn, generics, args, e.span, receiver)
        if mutating:
            if place is not None:
                self._storage_store_checked(place, TV(recv.type, receiver.payload), e.span)
            else:
                self.scopes.append({"$receiver": Binding(recv.type, receiver.payload, False, e.span)})
                try:
                    self.assign(ast.Assign(e.receiver, "=", ast.PathExpr(("$receiver",), e.span), e.span))
                finally:
                    self.scopes.pop()
        return result

    def associated_call(
        self, owner: tuple[Module, ast.StructDecl], name: str, e: ast.Call, expected: Type | None
    ) -> TV:
        mod, decl = owner
        with self.entered(mod):
            st = self.resolve_struct(decl.name, e.span)
        fn = mod.impls.get(decl.name, {}).get(name)
        if fn is None and name == "default" and not e.args:
            if self.is_contract(st):
                return TV(StorageT(st), MemoryHandle(st))
            return TV(st, ty.unflatten(st, [self.const(0, s) for s in ty.leaf_types(st)])[0])
        if fn is None:
            raise error("E0100", f"no function `{name}` on `{decl.name}`", e.span, "not found",
                        _did_you_mean(name, [*mod.impls.get(decl.name, {}), "default"]))
        if fn.receiver is not None:
            raise error("E0201", f"`{decl.name}::{name}` is a method", e.span,
                        notes=[f"call it on a value: `x.{name}(..)`"])
        generics, args = self._call_args(mod, fn, e, expected)
        return self.inline(mod, fn, generics, args, e.span)

    def state_of(self, recv: TV, e: ast.MethodCall) -> TV:
        if self.contract is None:
            raise error("E0904", "`ctx.state_of` reads another user's state as of the anchored checkpoint; "
                        "it works in contract methods compiled to circuits", e.span,
                        notes=["in a #[test], call methods on `C::default()` values instead; run `psyc execute` "
                               "with a state file or a store to exercise `state_of`"])
        return self.contract.state_of(self, recv, e)

    def _readonly_error(self, handle, span: Span) -> CompileError:
        return error("E0900", f"cannot write {handle.what}", span, "read-only",
                     ["a transaction writes only its own user's state; `ctx.state_of` gives a read-only view "
                      "as of the anchored checkpoint (use outbox/claim to move value between users)"])

    def storage_place(self, e: ast.Expr) -> tuple[Place, Binding] | None:
        """The storage location ``e`` names when it is a field/index chain rooted at a
        storage handle (``self.a[i].b``), else None."""
        chain = []
        x = e
        while isinstance(x, ast.Index | ast.Field):
            chain.append(x)
            x = x.base
        if not (isinstance(x, ast.PathExpr) and len(x.segments) == 1):
            return None
        b = self.lookup_var(x.segments[0])
        if b is None or not isinstance(b.type, StorageT):
            return None
        place = Place(b.payload, b.type.struct, self.const(0, FELT), 0)
        for step in reversed(chain):
            place = self._step_place(place, step)
        return place, b

    def _slot_plus(self, slot: Value, k, span: Span) -> Value:
        if isinstance(k, int):
            if k == 0:
                return slot
            k = self.const(k, FELT)
        key = ("+", slot.const if slot.const is not None else ("v", slot.id), k.const if k.const is not None
               else ("v", k.id))
        if key not in self._slot_memo:
            self._slot_memo[key] = self.emit1("add", (slot, k), "Felt", span)
        return self._slot_memo[key]

    def _step_place(self, place: Place, step) -> Place:
        t = place.type
        if isinstance(step, ast.Field):
            ft = self._field_type(t, step)
            ds, f = field_slots(t)[self._field_index(t, step)]
            return Place(place.handle, ft, self._slot_plus(place.slot, ds, step.span), f if isinstance(ft, Scalar) else 0)
        if not isinstance(t, Array):
            raise error("E0204", f"cannot index into a value of type `{t}`", step.base.span)
        idx_tv = self.expr(step.index, U32)
        it = idx_tv.type
        if not (isinstance(it, Scalar) and it.is_int):
            raise error("E0200", f"an index must be an unsigned integer, found `{it}`", step.index.span)
        if it.bits > 32:
            raise error("E0902", f"a storage array is indexed with `{it}`, which is not bounded by 2^32",
                        step.index.span, "unbounded storage index type",
                        ["index storage with `u32` (or a smaller type): storage has at most 2^32 slots"])
        idx = idx_tv.payload
        n = t.length
        if idx.const is not None:
            if idx.const >= n:
                self._out_of_bounds(n, idx.const, step.index.span)
        elif n <= it.max_value:
            ok = self.emit1("lt", (idx, self.const(n, it)), "bool", step.span)
            self.check("assert", (ok, idx), step.span,
                       (f"storage index out of bounds: the length is {n}", (self._text(step.index.span),)))
        el_t = t.element
        if isinstance(el_t, Scalar):
            if idx.const is not None:
                return Place(place.handle, el_t, self._slot_plus(place.slot, idx.const // 4, step.span),
                             idx.const % 4)
            key = ("bits", idx.id)
            if key not in self._slot_memo:
                bits = self.bits_of(idx, it, it.bits, step.span)
                self._slot_memo[key] = (bits[0], bits[1], self.emit1("from_bits", bits[2:], "Felt", step.span))
            b0, b1, q = self._slot_memo[key]
            return Place(place.handle, el_t, self._slot_plus(place.slot, q, step.span), (b0, b1))
        fp = footprint(el_t)
        if idx.const is not None:
            return Place(place.handle, el_t, self._slot_plus(place.slot, idx.const * fp, step.span), 0)
        key = ("mul", idx.id, fp)
        if key not in self._slot_memo:
            x = self.emit1("cast", (idx,), "Felt", step.span)
            self._slot_memo[key] = x if fp == 1 else self.emit1("mul", (x, self.const(fp, FELT)), "Felt", step.span)
        return Place(place.handle, el_t, self._slot_plus(place.slot, self._slot_memo[key], step.span), 0)

    def _lane(self, felts: list[Value], felt, span: Span) -> Value:
        if isinstance(felt, int):
            return felts[felt]
        b0, b1 = felt
        lo = self.emit1("select", (b0, felts[1], felts[0]), "Felt", span)
        hi = self.emit1("select", (b0, felts[3], felts[2]), "Felt", span)
        return self.emit1("select", (b1, hi, lo), "Felt", span)

    def _typed(self, v: Value, t: Scalar, span: Span) -> Value:
        return v if t == FELT else self.emit1("cast", (v,), t.name, span)

    def load(self, place: Place, span: Span) -> TV:
        """Read a storage value (one Merkle proof per slot it occupies)."""
        t = place.type
        n = footprint(t)
        if n > MAX_LOAD_SLOTS:
            raise error("E0905", f"cannot copy `{t}` ({n:,} storage slots) into the circuit", span,
                        "too large to load", ["read the elements you need: `self.x[i]`"])
        h = place.handle
        if isinstance(t, Scalar):
            return TV(t, self._typed(self._lane(h.read_slot(self, place.slot, span), place.felt, span), t, span))
        slots: dict[int, list[Value]] = {}
        leaves = []
        for (s, f), st in zip(leaf_positions(t), ty.leaf_types(t), strict=True):
            if s not in slots:
                slots[s] = h.read_slot(self, self._slot_plus(place.slot, s, span), span)
            leaves.append(self._typed(slots[s][f], st, span))
        return TV(t, ty.unflatten(t, leaves)[0])

    def store(self, place: Place, v: TV, span: Span) -> None:
        """Write a storage value (one delta proof per slot it occupies)."""
        t = place.type
        h = place.handle
        flat = [x if x.type == "Felt" else self.emit1("cast", (x,), "Felt", span) for x in ty.flatten(t, v.payload)]
        if isinstance(t, Scalar):
            x = flat[0]
            felt = place.felt

            def change(old: list[Value]) -> list[Value]:
                if isinstance(felt, int):
                    return [x if k == felt else old[k] for k in range(4)]
                b0, b1 = felt
                nb0, nb1 = self.emit1("not", (b0,), "bool", span), self.emit1("not", (b1,), "bool", span)
                out = []
                for k in range(4):
                    hit = self.emit1("and", (b0 if k & 1 else nb0, b1 if k & 2 else nb1), "bool", span)
                    out.append(self.emit1("select", (hit, x, old[k]), "Felt", span))
                return out

            h.update_slot(self, place.slot, change, span)
            return
        by_slot: dict[int, dict[int, Value]] = {}
        for (s, f), x in zip(leaf_positions(t), flat, strict=True):
            by_slot.setdefault(s, {})[f] = x
        for s, items in by_slot.items():
            h.update_slot(self, self._slot_plus(place.slot, s, span),
                          lambda old, items=items: [items.get(k, old[k]) for k in range(4)], span)

    def _storage_store_checked(self, found: tuple[Place, Binding], v: TV, span: Span) -> None:
        place, b = found
        if place.handle.readonly:
            raise self._readonly_error(place.handle, span)
        if not b.mutable:
            raise error("E0202", "cannot assign to storage through `&self` or an immutable binding", span,
                        "cannot assign", ["take `&mut self` in a method that writes storage"])
        self.store(place, v, span)

    def storage_assign(self, s: ast.Assign, place: Place, b: Binding) -> None:
        if place.handle.readonly:
            raise self._readonly_error(place.handle, s.target.span)
        if not b.mutable:
            raise error("E0202", "cannot assign to storage through `&self` or an immutable binding", s.target.span,
                        "cannot assign", ["take `&mut self` in a method that writes storage"])
        t = place.type
        if s.op == "=":
            v = self.expr(s.value, t)
        else:
            cur = self.load(place, s.target.span)
            op = s.op[:-1]
            if op in ("<<", ">>"):
                v = self.shift_value(op, cur, s.value, s.span)
            else:
                v = self.binop(op, cur, self.expr(s.value, cur.type), s.span, s.value.span)
        self.expect_type(t, v.type, s.value.span, " in assignment")
        self.store(place, v, s.span)
