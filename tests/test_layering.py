"""The import graph follows the pipeline (issue 13): no module imports a later stage, and no
new import circle appears. Read from the source (ast), function-level imports included —
an import moved into a function to dodge a cycle is still a cycle — and modules named by a
string across packages (``LazyModule("psyc.x.y")``, ``importlib.import_module``, a table of
``"module:attr"``) included: an import by name is an edge all the same. Imports under
``if TYPE_CHECKING:`` are excluded (they never run)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "psyc"

# The pipeline, first stage first: a module of a later stage never imports an earlier one.
# recursion (the in-circuit verifier: gadgets over plonk's builder, FRI's parameters) sits
# between ir, whose lowering of `verify_proof` calls it, and plonk; the CPU kernels below
# plonk (its gate VM) and above the field, hash and poly kernels they call; psyc.backend,
# the protocol every backend implements, at the bottom (its registry names the
# implementations: PLUGIN_EDGES).
PIPELINE = [
    "psyc.frontend", "psyc.ir", "psyc.recursion", "psyc.plonk", "psyc.fri", "psyc.iop", "psyc.backend_cpu",
    ("psyc.hash", "psyc.poly"), ("psyc.field", "psyc.backend"),
]

# Circles that exist today, each to be removed (the test fails when one disappears, so the
# lists only shrink). Modules, then packages; none are left.
KNOWN_MODULE_CYCLES: set[frozenset[str]] = set()
KNOWN_PACKAGE_CYCLES: set[frozenset[str]] = set()

# Edges named by a string that are not read as imports, each with its reason. A registry
# of implementations picked by name at run time is dependency inversion: psyc.backend
# defines the protocol the backends implement (they import it), and its registry names
# them so that CuPy loads only when the GPU is asked for; code below it (hash.merkle,
# fri.oracle, iop.challenger) depends on the protocol, never on an implementation.
PLUGIN_EDGES: dict[str, set[str]] = {
    "psyc.backend": {"psyc.backend_cpu.backend", "psyc.backend_gpu"},
}
def _modules() -> dict[str, Path]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    return mods


@cache
def import_graph() -> dict[str, set[str]]:
    """module -> the psyc modules it imports (anywhere in it but under TYPE_CHECKING)."""
    mods = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]

        def visit(node: ast.AST, mod: str = mod, package: str = package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    continue
                names: list[str] = []
                if isinstance(child, ast.Import):
                    names = [a.name for a in child.names]
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                        base = ".".join([*parts, base] if base else parts)
                    names = [base] + [f"{base}.{a.name}" for a in child.names]
                for name in names:
                    target = resolve(name) if name.startswith("psyc") else None
                    if target and target != mod:
                        graph[mod].add(target)
                target = _named_module(child, mods)
                if target and _counts_as_string_import(mod, target):
                    graph[mod].add(target)
                visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
    return graph


def _named_module(node: ast.AST, mods: dict[str, Path]) -> str | None:
    """The psyc module a string names, exactly (``"psyc.x.y"`` or ``"psyc.x.y:attr"``): what
    ``LazyModule``, ``importlib.import_module``, a registry or a resource loader imports on
    first use. Such an edge is as real as an import statement, only hidden from it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        name = node.value.partition(":")[0]
        if name.startswith("psyc.") and name in mods:
            return name
    return None


def _counts_as_string_import(mod: str, target: str) -> bool:
    """Across packages only: inside a package, a name table (a package's lazy exports of
    its own modules, its resources) is its own business and no layering question; a
    module's own ancestors are imported by Python before it anyway."""
    if target == mod or mod.startswith(target + ".") or _package(target) == _package(mod):
        return False
    if mod == "psyc":  # the top-level facade: lazy exports of the API, above everything
        return False
    return target not in PLUGIN_EDGES.get(mod, ())


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = set()
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        comp.add(m)
                        if m == node:
                            break
                    if len(comp) > 1:
                        found.add(frozenset(comp))
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for mod, targets in graph.items():
        packages.setdefault(_package(mod), set()).update(
            _package(t) for t in targets if _package(t) != _package(mod))
    return packages


def test_no_new_module_cycles():
    found = cycles(import_graph())
    new = found - KNOWN_MODULE_CYCLES
    assert not new, f"new import circle(s): {[sorted(c) for c in new]}"
    gone = KNOWN_MODULE_CYCLES - found
    assert not gone, f"fixed circle(s) still listed in KNOWN_MODULE_CYCLES: {[sorted(c) for c in gone]}"


def test_no_new_package_cycles():
    found = cycles(package_graph(import_graph()))
    new = found - KNOWN_PACKAGE_CYCLES
    assert not new, f"new package circle(s): {[sorted(c) for c in new]}"
    gone = KNOWN_PACKAGE_CYCLES - found
    assert not gone, f"fixed circle(s) still listed in KNOWN_PACKAGE_CYCLES: {[sorted(c) for c in gone]}"


def test_no_stage_imports_an_earlier_stage():
    rank = {}
    for i, stage in enumerate(PIPELINE):
        for pkg in stage if isinstance(stage, tuple) else (stage,):
            rank[pkg] = i
    graph = import_graph()
    backwards = sorted(
        f"{mod} -> {t}" for mod, targets in graph.items() for t in targets
        if _package(mod) in rank and _package(t) in rank and rank[_package(t)] < rank[_package(mod)]
    )
    assert not backwards, "imports against the pipeline (frontend → ir → recursion → plonk → fri → …):\n" + \
        "\n".join(backwards)


def test_the_graph_reader_sees_function_level_imports(tmp_path):
    """The reader itself: a cycle made only by a function-level import is one."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert cycles(graph) == {frozenset({"a", "b"})}
    assert "psyc.compiler" in import_graph()["psyc.cli.compile_cmd"] | import_graph()["psyc.cli.common"]


def test_the_graph_reader_sees_modules_named_by_strings():
    """An import by name (LazyModule, importlib, a registry) is an edge: the warm-up names
    the kernels it compiles only as strings, and psyc.field.vector loads its kernels so."""
    graph = import_graph()
    assert {"psyc.field.field_kernels", "psyc.poly.ntt_kernels"} <= graph["psyc.backend_cpu.warmup"]
    # ... but not inside a package (lazy exports, resources) nor where PLUGIN_EDGES says why
    assert "psyc.field.field_kernels" not in graph["psyc.field.vector"]
    assert not PLUGIN_EDGES["psyc.backend"] & graph["psyc.backend"]
