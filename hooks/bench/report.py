"""The benchmark's results as Markdown: one table of measurements, one of targets with pass/fail, machine facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .measure import Rebuild, Run

STAGES = (("load", "load (`load_all`: parse + schema validation)"), ("parse", "· of which YAML parse (`compose`)"),
          ("validate", "· of which schema validation (`Record.convert`)"), ("link", "validate+link (`link`)"),
          ("history", "history (`read_history`: git log, blobs, parse and compare each version)"),
          ("render", "render (`Renderer.pages`)"), ("exports", "downloads (`exports.files`: STIX, JSON, CSV, lists)"))
STAGE_KEYS = tuple(key for key, _ in STAGES)  # the stages' times, in seconds
GROWING = ("load", "link", "render", "exports", "history")
FORMER_JUDGE = "17414ae"  # the last code whose run judged a/b best against best
SAMPLED_SINCE = "7edd3bc"  # the first code whose run judged stage growth on samples, not on single processes
MARGIN = 1.05  # a/b, and growth against the size ratio: 5% over


@dataclass(frozen=True)
class SizeResult:
    """Everything measured at one size."""

    size: int
    stages: dict[str, Any]
    ours: list[Run]
    floor: list[Run]
    identical: tuple[int, int]

    @property
    def a(self) -> float:
        return min(r.wall for r in self.ours)

    @property
    def b(self) -> float:
        return min(r.wall for r in self.floor)

    def pair_ratios(self) -> list[float]:
        """a/b build by build: each (a) against the (b) built right after it."""
        return [ours.wall / plain.wall for ours, plain in zip(self.ours, self.floor, strict=True)]

    @property
    def ratio(self) -> float:
        """a/b as judged: the median of the build-by-build ratios (`a / b` is best against best)."""
        return median(self.pair_ratios())

    def reported(self, runs: list[Run]) -> float:
        return min(r.reported or r.wall for r in runs)

    def peak(self, runs: list[Run]) -> float:
        return max(r.peak_mb for r in runs)


@dataclass(frozen=True)
class ServeResult:
    """`mkdocs serve` rebuilds of the real data after one edit, and builds of an empty Material site."""

    variants: dict[str, list[Rebuild]]  # command → its rebuilds
    empty: list[Run]
    target: str  # the command the target is judged on


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    ok: bool


def num(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}" if abs(value) < 100 else f"{value:,.0f}"


def short(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def targets(sizes: list[SizeResult], serve: ServeResult | None, real: SizeResult | None = None) -> list[Target]:
    """The issue's targets, each with the measured figure."""
    found = [Target(f"a/b ≤ {MARGIN} at {short(s.size)}", num(s.ratio), s.ratio <= MARGIN) for s in sizes]
    if real:
        found.append(Target(f"a/b ≤ {MARGIN} on the real data ({real.size} entities)", num(real.ratio),
                            real.ratio <= MARGIN))
    small, large = sizes[0], sizes[-1]
    if large.size > small.size:
        limit = MARGIN * large.size / small.size
        for stage in (stage for stage in GROWING if stage in small.stages and stage in large.stages):
            growth = large.stages[stage] / small.stages[stage]
            label = f"time({short(large.size)})/time({short(small.size)}) ≤ {num(limit)}: {stage}"
            found.append(Target(label, num(growth), growth <= limit))
    share = large.stages["validate"] / large.a
    found.append(Target(f"schema validation at {short(large.size)} ≤ 10% of build (a)", f"{share:.1%}", share <= 0.10))
    share = (large.stages.get("exports", 0) + large.stages.get("history", 0)) / large.a
    found.append(Target(f"downloads + history at {short(large.size)} ≤ 5% of build (a)", f"{share:.1%}", share <= 0.05))
    peak = large.peak(large.ours)
    found.append(Target(f"peak memory of build (a) at {short(large.size)} ≤ 1 GB", f"{num(peak)} MB", peak <= 1024))
    if serve:
        rebuild, empty = median([r.wall for r in serve.variants[serve.target]]), median([r.wall for r in serve.empty])
        found.append(Target(f"`{serve.target}` rebuild after one edit (real data) ≤ 2× empty Material build",
                            f"{num(rebuild)} s / {num(empty)} s = {num(rebuild / empty)}×", rebuild <= 2 * empty))
    return found


