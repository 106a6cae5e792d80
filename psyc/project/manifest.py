"""Projects: a folder with ``psy.toml``, ``src/main.psy`` and optionally ``inputs.toml``.

```toml
[package]
name = "hello"
version = "0.1.0"
entry = "main"           # optional: the entry function (default main)

[compile]
max_unroll = 1048576     # optional: loop-unrolling bound (default 2^20)
zero_knowledge = false   # optional: blind the witness polynomials (default false)
```

:func:`find_project` accepts the project folder, any path inside it (it walks up to the
nearest ``psy.toml``) or a single ``.psy`` file. A mistake in ``psy.toml`` is a
:class:`ProjectError` with a located diagnostic. Codes: E0700 malformed TOML, E0701 wrong
type or invalid value, E0702 unknown key, E0703 missing key, E0704 no project found,
E0705 project without ``src/main.psy``, E0706 ``psyc new`` target not empty, E0707 invalid
package name.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from psyc.project.inputs import Positions, source_positions, toml_syntax_diagnostic
from psyc.util.diagnostics import CompileError, Diagnostic, Label, SourceMap, Span, render

MANIFEST = "psy.toml"
SRC_DIR = "src"
MAIN_FILE = "main.psy"
DEFAULT_ENTRY = "main"
DEFAULT_VERSION = "0.1.0"
DEFAULT_MAX_UNROLL = 1 << 20
INPUTS_FILES = ("inputs.toml", "inputs.json")

PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ProjectError(CompileError):
    """A project that cannot be found, read or created; ``sources`` holds ``psy.toml``'s
    text when a diagnostic points into it."""

    def __init__(self, diagnostics: list[Diagnostic], sources: SourceMap | None = None):
        super().__init__(diagnostics)
        self.sources = sources if sources is not None else SourceMap()

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]

    def render(self, color: bool = False) -> str:
        return "\n\n".join(render(d, self.sources, color) for d in self.diagnostics)


def project_error(code: str, message: str, notes: list[str] | None = None) -> ProjectError:
    """An error about a project with no location in a file."""
    return ProjectError([Diagnostic("error", code, message, [], list(notes or []))])


@dataclass(frozen=True)
class Project:
    root: Path  # the folder holding psy.toml (a single file's folder)
    name: str
    version: str
    entry: str  # the entry function
    src_dir: Path  # `crate::` resolves here
    main_file: Path
    max_unroll: int = DEFAULT_MAX_UNROLL
    zero_knowledge: bool = False
    default_inputs: Path | None = None  # inputs.toml (or inputs.json) when present
    manifest: Path | None = None  # psy.toml; None for a single .psy file


def display_path(p: Path) -> str:
    """``p`` relative to the working directory when inside it, else absolute."""
    try:
        rel = p.relative_to(Path.cwd())
    except ValueError:
        return str(p)
    return str(rel) if str(rel) != "." else "."


# key -> (python type, description); bool is checked before int (bool is an int in Python)
_SCHEMA: dict[str, dict[str, tuple[type, str]]] = {
    "package": {"name": (str, "a string"), "version": (str, "a string"), "entry": (str, "a string")},
    "compile": {"max_unroll": (int, "a positive integer"), "zero_knowledge": (bool, "a boolean")},
}
_REQUIRED = {("package", "name")}


def _type_name(v: object) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return "an integer"
    if isinstance(v, float):
        return "a float"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "a table"
    return f"a {type(v).__name__}"


class _ManifestChecker:
    def __init__(self, text: str, path: str):
        self.text, self.path = text, path
        self._positions: Positions | None = None
        self.errors: list[Diagnostic] = []

    @property
    def positions(self) -> Positions:
        if self._positions is None:
            self._positions = source_positions(self.text, "toml")
        return self._positions

    def error(self, code: str, message: str, loc: tuple, label: str, key: bool = False, notes=()):
        pos = self.positions
        start, end = pos.key_span(loc) if key else pos.value_span(loc)
        if start == end:
            end = start + 1
        diag = Diagnostic("error", code, message, [Label(Span(self.path, start, end), label)])
        diag.notes.extend(notes)
        self.errors.append(diag)

    def unknown(self, given: dict, known: list[str], loc: tuple, what: str) -> None:
        for k in given:
            if k in known:
                continue
            dotted = ".".join((*loc, k))
            close = difflib.get_close_matches(k, known, n=1)
            notes = [f"did you mean `{close[0]}`?"] if close else []
            notes.append(f"known {what}s: " + ", ".join(f"`{n}`" for n in known))
            self.error(
                "E0702", f"unknown {what} `{dotted}` in `{self.path}`", (*loc, k), "unknown", True, notes
            )

    def check(self, data: dict) -> dict[str, object]:
        """The validated settings as ``{"name": .., "max_unroll": ..}`` (errors collected)."""
        self.unknown(data, list(_SCHEMA), (), "table")
        settings: dict[str, object] = {}
        for table, keys in _SCHEMA.items():
            section = data.get(table, {})
            if not isinstance(section, dict):
                self.error(
                    "E0701",
                    f"`{table}` in `{self.path}` must be a table, found {_type_name(section)}",
                    (table,),
                    "expected a table",
                    notes=[f"write it as a `[{table}]` section"],
                )
                continue
            self.unknown(section, list(keys), (table,), "key")
            for key, (want, desc) in keys.items():
                if key not in section:
                    if (table, key) in _REQUIRED:
                        where = (table,) if table in data else ()
                        self.error(
                            "E0703",
                            f"missing `{table}.{key}` in `{self.path}`",
                            where,
                            f"`{key}` is required" if where else f"`[{table}]` with `{key}` is required",
                            notes=[f'add `{key} = "..."` under `[{table}]`'],
                        )
                    continue
                v = section[key]
                ok = isinstance(v, want) and (want is bool or not isinstance(v, bool))
                if not ok:
                    self.error(
                        "E0701",
                        f"`{table}.{key}` in `{self.path}` must be {desc}, found {_type_name(v)}",
                        (table, key),
                        f"expected {desc}",
                    )
                    continue
                problem = _value_problem(key, v)
                if problem:
                    self.error(
                        "E0701", f"`{table}.{key}` in `{self.path}`: {problem}", (table, key), "invalid value"
                    )
                    continue
                settings[key] = v
        return settings


def _value_problem(key: str, v: object) -> str | None:
    if key == "name" and not PACKAGE_NAME.fullmatch(v):
        return f'"{v}" is not a valid package name (letters, digits, `_` and `-`, not starting with a digit)'
    if key == "entry" and not IDENTIFIER.fullmatch(v):
        return f'"{v}" is not a function name'
    if key == "version" and not v.strip():
        return "the version is empty"
    if key == "max_unroll" and v <= 0:
        return f"{v} is not a positive number of iterations"
    return None


def _default_inputs(folder: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    return None


def load_manifest(manifest: str | os.PathLike, sources: SourceMap | None = None) -> Project:
    """The project described by a ``psy.toml`` (its folder is the project root)."""
    manifest = Path(manifest).resolve()
    shown = display_path(manifest)
    sources = sources if sources is not None else SourceMap()
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise project_error("E0700", f"cannot read `{shown}`: {reason}") from None
    sources.add(shown, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProjectError([toml_syntax_diagnostic("E0700", text, shown, e, "manifest")], sources) from None
    checker = _ManifestChecker(text, shown)
    settings = checker.check(data)
    if checker.errors:
        checker.errors.sort(key=lambda d: d.labels[0].span.start if d.labels else -1)
        raise ProjectError(checker.errors, sources)
    root = manifest.parent
    src_dir = root / SRC_DIR
    return Project(
        root=root,
        name=str(settings["name"]),
        version=str(settings.get("version", DEFAULT_VERSION)),
        entry=str(settings.get("entry", DEFAULT_ENTRY)),
        src_dir=src_dir,
        main_file=src_dir / MAIN_FILE,
        max_unroll=int(settings.get("max_unroll", DEFAULT_MAX_UNROLL)),
        zero_knowledge=bool(settings.get("zero_knowledge", False)),
        default_inputs=_default_inputs(root, INPUTS_FILES),
        manifest=manifest,
    )


def find_manifest(start: Path) -> Path | None:
    """The nearest ``psy.toml`` in ``start`` or a parent folder."""
    for folder in (start, *start.parents):
        candidate = folder / MANIFEST
        if candidate.is_file():
            return candidate
    return None


def single_file_project(file: Path) -> Project:
    """A project of one ``.psy`` file without a manifest (default settings)."""
    file = file.resolve()
    stem = file.stem
    return Project(
        root=file.parent,
        name=stem,
        version=DEFAULT_VERSION,
        entry=DEFAULT_ENTRY,
        src_dir=file.parent,
        main_file=file,
        default_inputs=_default_inputs(file.parent, (f"{stem}.inputs.toml", f"{stem}.inputs.json")),
    )


def find_project(path: str | os.PathLike = ".", sources: SourceMap | None = None) -> Project:
    """The project at ``path``: a project folder, a path inside one (the nearest
    ``psy.toml`` above it wins) or a single ``.psy`` file.

    A ``.psy`` file inside a project's ``src/`` folder belongs to that project (with
    ``main_file`` set to it); any other ``.psy`` file is a project of its own.
    """
    given = Path(path)
    if not given.exists():
        raise project_error("E0704", f"`{given}` does not exist")
    target = given.resolve()
    if target.is_file() and target.suffix == ".psy":
        manifest = find_manifest(target.parent)
        if manifest is not None and target.is_relative_to(manifest.parent / SRC_DIR):
            return replace(load_manifest(manifest, sources), main_file=target)
        return single_file_project(target)
    start = target if target.is_dir() else target.parent
    manifest = find_manifest(start)
    if manifest is None:
        raise project_error(
            "E0704",
            f"could not find `{MANIFEST}` in `{display_path(start)}` or any parent folder",
            [
                "create a project with `psyc new <name>`, or pass a single `.psy` file",
            ],
        )
    project = load_manifest(manifest, sources)
    if not project.main_file.is_file():
        rel = project.main_file.relative_to(project.root)
        raise project_error(
            "E0705",
            f"project `{project.name}` has no `{rel}`",
            [
                f"the entry file of a project is `{SRC_DIR}/{MAIN_FILE}` beside `{display_path(project.manifest)}`"
            ],
        )
    return project
