"""Benchmark harness: synthetic data at any size (`synthetic`) and the build benchmark (`benchmark`).

Run from the project root: `python -m hooks.bench.synthetic --help`, `python -m hooks.bench.benchmark --help`.
"""
