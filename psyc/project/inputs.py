"""Inputs files: the values of a circuit's parameters, in TOML or JSON.

One top-level key per parameter of the entry function. Values:

* ``Felt``: an integer in ``[0, p)``; a negative integer ``-x`` (``0 < x < p``) means
  ``p - x``. ``u8 u16 u32 u64``: an integer in the type's range (``u64`` also below p,
  since it lives in the field). Integers may be written natively or as strings in
  decimal, ``0x`` hex, ``0b`` binary or ``0o`` octal with ``_`` separators (``"0x1f"``,
  ``"1_000"``); strings are how JSON carries values above 2^53 safely.
* ``bool``: ``true`` / ``false`` only (``0`` and ``1`` are rejected: a typo caught early).
* arrays (``Hash`` = ``[Felt; 4]``) and tuples: lists of exactly the right length.
* structs: tables / objects with exactly the declared fields.

:func:`parse_inputs` returns, per parameter, the flattened canonical field values in the
order :func:`psyc.frontend.types.flatten` uses. Every mistake becomes an
:class:`InputError` whose diagnostics name the dotted path of the value (``leaf.key[2]``,
``pair.0``) and point at ``file:line:col`` in the inputs file. tomllib and json give no
positions, so :func:`source_positions` re-scans the (already valid) text to map every
key and value path to its span.

Codes: E0600 missing value, E0601 wrong type or shape, E0602 integer out of range for its
type, E0603 value not below p, E0604 unreadable or malformed file, E0605 unknown key.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from psyc.field.goldilocks import P
from psyc.frontend.types import INT_BITS, Array, ProofT, Scalar, Struct, Tuple, Type, size, unflatten
from psyc.util.diagnostics import CompileError, Diagnostic, Label, SourceMap, Span, render

Params = list[tuple[str, Type]]
Loc = tuple[str | int, ...]  # a value's place in the file: keys (str) and list indices (int)

FORMATS = {".toml": "toml", ".json": "json"}


@dataclass
class ProofArg:
    """A proof given as an input (``{ proof = "a.proof" }``) with its verifying key, or a
    dummy (``{ dummy = true }``, :meth:`dummy`): a stand-in for a proof whose verification
    is switched off (a branch not taken), never accepted where it is verified."""

    proof: object
    vk: object
    source: str = ""  # where it came from, for messages: "`p` (child.proof)"
    dummy_inputs: int | None = None  # a dummy: its number of public inputs (proof and vk are None)

    @classmethod
    def dummy(cls, num_public_inputs: int, source: str = "") -> ProofArg:
        """A dummy proof input for a ``Proof<num_public_inputs>`` parameter."""
        return cls(None, None, source, num_public_inputs)

    @property
    def is_dummy(self) -> bool:
        return self.dummy_inputs is not None


class InputError(CompileError):
    """Errors in an inputs file; ``sources`` holds the file's text for rendering."""

    def __init__(self, diagnostics: list[Diagnostic], sources: SourceMap):
        super().__init__(diagnostics)
        self.sources = sources

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]

    def render(self, color: bool = False) -> str:
        return "\n\n".join(render(d, self.sources, color) for d in self.diagnostics)


# ---- positions -------------------------------------------------------------------------


@dataclass
class Positions:
    """Character spans of keys and values by path (``("leaf", "key", 2)``)."""

    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    root: tuple[int, int] = (0, 0)

    def value_span(self, loc: Loc) -> tuple[int, int]:
        """Span of the value at ``loc``, else of its nearest enclosing value found."""
        for k in range(len(loc), 0, -1):
            if loc[:k] in self.values:
                return self.values[loc[:k]]
        return self.root

    def key_span(self, loc: Loc) -> tuple[int, int]:
        return self.keys.get(loc) or self.value_span(loc)


class _ScanError(Exception):
    pass


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE = re.compile(r"[^,\]\}\s#]+")


