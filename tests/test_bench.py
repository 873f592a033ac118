"""How `make bench` judges: pairs in alternating order, the median of the pairs' ratios of CPU time, the page's
verdicts; what the floor project's mkdocs.yml adds; how a profile's time is put into areas. In-process and fast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.benchmark import CPU_LIMIT, METHOD, Result, Run, Serve, areas, claim, floor_config, order, page, pairs_for

CONFIG = ("site_name: S\nedit_uri: edit/main/docs/\nhooks:\n  - hooks/site.py\n\nwatch:\n  - data\n"
          "extra_css:\n  - assets/site.css\n\nnav:\n  - Editors:\n      - A: a.md\n")


def result(cpus: list[tuple[float, float]], label: str = "1,000 synthetic entities") -> Result:
    return Result(label, 1000, 1015, [Run(a, a) for a, _ in cpus], [Run(b, b) for _, b in cpus], (10, 10, 7))


def test_pairs_alternate_which_build_comes_first_and_fewer_pairs_are_built_at_large_sizes() -> None:
    assert [order(n) for n in range(4)] == [("a", "b"), ("b", "a"), ("a", "b"), ("b", "a")]
    assert (pairs_for(None), pairs_for(1000), pairs_for(4999), pairs_for(10000)) == (7, 5, 5, 3)


def test_the_judge_is_the_median_of_the_pairs_ratios_of_cpu_time_not_the_ratio_of_medians() -> None:
    found = result([(1.0, 1.0), (3.0, 2.0), (12.0, 10.0)])  # ratios 1.0, 1.5, 1.2; medians 3 / 2 would say 1.5
    assert found.ratios() == [1.0, 1.5, 1.2] and found.ratio == pytest.approx(1.2)
    walls = Result("x", 1, 1, [Run(1.0, 9.0)], [Run(1.0, 1.0)])
    assert walls.ratio == 1.0  # wall time does not judge


def test_the_page_gives_a_verdict_per_target_with_the_method_and_no_history() -> None:
    over = result([(1.2, 1.0)] * 3, "Real data")
    under = result([(1.05, 1.0)] * 3)
    serve = Serve([Run(1.0, 2.0)] * 5, [Run(0.4, 0.5)] * 5, "mkdocs serve --dirty")
    text = page([over, under], serve, {"Date": "2026-12-03 00:00 UTC"})
    rows = [line for line in text.splitlines() if line.startswith("| Real data:") or line.startswith("| 1,000")]
    assert "**fail**" in rows[0] and "1.20 ×" in rows[0] and f"{CPU_LIMIT:.2f}" in rows[0]
    assert rows[1].endswith("| pass |")
    assert "2.50 ×" in text and "**fail**" in text.split("`make serve`: CPU time")[1].splitlines()[0]
    assert all(item in text for item in METHOD) and "## Machine" in text
    assert not re.search(r"\b[0-9a-f]{7,40}\b", text)  # no commit hashes


def test_the_floor_config_drops_the_hook_and_adds_what_the_hook_adds_to_the_sidebar() -> None:
    text = floor_config(CONFIG, [{"Home": "index.md"}, {"Actors": "actors/index.md"}],
                        hidden=["actors/x.md", "actors/y.md", "data-model.md"], shown=["index.md", "actors/index.md"],
                        stylesheet="assets/kinds.css")
    assert "hooks:" not in text and "edit_uri" not in text and "watch:\n  - data\n" in text
    assert "extra_css:\n  - assets/site.css\n  - assets/kinds.css\n" in text
    assert 'nav:\n  - "Home": index.md\n  - "Actors": actors/index.md\n  - Editors:' in text
    assert text.endswith("not_in_nav: |\n  /actors/*.md\n  /data-model.md\n  !/actors/index.md\n")


def test_a_profiles_time_goes_to_areas_and_the_standard_librarys_to_its_callers() -> None:
    csp, jinja = ("/h/microsite/csp.py", 1, "with_csp"), ("/v/jinja2/runtime.py", 1, "call")
    builtin = ("~", 0, "<method 'sub' of 're.Pattern' objects>")
    stats = {csp: (1, 1, 1.0, 4.0, {}), jinja: (1, 1, 2.0, 2.0, {}),
             builtin: (4, 4, 4.0, 4.0, {csp: (3, 3, 3.0, 3.0), jinja: (1, 1, 1.0, 1.0)})}
    assert areas(stats) == {"CSP": pytest.approx(4.0), "Jinja": pytest.approx(3.0)}


def test_the_benchmark_refuses_a_work_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SystemExit, match="did not make"):
        claim(tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