def former_ratios(sizes: list[SizeResult], real: SizeResult | None) -> list[str]:
    """A sentence under the targets: a/b best against best, as the runs up to FORMER_JUDGE judged it, each figure
    over the limit marked."""
    named = [(short(s.size), s) for s in sizes] + ([("real data", real)] if real else [])
    shown = [f"{name} {num(s.a / s.b)}{f' (over {MARGIN})' * (s.a / s.b > MARGIN)}" for name, s in named]
    return ["", "a/b is judged build by build: the median of the ratios of each (a) to the (b) built right after it "
            f"([How it is measured](#method)). Best against best, as the runs up to and including {FORMER_JUDGE} "
            f"judged it, it is: {', '.join(shown)}."]


def former_growth(sizes: list[SizeResult]) -> list[str]:
    """A sentence under the targets: the stages' growth by the method of the runs before SAMPLED_SINCE."""
    small, large = sizes[0], sizes[-1]
    shown = [key for key in GROWING if key in small.stages.get("single", {}) and key in large.stages.get("single", {})]
    if large.size <= small.size or not shown:
        return []
    growth = ", ".join(f"{key} {num(large.stages['single'][key] / small.stages['single'][key])}" for key in shown)
    return ["", "Stage growth is judged on the median sample at each size ([How it is measured](#method)). By the "
            f"method of the runs before {SAMPLED_SINCE}, the best of as many single processes as samples, it is: {growth}."]


def measurements(sizes: list[SizeResult]) -> list[str]:
    growth = len(sizes) > 1
    head = "| Measure | " + " | ".join(f"{s.size:,} entities" for s in sizes) + (
        f" | {short(sizes[-1].size)}/{short(sizes[0].size)} |" if growth else " |")
    rows = [head, "|---|" + "---:|" * (len(sizes) + growth)]

    def row(label: str, values: list[float], ratio: bool = True, fmt: Any = num) -> None:
        tail = f" {num(values[-1] / values[0])} |" if growth and ratio and values[0] else (" |" if growth else "")
        rows.append(f"| {label} | " + " | ".join(fmt(v) for v in values) + " |" + tail)

    row("(a) our build, `mkdocs build --strict`, best, s", [s.a for s in sizes])
    row("(b) MkDocs alone, the same pages, best, s", [s.b for s in sizes])
    row("**a/b**, build by build (median)", [s.ratio for s in sizes], ratio=False)
    row(f"a/b, best against best (the judge up to and including {FORMER_JUDGE})", [s.a / s.b for s in sizes], ratio=False)
    row("a/b, build time MkDocs logs, best against best", [s.reported(s.ours) / s.reported(s.floor) for s in sizes],
        ratio=False)
    row("a/b, CPU time of the build's processes, best against best",
        [min(r.cpu for r in s.ours) / min(r.cpu for r in s.floor) for s in sizes], ratio=False)
    for key, label in STAGES:
        if all(key in s.stages for s in sizes):  # results saved before a stage existed lack it
            row(f"{label}, s", [s.stages[key] for s in sizes])
    for name, label in (("best", "best sample"), ("single", f"best of the first processes (the method before {SAMPLED_SINCE})")):
        for key in GROWING:
            if all(key in s.stages.get(name, {}) for s in sizes):
                row(f"{key}, {label}, s", [s.stages[name][key] for s in sizes])
    row("schema validation / build (a)", [s.stages["validate"] / s.a for s in sizes], ratio=False, fmt=lambda v: f"{v:.1%}")
    row("downloads / build (a)", [s.stages.get("exports", 0) / s.a for s in sizes], ratio=False, fmt=lambda v: f"{v:.1%}")
    row("downloads + history / build (a)", [(s.stages.get("exports", 0) + s.stages.get("history", 0)) / s.a for s in sizes],
        ratio=False, fmt=lambda v: f"{v:.1%}")
    row("all checks (schema validation + validate+link) / build (a)",
        [(s.stages["validate"] + s.stages["link"]) / s.a for s in sizes], ratio=False, fmt=lambda v: f"{v:.1%}")
    row("peak memory, build (a), MB", [s.peak(s.ours) for s in sizes])
    row("peak memory, build (b), MB", [s.peak(s.floor) for s in sizes])
    row("peak memory, core stages in-process, MB", [s.stages["peak_mb"] for s in sizes])
    row("pages", [s.stages["pages"] for s in sizes], fmt=lambda v: f"{v:,}")
    row("citations", [s.stages["citations"] for s in sizes], fmt=lambda v: f"{v:,}")
    row("generated Markdown, MB", [s.stages["markdown_mb"] for s in sizes])
    row("downloads, MB", [s.stages.get("downloads_mb", 0) for s in sizes])
    same = " | ".join(f"{i:,} of {n:,}" for i, n in (s.identical for s in sizes))
    rows.append(f"| built files identical in (a) and (b) | {same} |" + (" |" if growth else ""))
    return rows


