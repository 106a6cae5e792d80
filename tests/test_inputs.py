"""Inputs files (psyc.project.inputs): round trips, every error code, positions."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import felts

from psyc.frontend.diagnostics import SourceMap
from psyc.frontend.types import (
    BOOL,
    FELT,
    HASH,
    U8,
    U16,
    U32,
    U64,
    Array,
    Scalar,
    Struct,
    Tuple,
    flatten,
    leaf_types,
    size,
)
from psyc.project.inputs import (
    InputError,
    format_value,
    inputs_template,
    parse_inputs,
    read_inputs,
    source_positions,
    write_inputs_json,
    write_inputs_toml,
)

P = 2**64 - 2**32 + 1

LEAF = Struct("Leaf", (("key", HASH), ("value", U64)))
PARAMS = [("root", HASH), ("leaf", LEAF), ("index", U32), ("flag", BOOL), ("pair", Tuple((U8, FELT)))]
GOOD_TOML = """\
# a comment
root = [1, 2, 3, 4]
index = 7
flag = true
pair = [255, -1]

[leaf]
key = ["0x10", "1_000", "0b101", 18446744069414584320]
value = "18446744069414584320"
"""
GOOD_VALUES = [[1, 2, 3, 4], [16, 1000, 5, P - 1, P - 1], [7], [1], [255, P - 1]]


def error_of(text: str, path: str, params, sources: SourceMap | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        parse_inputs(text, path, params, sources)
    return info.value


def only(err: InputError, code: str) -> str:
    """The single diagnostic's rendering, after checking its code."""
    assert [d.code for d in err.diagnostics] == [code], err.render()
    return err.render()


# ---- good files ----------------------------------------------------------------------


def test_reads_toml_with_every_notation():
    assert parse_inputs(GOOD_TOML, "in.toml", PARAMS) == GOOD_VALUES


def test_reads_json_with_strings_and_native_ints():
    text = json.dumps(
        {
            "root": ["1", 2, "0x3", 4],
            "leaf": {"value": str(P - 1), "key": [16, "1000", "0b101", P - 1]},
            "index": 7,
            "flag": True,
            "pair": ["255", "-1"],
        }
    )
    assert parse_inputs(text, "in.json", PARAMS) == GOOD_VALUES


def test_read_inputs_from_disk_and_sources(tmp_path):
    f = tmp_path / "inputs.toml"
    f.write_text(GOOD_TOML)
    sources = SourceMap()
    assert read_inputs(str(f), PARAMS, sources) == GOOD_VALUES
    assert sources.text(str(f)) == GOOD_TOML


def test_flattening_order_matches_types_flatten():
    t = Struct("S", (("a", Tuple((U8, Array(BOOL, 2)))), ("b", FELT)))
    values = parse_inputs("s = { b = 9, a = [3, [true, false]] }", "x.toml", [("s", t)])
    assert values == [flatten(t, ((3, [1, 0]), 9))] == [[3, 1, 0, 9]]


def test_felt_negatives_mean_p_minus_x():
    params = [("a", FELT), ("b", FELT), ("c", FELT), ("d", FELT)]
    got = parse_inputs(f'a = -1\nb = "-0x2"\nc = {-(P - 1)}\nd = -0', "x.toml", params)
    assert got == [[P - 1], [P - 2], [1], [0]]


def test_empty_params_and_empty_file():
    assert parse_inputs("", "x.toml", []) == []
    assert parse_inputs("{}", "x.json", []) == []
    assert parse_inputs("u = []\ne = {}", "x.toml", [("u", Tuple(())), ("e", Struct("E", ()))]) == [[], []]


# ---- round trips -----------------------------------------------------------------------

SCALARS = [FELT, BOOL, U8, U16, U32, U64]
names = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


def _compound(children):
    return st.one_of(
        st.builds(Array, children, st.integers(0, 3)),
        st.lists(children, max_size=3).map(lambda es: Tuple(tuple(es))),
        st.lists(st.tuples(names, children), max_size=3, unique_by=lambda f: f[0]).map(
            lambda fs: Struct("S", tuple(fs))
        ),
    )


types = st.recursive(st.sampled_from(SCALARS), _compound, max_leaves=10)
params_strategy = st.lists(st.tuples(names, types), max_size=4, unique_by=lambda p: p[0])


