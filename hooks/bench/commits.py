"""A synthetic git history for a synthetic project: `python -m bench.synthetic … --commits N`.

The first commit holds the generated data minus a few entities; each of the N commits that follow changes a data
file the way editors do: add a fact, change a status, cite another source, reword a statement, withdraw a fact,
add an entity, reformat a file, or break a file and fix it in the next commit (a gap in the history). A last
commit adds the entities still held back. The working tree is the last commit, and builds. Commits are written by
one `git fast-import` (fast at any size), three hours apart from 7 August 2023; the same seed gives the same commits.
"""

from __future__ import annotations

import copy
import os
import random
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from microsite.model import KINDS

START = 1691366400  # 2023-08-07T00:00:00Z
STEP = 3 * 3600
HELD_BACK = 0.05  # the share of entities that arrive in a later commit
Doc = dict[str, Any]


def _env(home: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", os.defpath), "HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}


class History:
    """The data files as the commits change them: path → document (None: the file is not there yet)."""

    def __init__(self, docs: dict[str, Doc], gen: Any, dump: Callable[[Doc], str], seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 1)
        self.gen, self.dump = gen, dump
        self.final = docs
        self.paths = sorted(docs)
        self.current: dict[str, Doc | None] = {p: copy.deepcopy(d) for p, d in docs.items()}
        self.stubs = {s.id: s for stubs in gen.stubs.values() for s in stubs}
        self.kinds = {kind.plural: name for name, kind in KINDS.items()}
        self.broken: str | None = None
        self.waiting = sorted(self.rng.sample(self.paths, max(1, int(len(self.paths) * HELD_BACK)))) if self.paths else []
        for path in self.waiting:
            self.current[path] = None

    def text(self, path: str) -> str:
        doc = self.current[path]
        assert doc is not None
        return f"# yaml-language-server: $schema=../../schemas/{self.kinds[path.split('/')[1]]}.json\n" + self.dump(doc)

    def change(self, number: int) -> tuple[str, dict[str, str]]:
        """Commit `number`'s subject and files (path → new text): in every 25 commits, one breaks a file (fixed by
        the next), one adds a held-back entity (while there are some) and two reformat one; the rest edit."""
        if self.broken is not None:
            path, self.broken = self.broken, None
            return f"Fix the YAML of {path}", {path: self.text(path)}
        if self.waiting and number % 25 == 3:
            return self.arrive(self.waiting[:1])
        path = self.rng.choice([p for p in self.paths if self.current[p] is not None])
        doc = self.current[path]
        assert doc is not None
        if number % 25 == 11:
            self.broken = path
            return f"Start editing {doc['name']}", {path: self.text(path).replace("\nname:", "\nname: [", 1)}
        if number % 25 in (7, 19):
            return f"Reformat {doc['name']}", {path: f"# {doc['name']}\n" + self.text(path)}
        subject = self._edit(doc)
        return f"{subject} ({doc['name']})", {path: self.text(path)}

    def arrive(self, paths: list[str]) -> tuple[str, dict[str, str]]:
        """Add held-back entities."""
        for path in paths:
            self.waiting.remove(path)
            self.current[path] = copy.deepcopy(self.final[path])
        names = ", ".join(str(self.final[p]["name"]) for p in paths[:3])
        return f"Add {names}{' and more' if len(paths) > 3 else ''}", {p: self.text(p) for p in paths}

    def _edit(self, doc: Doc) -> str:
        """Change a document as an editor would; the subject line that says why."""
        rng, facts = self.rng, [f for f in doc.get("facts", []) if f["status"] != "disputed"]
        stub = self.stubs.get(doc["id"])
        action = rng.choice(("fact", "status", "cite", "reword", "withdraw")) if facts else "fact"
        if action == "fact" or stub is None:
            fact = self.gen.fact(stub) if stub else {"statement": "A new finding.", "status": "reported",
                                                      "citations": [self.gen.citation()]}
            doc.setdefault("facts", []).append(fact)
            return "Add a fact from a new report"
        fact = rng.choice(facts)
        if action == "status":
            fact["status"] = rng.choice([s for s in ("reported", "alleged", "assessed", "confirmed") if s != fact["status"]])
            return "Status as the source words it"
        if action == "cite":
            fact["citations"].append(self.gen.citation())
            return "Cite a second source"
        if action == "reword":
            fact["statement"] = self.gen.statement(stub)
            return "Clearer wording"
        doc["facts"].remove(fact)
        if not doc["facts"]:
            del doc["facts"]
        return "Withdraw a fact the source does not support"


def write_history(out: Path, docs: dict[str, Doc], gen: Any, dump: Callable[[Doc], str], commits: int, seed: int) -> None:
    """Make `out` a git repository with a first commit and `commits` more; the data files become the last commit's."""
    history = History(docs, gen, dump, seed)
    first = {p: history.text(p) for p in history.paths if history.current[p] is not None}
    first.update({f"seeds/{p.name}": p.read_text(encoding="utf-8") for p in sorted((out / "seeds").glob("*.txt"))})
    changes = [("Synthetic data", first)] + [history.change(number) for number in range(commits)]
    if history.broken is not None:
        changes.append(history.change(commits))
    if history.waiting:
        changes.append(history.arrive(list(history.waiting)))
    stream: list[bytes] = []
    last: dict[str, str] = {}
    for number, (subject, files) in enumerate(changes):
        last.update(files)
        stamp = START + number * STEP
        stream.append(f"commit refs/heads/main\nmark :{number + 1}\n"
                      f"author Synthetic Editor <editor@example.org> {stamp} +0000\n"
                      f"committer Synthetic Editor <editor@example.org> {stamp} +0000\n".encode())
        stream.append(_data(subject.encode()) + (f"from :{number}\n".encode() if number else b""))
        stream += [f"M 100644 inline {path}\n".encode() + _data(text.encode()) for path, text in files.items()]
        stream.append(b"\n")
    for path in history.paths:
        (out / path).write_text(last[path], encoding="utf-8")
    with tempfile.TemporaryDirectory() as home:
        env = _env(home)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=out, env=env, check=True)
        subprocess.run(["git", "fast-import", "--quiet"], cwd=out, env=env, input=b"".join(stream), check=True)
        subprocess.run(["git", "reset", "-q"], cwd=out, env=env, check=True)


def _data(raw: bytes) -> bytes:
    return f"data {len(raw)}\n".encode() + raw + b"\n"
