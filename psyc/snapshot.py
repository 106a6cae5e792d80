"""Compiled programs as build-cache entries: a pickle restricted to psyc's own data.

A compiled program holds Python callables — the IR's hints, the circuit's witness
generators (closures over a few constants) — so a plain data format cannot hold it. This
module writes it with :mod:`pickle` under two rules that keep loading from running
anything but psyc's installed code:

* a function is stored as *where its code is* (module, qualified name, first line) and
  the values it captured; loading finds that code in the installed psyc module — never in
  the entry — and only in the modules of :data:`FUNCTION_MODULES` (witness generators and
  hints: no module there does I/O);
* loading constructs only classes of :data:`CLASS_MODULES`, NumPy arrays and a few
  builtin containers (:class:`Unpickler.find_class` refuses everything else).

Gates are stored by name and parameters (rebuilt from the gate catalog) and the committed
preprocessed polynomials are not stored at all: :func:`loads` leaves them to the caller,
which recomputes the commitment and so the verifying key from the stored columns
(``psyc.sig.scheme``). Cache entries are also authenticated (``psyc.project.cache``): this
module is the second line, not the first.
"""

from __future__ import annotations

import importlib
import io
import pickle
import types
from functools import cache
from typing import BinaryIO

# classes a snapshot may construct (module prefixes): data, never I/O
CLASS_MODULES = (
    "psyc.compiler", "psyc.ir.", "psyc.plonk.", "psyc.fri.", "psyc.hash.", "psyc.field.",
    "psyc.frontend.types", "psyc.frontend.ast", "psyc.util.diagnostics", "psyc.project.manifest",
    "psyc.project.abi", "psyc.recursion.",
)
# modules whose functions a snapshot may refer to: witness generators and hints
FUNCTION_MODULES = (
    "psyc.ir.", "psyc.plonk.builder", "psyc.plonk.witness", "psyc.plonk.gates.", "psyc.field.",
    "psyc.hash.poseidon", "psyc.frontend.bigint_hints", "psyc.frontend.elaboration.calls", "psyc.recursion.",
)
_REFUSED_FUNCTION_MODULES = ("psyc.plonk.gates.codegen", "psyc.plonk.gates.evaluators", "psyc.plonk.gates.catalog")
_BUILTINS = frozenset({"set", "frozenset", "list", "dict", "tuple", "int", "str", "bytes", "bytearray", "slice",
                       "range", "complex", "float", "bool", "object"})
_OTHER = frozenset({
    ("functools", "partial"), ("collections", "OrderedDict"), ("collections", "defaultdict"),
    ("collections", "Counter"), ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"), ("pathlib", "Path"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy.dtypes", "UInt64DType"), ("numpy.dtypes", "Int64DType"), ("numpy.dtypes", "BoolDType"),
    ("numpy.dtypes", "UInt8DType"), ("numpy.dtypes", "Int32DType"), ("numpy.dtypes", "Float64DType"),
    (__name__, "_function"), (__name__, "_method"), (__name__, "_gate"), (__name__, "_unset"), (__name__, "_module"),
})
_EMPTY_CELL = ("psyc-snapshot-empty-cell",)


class SnapshotError(Exception):
    """An object that cannot be snapshot (dumping), or an entry that is not a snapshot
    psyc would have written (loading): the caller compiles instead."""


def _allowed_function_module(module: str) -> bool:
    return module.startswith(FUNCTION_MODULES) and not module.startswith(_REFUSED_FUNCTION_MODULES)


def _allowed_class(module: str) -> bool:
    return module.startswith(CLASS_MODULES)


# --- loading: functions from installed code ------------------------------------------------------
@cache
def _code_index(module_name: str) -> dict[tuple[str, int], list[types.CodeType]]:
    """Every code object defined in the module (nested ones included), by (qualified name,
    first line): a list, as two lambdas may share a line."""
    module = importlib.import_module(module_name)
    index: dict[tuple[str, int], list[types.CodeType]] = {}

    def add(code: types.CodeType) -> None:
        same = index.setdefault((code.co_qualname, code.co_firstlineno), [])
        if code not in same:
            same.append(code)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                add(c)

    def visit(obj, seen: set) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        fn = getattr(obj, "__func__", obj)
        fn = getattr(fn, "__wrapped__", fn)
        if isinstance(fn, types.FunctionType) and fn.__module__ == module_name:
            add(fn.__code__)
        elif isinstance(obj, property):
            for f in (obj.fget, obj.fset):
                if f is not None:
                    visit(f, seen)
        elif isinstance(obj, type) and obj.__module__ == module_name:
            for v in vars(obj).values():
                visit(v, seen)

    seen: set = set()
    for v in list(vars(module).values()):
        visit(v, seen)
    return index


@cache
def _module_globals(module: str) -> dict:
    if not _allowed_function_module(module):
        raise SnapshotError(f"a snapshot may not refer to {module}")
    return vars(importlib.import_module(module))


def _module(name: str):
    """A module a function captured (``from psyc.frontend import bigint_hints as bh``)."""
    _module_globals(name)
    return importlib.import_module(name)


