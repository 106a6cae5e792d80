"""Zero knowledge by default where there are secrets (issue 12, item 8): `psyc new`, the demo
and the examples that hold secrets prove with zero knowledge; prove, verify and info say
whether it is on; `zero_knowledge = false` and `--no-zero-knowledge` opt out."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from psyc.cli.main import main
from psyc.compiler import compile_path

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def new_project(tmp_path_factory):
    proj = tmp_path_factory.mktemp("zk") / "secret"
    assert main(["new", str(proj)]) == 0
    return proj


def test_new_projects_prove_with_zero_knowledge(new_project, capsys):
    assert "zero_knowledge = true" in (new_project / "psy.toml").read_text()
    capsys.readouterr()
    assert main(["prove", str(new_project), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["zero_knowledge"] is True
    assert main(["verify", doc["proof"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["zero_knowledge"] is True
    assert main(["verify", doc["proof"]]) == 0
    assert "zero knowledge on" in capsys.readouterr().out
    assert main(["info", str(new_project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["zero_knowledge"] is True


def test_opting_out(new_project, tmp_path, capsys):
    out = tmp_path / "plain.proof"
    capsys.readouterr()
    assert main(["prove", str(new_project), "--no-zero-knowledge", "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["zero_knowledge"] is False
    assert main(["verify", str(out)]) == 0
    assert "zero knowledge off" in capsys.readouterr().out
    toml = new_project / "psy.toml"
    text = toml.read_text()
    toml.write_text(text.replace("zero_knowledge = true", "zero_knowledge = false"))
    try:
        assert main(["info", str(new_project), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["zero_knowledge"] is False
        assert main(["info", str(new_project), "--zero-knowledge", "--json"]) == 0  # and back on
        assert json.loads(capsys.readouterr().out)["zero_knowledge"] is True
    finally:
        toml.write_text(text)


@pytest.mark.parametrize(
    "project",
    [
        resources.files("psyc.cli").joinpath("demo_project"),
        ROOT / "examples" / "merkle_membership",
        ROOT / "examples" / "range_proof_u64",
    ],
)
def test_demo_and_examples_with_secrets_use_zero_knowledge(project):
    assert compile_path(str(project)).config.zero_knowledge
