"""Every diagnostic code lives in one registry with an explanation; `psyc explain` prints it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from psyc.cli.main import main
from psyc.frontend.error_codes import CODE_PATTERN, REGISTRY, lookup, markdown_table

ROOT = Path(__file__).resolve().parent.parent
CODE_LITERAL = re.compile(r"""["']([EWA]\d{4})["']""")


def codes_in_source() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "psyc").rglob("*.py")):
        if path.name == "error_codes.py":
            continue
        for code in CODE_LITERAL.findall(path.read_text()):
            found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_code_in_the_source_is_registered():
    used = codes_in_source()
    assert len(used) > 50  # the scan finds the codes (a broken regex would pass vacuously)
    missing = {c: files for c, files in used.items() if c not in REGISTRY}
    assert not missing, f"codes used but not in psyc/frontend/error_codes.py: {missing}"


def test_every_registered_code_is_explained_and_documented():
    docs = (ROOT / "docs" / "errors.md").read_text()
    assert markdown_table() in docs, "docs/errors.md is stale: paste markdown_table() into it"
    for code, entry in REGISTRY.items():
        assert CODE_PATTERN.match(code)
        assert entry.summary and "\n" not in entry.summary, code


def test_lookup_accepts_loose_spellings():
    assert lookup("e303").code == lookup("303").code == lookup(" E0303 ").code == "E0303"
    assert lookup("E9999") is None


def test_explain_prints_the_entry(capsys):
    assert main(["explain", "E0303"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("E0303: ") and "max_unroll" in out


def test_explain_unknown_code_is_a_usage_error(capsys):
    assert main(["explain", "E9999"]) == 2
    captured = capsys.readouterr()
    assert "not a psyc diagnostic code" in captured.err and captured.out == ""


@pytest.mark.parametrize("argv", [["explain", "--list"], ["explain", "--list", "--json"]])
def test_explain_lists_every_code(argv, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in REGISTRY)