def scalar_values(s: Scalar):
    if s == FELT:
        return felts
    if s == BOOL:
        return st.integers(0, 1)
    if s == U64:
        return st.one_of(st.sampled_from([0, 2**63 - 1, 2**63, P - 1]), st.integers(0, P - 1))
    hi = 2**s.bits - 1
    return st.one_of(st.sampled_from([0, hi]), st.integers(0, hi))


def flat_values(t):
    return st.tuples(*[scalar_values(s) for s in leaf_types(t)]).map(list)


@given(st.data(), params_strategy)
def test_round_trip_toml_and_json(data, params):
    values = [data.draw(flat_values(t)) for _, t in params]
    toml_text = write_inputs_toml(params, values)
    assert parse_inputs(toml_text, "x.toml", params) == values, toml_text
    json_text = write_inputs_json(params, values)
    assert parse_inputs(json_text, "x.json", params) == values, json_text
    native = {n: _native(t, format_value(t, v)) for (n, t), v in zip(params, values, strict=True)}
    assert parse_inputs(json.dumps(native), "x.json", params) == values


def _native(t, v):
    """format_value's strings back to JSON numbers."""
    if isinstance(t, Scalar):
        return v if t == BOOL else int(v)
    if isinstance(t, Array):
        return [_native(t.element, x) for x in v]
    if isinstance(t, Tuple):
        return [_native(e, x) for e, x in zip(t.elements, v, strict=True)]
    return {n: _native(ft, v[n]) for n, ft in t.fields}


@given(params_strategy)
def test_template_parses_to_zeros(params):
    assert parse_inputs(inputs_template(params), "x.toml", params) == [[0] * size(t) for _, t in params]


def test_format_value_shapes():
    t = Struct("S", (("h", HASH), ("b", BOOL), ("t", Tuple((U8, U64)))))
    assert format_value(t, [1, 2, 3, P - 1, 1, 5, 6]) == {
        "h": ["1", "2", "3", str(P - 1)],
        "b": True,
        "t": ["5", "6"],
    }
    with pytest.raises(ValueError):
        format_value(HASH, [1, 2, 3])


def test_long_arrays_are_wrapped_and_big_values_quoted():
    text = write_inputs_toml([("xs", Array(FELT, 64))], [[P - 1] * 64])
    assert max(len(line) for line in text.splitlines()) <= 100
    assert f'"{P - 1}"' in text
    assert parse_inputs(text, "x.toml", [("xs", Array(FELT, 64))]) == [[P - 1] * 64]


# ---- positions: a wrong leaf anywhere is found exactly ---------------------------------


def _leaf_paths(t, loc=(), disp=""):
    """(location in the document, dotted path) of each scalar, in flatten order."""
    if isinstance(t, Scalar):
        return [(loc, disp)]
    if isinstance(t, Array):
        return [p for i in range(t.length) for p in _leaf_paths(t.element, (*loc, i), f"{disp}[{i}]")]
    if isinstance(t, Tuple):
        return [p for i, e in enumerate(t.elements) for p in _leaf_paths(e, (*loc, i), f"{disp}.{i}")]
    return [p for n, ft in t.fields for p in _leaf_paths(ft, (*loc, n), f"{disp}.{n}")]


def _set(doc, loc, value):
    for k in loc[:-1]:
        doc = doc[k]
    doc[loc[-1]] = value


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml_doc(doc: dict, sections: bool) -> str:
    """A TOML text; with ``sections``, top-level tables become ``[name]`` sections."""
    plain = [f"{k} = {_toml_value(v)}" for k, v in doc.items() if not (sections and isinstance(v, dict))]
    out = ["# header comment", *plain]
    for k, v in doc.items():
        if sections and isinstance(v, dict):
            out += ["", f"[{k}]  # a section"] + [f"{f} = {_toml_value(x)}" for f, x in v.items()]
    return "\n".join(out) + "\n"


@given(st.data(), params_strategy.filter(lambda ps: any(size(t) for _, t in ps)))
def test_wrong_leaf_is_located(data, params):
    values = [data.draw(flat_values(t)) for _, t in params]
    doc = {n: format_value(t, v) for (n, t), v in zip(params, values, strict=True)}
    leaves = [((n, *loc), n + disp) for n, t in params for loc, disp in _leaf_paths(t)]
    loc, disp = data.draw(st.sampled_from(leaves))
    _set(doc, loc, "zz")
    fmt = data.draw(st.sampled_from(["json", "json-indent", "toml", "toml-sections"]))
    if fmt.startswith("json"):
        text, path = json.dumps(doc, indent=2 if fmt == "json-indent" else None), "x.json"
    else:
        text, path = _toml_doc(doc, fmt == "toml-sections"), "x.toml"
    err = error_of(text, path, params)
    assert [d.code for d in err.diagnostics] == ["E0601"], err.render()
    diag = err.diagnostic
    assert f"`{disp}`" in diag.message
    span = diag.labels[0].span
    assert text[span.start : span.end] == '"zz"'


