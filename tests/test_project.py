"""Projects (psyc.project): psy.toml manifests, find_project and `psyc new`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from psyc.frontend.diagnostics import SourceMap
from psyc.frontend.parser import parse
from psyc.frontend.types import FELT, HASH, Array
from psyc.hash.poseidon import hash_no_pad
from psyc.project import Project, ProjectError, find_project, load_manifest, new_project, read_inputs
from psyc.project.manifest import DEFAULT_MAX_UNROLL

MANIFEST = """\
[package]
name = "hello"
version = "0.2.0"
entry = "start"

[compile]
max_unroll = 64
zero_knowledge = true
"""


def make_project(root: Path, manifest: str = MANIFEST, main: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "psy.toml").write_text(manifest)
    if main:
        (root / "src").mkdir(exist_ok=True)
        (root / "src" / "main.psy").write_text("fn start() {}\n")
    return root


def project_error(manifest: str, tmp_path: Path) -> ProjectError:
    make_project(tmp_path / "p", manifest)
    with pytest.raises(ProjectError) as info:
        find_project(tmp_path / "p")
    return info.value


# ---- manifests ---------------------------------------------------------------------------


def test_manifest_settings(tmp_path):
    root = make_project(tmp_path / "p")
    (root / "inputs.toml").write_text("")
    p = find_project(root)
    assert p == Project(
        root=root.resolve(),
        name="hello",
        version="0.2.0",
        entry="start",
        src_dir=root.resolve() / "src",
        main_file=root.resolve() / "src" / "main.psy",
        max_unroll=64,
        zero_knowledge=True,
        default_inputs=root.resolve() / "inputs.toml",
        manifest=root.resolve() / "psy.toml",
    )


def test_manifest_defaults(tmp_path):
    root = make_project(tmp_path / "p", '[package]\nname = "tiny"\n')
    p = find_project(str(root))
    assert (p.name, p.version, p.entry) == ("tiny", "0.1.0", "main")
    assert p.max_unroll == DEFAULT_MAX_UNROLL == 2**20
    assert p.zero_knowledge is False
    assert p.default_inputs is None


def test_find_project_walks_up_from_inside(tmp_path):
    root = make_project(tmp_path / "p")
    (root / "src" / "deep").mkdir()
    (root / "inputs.toml").write_text("")
    assert find_project(root / "src" / "deep").root == root.resolve()
    assert find_project(root / "inputs.toml").root == root.resolve()
    assert load_manifest(root / "psy.toml") == find_project(root)


def test_psy_file_inside_src_belongs_to_the_project(tmp_path):
    root = make_project(tmp_path / "p")
    util = root / "src" / "util.psy"
    util.write_text("fn f() {}\n")
    p = find_project(util)
    assert p.name == "hello" and p.main_file == util.resolve() and p.max_unroll == 64


def test_single_psy_file_is_a_project(tmp_path):
    f = tmp_path / "square.psy"
    f.write_text("fn main(x: Felt) -> pub Felt { x * x }\n")
    p = find_project(f)
    assert p.manifest is None
    assert (p.name, p.entry, p.main_file, p.src_dir) == ("square", "main", f.resolve(), tmp_path.resolve())
    assert p.default_inputs is None
    (tmp_path / "square.inputs.toml").write_text("x = 3\n")
    assert find_project(f).default_inputs == (tmp_path / "square.inputs.toml").resolve()


def test_no_project_found(tmp_path):
    with pytest.raises(ProjectError) as info:
        find_project(tmp_path)
    out = info.value.render()
    assert "error[E0704]: could not find `psy.toml`" in out
    assert "psyc new" in out
    with pytest.raises(ProjectError) as info:
        find_project(tmp_path / "missing")
    assert info.value.diagnostic.code == "E0704" and "does not exist" in info.value.render()


def test_project_without_main_file(tmp_path):
    root = make_project(tmp_path / "p", main=False)
    with pytest.raises(ProjectError) as info:
        find_project(root)
    assert info.value.diagnostic.code == "E0705"
    assert "src/main.psy" in info.value.render()


def test_e0700_toml_syntax_error_is_located(tmp_path):
    err = project_error('[package]\nname = "hello"\nversion = 0.1.0\n', tmp_path)
    assert err.diagnostic.code == "E0700"
    out = err.render()
    assert "malformed TOML in manifest" in out and "psy.toml:3:" in out
    assert "version = 0.1.0" in out


def test_e0701_wrong_types_and_values(tmp_path):
    err = project_error(
        '[package]\nname = 5\nentry = "not a fn"\n[compile]\nmax_unroll = 0\nzero_knowledge = 1\n', tmp_path
    )
    assert [d.code for d in err.diagnostics] == ["E0701"] * 4
    out = err.render()
    assert "`package.name`" in out and "must be a string, found an integer" in out and "psy.toml:2:8" in out
    assert "`package.entry`" in out and "psy.toml:3:9" in out
    assert "`compile.max_unroll`" in out and "psy.toml:5:14" in out
    assert "`compile.zero_knowledge`" in out and "must be a boolean" in out and "psy.toml:6:18" in out


def test_e0701_bool_is_not_an_integer_and_bad_names(tmp_path):
    err = project_error('[package]\nname = "9lives"\n[compile]\nmax_unroll = true\n', tmp_path)
    assert [d.code for d in err.diagnostics] == ["E0701", "E0701"]
    assert "not a valid package name" in err.render()


def test_e0701_table_given_as_value(tmp_path):
    err = project_error('package = "hello"\n', tmp_path)
    assert err.diagnostic.code == "E0701" and "must be a table" in err.render()


def test_e0702_unknown_keys_suggest(tmp_path):
    err = project_error('[package]\nname = "x"\nverison = "1"\n[compiler]\n', tmp_path)
    assert [d.code for d in err.diagnostics] == ["E0702", "E0702"]
    out = err.render()
    assert (
        "unknown key `package.verison`" in out and "did you mean `version`?" in out and "psy.toml:3:1" in out
    )
    assert "unknown table `compiler`" in out and "did you mean `compile`?" in out and "psy.toml:4:2" in out


def test_e0703_missing_name(tmp_path):
    err = project_error('[package]\nversion = "1.0.0"\n', tmp_path)
    assert err.diagnostic.code == "E0703"
    assert "missing `package.name`" in err.render() and "psy.toml:1:1" in err.render()
    err = project_error("", tmp_path / "empty")
    assert err.diagnostic.code == "E0703"


def test_manifest_errors_use_the_callers_sourcemap(tmp_path):
    root = make_project(tmp_path / "p", "[package]\nname = 1\n")
    sources = SourceMap()
    with pytest.raises(ProjectError) as info:
        find_project(root, sources)
    assert info.value.sources is sources
    file = info.value.diagnostic.labels[0].span.file
    assert sources.text(file).startswith("[package]")


# ---- psyc new ----------------------------------------------------------------------------


def test_new_project_is_complete_and_consistent(tmp_path):
    root = tmp_path / "demo"
    written = new_project(root)
    rel = sorted(p.relative_to(root).as_posix() for p in written)
    assert rel == [".gitignore", "inputs.toml", "psy.toml", "src/main.psy"]
    p = find_project(root)
    assert (p.name, p.entry, p.default_inputs) == ("demo", "main", root.resolve() / "inputs.toml")
    assert tomllib.loads((root / "psy.toml").read_text())["package"]["name"] == "demo"
    main = (root / "src" / "main.psy").read_text()
    module = parse(main, "main.psy")
    assert module is not None
    assert "std::hash::poseidon" in main and "#[test]" in main
    expected, secret = read_inputs(p.default_inputs, [("expected", HASH), ("secret", Array(FELT, 2))])
    assert hash_no_pad(secret) == expected
    assert "target/" in (root / ".gitignore").read_text()


def test_new_project_name_and_empty_folder(tmp_path):
    root = tmp_path / "folder"
    root.mkdir()
    new_project(root, name="my-circuit")
    assert find_project(root).name == "my-circuit"


def test_new_project_refuses_to_overwrite(tmp_path):
    root = tmp_path / "busy"
    root.mkdir()
    (root / "notes.txt").write_text("keep me")
    with pytest.raises(ProjectError) as info:
        new_project(root)
    assert info.value.diagnostic.code == "E0706"
    assert "not empty" in info.value.render()
    assert [p.name for p in root.iterdir()] == ["notes.txt"]
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(ProjectError) as info:
        new_project(f)
    assert info.value.diagnostic.code == "E0706"


@pytest.mark.parametrize("name", ["", "1abc", "has space", "a.b", "ünï"])
def test_new_project_rejects_bad_names(tmp_path, name):
    with pytest.raises(ProjectError) as info:
        new_project(tmp_path / "x", name=name)
    assert info.value.diagnostic.code == "E0707"
    assert not (tmp_path / "x").exists()


def test_psy_file_outside_src_ignores_the_manifest_above(tmp_path):
    make_project(tmp_path, "not toml [")
    f = tmp_path / "scripts" / "tool.psy"
    f.parent.mkdir()
    f.write_text("fn main() {}\n")
    p = find_project(f)
    assert p.manifest is None and p.name == "tool"
