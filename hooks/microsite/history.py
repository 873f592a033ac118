"""What changed, and when: the git history of data/ as changes per entity, per fact and site-wide.

The history is read by `gitlog` (a fixed number of git processes, whatever its size). Each version is read as plain
YAML, checked as the loader checks a file (UTF-8, one document, no tags), and compared with the one before as data
(`semdiff`), with today's data model only naming things: a version that today's model would refuse still says what
changed. Only a version that is no YAML at all is a gap in the history, never an error. Renames (git's, or a new file
naming a deleted one among its `former_ids`) continue an entity's history. Dates are commit dates; the clock is never
read. The first-parent history is the published one: a merged branch counts as one change, dated by its merge.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError
from .gitlog import Commit, NoHistory, Touch, head, read_blobs, read_log, refuse_partial_clone
from .load import KIND_BY_FOLDER, compose_bytes
from .memory import paused_cyclic_gc
from .model import COMMON_FIELDS, Entity
from .semdiff import TRACKED, Version, Words, diff, key, label, read_record

TRACKED_RECORDS = {spec.name: spec.inner for spec in COMMON_FIELDS if spec.name in TRACKED}
RECENT = 300  # file changes (newest first) the Changes page shows; the feed shows the newest FEED_ENTRIES entries
FEED_ENTRIES = 50


# --------------------------------------------------------------------------- versions


NOT_DATA = "this version of the file holds no entity's data"  # a gap's reason, in words for readers


@dataclass(frozen=True)
class Gap:
    """A version that is no YAML data at all (not text, not YAML, not one mapping), and why, in words for readers."""

    reason: str


def parse(raw: bytes | None, path: str, renamed: dict[str, str] | None = None) -> Version | Gap:
    """One version of a data file as plain YAML, read with today's model (`semdiff.read_record`), or the gap it
    leaves when it is no YAML data. References to entities that were renamed later name them by their last id
    (`renamed`), so a rename changes only the renamed entity."""
    if raw is None:
        return Gap("this version of the file is too large to be data")
    try:
        data = plain_yaml(compose_bytes(raw, path))
    except DataError:
        return Gap(NOT_DATA)
    if not isinstance(data, dict):
        return Gap(NOT_DATA)
    kind = KIND_BY_FOLDER[path.split("/")[1]]
    return Version(kind, read_record(kind.record, data, renamed))


def plain_yaml(node: yaml.Node) -> Any:
    """A YAML node tree as plain values: mappings as dicts (a repeated key: its first value), sequences as lists,
    scalars as text, true or false, or None, as the loader resolves them."""
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(name, str) and name not in mapping:
                mapping[name] = plain_yaml(value_node)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [plain_yaml(item) for item in node.value]
    if node.tag.endswith(":null"):
        return None
    if node.tag.endswith(":bool"):
        return node.value.lower() == "true"
    return node.value


# --------------------------------------------------------------------------- histories


@dataclass(frozen=True)
class Correction:
    """A fact or relation corrected by a commit: what changed, and its wording and status before."""

    commit: Commit
    lines: tuple[Words, ...]
    words: Words
    status: str | None


@dataclass
class ItemHistory:
    """The history of one fact or relation: when it was added (None: with the page), corrected, withdrawn."""

    item: dict[str, Any]
    words: Words
    added: Commit | None = None
    corrections: list[Correction] = field(default_factory=list)
    withdrawn: Commit | None = None


@dataclass
class Entry:
    """One entity's change in one commit, as the Changes page and the feed show it."""

    commit: Commit
    path: str
    name: str
    lineage: Lineage
    lines: list[Words]
    gap: str | None = None

    @property
    def anchor(self) -> str:
        """A stable HTML id: the commit and the file."""
        return f"c-{self.commit.sha[:12]}-{hashlib.sha1(self.path.encode()).hexdigest()[:8]}"

    @property
    def uid(self) -> str:
        """A stable Atom id: the same change always has the same id, whatever the entity is called later."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'microsite-change:{self.commit.sha}:{self.path}')}"


@dataclass
class Lineage:
    """The versions of one entity, following renames: its entries, and its facts' and relations' histories."""

    path: str | None
    first: Commit
    last: Commit
    entries: list[Entry] = field(default_factory=list)
    version: Version | None = None  # the last version that could be read
    items: dict[str, list[ItemHistory]] = field(default_factory=dict)
    withdrawn: list[ItemHistory] = field(default_factory=list)
    _current: dict[str, ItemHistory] | None = None

    def of(self, spec_name: str, item: Any) -> ItemHistory | None:
        """The history of a fact or relation of the entity as it is now (found by its content, as data)."""
        if self._current is None:
            self._current = {f"{name}:{key(h.item)}": h for name, found in self.items.items() for h in found}
        return self._current.get(f"{spec_name}:{key(TRACKED_RECORDS[spec_name].exported(item))}")

    def gone(self) -> list[ItemHistory]:
        """Withdrawn facts and relations, newest first, but not one that is back with the same content."""
        current = {key(h.item) for found in self.items.values() for h in found}
        return sorted((h for h in self.withdrawn if key(h.item) not in current), key=lambda h: -h.withdrawn.time)


@dataclass
class History:
    """Everything the pages and the feed show of the history; `reason` says why there is none."""

    head: str | None = None
    reason: str = "no history was read"
    entries: list[Entry] = field(default_factory=list)  # newest first, at most RECENT
    lineages: dict[str, Lineage] = field(default_factory=dict)  # by their file at HEAD

    @property
    def available(self) -> bool:
        return self.head is not None

    def by_day(self) -> list[tuple[Commit, list[list[Entry]]]]:
        """The entries by day (newest first), each day's by entity, in the order of their newest change."""
        days: dict[str, tuple[Commit, dict[int, list[Entry]]]] = {}
        for entry in self.entries:
            _, groups = days.setdefault(entry.commit.day, (entry.commit, {}))
            groups.setdefault(id(entry.lineage), []).append(entry)
        return [(commit, list(groups.values())) for commit, groups in days.values()]

    def of(self, entity: Entity) -> Lineage | None:
        """The lineage of an entity of the working tree: its file's, or that of a former id's file."""
        for path in (entity.location.path, *(f"data/{p.removesuffix('.md')}.yml" for p in entity.former_paths)):
            if path in self.lineages:
                return self.lineages[path]
        return None


