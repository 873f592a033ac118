"""`make bench`: the CPU time of our build against MkDocs alone, and of a `make serve` rebuild against an empty
Material build; writes docs/performance.md. `--profile PROJECT` shows where the CPU time of one build goes.

The method, fixed before the run and printed on the page (`METHOD`):

- Two builds are compared. (a) is our site: `mkdocs build --strict` with our hook, which reads the data and its
  git history and generates the pages. (b) is MkDocs alone building the same pages: a second project whose docs/
  folder holds, as plain files, the hand-written pages and everything our hook generates (the Markdown pages, the
  feed, the downloads), with the same mkdocs.yml minus the hook, plus the sidebar entries and "not in the sidebar"
  marks the hook would give. So (a) minus (b) is the work our hook adds.
- The judge is CPU time: the user and system seconds of the build process and of every process it waits for
  (git), as the operating system counts them. Wall time is shown beside it, but other work on a shared machine
  stretches wall time far more than CPU time.
- Data: the real data (a `git clone` of the repository, so its history is read), and synthetic projects of 1,000
  and 10,000 entities with a history of 1,000 commits (`python -m bench.synthetic --seed 1 --commits 1000`).
- Builds run in pairs, (a) and (b) one right after the other: 7 pairs on the real data, 5 below 5,000 entities,
  3 from 5,000 (such a build takes minutes). The first pair builds (a) first, the next (b) first, and so on, so
  being first or second cancels out. Each build starts without a site folder. Our hook's Python modules are
  compiled once beforehand, as pip compiled MkDocs' and Material's when it installed them.
- For each pair, the ratio CPU(a) / CPU(b); a size's result is the median of its pairs' ratios. Target: at most
  1.10.
- Editing: on the real data, `mkdocs serve` with the options `make serve` gives it. After its first build, 5
  times: a two-second rest, then one entity's summary is changed, and the server's CPU time is counted from that
  change until it logs "Reloading browsers" (the rebuild is done). Against it: the CPU time of a whole
  `mkdocs build` of a one-page Material site with our theme settings, 5 times. Medians; target: the rebuild takes
  at most 2 times the empty build.
- Every build, command and wait has a deadline.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import filecmp
import gc
import json
import os
import platform
import posixpath
import pstats
import queue
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CPU_LIMIT, SERVE_LIMIT = 1.10, 2.0
EDITS, COMMITS, SEED = 5, 1000, 1
BUILD = [sys.executable, "-m", "mkdocs", "build", "--strict"]
MARKER = ".microsite-bench"
METHOD = [item.replace("\n  ", " ") for item in __doc__.split("\n\n", 2)[2].strip().removeprefix("- ").split("\n- ")]


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def pairs_for(entities: int | None) -> int:
    """Pairs of builds: 7 on the real data (None), 5 below 5,000 entities, 3 from 5,000 (a build takes minutes)."""
    return 7 if entities is None else 5 if entities < 5000 else 3


def order(pair: int) -> tuple[str, str]:
    """The first pair builds (a) first, the second (b) first, and so on: being first or second cancels out."""
    return ("a", "b") if pair % 2 == 0 else ("b", "a")


@dataclass(frozen=True)
class Run:
    cpu: float  # user + system seconds of the process and everything it waited for
    wall: float


@dataclass
class Result:
    """The builds of one project, pair by pair."""

    label: str
    entities: int
    pages: int
    ours: list[Run]
    floor: list[Run]
    files: tuple[int, int, int] = (0, 0, 0)  # files built by (a), by (b), byte-identical in both

    def ratios(self) -> list[float]:
        return [a.cpu / b.cpu for a, b in zip(self.ours, self.floor, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios())


@dataclass
class Serve:
    rebuilds: list[Run]
    empty: list[Run]
    command: str

    @property
    def ratio(self) -> float:
        return statistics.median(r.cpu for r in self.rebuilds) / statistics.median(r.cpu for r in self.empty)


def child_env() -> dict[str, str]:
    """The builds' environment: no REPO_URL (no edit links), no PYTHONPATH (the hook finds its own modules)."""
    env = {k: v for k, v in os.environ.items() if k not in ("REPO_URL", "PYTHONPATH")}
    return {**env, "NO_MKDOCS_2_WARNING": "1"}