def test_positions_of_multiline_toml_and_tables():
    text = "a = [\n  1,  # one\n  [2, 3],\n]\n[s.t]\nx = { y = [4, 5] }\n[[arr]]\nz = 1\n[[arr]]\nz = 2\n"
    pos = source_positions(text, "toml")
    assert text[slice(*pos.values[("a", 1, 1)])] == "3"
    assert text[slice(*pos.values[("s", "t", "x", "y", 1)])] == "5"
    assert text[slice(*pos.values[("arr", 1, "z")])] == "2"
    assert text[slice(*pos.keys[("s", "t", "x")])] == "x"


# ---- errors: each code, with file:line:col and the dotted path --------------------------


def test_e0600_missing_parameter():
    text = GOOD_TOML.replace("index = 7\n", "")
    out = only(error_of(text, "in.toml", PARAMS), "E0600")
    assert "missing input `index` (u32)" in out
    assert "--> in.toml:1:1" in out
    assert "index = 0" in out  # the note shows what to add


def test_e0600_missing_struct_field_points_at_table():
    text = GOOD_TOML.replace('value = "18446744069414584320"\n', "")
    out = only(error_of(text, "in.toml", PARAMS), "E0600")
    assert "input `leaf`: missing field `value` (u64) of struct `Leaf`" in out
    assert "--> in.toml:7:1" in out


def test_e0601_bool_given_as_int():
    out = only(error_of(GOOD_TOML.replace("flag = true", "flag = 1"), "in.toml", PARAMS), "E0601")
    assert "input `flag`: expected `bool`, found the integer 1" in out
    assert "--> in.toml:4:8" in out
    assert "`true` / `false`" in out


def test_e0601_int_given_as_bool_in_nested_path():
    text = GOOD_TOML.replace('"0b101"', "true")
    out = only(error_of(text, "in.toml", PARAMS), "E0601")
    assert "input `leaf.key[2]`: expected `Felt` (an integer), found the boolean `true`" in out
    assert "--> in.toml:8:25" in out


def test_e0601_wrong_array_length():
    out = only(error_of(GOOD_TOML.replace("[1, 2, 3, 4]", "[1, 2, 3]"), "in.toml", PARAMS), "E0601")
    assert "input `root`: expected 4 elements for `Hash`, found 3" in out
    assert "--> in.toml:2:8" in out


def test_e0601_wrong_shapes_and_strings():
    params = [("t", Tuple((U8, U8))), ("s", LEAF), ("x", FELT), ("y", FELT), ("z", U8)]
    text = 't = 5\ns = [1, 2]\nx = 1.5\ny = "abc"\nz = 2024-01-01\n'
    err = error_of(text, "in.toml", params)
    assert [d.code for d in err.diagnostics] == ["E0601"] * 5
    out = err.render()
    assert "input `t`: expected `(u8, u8)` (a list of 2), found the integer 5" in out
    assert "input `s`: expected struct `Leaf` (a table with fields `key`, `value`)" in out
    assert "input `x`: expected `Felt` (an integer), found the float 1.5" in out
    assert 'input `y`: expected `Felt` (an integer), found the string "abc"' in out
    assert "input `z`: expected `u8` (an integer)" in out
    for line in range(1, 6):
        assert f"--> in.toml:{line}:" in out


def test_e0601_tuple_paths_use_dot_index():
    out = only(error_of(GOOD_TOML.replace("[255, -1]", "[255, false]"), "in.toml", PARAMS), "E0601")
    assert "input `pair.1`" in out
    assert "--> in.toml:5:14" in out


@pytest.mark.parametrize(
    ("t", "value", "message"),
    [
        (U8, "300", "300 does not fit in u8 (0..=255)"),
        (U8, "-1", "-1 does not fit in u8 (0..=255)"),
        (U16, "65536", "65536 does not fit in u16 (0..=65535)"),
        (U32, str(2**32), f"{2**32} does not fit in u32 (0..={2**32 - 1})"),
        (U32, '"0x100000000"', f'"0x100000000" (= {2**32}) does not fit in u32'),
        (U64, str(2**64), f"{2**64} does not fit in u64 (0..={2**64 - 1})"),
        (U64, "-5", "-5 does not fit in u64"),
    ],
)
def test_e0602_out_of_range(t, value, message):
    out = only(error_of(f"\n  v = {value}\n", "in.toml", [("v", t)]), "E0602")
    assert message in out
    assert "input `v`" in out
    assert "--> in.toml:2:7" in out


