"""A call file: which method a user calls, with which arguments, on which state.

```toml
method = "transfer"
user = 1                     # the caller (ctx.user_id)
contract = 0                 # the contract id (default 0)

[args]
to = 2
amount = 5

[state]                      # the caller's storage before the call: field paths, scalars
balance = 100
"outbox[2].sent" = 3

[users.0.state]              # another user's storage at the anchored checkpoint (state_of)
"outbox[1].sent" = 30
```

Storage not listed is zero. :func:`chain_for_call` builds the chain state the call runs
on (in memory, or added to a store): the contract deployed, the users registered, their
storage written and one checkpoint committed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.frontend.storage import SLOT_FELTS, field_slots, footprint
from psyc.frontend.types import Array, Scalar, Struct, Tuple, Type
from psyc.parth.chain import ChainState
from psyc.parth.store import MemoryStore, StateStore
from psyc.util.diagnostics import CompileError, Diagnostic, SourceMap, Span

if TYPE_CHECKING:
    from psyc.contracts.compile import CompiledContract

_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*|\d+)|\[(\d+)\]")


@dataclass
class CallSpec:
    method: str
    user: int
    contract: int = 0
    args: list[list[int]] = field(default_factory=list)
    state: dict[int, dict[int, int]] = field(default_factory=dict)  # slot -> {felt: value}
    others: dict[int, dict[int, dict[int, int]]] = field(default_factory=dict)


def resolve_path(struct: Struct, path: str) -> tuple[int, int, Scalar]:
    """``"outbox[2].sent"`` → (slot, element, scalar type); ValueError when it names nothing."""
    t: Type = struct
    slot, felt = 0, 0
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None or (pos == 0 and path.startswith(".")):
            raise ValueError(f"cannot read `{path}` from position {pos}")
        pos = m.end()
        if m.group(2) is not None:
            if not isinstance(t, Array):
                raise ValueError(f"`{t}` is not an array")
            i = int(m.group(2))
            if i >= t.length:
                raise ValueError(f"index {i} out of bounds for `{t}`")
            if isinstance(t.element, Scalar):
                slot, felt = slot + i // SLOT_FELTS, i % SLOT_FELTS
            else:
                slot += i * footprint(t.element)
            t = t.element
        else:
            name = m.group(1)
            if isinstance(t, Struct):
                names = [n for n, _ in t.fields]
            elif isinstance(t, Tuple):
                names = [str(k) for k in range(len(t.elements))]
            else:
                raise ValueError(f"`{t}` has no field `{name}`")
            if name not in names:
                raise ValueError(f"`{t}` has no field `{name}`")
            k = names.index(name)
            ds, f = field_slots(t)[k]
            t = t.fields[k][1] if isinstance(t, Struct) else t.elements[k]
            slot, felt = slot + ds, f
    if not isinstance(t, Scalar):
        raise ValueError(f"`{path}` is a `{t}`; give its scalar fields one by one")
    return slot, felt, t


def describe_slot(struct: Struct, slot: int) -> list[str]:
    """The storage paths stored in ``slot`` (for state diffs)."""

    def walk(t: Type, base: int, prefix: str) -> list[str]:
        if isinstance(t, Scalar):
            return [prefix]
        if isinstance(t, Array):
            if isinstance(t.element, Scalar):
                first = (slot - base) * SLOT_FELTS
                return [f"{prefix}[{i}]" for i in range(first, min(first + SLOT_FELTS, t.length))]
            fp = footprint(t.element)
            i = (slot - base) // fp
            return walk(t.element, base + i * fp, f"{prefix}[{i}]")
        names = [n for n, _ in t.fields] if isinstance(t, Struct) else [str(k) for k in range(len(t.elements))]
        members = [m for _, m in t.fields] if isinstance(t, Struct) else list(t.elements)
        out = []
        for name, m, (ds, _f) in zip(names, members, field_slots(t), strict=True):
            start = base + ds
            span = 1 if isinstance(m, Scalar) else footprint(m)
            if start <= slot < start + span:
                out += walk(m, start, f"{prefix}.{name}" if prefix else name)
        return out

    return walk(struct, 0, "")


def _error(path: str, message: str, sources: SourceMap, text: str, key: str | None = None) -> CompileError:
    span = None
    if key is not None:
        k = text.find(key)
        if k >= 0:
            span = Span(path, k, k + len(key))
    return CompileError([Diagnostic.error("E0605" if key else "E0604", message, span)])


def read_call(path: str | Path, contract: CompiledContract, sources: SourceMap | None = None) -> CallSpec:
    """Read and check a call file against a compiled contract."""
    from psyc.project.inputs import _Checker

    shown = str(path)
    sources = sources if sources is not None else SourceMap()
    text = Path(path).read_text(encoding="utf-8")
    sources.add(shown, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CompileError([Diagnostic.error("E0604", f"`{shown}` is not valid TOML: {e}", Span(shown, 0, 1))]) from None
    for k in data:
        if k not in ("method", "user", "contract", "args", "state", "users"):
            raise _error(shown, f"unknown key `{k}` in the call file (method, user, contract, args, state, users)",
                         sources, text, k)
    names = [m.name for m in contract.methods]
    method = data.get("method")
    if method not in names:
        raise _error(shown, f"`method` must name a #[method] of `{contract.name}`: one of {', '.join(names)}",
                     sources, text, "method" if "method" in data else None)
    m = contract.method(method)
    ints = {}
    for k, default in (("user", None), ("contract", 0)):
        v = data.get(k, default)
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << 32:
            raise _error(shown, f"`{k}` must be an integer id (0..2^32)", sources, text, k if k in data else None)
        ints[k] = v
    checker = _Checker(text, shown, "toml")
    given = data.get("args", {})
    args = []
    for n, t in m.args:
        if n not in given:
            checker.error("E0600", f"missing argument `{n}` ({t}) of `{method}`", ("args",), "in this table")
            args.append([])
            continue
        args.append(checker.value(t, given[n], ("args", n), n) or [])
    checker.unknown_keys(given, [n for n, _ in m.args], ("args",), "args.", f"`{method}`")
    if checker.errors:
        raise CompileError(checker.errors)
    spec = CallSpec(method, ints["user"], ints["contract"], args)
    spec.state = _state(data.get("state", {}), contract.struct, ("state",), checker, shown, sources, text)
    for u, table in data.get("users", {}).items():
        if not u.isdigit() or not isinstance(table, dict) or set(table) - {"state"}:
            raise _error(shown, f"`users.{u}` must be a user id with a `state` table", sources, text, u)
        spec.others[int(u)] = _state(table.get("state", {}), contract.struct, ("users", u, "state"), checker, shown,
                                     sources, text)
    if checker.errors:
        raise CompileError(checker.errors)
    return spec


def _state(table: dict, struct: Struct, loc: tuple, checker, shown, sources, text) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {}
    for key, v in table.items():
        try:
            slot, felt, t = resolve_path(struct, key)
        except ValueError as e:
            raise _error(shown, f"storage path `{key}`: {e}", sources, text, key) from None
        x = checker.scalar(t, v, (*loc, key), key)
        if x is not None:
            out.setdefault(slot, {})[felt] = x
    return out


def chain_for_call(spec: CallSpec, contract: CompiledContract, store: StateStore | None = None) -> ChainState:
    """The state a call runs on: in ``store`` (a fresh memory store by default), with the
    contract deployed and the users registered when they are not, the call file's storage
    written and a checkpoint committed (the one ``state_of`` reads)."""
    state = ChainState(store if store is not None else MemoryStore(), contract.heights)
    if state.record("contract", spec.contract) is None:
        state.deploy(spec.contract, contract.name, contract.height, [], abi=None)
    for u in sorted({spec.user, *spec.others}):
        if state.record("user", u) is None:
            state.register_user(u)
    for u, slots in [*spec.others.items(), (spec.user, spec.state)]:
        if slots:
            tree = state.cstate(u, spec.contract)
            writes = {}
            for s, felts in slots.items():
                cur = list(tree.leaf(s))
                for f, x in felts.items():
                    cur[f] = x
                writes[s] = tuple(cur)
            state.write_slots(u, spec.contract, writes)
    state.commit_block()
    return state
