"""Every ```psy block of docs/language.md compiles and its #[test] functions pass (a block
whose first line is `// error[CODE]` must be rejected with CODE; ```psy ignore blocks
are skipped)."""

import re
from pathlib import Path

import pytest
from lang_util import compile_error, have_lower, write_project

from psyc.compiler import CompileOptions, compile_project, compile_test, discover_tests, open_project
from psyc.ir import interpret
from psyc.ir.interpret import ExecutionError

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"
BLOCKS = re.findall(r"```psy( ignore)?\n(.*?)```", DOC.read_text(), re.S)
CHECKED = [b for ignore, b in BLOCKS if not ignore]


def test_the_reference_has_examples():
    assert len(CHECKED) >= 15


@pytest.mark.parametrize("block", CHECKED, ids=[f"block{k}" for k in range(len(CHECKED))])
def test_psy_block(block):
    m = re.match(r"// error\[(E\d{4})\]", block)
    if m:
        compile_error(block, m.group(1))
        return
    src = block if re.search(r"\bfn main\b", block) else block + "\nfn main() {}\n"
    project, loader = open_project(write_project(src))
    compiled = compile_project(project, loader, CompileOptions(optimize=True))
    if not compiled.params:
        compiled.execute([])
    cases = discover_tests(loader, [loader.modules["crate"]])
    for case in cases:
        try:
            prog = compile_test(loader, case)
            run = interpret.run(prog, [])
        except ExecutionError as e:
            assert case.should_fail_with and case.should_fail_with in e.message, f"{case.name}: {e.message}"
            continue
        assert case.should_fail_with is None, f"{case.name} passed, expected a failure"
        if have_lower():
            from psyc.ir.lower import check, lower

            low = lower(prog, None, loader.sources)
            assert check(low, low.build(), low.partial_witness(run)) == [], case.name
