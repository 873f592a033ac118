"""Synthetic research data at any size: `python -m bench.synthetic --entities N --seed S --out DIR`.

Writes a complete project into DIR: data/ and seeds/ (synthetic archived texts) from the generator, and
docs/, hooks/ and mkdocs.yml copied from this repository; with `--commits N`, also a git history of N commits
(`bench.commits`) whose last commit is the data written. The data has the real data's shape (see `shape`):
the mix of kinds, facts, relations and aliases per kind, citations per fact, disputed facts with positions,
hub entities with many incoming relations, and quotes that occur verbatim in the archived texts, so the
build verifies them. The same entities and seed give byte-identical data files.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from microsite.model import CITATION, KINDS, RELATION_TYPES
from microsite.schema import Choice, Date, FieldType, Flag, ListOf, Record, RefTo, Url, When

from . import shape as S
from .commits import write_history

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("docs", "hooks", "overrides", "mkdocs.yml")  # everything a build needs besides its data
MARKER = ".synthetic-project"
WRITTEN = ("data", "seeds", "site", ".git", *COPIED)
CITED: str = CITATION.fields["source"].type.kinds[0]  # the kind whose entities citations name: sources


Doc = dict[str, Any]


@dataclass(frozen=True)
class Stub:
    """An entity before its content: kind, id, name and popularity rank within its kind (0 = biggest hub)."""

    kind: str
    id: str
    name: str
    rank: int
    variant: str = ""


@dataclass(frozen=True)
class Summary:
    """What was generated."""

    kinds: dict[str, int]
    citations: int
    archived_quotes: int
    files: int


class Picker:
    """Draws stubs with Zipf-like popularity, so that a few entities become hubs."""

    def __init__(self, stubs: list[Stub], skew: float = 1.0) -> None:
        self.stubs = sorted(stubs, key=lambda s: s.rank)
        total, self.cum = 0.0, []
        for rank in range(len(self.stubs)):
            total += 1 / (rank + 1) ** skew
            self.cum.append(total)

    def one(self, rng: random.Random) -> Stub:
        return rng.choices(self.stubs, cum_weights=self.cum)[0]

    def distinct(self, rng: random.Random, count: int, avoid: str = "") -> list[Stub]:
        picked: list[Stub] = []
        for _ in range(count * 4):
            stub = self.one(rng)
            if stub.id != avoid and stub not in picked:
                picked.append(stub)
            if len(picked) == count:
                break
        return picked


def split(total: int) -> dict[str, int]:
    """Entities per kind, in the real proportions, summing to `total` (largest remainder)."""
    share = {kind: S.SHARE.get(kind, S.DEFAULT_SHARE) for kind in KINDS}  # every declared kind, new ones too
    whole = sum(share.values())
    exact = {k: total * v / whole for k, v in share.items()}
    counts = {k: int(x) for k, x in exact.items()}
    for kind in sorted(exact, key=lambda k: counts[k] - exact[k])[: total - sum(counts.values())]:
        counts[kind] += 1
    return counts


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Generator:
    """Builds every entity document and archived text from one random stream."""

    def __init__(self, entities: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.stubs: dict[str, list[Stub]] = {}
        serial = 0
        uses: Counter[str] = Counter()  # two entities may not share a name: the n-th use is 'name (n)'
        for kind, count in split(entities).items():
            self.stubs[kind] = []
            for rank in range(count):
                serial += 1
                name, variant = S.name(kind, self.rng)
                uses[name] += 1
                shown = name if uses[name] == 1 else f"{name} ({uses[name]})"
                self.stubs[kind].append(Stub(kind, f"{slug(name)[:40].strip('-')}-{serial}", shown, rank, variant))
        self.pickers: dict[tuple[str, ...], Picker] = {}
        self.bags: dict[tuple[Any, ...], list[Any]] = {}
        self.names = [s.name for k in S.NAMED_IN_TEXT for s in self.stubs.get(k, [])[:60]]
        sources = self.stubs[CITED]
        archived = max(1, round(len(sources) * S.ARCHIVED_SHARE)) if sources else 0
        self.archived = {s.id: S.archive_text(self.rng, self.names) for s in sources[:archived]}
        self.on_archive = Picker(sources[:archived], skew=0.5)
        self.plain = Picker(sources[archived:] or sources[:archived])
        self.language = {s.id: "en" if s.id in self.archived else S.choose(self.rng, S.LANGUAGES) for s in sources}
        self.citations = self.archived_quotes = 0

    def draw(self, histogram: tuple[Any, ...]) -> Any:
        """A value from a histogram, drawn without replacement from a bag refilled when empty: random order, but
        at every size the counts follow the histogram (so 10k entities carry ten times the content of 1k)."""
        bag = self.bags.get(histogram)
        if not bag:
            bag = self.bags[histogram] = list(histogram)
            self.rng.shuffle(bag)
        return bag.pop()

    def declared_targets(self, kind: str, name: str) -> tuple[str, ...]:
        """The kinds a reference field of `kind` may name, as declared (any kind: every kind)."""
        return KINDS[kind].field(name).type.kinds or tuple(KINDS)

    def picker(self, *kinds: str) -> Picker:
        if kinds not in self.pickers:
            self.pickers[kinds] = Picker([s for k in kinds for s in self.stubs[k]])
        return self.pickers[kinds]

    # ----------------------------------------------------------------------- pieces

    def citation(self) -> Doc:
        rng = self.rng
        self.citations += 1
        if self.archived and self.draw(S.ARCHIVE_CITE):
            source = self.on_archive.one(rng)
            self.archived_quotes += 1
            cited: Doc = {"source": source.id, "quote": S.fragment(rng, rng.choice(self.archived[source.id].sentences))}
        else:
            source = self.plain.one(rng)
            language = self.language[source.id]
            quote, translation = S.quote(rng, self.names, language)
            cited = {"source": source.id, "quote": quote}
            if translation:
                cited["translation"] = translation
        if rng.random() < S.LOCATOR_SHARE:
            cited["locator"] = f"paragraph {rng.randint(1, 30)}"
        return cited

    def citations_list(self, weights: tuple[int, ...] = S.CITES) -> list[Doc]:
        return [self.citation() for _ in range(self.draw(weights))]

    def statement(self, stub: Stub) -> str:
        other = self.picker(*S.STATEMENTS_NAME).one(self.rng)
        return S.statement(self.rng, stub.name, other.name, other.id)

    def fact(self, stub: Stub) -> Doc:
        status = self.draw(S.FACT_STATUS)
        if status != "disputed":
            return {"statement": self.statement(stub), "status": status, "citations": self.citations_list()}
        positions = [{"claim": self.statement(stub), "citations": self.citations_list((1, 1, 2))}
                     for _ in range(self.draw((2, 2, 2, 2, 3, 3, 3, 4, 4)))]
        for _ in range(10):  # a dispute needs sources that disagree: another source for the last side
            if len({c["source"] for p in positions for c in p["citations"]}) > 1:
                return {"statement": f"Sources disagree about {stub.name}.", "status": status, "positions": positions}
            positions[-1]["citations"].append(self.citation())
        return {"statement": self.statement(stub), "status": "reported", "citations": self.citations_list()}

    def relation(self, stub: Stub) -> Doc | None:
        rng = self.rng
        types = [t for t, rule in RELATION_TYPES.items() if stub.kind in rule.subjects]
        kind = rng.choices(types, [S.RELATION_WEIGHTS.get(t, 1) for t in types])[0]
        targets = self.picker(*RELATION_TYPES[kind].objects).distinct(rng, 1, avoid=stub.id)
        if not targets:
            return None
        relation: Doc = {"type": kind, "target": targets[0].id,
                         "status": rng.choices(("reported", "assessed", "alleged"), (40, 7, 1))[0]}
        if rng.random() < 0.5:
            relation["note"] = S.note(rng)
        relation["citations"] = self.citations_list((1, 1, 1, 1, 1, 1, 2, 2, 3))
        return relation

    def aliases(self, stub: Stub) -> list[Doc]:
        found = []
        for index in range(self.draw(S.ALIASES.get(stub.kind, (0,)))):
            alias = S.alias(self.rng, stub.name, index)
            if self.rng.random() < 0.35:
                alias["citations"] = [self.citation()]
            found.append(alias)
        return found

    # ----------------------------------------------------------------------- entities

    def entity(self, stub: Stub) -> Doc:
        rng = self.rng
        doc: Doc = {"id": stub.id, "name": stub.name}
        doc.update(getattr(self, f"_{stub.kind}", self._declared)(stub))
        aliases = self.aliases(stub)
        if aliases:
            doc["aliases"] = aliases
        doc.setdefault("summary", S.summary(rng, stub.name))
        facts = [self.fact(stub) for _ in range(self.draw(S.FACTS.get(stub.kind, (1,))))]
        if facts:
            doc["facts"] = facts
        relations = [r for _ in range(self.draw(S.RELATIONS.get(stub.kind, (0,)))) if (r := self.relation(stub))]
        if relations:
            doc["relations"] = relations
        return doc

    def _declared(self, stub: Stub) -> Doc:
        """An entity's own fields, from its kind's declaration: every required one, and each optional one as often as
        the real data fills it (`shape.FILLED`); kinds with a structure of their own have their own method below."""
        doc: Doc = {}
        for spec in KINDS[stub.kind].fields:
            filled = 1.0 if spec.required else S.FILLED.get((stub.kind, spec.name), 0.0)
            if filled >= 1.0 or (filled > 0.0 and self.rng.random() < filled):
                doc[spec.name] = self._value(spec.type, stub, spec.name)
        return doc

    def _value(self, kind: FieldType, stub: Stub, name: str = "") -> Any:
        """A valid value of a field type, for a field called `name` (whose words `shape.WORDS` may give)."""
        if isinstance(kind, Choice):
            return stub.variant if stub.variant in kind.choices else next(iter(kind.choices))
        if isinstance(kind, ListOf):
            return [self._value(kind.item, stub, name) for _ in range(max(kind.min_items, 1))]
        if isinstance(kind, RefTo):
            return self.picker(*(kind.kinds or S.REFERRED.get((stub.kind, name), tuple(KINDS)))).one(self.rng).id
        if kind is CITATION:
            return self.citation()
        if isinstance(kind, Record):
            return {spec.name: self._value(spec.type, stub, spec.name) for spec in kind.fields.values() if spec.required}
        if isinstance(kind, (Date, When)):
            return S.date(self.rng, 2019, 2023)
        if isinstance(kind, Flag):
            return False
        if isinstance(kind, Url):
            return f"https://example.org/{stub.kind}/{stub.id}"
        if name in S.WORDS:
            return self.rng.choice(S.WORDS[name])
        return S.summary(self.rng, stub.name)

    def _event(self, stub: Stub) -> Doc:
        rng = self.rng
        date = S.date(rng, 2019, 2023)
        period: Doc = {"start": date}
        if rng.random() < 0.21 and len(date) < 10:
            period["qualifier"] = rng.choice(("early", "mid", "late", "about"))
        if rng.random() < 0.14:
            period["end"] = S.date(rng, int(date[:4]) + 1, 2024)
        doc: Doc = {"date": period if len(period) > 1 else date}
        if stub.rank < min(12, max(1, len(self.stubs["event"]) // 4)):
            doc["key"] = True
        involved = self.picker(*S.REFERRED[stub.kind, "involves"]).distinct(rng, rng.choice((1, 2, 2, 2, 3, 3, 3, 3, 5, 6, 7)))
        doc["involves"] = [s.id for s in involved]
        doc["summary"] = S.summary(rng, stub.name)
        doc["citations"] = self.citations_list((1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3))
        return doc

    def _assessment(self, stub: Stub) -> Doc:
        rng = self.rng
        assessor = self.picker(*self.declared_targets(stub.kind, "assessor")).one(rng)
        doc: Doc = {"assessor": assessor.id}
        if rng.random() < 0.13:
            doc["affiliation"] = self.picker(*self.declared_targets(stub.kind, "affiliation")).one(rng).id
        if rng.random() < 0.8:
            doc["role"] = rng.choice(S.ROLES)
        doc["topic"] = S.choose(rng, S.TOPICS)
        about = self.picker(*S.REFERRED[stub.kind, "about"]).distinct(rng, rng.choice((1, 1, 2, 2, 3, 4)))
        doc["about"] = [s.id for s in about]
        doc.update(date=S.date(rng, 2021, 2024, precision="day"), status="assessed", summary=S.summary(rng, stub.name),
                   citation=self.citation())
        return doc

    def _source(self, stub: Stub) -> Doc:
        rng = self.rng
        publisher = rng.choice(S.PUBLISHERS)
        doc: Doc = {"summary": f"{publisher}'s report on {rng.choice(S.THINGS)}."}
        if rng.random() < 0.15:
            doc["title"] = S.title(rng)
        doc["publisher"] = publisher
        if rng.random() < 0.06:
            doc["authors"] = [S.person(rng) for _ in range(rng.choice((1, 2)))]
        if rng.random() < 0.3:
            doc["date"] = S.date(rng, 2019, 2024)
        if rng.random() < 0.97 or stub.id not in self.archived:
            doc["url"] = f"https://example.org/{slug(publisher)}/{stub.id}"
        language = self.language[stub.id]
        if stub.id in self.archived:
            doc["archive"] = f"seeds/{stub.id}.txt"
        doc["language"] = language
        if stub.id in self.archived and rng.random() < 0.5:
            doc.update(translated_from="de", machine_translation=True)
        if stub.rank > 0 and rng.random() < 0.08:
            doc.update(tier="republication", copy_of=self.stubs[stub.kind][rng.randrange(stub.rank)].id)
        else:
            doc["tier"] = rng.choice(("primary-report", "news-report", "official-document", "secondary"))
        if rng.random() < 0.97:
            doc["notes"] = S.note(rng)
        if stub.id in self.archived and rng.random() < 0.5:
            doc["uncited"] = self.archived[stub.id].uncited
        return doc


def generate(entities: int, seed: int, out: Path, repo: Path = ROOT, commits: int = 0) -> Summary:
    """Write a complete synthetic project into `out` (emptied first if it is an earlier synthetic project); with
    `commits`, make it a git repository with that many commits after the first (`bench.commits`)."""
    _prepare(out)
    gen = Generator(entities, seed)
    docs: dict[str, Doc] = {}
    for kind, stubs in gen.stubs.items():
        folder = out / "data" / KINDS[kind].plural
        folder.mkdir(parents=True, exist_ok=True)
        for stub in stubs:
            doc = docs[f"data/{KINDS[kind].plural}/{stub.id}.yml"] = gen.entity(stub)
            text = f"# yaml-language-server: $schema=../../schemas/{kind}.json\n" + dump(doc)
            (folder / f"{stub.id}.yml").write_text(text, encoding="utf-8")
    (out / "seeds").mkdir(exist_ok=True)
    for source_id, archive in gen.archived.items():
        (out / "seeds" / f"{source_id}.txt").write_text(archive.text, encoding="utf-8")
    if commits:
        write_history(out, docs, gen, dump, commits, seed)
    for part in COPIED:
        source = repo / part
        if source.is_dir():
            shutil.copytree(source, out / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, out / part)
    config = out / "mkdocs.yml"
    if config.exists() and gen.stubs["event"]:  # the home page opens with an event named in mkdocs.yml
        overview = rf"\g<1>{gen.stubs['event'][0].id}"
        text = re.sub(r"(?m)^(\s+overview:[ \t]*)[^\s#]+", overview, config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
    return Summary({k: len(v) for k, v in gen.stubs.items()}, gen.citations, gen.archived_quotes, len(docs))


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # a data file must not contain anchors
        return True


def dump(doc: Doc) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _prepare(out: Path) -> None:
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"{out} is not empty and not a synthetic project; choose an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    for part in WRITTEN:
        path = out / part
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    (out / MARKER).write_text("written by hooks/bench/synthetic.py; its contents are replaced on the next run\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, required=True, help="number of entities (data files)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same files")
    parser.add_argument("--out", type=Path, required=True, help="project folder to write")
    parser.add_argument("--commits", type=int, default=0, help="also write a git history of this many commits")
    args = parser.parse_args(argv)
    summary = generate(args.entities, args.seed, args.out, commits=args.commits)
    kinds = ", ".join(f"{n} {KINDS[k].plural}" for k, n in summary.kinds.items())
    print(f"{args.out}: {summary.files} data files ({kinds}); {summary.citations} citations, "
          f"{summary.archived_quotes} quoting archived texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
