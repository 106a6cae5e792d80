"""No Python traceback for a mistake in a program: mutated versions of the examples and the
standard library (tokens deleted, inserted, duplicated) go through `psyc check` and only
ever give diagnostics or success."""

from __future__ import annotations

import contextlib
import io
import random
from pathlib import Path

import pytest

from psyc.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p.read_text() for p in sorted(ROOT.glob("examples/*/src/main.psy"))] + [
    p.read_text() for p in sorted(ROOT.glob("stdlib/*.psy"))
]
TOKENS = ["+", "-", "*", "/", "(", ")", "{", "}", "[", "]", ";", ",", "u8", "u64", "Felt", "bool", "as", "let",
          "mut", "0", "1", "99999999999999999999999", "x", "if", "for", "..", "..=", "::", "<", ">", "==", "!",
          "unsafe", "fn", "return", "while", "true", ".", "pub", "const", "struct", "Hash", "[0; 3]", "i", "N"]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(text))
        r = rng.random()
        if r < 0.4:
            text = text[:pos] + text[pos + rng.randint(1, 6) :]
        elif r < 0.8:
            text = text[:pos] + " " + rng.choice(TOKENS) + " " + text[pos:]
        else:
            j = rng.randrange(len(text))
            text = text[:pos] + text[j : j + 8] + text[pos:]
    return text


@pytest.mark.parametrize("seed", range(4))
def test_mutated_programs_never_crash(seed, tmp_path):
    rng = random.Random(seed)
    (tmp_path / "src").mkdir()
    (tmp_path / "psy.toml").write_text('[package]\nname = "m"\n')
    for _ in range(25):
        (tmp_path / "src" / "main.psy").write_text(mutate(rng.choice(SOURCES), rng))
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            rc = main(["check", str(tmp_path), "--no-template"])
        assert rc in (0, 1)
        assert "Traceback" not in err.getvalue()