def measured(command: list[str], cwd: Path, timeout: float) -> Run:
    """Run `command` to its end (or kill it at the deadline); its CPU time includes every process it waited for."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{done.stdout.decode(errors='replace')[-4000:]}")
    return Run(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall)


def build(project: Path, timeout: float) -> Run:
    shutil.rmtree(project / "site", ignore_errors=True)  # every build starts without a site folder
    return measured(BUILD, project, timeout)


def run(*command: str, cwd: Path = ROOT, timeout: float = 600) -> str:
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=timeout).stdout


# --------------------------------------------------------------------------- the projects


def real_project(target: Path) -> Path:
    """A clone of this repository at HEAD, with its history."""
    shutil.rmtree(target, ignore_errors=True)
    if run("git", "status", "--porcelain", "--", "hooks/microsite", "hooks/site.py", "data", "seeds").strip():
        log("warning: uncommitted changes in hooks/ or data/: the clone builds HEAD, the floor is rendered by this code")
    run("git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target))
    run("git", "checkout", "--quiet", "--detach", run("git", "rev-parse", "HEAD").strip(), cwd=target)
    return target


def floor_project(project: Path, floor: Path) -> tuple[int, int]:
    """Write (b) for `project`: what hooks/site.py adds to MkDocs, as plain files and configuration. Returns the
    numbers of entities and of generated pages."""
    from mkdocs.utils.yaml import yaml_load  # MkDocs' own reading of mkdocs.yml (!ENV)

    import microsite
    from microsite import exports
    from microsite.history import HistoryCache
    from microsite.pages import site_nav, url_of
    from microsite.render import Publication, Renderer
    from microsite.styles import STYLESHEET, kind_styles

    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml_load(text)
    name, url = config["site_name"], config.get("site_url") or ""
    url = url if not url or url.endswith("/") else f"{url}/"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    graph = microsite.check(project)
    overview = ((config.get("extra") or {}).get("microsite") or {}).get("overview")
    renderer = Renderer(graph, overview=overview, history=HistoryCache().get(project),
                        publication=Publication(name, url, None, int(epoch) if epoch.isdigit() else 0))
    shutil.rmtree(floor, ignore_errors=True)
    shutil.copytree(project / "docs", floor / "docs")
    if (project / "overrides").is_dir():  # the theme's custom_dir
        shutil.copytree(project / "overrides", floor / "overrides")
    for watched in config.get("watch") or []:  # mkdocs.yml's `watch:` paths must exist
        (floor / watched).mkdir(parents=True, exist_ok=True)

    def write(path: str, content: str | bytes) -> None:
        target = floor / "docs" / path
        if not target.exists():  # a hand-written page wins, as in hooks/site.py
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    moment = exports.as_of(graph, os.environ.get("SOURCE_DATE_EPOCH"))
    downloads = list(exports.files(graph, name, moment, url or None))  # first, as hooks/site.py makes them
    renderer = renderer.with_download_sizes({path: len(content if isinstance(content, bytes) else content.encode())
                                             for path, content in downloads})
    plans = renderer.plans()
    for plan in plans:
        write(plan.path, plan.make())
    for path, content in downloads:
        write(path, content)
    write(STYLESHEET, kind_styles())
    for old, entity in renderer.redirects():  # the stubs hooks/site.py writes after the build, as static files
        relative = posixpath.relpath(url_of(entity.path), url_of(old) or ".") + "/"
        write(posixpath.join(url_of(old), "index.html"), renderer.redirect_html(relative, entity.name))
    shown = [p.path for p in plans if p.in_nav]
    hidden = [p.path for p in plans if not p.in_nav and p.path.endswith(".md")]
    (floor / "mkdocs.yml").write_text(floor_config(text, site_nav(), hidden, shown, STYLESHEET), encoding="utf-8")
    return len(graph.entities), sum(p.path.endswith(".md") for p in plans)


def floor_config(config: str, nav: list[dict[str, str]], hidden: list[str], shown: list[str], stylesheet: str) -> str:
    """Our mkdocs.yml without the hook, with what the hook does to it: no `edit_uri` (no repo_url in a benchmark),
    the generated stylesheet after the others, its sidebar entries first, and its pages outside the sidebar marked
    `not_in_nav` (by folder: a pattern per page would cost MkDocs time at 10,000 pages)."""
    config = re.sub(r"(?m)^hooks:\n(?:[ \t]+.*\n|[ \t]*\n)*", "", config)
    config = re.sub(r"(?m)^(extra_css:\n(?:[ \t]+- .*\n)*)", lambda m: f"{m.group(1)}  - {stylesheet}\n", config, count=1)
    config = re.sub(r"(?m)^edit_uri:.*\n", "", config)
    entries = "".join(f"  - {json.dumps(title)}: {path}\n" for item in nav for title, path in item.items())
    if re.search(r"(?m)^nav:", config):
        config = re.sub(r"(?m)^nav:[ \t]*\n", lambda _: f"nav:\n{entries}", config, count=1)
    else:
        config = f"{config.rstrip()}\nnav:\n{entries}"
    folders = sorted({posixpath.dirname(p) for p in hidden if "/" in p})
    patterns = [f"/{f}/*.md" for f in folders] + [f"/{p}" for p in hidden if "/" not in p]
    patterns += [f"!/{p}" for p in shown if posixpath.dirname(p) in folders]
    return config.rstrip() + "\nnot_in_nav: |\n" + "".join(f"  {p}\n" for p in patterns)


def same_files(a: Path, b: Path) -> tuple[int, int, int]:
    """(files in a, files in b, byte-identical files in both) of two built sites."""
    ours = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    theirs = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    same = sum(filecmp.cmp(a / n, b / n, shallow=False) for n in ours & theirs)
    return len(ours), len(theirs), same


def prepare(project: Path, floor: Path) -> tuple[int, int]:
    log(f"{project.name}: byte-compiling the hook, writing the floor project {floor.name}")
    run(sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "timestamp", str(project / "hooks"))
    return floor_project(project, floor)


def bench_project(label: str, project: Path, floor: Path, entities: int | None, timeout: float) -> Result:
    result = Result(label, *prepare(project, floor), [], [])
    for pair in range(pairs_for(entities)):
        for which in order(pair):
            runs, folder = (result.ours, project) if which == "a" else (result.floor, floor)
            runs.append(build(folder, timeout))
            log(f"{label}: pair {pair + 1}, ({which}) CPU {runs[-1].cpu:.2f} s, wall {runs[-1].wall:.2f} s")
        log(f"{label}: pair {pair + 1}: CPU(a)/CPU(b) = {result.ratios()[-1]:.3f}")
    result.files = same_files(project / "site", floor / "site")
    log(f"{label}: median ratio {result.ratio:.3f}; files (a) {result.files[0]}, (b) {result.files[1]}, "
        f"identical {result.files[2]}")
    return result


# --------------------------------------------------------------------------- make serve


def serve_options() -> list[str]:
    """The options `make serve` gives `mkdocs serve`, read from the Makefile."""
    found = re.search(r"(?m)^serve:.*\n\t.*?mkdocs serve([^#\n]*)", (ROOT / "Makefile").read_text(encoding="utf-8"))
    return found.group(1).split() if found else []


def process_cpu(pid: int) -> float:
    """User + system seconds of a running process and of the children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def edit_summary(path: Path, number: int) -> None:
    """Change the text of an entity's `summary:` (its page changes), or else append a comment line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.startswith("summary:")), None)
    if first is None:
        lines.append(f"# edited by the benchmark ({number})\n")
    else:
        last = first
        while last + 1 < len(lines) and lines[last + 1].startswith(" "):
            last += 1
        text, value = lines[last].rstrip("\n"), lines[first].split(":", 1)[1].strip()
        quote = value[:1] if value[:1] in "'\"" and text.endswith(value[:1]) else ""
        lines[last] = f"{text[:len(text) - len(quote)]} (edit {number}){quote}\n"
    path.write_text("".join(lines), encoding="utf-8")


def serve_rebuilds(project: Path, edit: Path, options: list[str], timeout: float) -> list[Run]:
    """`mkdocs serve` on a free port: after its first build, EDITS edits of `edit`, each rebuild measured."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "mkdocs", "serve", *options, "-a", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(command, cwd=project, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: queue.Queue[tuple[float, float, str]] = queue.Queue()
    output: list[str] = []

    def read() -> None:  # the end of a rebuild is measured as its line arrives
        for line in proc.stdout or ():
            output.append(line)
            ended = "Reloading browsers" in line
            lines.put((time.perf_counter(), process_cpu(proc.pid) if ended else 0.0, line))
        lines.put((time.perf_counter(), 0.0, "\0 the server ended"))

    def wait_for(text: str, seconds: float) -> tuple[float, float]:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, cpu, line = lines.get(timeout=left)
            except queue.Empty:
                break
            if text in line:
                return at, cpu
            if "error happened during the rebuild" in line or line.startswith("\0"):
                break
        raise RuntimeError(f"no '{text}' from `{' '.join(command)}`:\n" + "".join(output[-40:]))

    threading.Thread(target=read, daemon=True).start()
    rebuilds = []
    try:
        wait_for("Serving on", timeout)
        for number in range(EDITS):
            time.sleep(2)  # let the watcher settle, then forget any late lines
            while not lines.empty():
                lines.get_nowait()
            cpu, start = process_cpu(proc.pid), time.perf_counter()
            edit_summary(edit, number + 1)
            end, cpu_end = wait_for("Reloading browsers", timeout)
            rebuilds.append(Run(cpu_end - cpu, end - start))
            log(f"serve: edit {number + 1}: CPU {rebuilds[-1].cpu:.2f} s, wall {rebuilds[-1].wall:.2f} s")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return rebuilds


