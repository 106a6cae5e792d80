"""Benchmarks used by ``psyc bench`` and ``benchmarks/``."""

from psyc.bench.suite import BENCHMARKS, OPTIONAL, Measurement, run_benchmarks

__all__ = ["BENCHMARKS", "OPTIONAL", "Measurement", "run_benchmarks"]