def _function(module: str, qualname: str, line: int, defaults, kwdefaults, cells, which: int = 0):
    namespace = _module_globals(module)
    same = _code_index(module).get((qualname, line), [])
    code = same[which] if 0 <= which < len(same) else None
    if code is None:
        raise SnapshotError(f"no function {module}.{qualname} (line {line}) in this psyc")
    if len(cells) != len(code.co_freevars):
        raise SnapshotError(f"{module}.{qualname}: {len(cells)} captured values for {len(code.co_freevars)}")
    closure = tuple(types.CellType() if c == _EMPTY_CELL else types.CellType(c) for c in cells) or None
    fn = types.FunctionType(code, namespace, code.co_name, defaults, closure)
    fn.__kwdefaults__ = kwdefaults
    fn.__qualname__ = qualname
    return fn


def _method(obj, name: str):
    if name.startswith("_") or not _allowed_class(type(obj).__module__):
        raise SnapshotError(f"a snapshot may not bind method {name!r} of {type(obj).__name__}")
    return getattr(obj, name)


def _gate(name: str, params: tuple):
    from psyc.plonk.gates.catalog import gate_info

    return gate_info(name, tuple(params))


def _unset():
    """What an object that is recomputed after loading is stored as."""
    return None


def _loadable(module: str, name: str) -> bool:
    """May a snapshot name this global? (Both sides ask: what could not be loaded is not
    written.)"""
    return (module == "builtins" and name in _BUILTINS) or (module, name) in _OTHER or _allowed_class(module)


class Unpickler(pickle.Unpickler):
    """Constructs only what :data:`CLASS_MODULES` and the allow-list name."""

    def find_class(self, module: str, name: str):
        if _loadable(module, name):
            obj = super().find_class(module, name)
            if isinstance(obj, type) or not _allowed_class(module):
                return obj
        raise SnapshotError(f"a snapshot may not construct {module}.{name}")


# --- dumping ----------------------------------------------------------------------------------
class Pickler(pickle.Pickler):
    """Writes functions by reference to installed code, gates by catalog entry, and refuses
    what :class:`Unpickler` would."""

    def __init__(self, file: BinaryIO, unset: tuple[type, ...] = ()) -> None:
        super().__init__(file, protocol=5)
        self.unset = unset

    def reducer_override(self, obj: object) -> object:
        if isinstance(obj, types.FunctionType):
            module = obj.__module__ or ""
            if (module, obj.__qualname__) in _OTHER:  # rebuilders (this module's, NumPy's): by name
                return NotImplemented
            code = obj.__code__
            same = _code_index(module).get((code.co_qualname, code.co_firstlineno), []) \
                if _allowed_function_module(module) else []
            if code not in same:
                raise SnapshotError(f"function {module}.{obj.__qualname__} is not one a snapshot may refer to")
            cells = tuple(_cell(c) for c in obj.__closure__ or ())
            return _function, (module, obj.__qualname__, code.co_firstlineno, obj.__defaults__,
                               obj.__kwdefaults__, cells, same.index(code))
        if isinstance(obj, types.ModuleType):
            if not _allowed_function_module(obj.__name__):
                raise SnapshotError(f"module {obj.__name__} is not one a snapshot may refer to")
            return _module, (obj.__name__,)
        if isinstance(obj, types.MethodType):
            return _method, (obj.__self__, obj.__func__.__name__)
        if self.unset and isinstance(obj, self.unset):
            return _unset, ()
        cls = obj if isinstance(obj, type) else type(obj)
        module, name = getattr(cls, "__module__", "") or "", cls.__qualname__
        if module.startswith("psyc.") and name in ("Gate", "GateInfo") and cls is not obj:
            return _gate, (obj.name, tuple(obj.params))
        if isinstance(obj, types.BuiltinFunctionType) or not (
                _loadable(module, name) or module.startswith("numpy") or (module, name) == ("functools", "partial")):
            raise SnapshotError(f"{module}.{name} is not data a snapshot may hold")
        return NotImplemented


def _cell(cell) -> object:
    try:
        return cell.cell_contents
    except ValueError:
        return _EMPTY_CELL


def dumps(obj: object, unset: tuple[type, ...] = ()) -> bytes:
    """``obj`` as snapshot bytes; instances of ``unset`` are stored as None (the caller
    recomputes them). :class:`SnapshotError` for anything a snapshot may not hold."""
    buf = io.BytesIO()
    try:
        Pickler(buf, unset).dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError) as e:
        raise SnapshotError(f"cannot snapshot: {e}") from None
    return buf.getvalue()


def loads(data: bytes):
    """The object of :func:`dumps`'s bytes; :class:`SnapshotError` for anything else
    (truncated, corrupt, or naming what a snapshot may not construct)."""
    try:
        return Unpickler(io.BytesIO(data)).load()
    except SnapshotError:
        raise
    except Exception as e:  # a damaged stream fails in many ways (EOFError, UnpicklingError, ...)
        raise SnapshotError(f"not a snapshot: {type(e).__name__}: {e}") from None
