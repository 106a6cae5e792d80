"""`psyc info --layout`: the circuit picture is drawn (PNG and SVG) with the right numbers;
`--by-line` lists every costly line with its source."""

from __future__ import annotations

import pytest

from psyc.cli.main import main

pytest.importorskip("matplotlib")

PROGRAM = """use std::hash::poseidon;

fn digest(x: Felt) -> Hash {
    poseidon([x, x + 1])
}

fn main(x: Felt, n: u32) -> pub Hash {
    assert(n < 1000, "too big");
    digest(x)
}
"""


@pytest.fixture()
def program(tmp_path):
    f = tmp_path / "prog.psy"
    f.write_text(PROGRAM)
    return f


def test_layout_png_and_svg(program, tmp_path, capsys):
    from psyc.compiler import compile_path
    from psyc.layout_picture import draw_layout

    png, svg = tmp_path / "layout.png", tmp_path / "layout.svg"
    assert main(["info", str(program), "--layout", str(svg), "--json"]) == 0
    prog = compile_path(program)
    prog.modules = []
    draw_layout(prog, png)
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    # the labels the picture shows
    assert "rows by gate type" in text and "Poseidon rows" in text and "padding" in text
    assert "crate::main" in text and "std::hash::poseidon" in text


def test_layout_summary_counts(program):
    from psyc.compiler import compile_path
    from psyc.layout_picture import layout_summary

    prog = compile_path(program)
    prog.modules = []
    s = layout_summary(prog)
    assert s["used_rows"] + s["padding_rows"] == s["degree"]
    assert s["poseidon_rows"] == s["by_gate"]["poseidon"] >= 1
    assert s["lookup_rows"] == s["by_gate"].get("lookup", 0)
    assert 0 < s["max_columns"] <= s["num_wires"]


def test_layout_refuses_bad_paths(program, tmp_path, capsys):
    assert main(["info", str(program), "--layout", str(tmp_path / "x.jpg")]) == 2
    mine = tmp_path / "notes.png"
    mine.write_text("my notes")
    assert main(["info", str(program), "--layout", str(mine)]) == 2
    assert mine.read_text() == "my notes"


def test_by_line_lists_source_lines(program, capsys):
    assert main(["info", str(program), "--by-line"]) == 0
    out = capsys.readouterr().out
    assert "std/hash.psy:18" in out and "s = __permute(s);" in out
    assert "prog.psy:8" in out and "too big" in out
