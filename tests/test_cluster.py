"""Issue 19: aggregation on a Ray cluster (``psyc aggregate --ray``, ``psyc.cluster``).

Without ``--ray`` Ray is never imported (checked on the source and in a fresh process).
With the cluster extra installed, a real two-node cluster on this machine (``ray start
--head`` plus a second node process, one CPU each; :mod:`ray_cluster`) aggregates 8 leaves
of the test shape — one of them wrapped on the cluster — and the root must be the same bytes
as a local run's; then again while a worker process is killed in the middle of a fold.
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import psyc
from psyc.cli.main import main
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.witness import PartialWitness
from psyc.recursion.shape import test_shape

SHAPE = test_shape()
PSYC_DIR = Path(psyc.__file__).parent
RUN_TIMEOUT_S = 400  # one aggregation on the cluster (about 30 s on an idle 2-core machine)


def _run_psyc(args: list[str], env=None, code: str = "") -> subprocess.CompletedProcess:
    """``psyc ARGS`` in a fresh interpreter; ``code`` runs before (and may print after)."""
    script = f"import sys\n{code}\nfrom psyc.cli.main import main\nrc = main(sys.argv[1:])\n"
    script += "print('ray imported:', 'ray' in sys.modules)\nsys.exit(rc)\n"
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S
    )


# --- without --ray, Ray stays out -----------------------------------------------------------


def _importers(prefix: str) -> list[str]:
    """Modules of the package with an import statement of ``prefix`` or a submodule of it."""
    found = []
    for path in sorted(PSYC_DIR.rglob("*.py")):
        text = path.read_text()
        if prefix not in text:  # (parsing every module takes seconds)
            continue
        for node in ast.walk(ast.parse(text, str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == prefix or n.startswith(prefix + ".") for n in names):
                found.append(path.relative_to(PSYC_DIR).as_posix())
                break
    return found


def test_only_psyc_cluster_imports_ray():
    """Every ``import ray`` of the package is in ``psyc/cluster``, and only the aggregate
    command imports that (inside the --ray branch: see the next test)."""
    ray_users = _importers("ray")
    assert ray_users and all(p.startswith("cluster/") for p in ray_users), ray_users
    cluster_users = [p for p in _importers("psyc.cluster") if not p.startswith("cluster/")]
    assert cluster_users == ["cli/aggregate_cmd.py"], cluster_users


def test_aggregate_without_ray_never_imports_it(tmp_path):
    """The command runs its whole set-up (executor, reading proofs) in a fresh process and
    fails on the missing proof file: Ray was not imported on the way."""
    r = _run_psyc(["aggregate", str(tmp_path / "missing.proof"), "-o", str(tmp_path / "root.proof")])
    assert r.returncode == 2, r.stderr
    assert "ray imported: False" in r.stdout


def test_ray_option_without_the_extra(tmp_path):
    """Where Ray is not installed, --ray is a usage error naming the extra."""
    r = _run_psyc(
        ["aggregate", str(tmp_path / "x.proof"), "-o", str(tmp_path / "r.proof"), "--ray", "auto"],
        code="sys.modules['ray'] = None  # as if the cluster extra were not installed",
    )
    assert r.returncode == 2
    assert "psyc[cluster]" in r.stderr and "Traceback" not in r.stderr


# --- on a real cluster ----------------------------------------------------------------------


def _leaf_files(tmp_path: Path) -> list[str]:
    """7 proofs of two test-shape circuits and one of a circuit of another shape (wrapped
    by the command), each with its key."""
    circuits = []
    for c in (5, 7):
        b = SHAPE.builder()
        x, y = b.add_virtual_targets(2)
        b.register_public_inputs([x, b.mul_add(x, y, b.constant(c))])
        circuits.append((b.build(), x, y))
    b = CircuitBuilder(SHAPE.config)  # not of the shape
    x, y = b.add_virtual_targets(2)
    b.register_public_inputs([x, b.add(b.mul(x, y), y)])
    circuits.append((b.build(), x, y))
    names = []
    for i in range(8):
        data, x, y = circuits[2 if i == 5 else i % 2]
        pw = PartialWitness()
        pw.set_targets([x, y], [i + 1, 3])
        p = tmp_path / f"leaf{i}.proof"
        p.write_bytes(data.prove(pw).to_bytes())
        (tmp_path / f"leaf{i}.proof.vk").write_bytes(data.verifier_data.to_bytes())
        names.append(str(p))
    return names


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("ray", reason="the cluster extra (Ray) is not installed")
    from ray_cluster import LoopbackCluster

    c = LoopbackCluster()
    try:
        yield c.start()
    finally:
        c.stop()


@pytest.fixture(scope="module")
def local_root(tmp_path_factory):
    """The 8 leaf files and the root a local run (no --ray) makes of them."""
    d = tmp_path_factory.mktemp("leaves")
    names = _leaf_files(d)
    root = d / "local.proof"
    assert main(["aggregate", *names, "-o", str(root), "--shape", "test"]) == 0
    return names, root.read_bytes()


def _aggregate_on(cluster, names, root: Path) -> subprocess.Popen:
    args = ["aggregate", *names, "-o", str(root), "--shape", "test", "--ray", cluster.address]
    return subprocess.Popen(
        [sys.executable, "-m", "psyc.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cluster.env,
    )


def test_cluster_root_is_the_local_root_even_when_a_worker_dies(cluster, local_root, tmp_path):
    """One test (one cluster, whatever pytest-xdist does with the module): a run on the
    cluster gives the local root byte for byte; then a run during which the worker process
    running a fold is killed (SIGKILL) completes, Ray having run that fold again, with the
    same root."""
    names, expected = local_root
    root = tmp_path / "ray.proof"
    proc = _aggregate_on(cluster, names, root)
    out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    assert proc.returncode == 0, f"{out}\n{err}\n{cluster.logs()}"
    out = " ".join(out.split())  # (rich wraps long lines)
    assert "aggregated 8 proofs in 7 folds" in out and "on 2 Ray workers" in out
    assert root.read_bytes() == expected
    assert main(["verify", str(root)]) == 0

    root = tmp_path / "killed.proof"
    proc = _aggregate_on(cluster, names, root)
    killed = None
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            pids = cluster.worker_pids("ray::psyc_fold")
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed = pids[0]
            time.sleep(0.05)
        out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed is not None, f"no fold was seen running:\n{out}\n{err}"
    assert proc.returncode == 0, f"{out}\n{err}\n{cluster.logs()}"
    assert root.read_bytes() == expected


def test_unreachable_cluster_is_a_usage_error(tmp_path):
    pytest.importorskip("ray", reason="the cluster extra (Ray) is not installed")
    from ray_cluster import free_port

    r = _run_psyc(
        [
            "aggregate",
            str(tmp_path / "x.proof"),
            "-o",
            str(tmp_path / "r.proof"),
            "--ray",
            f"127.0.0.1:{free_port()}",
        ]
    )
    assert r.returncode == 2, r.stderr
    assert "cannot connect to the Ray cluster" in r.stderr and "Traceback" not in r.stderr


def test_worker_refuses_another_psyc_version():
    """A worker with another psyc would build other fold circuits: the task fails clearly."""
    pytest.importorskip("ray", reason="the cluster extra (Ray) is not installed")
    from psyc.cluster import ClusterError, RayExecutor
    from psyc.cluster.ray_executor import _prepare_worker

    with pytest.raises(ClusterError, match="runs psyc"):
        _prepare_worker("0.0.0+another", "cpu")
    with pytest.raises(ValueError, match="backend"):
        RayExecutor("local", backend="tpu")


def test_worker_with_a_backend_it_cannot_start_fails_clearly():
    """--backend gpu on a worker without CuPy or a GPU: the registry's reason, not a crash
    deep in the prover (the task fails and is not retried)."""
    pytest.importorskip("ray", reason="the cluster extra (Ray) is not installed")
    from psyc.backend import BackendUnavailable, available_backends
    from psyc.cluster.ray_executor import _prepare_worker

    if "gpu" in available_backends():
        pytest.skip("this machine can run the GPU backend")
    with pytest.raises(BackendUnavailable, match="gpu"):
        _prepare_worker(psyc.__version__, "gpu")
