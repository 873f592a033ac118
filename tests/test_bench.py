"""How the benchmark times the core's stages (samples, their order, the figures taken) and judges the builds."""

from __future__ import annotations

import argparse
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from bench import benchmark
from bench.benchmark import combined, processes_per_sample, sample, schedule
from bench.measure import Run
from bench.report import GROWING, STAGE_KEYS, SizeResult, former_ratios, real_rows, targets

FACTOR = {key: number + 1 for number, key in enumerate(STAGE_KEYS)}  # every stage takes a different time


def process(base: float, peak: float = 70.0) -> dict[str, Any]:
    """What one fresh `bench.stages` process reports: each stage's time (base × its factor), and the counts."""
    return {**{key: base * FACTOR[key] for key in STAGE_KEYS}, "pages": 1015, "peak_mb": peak}


def test_a_sample_at_a_tenth_of_the_largest_size_takes_ten_processes_and_a_sample_at_the_largest_one() -> None:
    assert processes_per_sample([1000, 10000]) == {1000: 10, 10000: 1}
    assert processes_per_sample([4000, 10000]) == {4000: 3, 10000: 1}  # rounded up: never shorter than the largest's
    assert processes_per_sample([156]) == {156: 1}


def test_a_pass_spreads_each_sizes_processes_evenly_among_the_others() -> None:
    assert schedule({1000: 10, 10000: 1}) == [1000] * 5 + [10000] + [1000] * 5
    assert schedule({100: 2, 200: 2}) == [100, 200, 100, 200]


def test_a_sample_is_each_stages_mean_over_its_processes_with_their_largest_peak_and_their_counts() -> None:
    result = sample([process(1.0, peak=70), process(2.0, peak=90), process(6.0, peak=80)])
    assert result["load"] == pytest.approx(3.0) and result["link"] == pytest.approx(3.0 * FACTOR["link"])
    assert result["peak_mb"] == 90 and result["pages"] == 1015


def test_a_sizes_figure_is_the_median_sample_beside_the_best_sample_and_the_best_first_process() -> None:
    groups = [[process(5.0), process(1.0)], [process(2.0), process(2.0)], [process(3.0), process(5.0, peak=99)]]
    result = combined(groups)  # samples: 3.0, 2.0, 4.0 (times the stage's factor)
    assert result["load"] == pytest.approx(3.0) and result["exports"] == pytest.approx(3.0 * FACTOR["exports"])
    assert result["best"]["load"] == pytest.approx(2.0) and result["best"]["history"] == pytest.approx(2.0 * FACTOR["history"])
    assert result["single"]["load"] == 2.0  # the first processes: 5.0, 2.0, 3.0; not the fastest of all (1.0)
    assert result["peak_mb"] == 99 and result["pages"] == 1015
    assert result["processes"] == groups
    assert set(result["best"]) == set(result["single"]) == set(GROWING)


def test_the_stages_are_timed_in_samples_of_spread_processes_after_one_uncounted_floor_process_per_size(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[str, tuple[str, ...]]] = []
    times = count(1)

    def fake_stages_of(project: Path, *options: str, timeout: float) -> dict[str, Any]:  # stands in for a process
        calls.append((project.name, options))
        return process(float(next(times)))

    monkeypatch.setattr(benchmark, "stages_of", fake_stages_of)
    projects = {size: (tmp_path / f"p{size}", tmp_path / f"f{size}") for size in (1000, 10000)}
    args = argparse.Namespace(passes=2, timeout=60.0)
    result = benchmark.timed_stages(projects, args, {1000: 4, 10000: 1})
    assert calls[:2] == [("p1000", ("--floor", str(tmp_path / "f1000"))), ("p10000", ("--floor", str(tmp_path / "f10000")))]
    assert [name for name, _ in calls[2:]] == (["p1000"] * 2 + ["p10000"] + ["p1000"] * 2) * 2
    assert [len(runs) for runs in result[1000]["processes"]] == [4, 4]
    # processes 3, 4, 6, 7 and 8, 9, 11, 12 (the floor processes were 1 and 2): samples 5.0 and 10.0
    assert result[1000]["load"] == pytest.approx(7.5) and result[1000]["best"]["load"] == pytest.approx(5.0)
    assert result[10000]["load"] == pytest.approx(7.5) and result[10000]["single"]["load"] == 5.0


def build_run(wall: float) -> Run:
    return Run(wall=wall, cpu=wall, peak_mb=100.0, returncode=0, output="")


def test_a_over_b_is_judged_build_by_build_so_that_one_quick_build_does_not_decide_it() -> None:
    real = SizeResult(156, {"pages": 171}, [build_run(w) for w in (6.0, 7.2, 5.9)],
                      [build_run(w) for w in (5.0, 7.5, 6.2)], (1, 2))
    assert real.pair_ratios() == pytest.approx([1.2, 0.96, 5.9 / 6.2])
    assert real.ratio == pytest.approx(0.96)  # the median pair; best against best would be 5.9 / 5.0 = 1.18
    size = SizeResult(1000, {"validate": 0.1}, [build_run(w) for w in (30.0, 33.0)], [build_run(w) for w in (31.0, 25.0)],
                      (1, 2))  # median of 0.97 and 1.32: 1.14; best against best 1.2
    judged = {target.name: (target.measured, target.ok) for target in targets([size], None, real)}
    assert judged["a/b ≤ 1.05 on the real data (156 entities)"] == ("0.96", True)
    assert judged["a/b ≤ 1.05 at 1k"] == ("1.14", False)
    rows = "\n".join(real_rows(real))
    assert "| **a/b**, build by build: median (lowest–highest of 3) | 0.96 (0.95–1.20) |" in rows
    assert "best against best (the judge up to and including 17414ae) | 1.18 |" in rows
    assert "| a/b of the median builds | 0.97 |" in rows  # 6.0 / 6.2
    assert "real data 1.18 (over 1.05)" in former_ratios([size], real)[-1]


def test_each_build_of_ours_is_paired_with_the_plain_build_right_after_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    walls = count(1)
    built: list[str] = []

    def fake_build(project: Path, timeout: float | None = None) -> Run:  # stands in for a `mkdocs build` process
        built.append(project.name)
        return build_run(float(next(walls)))

    monkeypatch.setattr(benchmark.measure, "build", fake_build)
    monkeypatch.setattr(benchmark.measure, "same_site", lambda a, b: (0, 0))
    result = benchmark.bench_project(10, tmp_path / "ours", tmp_path / "plain", argparse.Namespace(timeout=60.0), 3, {})
    assert built == ["ours", "plain"] * 4  # one of each not counted, then three pairs
    assert result.pair_ratios() == pytest.approx([3 / 4, 5 / 6, 7 / 8])