def serve_rows(serve: ServeResult) -> list[str]:
    empty = median([r.wall for r in serve.empty])
    empty_logged = median([r.reported or r.wall for r in serve.empty])
    rows = ["| Measure | wall clock, s (median) | ratio to empty | as MkDocs logs it, s (median) | ratio to empty |",
            "|---|---:|---:|---:|---:|"]
    for command, rebuilds in serve.variants.items():
        wall, logged = median([r.wall for r in rebuilds]), [r.reported for r in rebuilds if r.reported is not None]
        shown = f"{num(median(logged))} | {num(median(logged) / empty_logged)}" if logged else "– | –"
        rows.append(f"| `{command}`: rebuild after editing one data file, real data ({len(rebuilds)} edits) "
                    f"| {num(wall)} | {num(wall / empty)} | {shown} |")
    rows.append(f"| `mkdocs build` of an empty Material site, same theme settings | {num(empty)} | 1 | {num(empty_logged)} | 1 |")
    return rows


def real_rows(real: SizeResult) -> list[str]:
    pairs = real.pair_ratios()
    return ["| Measure | real data |", "|---|---:|",
            f"| (a) our build, `mkdocs build --strict`, best, s | {num(real.a)} |",
            f"| (b) MkDocs alone, the same pages, best, s | {num(real.b)} |",
            f"| **a/b**, build by build: median (lowest–highest of {len(real.ours)}) | {num(real.ratio)} "
            f"({num(min(pairs))}–{num(max(pairs))}) |",
            f"| a/b, best against best (the judge up to and including {FORMER_JUDGE}) | {num(real.a / real.b)} |",
            f"| a/b of the median builds | {num(median([r.wall for r in real.ours]) / median([r.wall for r in real.floor]))} |",
            f"| history (`read_history`), s | {num(real.stages.get('history', 0))} |",
            f"| entities, pages | {real.size:,}, {real.stages['pages']:,} |",
            f"| peak memory, build (a), MB | {num(real.peak(real.ours))} |"]


def markdown(sizes: list[SizeResult], serve: ServeResult | None, facts: dict[str, str], notes: list[str],
             real: SizeResult | None = None) -> str:
    """The whole results page."""
    lines = ["---", "title: Performance", "---", "", "# Performance", "",
             "Measured by `make bench` (`python -m bench.benchmark`) in one run; figures are ratios of that run.", ""]
    lines += [f"- **{k}:** {v}" for k, v in facts.items()]
    lines += ["", "## Targets {#targets}", "", "| Target | Measured | Result |", "|---|---:|---|"]
    lines += [f"| {t.name} | {t.measured} | {'pass' if t.ok else '**FAIL**'} |" for t in targets(sizes, serve, real)]
    lines += former_ratios(sizes, real) + former_growth(sizes)
    lines += ["", "## Builds and stages {#builds}", "", *measurements(sizes), ""]
    if real:
        lines += ["## The real data {#real}", "", *real_rows(real), ""]
    if serve:
        lines += ["## Editing with `mkdocs serve` {#serve}", "", *serve_rows(serve), ""]
    lines += ["## How it is measured {#method}", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(lines)
