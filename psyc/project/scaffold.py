"""``psyc new``: a fresh project that checks, tests and proves out of the box."""

from __future__ import annotations

from pathlib import Path

from psyc.frontend.types import FELT, HASH, Array
from psyc.project.inputs import write_inputs_toml
from psyc.project.manifest import (
    DEFAULT_MAX_UNROLL,
    MAIN_FILE,
    MANIFEST,
    PACKAGE_NAME,
    SRC_DIR,
    ProjectError,
    display_path,
    project_error,
)

EXAMPLE_SECRET = [42, 7]

MAIN_PSY = """\
// {name}: prove you know a secret whose Poseidon hash is public,
// without revealing the secret.

use std::hash::poseidon;

// `expected` is a public input; `secret` stays private to the prover.
fn main(pub expected: Hash, secret: [Felt; 2]) {{
    assert_eq(poseidon(secret), expected, "wrong preimage");
}}

#[test]
fn accepts_the_preimage() {{
    let secret = [{a}, {b}];
    main(poseidon(secret), secret);
}}

#[test(should_fail_with = "wrong preimage")]
fn rejects_another_secret() {{
    main(poseidon([{a}, {b}]), [{b}, {a}]);
}}
"""

MANIFEST_TOML = """\
[package]
name = "{name}"
version = "0.1.0"
entry = "main"

[compile]
max_unroll = {max_unroll}
# the proof hides the secret (a few % slower); `false` opts out
zero_knowledge = true
"""

GITIGNORE = "target/\n.hypothesis/\n"


def _example_inputs() -> str:
    from psyc.hash.poseidon import hash_no_pad  # numba kernels: only loaded when needed

    params = [("expected", HASH), ("secret", Array(FELT, 2))]
    digest = hash_no_pad(EXAMPLE_SECRET)
    head = (
        "# Inputs of `main`: one key per parameter.\n"
        f"# `expected` is the Poseidon digest of `secret` = {EXAMPLE_SECRET}.\n\n"
    )
    return head + write_inputs_toml(params, [digest, list(EXAMPLE_SECRET)])


def project_files(name: str) -> dict[str, str]:
    """Relative path -> text of every file of a new project called ``name``."""
    a, b = EXAMPLE_SECRET
    return {
        MANIFEST: MANIFEST_TOML.format(name=name, max_unroll=DEFAULT_MAX_UNROLL),
        f"{SRC_DIR}/{MAIN_FILE}": MAIN_PSY.format(name=name, a=a, b=b),
        "inputs.toml": _example_inputs(),
        ".gitignore": GITIGNORE,
    }


def new_project(path: str | Path, name: str | None = None) -> list[Path]:
    """Create a project in ``path`` (which must not exist or be an empty folder); the
    package name defaults to the folder's name. Returns the files written."""
    path = Path(path)
    if name is None:
        name = path.resolve().name
    if not PACKAGE_NAME.fullmatch(name):
        raise project_error(
            "E0707",
            f"`{name}` is not a valid package name",
            ["use letters, digits, `_` and `-`, starting with a letter or `_`"],
        )
    if path.exists():
        if not path.is_dir():
            raise project_error("E0706", f"`{display_path(path.resolve())}` exists and is not a folder")
        if any(path.iterdir()):
            raise project_error(
                "E0706",
                f"`{display_path(path.resolve())}` already exists and is not empty; nothing was written",
                ["choose a new folder name, or empty this one"],
            )
    files = project_files(name)  # everything computed before the first write
    written = []
    try:
        for rel, text in files.items():
            target = path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)
    except OSError as e:
        raise project_error("E0706", f"cannot create `{path}`: {e.strerror or e}") from None
    return written


__all__ = ["ProjectError", "new_project", "project_files"]
