"""Benchmark harness, run from the project root (`make bench`).

- `synthetic` (`python -m bench.synthetic`): a complete project with N synthetic entities; `shape` holds
  the real data's proportions and the words.
- `benchmark` (`python -m bench.benchmark`): our build against MkDocs alone, per size; `stages` times
  the core in-process, `measure` runs and measures child processes, `report` writes the Markdown.
"""
