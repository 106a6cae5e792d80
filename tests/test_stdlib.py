"""The standard library's own #[test] functions pass (they run through `psyc test --std`)."""

from psyc.cli.main import main


def test_stdlib_tests_pass(capsys):
    assert main(["test", "--std"]) == 0
    out = capsys.readouterr().out
    assert "std::hash::known_answer_permutation_of_zero ... ok" in out
    assert "0 failed" in out
