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
    """The build cache's authentication key (``psyc.project.cache.mac_key``) in a temporary
    folder, so that the tests never create one in the home folder."""
    if "PSYC_CACHE_KEY" in os.environ:
        yield
        return
    os.environ["PSYC_CACHE_KEY"] = str(tmp_path_factory.mktemp("cachekey") / "cache.key")
    yield
    del os.environ["PSYC_CACHE_KEY"]