class _Scanner:
    """Walks a valid TOML or JSON text and records where each key and value is."""

    def __init__(self, text: str, fmt: str):
        self.t = text
        self.i = 0
        self.toml = fmt == "toml"
        self.pos = Positions()

    def peek(self, k: int = 1) -> str:
        return self.t[self.i : self.i + k]

    def ws(self, newlines: bool = True) -> None:
        t, n = self.t, len(self.t)
        while self.i < n:
            c = t[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" and self.toml:
                end = t.find("\n", self.i)
                self.i = n if end < 0 else end
            else:
                break

    def expect(self, s: str) -> None:
        if not self.t.startswith(s, self.i):
            raise _ScanError(f"expected {s!r} at {self.i}")
        self.i += len(s)

    def string(self) -> str:
        """A quoted string at ``i``; returns its (approximately decoded) content."""
        t, i = self.t, self.i
        for q in ('"""', "'''"):
            if t.startswith(q, i):
                end = t.find(q, i + 3)
                if end < 0:
                    raise _ScanError("unterminated string")
                while t.startswith(q[0], end + 3):  # up to two quotes may close the content
                    end += 1
                self.i = end + 3
                return t[i + 3 : end]
        q = t[i]
        if q == "'":
            end = t.find("'", i + 1)
            if end < 0:
                raise _ScanError("unterminated string")
            self.i = end + 1
            return t[i + 1 : end]
        j = i + 1
        while j < len(t) and t[j] != '"':
            j += 2 if t[j] == "\\" else 1
        if j >= len(t):
            raise _ScanError("unterminated string")
        self.i = j + 1
        try:
            return json.loads(t[i : j + 1])
        except ValueError:
            return t[i + 1 : j]

    def key(self) -> list[tuple[str, int, int]]:
        """A (dotted, in TOML) key: its parts with their spans."""
        parts = []
        while True:
            self.ws(newlines=False)
            start = self.i
            if self.peek() in ('"', "'"):
                name = self.string()
            else:
                m = _BARE_KEY.match(self.t, self.i)
                if not m:
                    raise _ScanError(f"expected a key at {self.i}")
                name, self.i = m.group(), m.end()
            parts.append((name, start, self.i))
            self.ws(newlines=False)
            if not (self.toml and self.peek() == "."):
                return parts
            self.i += 1

    def record_key(self, base: Loc, parts: list[tuple[str, int, int]]) -> Loc:
        loc = base
        for name, s, e in parts:
            loc = (*loc, name)
            self.pos.keys.setdefault(loc, (s, e))
            if (name, s, e) != parts[-1]:
                self.pos.values.setdefault(loc, (s, e))
        return loc

    def value(self, loc: Loc) -> None:
        self.ws()
        start = self.i
        c = self.peek()
        if c == "[":
            self.i += 1
            index = 0
            while True:
                self.ws()
                if self.peek() == "]":
                    break
                self.value((*loc, index))
                index += 1
                self.ws()
                if self.peek() != ",":
                    break
                self.i += 1
            self.expect("]")
        elif c == "{":
            self.i += 1
            while True:
                self.ws()
                if self.peek() == "}":
                    break
                parts = self.key()
                self.expect("=" if self.toml else ":")
                self.value(self.record_key(loc, parts))
                self.ws()
                if self.peek() != ",":
                    break
                self.i += 1
            self.expect("}")
        elif c in ('"', "'"):
            self.string()
        else:
            m = _BARE_VALUE.match(self.t, self.i)
            if not m:
                raise _ScanError(f"expected a value at {self.i}")
            self.i = m.end()
        self.pos.values.setdefault(loc, (start, self.i))

    def toml_document(self) -> None:
        table: Loc = ()
        counts: dict[Loc, int] = {}
        while True:
            self.ws()
            if self.i >= len(self.t):
                return
            start = self.i
            if self.peek(2) == "[[":
                self.i += 2
                parts = self.key()
                self.expect("]]")
                names = self.record_key((), parts)
                index = counts.get(names, 0)
                counts[names] = index + 1
                table = (*names, index)
                self.pos.values.setdefault(names, (start, self.i))
                self.pos.values.setdefault(table, (start, self.i))
            elif self.peek() == "[":
                self.i += 1
                parts = self.key()
                self.expect("]")
                self.pos.values.setdefault(tuple(p[0] for p in parts), (start, self.i))
                table = self.record_key((), parts)
            else:
                parts = self.key()
                self.expect("=")
                self.value(self.record_key(table, parts))
            self.ws(newlines=False)
            if self.i < len(self.t) and self.t[self.i] != "\n":
                raise _ScanError(f"expected end of line at {self.i}")


def _fallback_positions(text: str, fmt: str) -> Positions:
    """Top-level keys by a line search, when the scanner cannot follow the text."""
    pos = Positions()
    pattern = (
        r'^[ \t]*\[*[ \t]*"?([A-Za-z0-9_-]+)"?[ \t]*[=\].]'
        if fmt == "toml"
        else r'^[ \t]*\{?[ \t]*"([^"\\]+)"[ \t]*:'
    )
    for m in re.finditer(pattern, text, re.MULTILINE):
        span = (m.start(1), m.end(1))
        pos.keys.setdefault((m.group(1),), span)
        pos.values.setdefault((m.group(1),), span)
    return pos


def source_positions(text: str, fmt: str) -> Positions:
    """Spans of every key and value of a valid TOML (``fmt="toml"``) or JSON text."""
    scanner = _Scanner(text, fmt)
    try:
        if scanner.toml:
            scanner.toml_document()
        else:
            scanner.value(())
        pos = scanner.pos
    except (_ScanError, IndexError, RecursionError):
        pos = _fallback_positions(text, fmt)
    stripped = len(text) - len(text.lstrip())
    pos.root = (stripped, stripped + 1) if stripped < len(text) else (0, 0)
    return pos


# ---- reading -------------------------------------------------------------------------

_INT_STRING = re.compile(r"\s*(-?)\s*(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\s*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _parse_int_string(s: str) -> int | None:
    m = _INT_STRING.fullmatch(s)
    if not m:
        return None
    digits = m.group(2)
    base = {"x": 16, "b": 2, "o": 8}.get(digits[1:2].lower(), 10) if digits[:1] == "0" else 10
    try:
        value = int(digits[2:] if base != 10 else digits, base)
    except ValueError:  # misplaced `_`
        return None
    return -value if m.group(1) else value


def _describe(v: object, fmt: str) -> str:
    if isinstance(v, bool):
        return f"the boolean `{'true' if v else 'false'}`"
    if isinstance(v, int):
        return f"the integer {v}"
    if isinstance(v, float):
        return f"the float {v!r}"
    if isinstance(v, str):
        shown = v if len(v) <= 40 else v[:37] + "..."
        return f'the string "{shown}"'
    if isinstance(v, list):
        return f"a list of {len(v)} element{'s' if len(v) != 1 else ''}"
    if isinstance(v, dict):
        return "a table" if fmt == "toml" else "an object"
    if v is None:
        return "null"
    return f"a {type(v).__name__} value"


def _expected(t: Type) -> str:
    if isinstance(t, Scalar):
        if t.name == "bool":
            return "`bool` (`true` or `false`)"
        return f"`{t}` (an integer)"
    if isinstance(t, Array):
        return f"`{t}` (a list of {t.length})"
    if isinstance(t, Tuple):
        return f"`{t}` (a list of {len(t.elements)})"
    return f"struct `{t}` (a table with fields {', '.join(f'`{n}`' for n, _ in t.fields) or 'none'})"


class _Checker:
    def __init__(self, text: str, path: str, fmt: str):
        self.text, self.path, self.fmt = text, path, fmt
        self._positions: Positions | None = None
        self.errors: list[Diagnostic] = []

    @property
    def positions(self) -> Positions:
        if self._positions is None:
            self._positions = source_positions(self.text, self.fmt)
        return self._positions

    def error(self, code: str, message: str, loc: Loc, label: str, key: bool = False, notes=()):
        pos = self.positions
        start, end = pos.key_span(loc) if key else pos.value_span(loc)
        diag = Diagnostic("error", code, message, [Label(Span(self.path, start, end), label)])
        diag.notes.extend(notes)
        self.errors.append(diag)

    def scalar(self, t: Scalar, v: object, loc: Loc, disp: str) -> int | None:
        if t.name == "bool":
            if isinstance(v, bool):
                return int(v)
            notes = ["booleans are written `true` / `false`, not 0 / 1"] if v in (0, 1) else []
            self.error(
                "E0601",
                f"input `{disp}`: expected `bool`, found {_describe(v, self.fmt)}",
                loc,
                "expected `true` or `false`",
                notes=notes,
            )
            return None
        x: int | None = None
        if isinstance(v, int) and not isinstance(v, bool):
            x = v
        elif isinstance(v, str):
            x = _parse_int_string(v)
        if x is None:
            notes = []
            if isinstance(v, float):
                notes.append(
                    'write integers without a fraction or exponent; large ones as strings, e.g. "0x1f"'
                )
            elif isinstance(v, str):
                notes.append('integer strings are decimal, 0x hex, 0b binary or 0o octal, e.g. "0x1f"')
            self.error(
                "E0601",
                f"input `{disp}`: expected `{t}` (an integer), found {_describe(v, self.fmt)}",
                loc,
                f"expected `{t}`",
                notes=notes,
            )
            return None
        shown = f'"{v}" (= {x})' if isinstance(v, str) and v.strip() != str(x) else str(x)
        if t.name == "Felt":
            if -P < x < P:
                return x % P
            bound = f"below p = {P}" if x > 0 else f"above -p (p = {P})"
            self.error(
                "E0603",
                f"input `{disp}`: {shown} is not a field element: `Felt` values must be {bound}",
                loc,
                "must be below p" if x > 0 else "must be above -p",
                notes=["a negative value -x stands for p - x"],
            )
            return None
        hi = (1 << INT_BITS[t.name]) - 1
        if not 0 <= x <= hi:
            notes = ["unsigned integers cannot be negative"] if x < 0 else []
            if t.name == "u64":
                notes.append(f"u64 values live in the field, so they must also be below p = {P}")
            self.error(
                "E0602",
                f"input `{disp}`: {shown} does not fit in {t} (0..={hi})",
                loc,
                f"out of range for `{t}`",
                notes=notes,
            )
            return None
        if x >= P:
            self.error(
                "E0603",
                f"input `{disp}`: {shown} does not fit in u64 inside the field: values must be below p = {P}",
                loc,
                "must be below p",
                notes=[f"u64 values live in the field, so the largest is p - 1 = {P - 1}"],
            )
            return None
        return x

    def value(self, t: Type, v: object, loc: Loc, disp: str) -> list[int] | None:
        """Flattened values of ``v`` as type ``t`` (None after reporting an error)."""
        if isinstance(t, Scalar):
            x = self.scalar(t, v, loc, disp)
            return None if x is None else [x]
        if isinstance(t, Array | Tuple):
            elems = [t.element] * t.length if isinstance(t, Array) else list(t.elements)
            if not isinstance(v, list):
                self.error(
                    "E0601",
                    f"input `{disp}`: expected {_expected(t)}, found {_describe(v, self.fmt)}",
                    loc,
                    f"expected `{t}`",
                )
                return None
            if len(v) != len(elems):
                self.error(
                    "E0601",
                    f"input `{disp}`: expected {len(elems)} element{'s' if len(elems) != 1 else ''} "
                    f"for `{t}`, found {len(v)}",
                    loc,
                    f"expected {len(elems)} element{'s' if len(elems) != 1 else ''}",
                )
                return None
            out: list[int] | None = []
            for i, (et, item) in enumerate(zip(elems, v, strict=True)):
                sub = f"{disp}[{i}]" if isinstance(t, Array) else f"{disp}.{i}"
                got = self.value(et, item, (*loc, i), sub)
                out = None if got is None or out is None else out + got
            return out
        if isinstance(t, ProofT):
            return self.proof(t, v, loc, disp)
        assert isinstance(t, Struct)
        if not isinstance(v, dict):
            self.error(
                "E0601",
                f"input `{disp}`: expected {_expected(t)}, found {_describe(v, self.fmt)}",
                loc,
                f"expected struct `{t}`",
            )
            return None
        out = []
        for name, ft in t.fields:
            if name not in v:
                self.error(
                    "E0600",
                    f"input `{disp}`: missing field `{name}` ({ft}) of struct `{t}`",
                    loc,
                    f"`{name}` is missing here",
                )
                out = None
                continue
            got = self.value(ft, v[name], (*loc, name), f"{disp}.{name}")
            out = None if got is None or out is None else out + got
        self.unknown_keys(v, [n for n, _ in t.fields], loc, disp, f"struct `{t}`")
        return out if not any(k not in dict(t.fields) for k in v) else None

    def proof(self, t: ProofT, v: object, loc: Loc, disp: str) -> list | None:
        """``{ proof = "a.proof" }``: the proof file and its key ``a.proof.vk`` (or ``vk = …``),
        relative to the inputs file; ``{ dummy = true }``: a dummy (see :class:`ProofArg`)."""
        if isinstance(v, dict) and "dummy" in v:
            self.unknown_keys(v, ["dummy"], loc, disp, f"a dummy `{t}`")
            if v["dummy"] is not True:
                self.error("E0601", f"input `{disp}`: `dummy` must be `true` (or give a proof: "
                           f'{{ proof = "FILE" }}), found {_describe(v["dummy"], self.fmt)}', (*loc, "dummy"),
                           "expected `true`")
                return None
            return [ProofArg.dummy(t.num_public_inputs, f"`{disp}` (dummy)")]
        if not (isinstance(v, dict) and isinstance(v.get("proof"), str)):
            self.error("E0601", f'input `{disp}`: expected {{ proof = "FILE" }} or {{ dummy = true }} for `{t}`, '
                       f"found {_describe(v, self.fmt)}", loc, f"expected `{t}`")
            return None
        self.unknown_keys(v, ["proof", "vk"], loc, disp, f"`{t}`")
        base = Path(self.path).parent
        proof_path = base / v["proof"]
        vk_path = base / v["vk"] if isinstance(v.get("vk"), str) else Path(str(proof_path) + ".vk")
        from psyc.plonk.keys import VerifyingKey, proof_from_bytes
        from psyc.util.serialization import FormatError

        # the proof first: a missing proof is named as the proof, not by its key's path
        for path, what, key in ((proof_path, "proof", "proof"), (vk_path, "verifying key", "vk" if "vk" in v else "proof")):
            if not path.is_file():
                hint = "run `psyc prove` on the child program first" if what == "proof" else (
                    f"`psyc prove` writes it next to the proof as {proof_path.name}.vk; or name it with `vk = \"FILE\"`")
                self.error("E0606", f"input `{disp}`: the {what} file {path} does not exist", (*loc, key),
                           f"no such {what} file", notes=[hint])
                return None
        try:
            vk = VerifyingKey.from_bytes(vk_path.read_bytes())
        except (OSError, FormatError) as e:
            self.error("E0606", f"input `{disp}`: cannot read the verifying key {vk_path}: {e}",
                       (*loc, "vk" if "vk" in v else "proof"), "this proof's key")
            return None
        try:
            proof = proof_from_bytes(proof_path.read_bytes(), vk.common)
        except (OSError, FormatError) as e:
            self.error("E0606", f"input `{disp}`: cannot read the proof {proof_path}: {e}", (*loc, "proof"),
                       "this proof file", notes=[f"its verifying key is read from {vk_path}"])
            return None
        if len(proof.public_inputs) != t.num_public_inputs:
            self.error("E0606", f"input `{disp}`: the proof has {len(proof.public_inputs)} public inputs, "
                       f"`{t}` expects {t.num_public_inputs}", (*loc, "proof"), f"expected `{t}`")
            return None
        return [ProofArg(proof, vk, f"`{disp}` ({proof_path})")]

    def unknown_keys(self, given: dict, known: list[str], loc: Loc, disp: str, owner: str) -> None:
        for k in given:
            if k in known:
                continue
            close = difflib.get_close_matches(k, known, n=1)
            where = f"`{disp}.{k}`" if disp else f"`{k}`"
            msg = f"unknown {'field' if disp else 'input'} {where}: {owner} has no {'field' if disp else 'parameter'} `{k}`"
            notes = [f"did you mean `{close[0]}`?"] if close else []
            expected = ", ".join(f"`{n}`" for n in known) or "none"
            notes.append(f"expected {'fields' if disp else 'parameters'}: {expected}")
            self.error("E0605", msg, (*loc, k), "unknown key", key=True, notes=notes)


def _malformed(path: str, message: str, span: Span | None, sources: SourceMap, notes=()) -> InputError:
    diag = Diagnostic.error("E0604", message, span, "here" if span else "")
    diag.notes.extend(notes)
    return InputError([diag], sources)


def _format_of(path: str, sources: SourceMap) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise _malformed(
            path,
            f"unsupported inputs file `{path}`: the name must end in `.toml` or `.json`",
            None,
            sources,
        )
    return fmt


def _load(text: str, path: str, fmt: str, sources: SourceMap) -> object:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            pos = min(e.pos, len(text))
            raise _malformed(
                path, f"malformed JSON in `{path}`: {e.msg}", Span(path, pos, pos + 1), sources
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError([toml_syntax_diagnostic("E0604", text, path, e, "inputs file")], sources) from None


def toml_syntax_diagnostic(
    code: str, text: str, path: str, e: tomllib.TOMLDecodeError, what: str
) -> Diagnostic:
    """A located diagnostic from tomllib's "msg (at line L, column C)" message."""
    message = str(e)
    m = _TOML_POSITION.search(message)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        offset = starts[min(line, len(starts)) - 1] + col - 1
        message = message[: m.start()]
    else:  # "(at end of document)"
        message = re.sub(r"\s*\(at end of document\)\s*$", "", message)
        offset = len(text.rstrip())
    offset = max(0, min(offset, len(text)))
    msg = f"malformed TOML in {what} `{path}`: {message[:1].lower()}{message[1:]}"
    return Diagnostic.error(code, msg, Span(path, offset, offset + 1), "here")


def parse_inputs(
    text: str, path: str | os.PathLike, params: Params, sources: SourceMap | None = None
) -> list[list[int]]:
    """Values of ``params`` from the text of an inputs file (format by ``path``'s
    extension): per parameter, the flattened canonical field values."""
    path = str(path)
    sources = sources if sources is not None else SourceMap()
    sources.add(path, text)
    fmt = _format_of(path, sources)
    data = _load(text, path, fmt, sources)
    checker = _Checker(text, path, fmt)
    if not isinstance(data, dict):
        raise _malformed(
            path,
            f"the top level of `{path}` must be an object with one key per parameter, "
            f"found {_describe(data, fmt)}",
            Span(path, *checker.positions.root),
            sources,
        )
    out: list[list[int]] = []
    for name, t in params:
        if name not in data:
            notes = []
            if size(t) <= 16:
                zeros = _zeros(t)
                line = (
                    f"{name} = {_toml_inline(t, zeros)}"
                    if fmt == "toml"
                    else f'"{name}": {json.dumps(format_value(t, zeros))}'
                )
                notes = [f"add a line like `{line}`"] if len(line) <= 100 else []
            checker.error(
                "E0600",
                f"missing input `{name}` ({t}) in `{path}`",
                (),
                f"no value for `{name}` in this file",
                notes=notes,
            )
            out.append([])
            continue
        got = checker.value(t, data[name], (name,), name)
        out.append(got or [])
    checker.unknown_keys(data, [n for n, _ in params], (), "", "the entry function")
    if checker.errors:
        checker.errors.sort(key=lambda d: d.labels[0].span.start if d.labels else -1)
        raise InputError(checker.errors, sources)
    return out


def read_inputs(path: str | os.PathLike, params: Params, sources: SourceMap | None = None) -> list[list[int]]:
    """Read and check an inputs file (``.toml`` or ``.json``); see :func:`parse_inputs`."""
    shown = str(path)
    sources = sources if sources is not None else SourceMap()
    _format_of(shown, sources)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise _malformed(shown, f"cannot read inputs file `{shown}`: {reason}", None, sources) from None
    return parse_inputs(text, shown, params, sources)


# ---- writing -------------------------------------------------------------------------


def _zeros(t: Type) -> list[int]:
    return [0] * size(t)


def _payload(t: Type, flat: list[int]):
    if len(flat) != size(t):
        raise ValueError(f"{len(flat)} values given for `{t}`, which has {size(t)}")
    return unflatten(t, list(flat))[0]


def format_value(t: Type, flat: list[int]):
    """JSON-able form of a flattened value: integers as decimal strings, bools as
    booleans, arrays and tuples as lists, structs as dicts."""

    def go(t: Type, p):
        if isinstance(t, Scalar):
            return bool(p) if t.name == "bool" else str(p)
        if isinstance(t, Array):
            return [go(t.element, x) for x in p]
        if isinstance(t, Tuple):
            return [go(et, x) for et, x in zip(t.elements, p, strict=True)]
        return {n: go(ft, x) for (n, ft), x in zip(t.fields, p, strict=True)}

    return go(t, _payload(t, flat))


_TOML_INT_MAX = (1 << 63) - 1  # TOML integers are signed 64-bit: larger ones go in strings


def _toml_key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name)


def _toml_scalar(t: Scalar, x: int, quote: bool) -> str:
    if t.name == "bool":
        return "true" if x else "false"
    return f'"{x}"' if quote else str(x)


def _toml_items(t: Type, p) -> list[str]:
    if isinstance(t, Array) and isinstance(t.element, Scalar):
        quote = any(x > _TOML_INT_MAX for x in p)
        return [_toml_scalar(t.element, x, quote) for x in p]
    elems = [t.element] * t.length if isinstance(t, Array) else t.elements
    return [_toml_payload(et, x) for et, x in zip(elems, p, strict=True)]


def _toml_payload(t: Type, p) -> str:
    if isinstance(t, Scalar):
        return _toml_scalar(t, p, p > _TOML_INT_MAX)
    if isinstance(t, Array | Tuple):
        return "[" + ", ".join(_toml_items(t, p)) + "]"
    if not t.fields:
        return "{}"
    body = ", ".join(
        f"{_toml_key(n)} = {_toml_payload(ft, x)}" for (n, ft), x in zip(t.fields, p, strict=True)
    )
    return "{ " + body + " }"


def _toml_inline(t: Type, flat: list[int]) -> str:
    return _toml_payload(t, _payload(t, flat))


def _type_comment(t: Type) -> str:
    if isinstance(t, Struct):
        return f"{t} {{ " + ", ".join(f"{n}: {ft}" for n, ft in t.fields) + " }"
    return str(t)


def write_inputs_toml(params: Params, values: list[list[int]], type_comments: bool = True) -> str:
    """A TOML inputs file holding ``values`` (flattened, per parameter): the inverse of
    :func:`parse_inputs`. Integers above 2^63 - 1 are written as decimal strings."""
    if len(values) != len(params):
        raise ValueError(f"{len(values)} values given for {len(params)} parameters")
    lines = []
    for (name, t), flat in zip(params, values, strict=True):
        if type_comments:
            lines.append(f"# {name}: {_type_comment(t)}")
        head = f"{_toml_key(name)} = "
        inline = _toml_inline(t, flat)
        if len(head) + len(inline) <= 100 or not isinstance(t, Array | Tuple):
            lines.append(head + inline)
            continue
        lines.append(head + "[")  # a long list: several elements per line
        row = ""
        for item in _toml_items(t, _payload(t, flat)):
            if row and len(row) + len(item) + 2 > 96:
                lines.append("    " + row.rstrip())
                row = ""
            row += item + ", "
        if row:
            lines.append("    " + row.rstrip())
        lines.append("]")
    return "\n".join(lines) + "\n"


def write_inputs_json(params: Params, values: list[list[int]]) -> str:
    """A JSON inputs file holding ``values`` (integers as decimal strings)."""
    if len(values) != len(params):
        raise ValueError(f"{len(values)} values given for {len(params)} parameters")
    doc = {name: format_value(t, flat) for (name, t), flat in zip(params, values, strict=True)}
    return json.dumps(doc, indent=2) + "\n"


def inputs_template(params: Params) -> str:
    """A TOML inputs file with a zero (``false``) value for every parameter."""
    head = "# Inputs: one key per parameter of the entry function.\n"
    head += '# Integers in decimal or as strings ("0x1f"); Felt also takes -x for p - x.\n'
    if not params:
        return head + "# (the entry function takes no parameters)\n"
    return head + "\n" + write_inputs_toml(params, [_zeros(t) for _, t in params])
