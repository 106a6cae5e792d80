"""Shared pytest/hypothesis configuration for the psyc test-suite.

The strategies live in ``strategies.py`` (next to this file) and are re-exported here:
``felts`` (canonical elements with edge values 0, 1, p-1, 2^32, 2^32-1, p-2) and
``u64s`` (any 64-bit value, with non-canonical edges p, p+1, 2^64-1, 2^64-2^32).
"""

from __future__ import annotations

import os

# numba's default OpenMP threading layer spins its workers after every parallel region;
# with many tiny kernel calls (as in property tests) on a small or shared machine that
# costs ~8 ms per call. Passive waiting brings it to ~10 us. Must be set before the first
# parallel kernel runs (libgomp reads it once), hence here, before psyc is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# The CLI's parallel first-run compile (psyc.backend_cpu.warmup) is for a user's first run:
# the test workers already compile on every core, and would each start more processes.
os.environ.setdefault("PSYC_PARALLEL_COMPILE", "0")

from hypothesis import HealthCheck, settings  # noqa: E402
from strategies import felts, nonzero_felts, nonzero_u64s, u64s  # noqa: E402, F401  (re-exported)

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def sig_cache_dir(tmp_path_factory):
    """One ``PSYC_CACHE_DIR`` for the signature tests of a session: the signature
    circuits' fingerprints (their wrapper keys: seconds to build) are made once."""
    return tmp_path_factory.mktemp("sigcache")


@pytest.fixture(scope="module")
def sig_cache(sig_cache_dir):
    """``PSYC_CACHE_DIR`` set to :func:`sig_cache_dir` for one test module."""
    old = os.environ.get("PSYC_CACHE_DIR")
    os.environ["PSYC_CACHE_DIR"] = str(sig_cache_dir)
    yield sig_cache_dir
    if old is None:
        del os.environ["PSYC_CACHE_DIR"]
    else:
        os.environ["PSYC_CACHE_DIR"] = old


@pytest.fixture(scope="session", autouse=True)
def _build_cache_key(tmp_path_factory):
    """The build cache's authentication key (``psyc.project.cache.mac_key``) and the user's
    build store in temporary folders, so that the tests never write either in the home
    folder."""
    if "PSYC_CACHE_KEY" in os.environ:
        yield
        return
    os.environ["PSYC_CACHE_KEY"] = str(tmp_path_factory.mktemp("cachekey") / "cache.key")
    # entries made under this session's key could never be read again: keep them out of
    # the user's build store too (subprocesses inherit both)
    os.environ.setdefault("PSYC_BUILD_CACHE_DIR", str(tmp_path_factory.mktemp("buildcache")))
    yield
    del os.environ["PSYC_CACHE_KEY"]


# --- pytest-xdist: a module's proofs made on one worker ---------------------------------------------
#
# These modules prove in module (or session) fixtures: a scenario, a signature circuit, a block.
# `pytest -n 2`'s default scheduling ("load") hands a module's tests to both workers, and each
# worker then builds the module's fixtures itself: the same proofs made twice (the multisig
# fixtures cost ~30 s on each worker). Here each of these modules' tests go to one worker (a
# group, as under "loadgroup"); every other test is still handed out one by one. xdist hands out
# the scopes with the most tests first: the groups start early, single tests fill the end. The
# signature modules share a group for the session fixture ``sig_cache_dir`` (their keys).
_GROUPS = {
    "test_devnet": "devnet",
    "test_parth_session": "parth_session",
    "test_parth_block": "parth_block",
    "test_recursion_aggregate": "aggregate",
    "test_recursion": "recursion",
    "test_recursion_cyclic": "recursion_cyclic",
    "test_recursion_shape": "recursion_shape",
    "test_recursion_vk": "recursion_vk",
    "test_lang_recursion": "lang_recursion",
    "test_tamper": "tamper",
    "test_contracts": "contracts",
    "test_abi": "abi",
    "test_examples": "examples",
    "test_cluster": "cluster",
    "test_ecdsa": "ecdsa",
    "test_sig_multisig": "signatures",
    "test_signatures": "signatures",
    "test_sig_cli": "signatures",
    "test_sig_verify_circuit": "signatures",
    "test_sig_schnorr": "schnorr",
    # the GPU kernels compiled as C++ (psyc.backend_gpu.emulation): once, then from the cache
    "test_prover_backends": "gpu_emulation",
    "test_gpu_emulation": "gpu_emulation",
    "test_gpu_prove": "gpu_emulation",
}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """`-n N` (``--dist load``): tests handed out one by one, but those of a module of
    :data:`_GROUPS` all to the worker that gets the first of them (their group's). xdist's
    own ``--dist loadgroup`` would need the marks in the files and, under pytest 9, does not
    see them (it renames ``item._nodeid``, which pytest 9 no longer reads)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.partition("::")[0].rpartition("/")[2].removesuffix(".py")
            return _GROUPS.get(module, nodeid)

    return Grouped(config, log)


def pytest_sessionstart(session):
    """Under `-n N`, before the workers start: compile the prover's kernels into numba's
    cache in N processes (:mod:`psyc.backend_cpu.warmup`, what the CLI does on a first run).
    Otherwise, on a cold cache, every worker compiles every kernel itself (~70 s of CPU each,
    the same work N times); this way each kernel is compiled once and the workers load it.
    A warm cache (the warmup's marker) costs nothing here."""
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    from psyc.backend_cpu import warmup

    before = os.environ.get(warmup.ENV)
    os.environ[warmup.ENV] = "1"  # (set to 0 above, for the workers)
    try:
        warmup.enable()
        warmup.ensure_compiled()
    finally:
        os.environ[warmup.ENV] = before or "0"