def empty_material(target: Path) -> Path:
    """A one-page Material project with our `theme:` settings (and its custom_dir) and nothing else."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    theme = re.search(r"(?m)^theme:\n(?:[ \t]+.*\n|[ \t]*\n)*", config)
    shutil.rmtree(target, ignore_errors=True)
    (target / "docs").mkdir(parents=True)
    shutil.copytree(ROOT / "overrides", target / "overrides")
    (target / "docs" / "index.md").write_text("# Empty\n\nAn empty Material site.\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(f"site_name: Empty\n{theme.group() if theme else 'theme: material'}",
                                       encoding="utf-8")
    return target


def bench_serve(real: Path, work: Path, timeout: float) -> Serve:
    options = serve_options()
    edit = sorted((real / "data").glob("*/*.yml"))[0]
    log(f"serve: `mkdocs serve {' '.join(options)}`, {EDITS} edits of {edit.relative_to(real)}")
    rebuilds = serve_rebuilds(real, edit, options, min(timeout, 600))
    empty = [build(empty_material(work / "empty"), timeout) for _ in range(EDITS)]
    log("serve: empty Material builds, CPU " + ", ".join(f"{r.cpu:.2f}" for r in empty) + " s")
    return Serve(rebuilds, empty, " ".join(["mkdocs serve", *options]))


# --------------------------------------------------------------------------- the page


def machine(load: float) -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    return {"Date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
            "Processor": f"{cpu}, {os.cpu_count()} cores",
            "Software": f"Python {platform.python_version()}, MkDocs {version('mkdocs')}, "
                        f"Material for MkDocs {version('mkdocs-material')}",
            "Load average (1 minute) at start and end": f"{load:.1f} and {os.getloadavg()[0]:.1f} (other work ran "
                                                         "beside the benchmark: that is why CPU time is the judge)"}


def verdict(ok: bool) -> str:
    return "pass" if ok else "**fail**"


def page(results: list[Result], serve: Serve | None, facts: dict[str, str]) -> str:
    lines = ["---", "title: Performance", "---", "", "# Performance", "",
             "How much work our build adds to MkDocs, and how fast `make serve` shows an edit; measured by `make bench`.",
             "", "## Targets and results", "", "| Target | Measured | Result |", "|---|---:|---|"]
    for r in results:
        lines.append(f"| {r.label}: CPU time of our build ≤ {CPU_LIMIT:.2f} × MkDocs alone building the same pages "
                     f"| {r.ratio:.2f} × | {verdict(r.ratio <= CPU_LIMIT)} |")
    if serve:
        rebuild, empty = (statistics.median(r.cpu for r in runs) for runs in (serve.rebuilds, serve.empty))
        lines.append(f"| `make serve`: CPU time of the rebuild after an edit ≤ {SERVE_LIMIT:g} × an empty Material "
                     f"build | {rebuild:.2f} s / {empty:.2f} s = {serve.ratio:.2f} × | "
                     f"{verdict(serve.ratio <= SERVE_LIMIT)} |")
    lines += ["", "## Builds", "", "CPU and wall time in seconds, medians of the builds; the ratio is the median of "
              "the pairs' ratios, with the lowest and highest.", "",
              "| Data | Entities | Pages | Pairs | CPU (a) ours | CPU (b) MkDocs alone | CPU (a)/(b) | Wall (a) | Wall (b) |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cpu_a, cpu_b, wall_a, wall_b = (statistics.median(getattr(x, k) for x in runs)
                                        for k, runs in (("cpu", r.ours), ("cpu", r.floor), ("wall", r.ours), ("wall", r.floor)))
        lines.append(f"| {r.label} | {r.entities:,} | {r.pages:,} | {len(r.ours)} | {cpu_a:.2f} | {cpu_b:.2f} | "
                     f"{r.ratio:.2f} ({min(r.ratios()):.2f}–{max(r.ratios()):.2f}) | {wall_a:.2f} | {wall_b:.2f} |")
    same = (f"{r.label}: {r.files[2]:,} of {r.files[0]:,} files byte-identical"
            + ("" if r.files[0] == r.files[1] else f" ((b) made {r.files[1]:,})") for r in results)
    lines += ["", "Files built by (a) and (b), and how many are byte-identical (our build adds a "
              "Content-Security-Policy to every HTML page, and its sitemap and search index list the pages in "
              f"another order): {'; '.join(same)}."]
    if serve:
        lines += ["", "## Editing with `make serve`", "", "| Measure | Runs | CPU, s (median) | Wall, s (median) |",
                  "|---|---:|---:|---:|",
                  *(f"| {name} | {len(runs)} | {statistics.median(r.cpu for r in runs):.2f} | "
                    f"{statistics.median(r.wall for r in runs):.2f} |"
                    for name, runs in ((f"`{serve.command}`: rebuild after editing one data file (real data)",
                                        serve.rebuilds), ("`mkdocs build` of an empty Material site", serve.empty)))]
    lines += ["", "## Machine", "", *(f"- **{k}:** {v}" for k, v in facts.items()),
              "", "## Method", "", *(f"- {m}" for m in METHOD), "",
              "`python -m bench.benchmark --profile PROJECT` (from the repository root, `PYTHONPATH=hooks`) profiles "
              "one build of a project and shows where its CPU time goes.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- profile

AREAS = (("/microsite/templates/", "our templates (Jinja)"), ("/microsite/csp.py", "CSP"),
         ("/microsite/history.py", "history"), ("/microsite/gitlog.py", "history"), ("/microsite/semdiff.py", "history"),
         ("/microsite/exports.py", "downloads"), ("/microsite/stix.py", "downloads"), ("/microsite/codec.py", "downloads"),
         ("/microsite/load.py", "load + check"), ("/microsite/schema.py", "load + check"),
         ("/microsite/graph.py", "load + check"), ("/microsite/model.py", "load + check"),
         ("/microsite/", "our render code"), ("hooks/site.py", "hook adapter"), ("/jinja2/", "Jinja"),
         ("/markupsafe/", "Jinja"), ("/material/templates/", "Material templates"), ("/material/", "Material plugins"),
         ("/markdown/", "Markdown"), ("/pymdownx/", "Markdown"), ("/yaml/", "YAML"), ("/mkdocs/", "MkDocs"),
         ("/click/", "MkDocs"))
KEYS = (("importlib._bootstrap>", "_find_and_load", "imports"), ("microsite/__init__.py", "check", "microsite.check"),
        ("microsite/history.py", "read_history", "read_history"), ("microsite/render.py", "render", "Renderer.render"),
        ("microsite/render.py", "feed", "Renderer.feed"), ("microsite/exports.py", "files", "exports.files"),
        ("microsite/csp.py", "with_csp", "with_csp"), ("jinja2/environment.py", "compile", "Jinja compile"),
        ("mkdocs/structure/pages.py", "render", "Markdown → HTML"),
        ("mkdocs/commands/build.py", "_build_page", "MkDocs _build_page"), ("site.py", "on_files", "hook on_files"),
        ("site.py", "on_pre_build", "hook on_pre_build"), ("mkdocs/commands/build.py", "build", "MkDocs build"))


def classify(func: tuple[str, int, str]) -> str | None:
    """The area of a profiled function by its file; None for the standard library and built-ins (their time goes
    to their callers' areas)."""
    filename, _, name = func
    if name == "<module>" or "importlib._bootstrap" in filename:
        return "imports (module bodies)"
    return next((area for part, area in AREAS if part in filename), None)


def areas(stats: dict[Any, Any]) -> dict[str, float]:
    """Own time per area; a function of no area counts for its callers, in proportion to the time of each call."""
    memo: dict[Any, dict[str, float]] = {}

    def share(func: Any, seen: frozenset[Any]) -> dict[str, float]:
        if func in memo:
            return memo[func]
        named, callers = classify(func), stats.get(func, (0, 0, 0, 0, {}))[4]
        if named or func in seen or not callers:
            return {named or "other (standard library, built-ins)": 1.0}
        total, found = sum(edge[2] for edge in callers.values()), {}
        for caller, edge in callers.items():
            for area, weight in share(caller, seen | {func}).items():
                found[area] = found.get(area, 0.0) + weight * (edge[2] / total if total else 1 / len(callers))
        memo[func] = found
        return found

    totals: dict[str, float] = {}
    for func, (_, _, own, _, _) in stats.items():
        for area, weight in share(func, frozenset()).items():
            totals[area] = totals.get(area, 0.0) + own * weight
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def profile(project: Path, top: int) -> None:
    """One `mkdocs build --strict` of `project` in this process under cProfile, then where its time went."""
    os.chdir(project)
    os.environ.pop("REPO_URL", None)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    shutil.rmtree(project / "site", ignore_errors=True)
    pauses: list[float] = []
    started: list[float] = []
    gc.callbacks.append(lambda phase, _: started.append(time.perf_counter()) if phase == "start"
                        else pauses.append(time.perf_counter() - started.pop()))
    profiler, children = cProfile.Profile(), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time()
    profiler.enable()
    from mkdocs.__main__ import cli  # its imports are profiled too
    cli.main(["build", "--strict"], standalone_mode=False)
    profiler.disable()
    cpu, after = time.process_time() - cpu, resource.getrusage(resource.RUSAGE_CHILDREN)
    git = after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime
    stats = pstats.Stats(profiler)
    print(f"\nCPU of the profiled build: {cpu:.2f} s in this process (with cProfile's overhead), {git:.2f} s in "
          f"processes it waited for (git); cyclic GC: {len(pauses)} collections, {sum(pauses):.2f} s\n")
    print("Own time by area (the standard library and built-ins count for their callers):")
    total = sum(entry[2] for entry in stats.stats.values())
    for area, seconds in areas(stats.stats).items():
        print(f"  {seconds:8.2f} s  {seconds / total:6.1%}  {area}")
    print("\nCumulative time of entry points:")
    for part, name, label in KEYS:
        found = [v for k, v in stats.stats.items() if k[2] == name and part in k[0]]
        if found:
            print(f"  {sum(v[3] for v in found):8.2f} s  {label} ({sum(v[1] for v in found):,} calls)")
    stats.sort_stats("cumulative").print_stats(top)


# --------------------------------------------------------------------------- main


def claim(work: Path) -> None:
    """Use `work` (its contents get deleted) only if it is new, empty or the benchmark's own."""
    if work.exists() and any(work.iterdir()) and not (work / MARKER).exists():
        raise SystemExit(f"--work {work} holds files the benchmark did not make; name a new or empty folder")
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text("scratch folder of `make bench`: its contents are deleted and remade\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="synthetic entity counts ('' for none)")
    parser.add_argument("--no-real", dest="real", action="store_false", help="skip the real data and serve")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out", help="scratch folder (git-ignored)")
    parser.add_argument("--out", default="-", help="write the page here (make bench: docs/performance.md)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per build or wait")
    parser.add_argument("--profile", type=Path, metavar="PROJECT", help="profile one build of PROJECT instead")
    parser.add_argument("--top", type=int, default=40, help="with --profile: functions to list")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile.resolve(), args.top)
        return 0
    claim(args.work)
    load, results, serve = os.getloadavg()[0], [], None
    if args.real:
        real = real_project(args.work / "real")
        results.append(bench_project("Real data", real, args.work / "floor-real", None, args.timeout))
        serve = bench_serve(real, args.work, args.timeout)
    from . import synthetic

    for size in (int(s) for s in args.sizes.split(",") if s):
        log(f"{size:,}: generating {COMMITS} commits of synthetic data")
        project = args.work / f"synthetic-{size}"
        synthetic.generate(size, SEED, project, ROOT, commits=COMMITS)
        results.append(bench_project(f"{size:,} synthetic entities", project, args.work / f"floor-{size}", size,
                                     args.timeout))
    text = page(results, serve, machine(load))
    print(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
