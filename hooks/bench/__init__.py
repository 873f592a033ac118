"""`make bench`, run from the project root with `PYTHONPATH=hooks`.

- `synthetic` (`python -m bench.synthetic`): a complete project with N synthetic entities and, with `--commits N`,
  a git history (`commits`); `shape` holds the real data's proportions and the words.
- `benchmark` (`python -m bench.benchmark`): the CPU time of our build against MkDocs alone building the same pages,
  and of a `make serve` rebuild; writes docs/performance.md. `--profile PROJECT` shows where a build's time goes.
"""