def unavailable(root: Path) -> str | None:
    """Why `read_history` would find no history (no repository, a shallow or partial clone), asked cheaply; or None."""
    try:
        head(root)
        refuse_partial_clone(root)
    except NoHistory as error:
        return str(error)
    return None


def read_history(root: Path, sha: str | None = None) -> History:
    """The history of `root`'s data/ up to `sha` (default: HEAD), or a `History` that says why there is none.
    Never raises for git's sake."""
    try:
        sha = sha or head(root)
        refuse_partial_clone(root)
        commits = read_log(root, sha)
        needed = _needed(commits)
        blobs = read_blobs(root, needed)
    except NoHistory as error:
        return History(reason=str(error))
    with paused_cyclic_gc():  # as for loading: many objects, no garbage cycles
        renamed = _renames(commits, blobs)
        versions = {}
        for _, touches in commits:
            for touch in touches:
                for side in (touch.old, touch.new):
                    if side and side[1] in blobs and side[1] not in versions:
                        versions[side[1]] = parse(blobs[side[1]], side[0], renamed)
        return _replay(sha, commits, versions)


def _renames(commits: list[tuple[Commit, list[Touch]]], blobs: dict[str, bytes | None]) -> dict[str, str]:
    """Every id an entity had before a rename → its last id: from git's renames, and from new files that name a
    file deleted in the same commit among their former_ids."""
    step: dict[str, str] = {}
    for _, touches in commits:
        deletes = any(t.old and not t.new for t in touches)
        versions = {t.new[1]: parse(blobs.get(t.new[1]), t.new[0]) for t in touches if deletes and t.new and not t.old}
        for touch in _renamed(touches, versions):
            if touch.old and touch.new and Path(touch.old[0]).stem != Path(touch.new[0]).stem:
                step[Path(touch.old[0]).stem] = Path(touch.new[0]).stem
    last: dict[str, str] = {}
    for old in step:
        seen, new = {old}, step[old]
        while new in step and step[new] not in seen:
            seen.add(new)
            new = step[new]
        last[old] = new
    return last


def _needed(commits: list[tuple[Commit, list[Touch]]]) -> set[str]:
    """The blobs to read: every version of a file changed more than once, the versions of the newest RECENT
    changes, and new files in commits that also delete one (a rename that git did not see, told by former_ids)."""
    touched: dict[str, int] = {}
    for _, touches in commits:
        for touch in touches:
            for side in {touch.old, touch.new} - {None}:
                touched[side[0]] = touched.get(side[0], 0) + 1
    needed: set[str] = set()
    recent = 0
    for _, touches in reversed(commits):
        deletes = any(t.new is None for t in touches)
        for touch in touches:
            recent += 1
            for side in (touch.old, touch.new):
                if side and (recent <= RECENT or touched[side[0]] > 1 or (deletes and touch.old is None)):
                    needed.add(side[1])
    return needed


