"""Benchmarks of the foundation primitives, used by ``psyc bench`` and ``benchmarks/``."""

from psyc.bench.suite import BENCHMARKS, Measurement, run_benchmarks

__all__ = ["BENCHMARKS", "Measurement", "run_benchmarks"]
