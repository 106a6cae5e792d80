"""The Python API reads like the docs: top-level names, psyc.plonk names, inputs by name."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import psyc
import psyc.plonk


def _project(tmp_path, src: str):
    (tmp_path / "src").mkdir()
    (tmp_path / "psy.toml").write_text('[package]\nname = "p"\n')
    (tmp_path / "src" / "main.psy").write_text(src)
    return tmp_path


def test_top_level_names_load_lazily():
    code = (
        "import sys, psyc\n"
        "assert 'psyc.compiler' not in sys.modules\n"
        "assert psyc.CompileOptions().optimize is True\n"
        "assert callable(psyc.compile_path) and 'psyc.compiler' in sys.modules\n"
        "from psyc.plonk import CircuitBuilder, CircuitConfig, PartialWitness, ProofWithPublicInputs\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError):
        psyc.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        psyc.plonk.no_such_name  # noqa: B018


@pytest.mark.parametrize("module", [psyc, psyc.plonk], ids=["psyc", "psyc.plonk"])
def test_every_public_name_has_a_docstring_and_hints(module):
    for name in module.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(module, name)
        assert (obj.__doc__ or "").strip(), f"{module.__name__}.{name} has no docstring"
        if inspect.isclass(obj):
            assert not obj.__doc__.startswith(obj.__name__ + "("), f"{name}: only the dataclass signature"
            members = [(n, m) for n, m in vars(obj).items() if not n.startswith("_")]
        else:
            members = [(name, obj)]
        for mname, m in members:
            f = m.fget if isinstance(m, property) else getattr(m, "__func__", m)
            if not inspect.isfunction(f):
                continue
            assert (f.__doc__ or "").strip(), f"{name}.{mname} has no docstring"
            sig = inspect.signature(f)
            missing = [p for p, v in sig.parameters.items() if p not in ("self", "cls") and v.annotation is v.empty]
            assert not missing, f"{name}.{mname}: parameters without type hints: {missing}"


def test_plonk_docstring_example_proves():
    """The example in psyc.plonk's docstring runs as written."""
    import textwrap

    from psyc.plonk import ProofWithPublicInputs

    example = textwrap.dedent(psyc.plonk.__doc__.split("::\n", 1)[1])
    scope: dict = {}
    exec(compile(example, "psyc/plonk/__init__.py", "exec"), scope)
    assert isinstance(scope["proof"], ProofWithPublicInputs) and scope["proof"].public_inputs == [9]


SRC = """
struct Pair { a: u8, b: u8 }
fn main(x: Felt, h: Hash, p: Pair) -> pub Felt {
    x + h[0] + h[3] + (p.a as Felt) * (p.b as Felt)
}
"""


@pytest.fixture(scope="module")
def prog(tmp_path_factory):
    return psyc.compile_path(_project(tmp_path_factory.mktemp("api"), SRC))


def test_execute_takes_inputs_by_name(prog):
    run = prog.execute({"x": 3, "h": [1, 2, 3, 4], "p": {"a": 5, "b": 6}})
    assert run.outputs == [3 + 1 + 4 + 30]


def test_execute_takes_positional_and_flat_values(prog):
    assert prog.execute([3, [1, 2, 3, 4], {"a": 5, "b": 6}]).outputs == [38]
    assert prog.execute([3, 1, 2, 3, 4, 5, 6]).outputs == [38]
    assert prog.execute([[3], [1, 2, 3, 4], [5, 6]]).outputs == [38]  # what read_inputs returns


def test_execute_rejects_bad_inputs_with_diagnostics(prog):
    with pytest.raises(psyc.CompileError) as e:
        prog.execute({"x": 3, "h": [1, 2, 3, 4], "p": {"a": 500, "b": 6}})
    assert e.value.diagnostics[0].code == "E0602" and "p.a" in e.value.diagnostics[0].message
    with pytest.raises(psyc.CompileError) as e:
        prog.execute([3, 5])
    assert e.value.diagnostics[0].code == "E0601" and "7 field value(s)" in e.value.diagnostics[0].message
    with pytest.raises(psyc.CompileError) as e:
        prog.execute({"x": 3})
    assert {d.code for d in e.value.diagnostics} == {"E0600"}
    with pytest.raises(psyc.CompileError):
        prog.execute({"x": object(), "h": [1, 2, 3, 4], "p": {"a": 1, "b": 1}})