def _replay(sha: str, commits: list[tuple[Commit, list[Touch]]], versions: dict[str, Version | Gap]) -> History:
    """Follow every file through the commits, oldest first: renames continue a lineage, each version is compared
    with the last one that could be read."""
    live: dict[str, Lineage] = {}
    entries: list[Entry] = []
    for commit, touches in commits:
        for touch in _renamed(touches, versions):
            old_path = touch.old[0] if touch.old else None
            lineage = live.pop(old_path, None) if old_path else None
            if lineage is None:
                if touch.new is None:
                    continue
                lineage = Lineage(touch.new[0], commit, commit)
            entry = _step(lineage, touch, versions.get(touch.new[1]) if touch.new else None)
            if touch.new:
                lineage.path = touch.new[0]
                live[touch.new[0]] = lineage
            else:
                lineage.path = None
            if entry is not None:
                lineage.entries.append(entry)
                lineage.last = commit
                entries.append(entry)
    return History(sha, "", entries[::-1][:RECENT], live)


def _renamed(touches: list[Touch], versions: dict[str, Version | Gap]) -> list[Touch]:
    """The commit's changes with each deleted file that a new file names among its former_ids made one rename."""
    deleted = {t.old[0]: t for t in touches if t.new is None and t.old}
    if not deleted:
        return touches
    joined: list[Touch] = []
    used: set[str] = set()
    for touch in touches:
        version = versions.get(touch.new[1]) if touch.new and touch.old is None else None
        if isinstance(version, Version):
            for former in version.values.get("former_ids") or []:
                path = f"data/{former}.yml" if "/" in former else f"data/{version.kind.plural}/{former}.yml"
                if path in deleted and path not in used:
                    used.add(path)
                    touch = Touch(touch.commit, deleted[path].old, touch.new)
                    break
        joined.append(touch)
    return [t for t in joined if not (t.new is None and t.old and t.old[0] in used)]


def _step(lineage: Lineage, touch: Touch, version: Version | Gap | None) -> Entry | None:
    """Apply one version to a lineage; the entry it makes, or None when only the formatting changed."""
    path = (touch.new or touch.old or ("", ""))[0]
    name = (lineage.version.name if lineage.version else "") or Path(path).stem
    if touch.new is None:
        lineage.items, lineage.version = {}, None
        return Entry(touch.commit, path, name, lineage, [("page removed",)])
    if isinstance(version, Gap):
        return Entry(touch.commit, path, name, lineage, [], version.reason)
    if version is None:  # not read: a file added once, long ago, and never changed
        return Entry(touch.commit, path, name, lineage, [("new page",)])
    earlier = lineage.version
    changes = diff(earlier, version)
    if earlier is None and lineage.entries and lineage.entries[-1].lines != [("page removed",)]:
        changes.lines = [("the first version that holds the page's data",)]
    elif earlier is not None and not changes.lines:
        lineage.version = version
        _carry(lineage, version, changes.steps, touch.commit)
        return None
    lineage.version = version
    _carry(lineage, version, changes.steps, touch.commit, new_page=earlier is None)
    return Entry(touch.commit, path, version.name or name, lineage, changes.lines)


def _carry(lineage: Lineage, version: Version, steps: dict[str, list[Any]], commit: Commit, new_page: bool = False) -> None:
    """Carry each fact's and relation's history into the new version, by the pairing the diff made."""
    items: dict[str, list[ItemHistory]] = {}
    for name in TRACKED:
        before, after = lineage.items.get(name, []), version.values.get(name) or []
        found: list[ItemHistory | None] = [None] * len(after)
        for step in steps[name]:
            if step.new is None:
                gone = before[step.old]
                gone.withdrawn = commit
                lineage.withdrawn.append(gone)
                continue
            history = before[step.old] if step.old is not None and step.old < len(before) else None
            if history is None:
                history = ItemHistory(after[step.new], (), None if new_page else commit)
            elif step.lines:
                history.corrections.append(Correction(commit, step.own, history.words, history.item.get("status")))
            history.item = after[step.new]
            history.words = label(TRACKED_RECORDS[name], history.item, version.name)
            found[step.new] = history
        items[name] = [h for h in found if h is not None]
    lineage.items = items
    lineage._current = None


class HistoryCache:
    """The history read for the last HEAD, kept between the rebuilds of one `serve` session: a rebuild after an
    edit costs one `git rev-parse`; a new commit reads the history again."""

    def __init__(self) -> None:
        self._head: str | None = None
        self._history: History | None = None

    def get(self, root: Path) -> History:
        try:
            sha = head(root)
        except NoHistory as error:
            return History(reason=str(error))
        if sha != self._head or self._history is None:
            self._history, self._head = read_history(root, sha), sha
        return self._history