@pytest.mark.parametrize(
    ("t", "value"),
    [
        (FELT, str(P)),
        (FELT, str(2**64)),
        (FELT, '"0xffffffffffffffff"'),
        (FELT, str(-P)),
        (U64, str(P)),
        (U64, str(2**64 - 1)),
    ],
)
def test_e0603_not_below_p(t, value):
    out = only(error_of(f'{{"v": {value}}}', "in.json", [("v", t)]), "E0603")
    assert f"p = {P}" in out
    assert "input `v`" in out
    assert "--> in.json:1:7" in out


def test_e0603_in_nested_json():
    text = '{\n  "root": [1, 2, 3, 4],\n  "leaf": {\n    "key": [1, 2, "18446744069414584321", 4],\n    "value": 1\n  },\n  "index": 1, "flag": false, "pair": [0, 0]\n}'
    out = only(error_of(text, "in.json", PARAMS), "E0603")
    assert "input `leaf.key[2]`" in out
    assert "--> in.json:4:19" in out


def test_e0604_malformed_toml():
    out = only(error_of("a = 1\nb = [1,\n  2,, 3]\n", "in.toml", [("a", FELT)]), "E0604")
    assert "malformed TOML in inputs file `in.toml`" in out
    assert "--> in.toml:3:5" in out
    assert "(at line" not in out


def test_e0604_malformed_toml_at_end_of_document():
    out = only(error_of("a = 1\nb = ", "in.toml", [("a", FELT)]), "E0604")
    assert "--> in.toml:2:" in out


def test_e0604_malformed_json():
    out = only(error_of('{\n  "a": 1,\n  "b": [1 2]\n}', "in.json", [("a", FELT)]), "E0604")
    assert "malformed JSON in `in.json`" in out
    assert "--> in.json:3:11" in out


def test_e0604_json_top_level_not_an_object():
    out = only(error_of("[1, 2]", "in.json", [("a", FELT)]), "E0604")
    assert "must be an object" in out


def test_e0604_bad_extension_and_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        parse_inputs("a = 1", "in.yaml", [("a", FELT)])
    assert only(info.value, "E0604").count(".toml") == 1
    with pytest.raises(InputError) as info:
        read_inputs(tmp_path / "nope.toml", [("a", FELT)])
    assert "cannot read inputs file" in only(info.value, "E0604")


def test_e0605_unknown_parameter_with_suggestion():
    err = error_of(GOOD_TOML.replace("index = 7", "indx = 7"), "in.toml", PARAMS)
    assert [d.code for d in err.diagnostics] == ["E0600", "E0605"]
    out = err.render()
    assert "missing input `index`" in out
    assert "unknown input `indx`: the entry function has no parameter `indx`" in out
    assert "--> in.toml:3:1" in out
    assert "did you mean `index`?" in out
    out = only(error_of(GOOD_TOML, "in.toml", PARAMS[:2] + PARAMS[3:]), "E0605")
    assert "did you mean" not in out


def test_e0605_unknown_struct_field():
    out = only(error_of(GOOD_TOML + "vlaue = 3\n", "in.toml", PARAMS), "E0605")
    assert "unknown field `leaf.vlaue`" in out
    assert "did you mean `value`?" in out
    assert "--> in.toml:10:1" in out


def test_all_errors_reported_in_file_order():
    text = "root = [1, 2, 3]\nindex = -1\nflag = 0\npair = [1, 2]\nleaf = { key = [0, 0, 0, 0], value = 1, x = 1 }\n"
    err = error_of(text, "in.toml", PARAMS)
    assert [d.code for d in err.diagnostics] == ["E0601", "E0602", "E0601", "E0605"]
    lines = [int(m) for m in re.findall(r"--> in.toml:(\d+):", err.render())]
    assert lines == [1, 2, 3, 5]


def test_error_rendering_uses_the_callers_sourcemap():
    sources = SourceMap()
    err = error_of("v = 300", "in.toml", [("v", U8)], sources)
    assert err.sources is sources
    assert sources.text("in.toml") == "v = 300"
