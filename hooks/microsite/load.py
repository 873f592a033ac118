"""Read `data/<kind>/<id>.yml` files into entities, collecting every mistake."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import yaml
from yaml.cyaml import CParser

from .errors import DataError, DataErrors, Location, shown
from .model import COMMON_FIELDS, KINDS, Entity, Kind
from .quotes import Archive
from .schema import BOOL_TAG, NULL_TAG, Context, suggest
from .text import UNSAFE_CHARS

MAX_BYTES = 512 * 1024
MAX_NODES = 50_000
SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
COMMON = {f.name for f in COMMON_FIELDS}
KIND_BY_FOLDER = {kind.plural: kind for kind in KINDS.values()}
# Folders of data/ that hold machine-written records, not entities: `make verify-sources` writes verification/
# (read by microsite.verification). The entity loader never enters them.
RECORD_FOLDERS = ("verification",)
ARCHIVE_DIR = "seeds"  # the one folder archived texts are read from
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024


class _Resolver(yaml.resolver.BaseResolver):
    """Only what the schema asks of YAML: nulls and booleans, as YAML 1.2 (and so every editor's YAML language server)
    reads them: `true`/`false` are booleans, `yes`, `no`, `on` and `off` are text; `~`, `null` or nothing is null.
    Every other plain scalar stays text (the field types read numbers and dates themselves), which also spares a
    regex test per scalar."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class Loader(CParser, yaml.constructor.BaseConstructor, _Resolver):
    """libyaml's parser with the resolver above; the loader composes node trees and never constructs objects."""
_INDENT_TAB = re.compile(r"^ *\t", re.MULTILINE)
DROPPINGS = re.compile(r"^\.|~$|^#.*#$|\.(?:swp|swo|swx|bak|orig|rej|tmp)$|^(?:Thumbs\.db|desktop\.ini)$", re.IGNORECASE)


def unsafe_char(char: str) -> tuple[str, str]:
    """The message and hint for a control or bidirectional character in a data file."""
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Cf":
        return (f"the invisible bidirectional control {code} ({unicodedata.name(char)}) can make text display in "
                "another order than it is stored", "remove it")
    return f"the control character {code} is not allowed", "remove it; text may hold line breaks and tabs only"


def load_all(root: Path, data_dir: str = "data") -> list[Entity]:
    """Load every data file under `root/data_dir`; raise `DataErrors` listing all problems."""
    entities: list[Entity] = []
    errors: list[DataError] = []
    base = root / data_dir
    if base.is_symlink() or not base.is_dir():
        raise DataErrors([DataError(Location(data_dir), "the data folder does not exist, or is a link",
                                    f"create {data_dir}/ as a plain folder")])
    for path in data_files(base, skip=RECORD_FOLDERS):
        rel = path.relative_to(root).as_posix()
        try:
            entity, file_errors = load_file(path, rel, _kind_of(path, base, rel))
        except DataError as error:
            errors.append(error)
            continue
        errors.extend(file_errors)
        if entity is not None:
            entities.append(entity)
    if errors:
        raise DataErrors(errors)
    return entities


def data_files(base: Path, skip: tuple[str, ...] = ()) -> list[Path]:
    """Every file and link under `base`, sorted, without descending into links, hidden folders or the folders of
    `base` named in `skip`, and without the leftovers of editors and operating systems (backups, swap files,
    .DS_Store), which are never data."""
    found = []
    for folder, dirs, files in os.walk(base):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here == base and d in skip))
        found += [here / name for name in files if not DROPPINGS.search(name)]
        found += [here / name for name in dirs if (here / name).is_symlink()]
    return sorted(found)


def _kind_of(path: Path, base: Path, rel: str) -> Kind:
    """The kind a data file declares by its folder; refuse links and misplaced or misnamed files."""
    if path.is_symlink():
        raise DataError(Location(rel), "this is a symbolic link; data files must be plain files",
                        "replace the link with the file itself")
    if not path.is_file():
        raise DataError(Location(rel), "this is not a plain file", "remove it from data/")
    folder = path.parent.relative_to(base).as_posix()
    kind = KIND_BY_FOLDER.get(folder)
    if kind is None:
        raise DataError(Location(rel), f"{shown(folder)} is not a data folder",
                        suggest(folder, tuple(KIND_BY_FOLDER)) or f"use one of: {', '.join(KIND_BY_FOLDER)}")
    if path.suffix != ".yml":
        target = path.with_suffix(".yml")
        raise DataError(Location(rel), "data files must end in .yml",
                        f"merge it into {target.name}, which exists, or remove it" if target.exists()
                        else f"rename it to {target.name}")
    return kind


def load_file(path: Path, rel: str, kind: Kind) -> tuple[Entity | None, list[DataError]]:
    """Load one file as an entity of `kind`; the entity is None when the file has errors."""
    node = compose(path, rel)
    ctx = Context(rel)
    try:
        values = kind.record.convert(node, ctx)
    except DataError as error:
        ctx.report(error)
        return None, ctx.errors
    if values["id"] != path.stem:
        message = f"id {shown(values['id'])} does not match the file name {shown(path.name)}"
        rename = "" if path.with_name(f"{values['id']}.yml").exists() else f"rename the file to {values['id']}.yml, or "
        ctx.errors.append(DataError(ctx.at(_key_node(node, "id")), message, f"{rename}set 'id: {path.stem}'"))
    if ctx.errors:
        return None, ctx.errors
    common = {k: values.pop(k) for k in COMMON}
    places = {key.value: ctx.at(value) for key, value in node.value}
    entity = Entity(kind=kind, attrs=values, location=ctx.at(node), refs=ctx.refs, places=places, **common)
    return entity, []


def compose(path: Path, rel: str) -> yaml.Node:
    """Parse a file into a YAML node tree, refusing what a data file must not contain."""
    if path.lstat().st_size > MAX_BYTES:
        raise DataError(Location(rel), f"file is larger than {MAX_BYTES // 1024} KiB", "split it into several entities")
    return compose_bytes(path.read_bytes(), rel)


def compose_bytes(raw: bytes, rel: str) -> yaml.Node:
    """Parse the bytes of a data file (from disk, or an old version from git) as `compose` does."""
    if len(raw) > MAX_BYTES:
        raise DataError(Location(rel), f"file is larger than {MAX_BYTES // 1024} KiB", "split it into several entities")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(Location(rel, line), "the file is not UTF-8 text", "save it with UTF-8 encoding") from None
    unsafe = UNSAFE_CHARS.search(text)
    if unsafe:
        line = text.count("\n", 0, unsafe.start()) + 1
        raise DataError(Location(rel, line, unsafe.start() - text.rfind("\n", 0, unsafe.start())), *unsafe_char(unsafe.group()))
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise DataError(Location(rel), "the file is empty", "write the entity's fields, or delete the file")
    tab = _INDENT_TAB.search(text)
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        raise DataError(Location(rel, line, tab.end() - tab.start()), "a tab is used for indentation", "indent with spaces only")
    try:
        documents = list(yaml.compose_all(text, Loader=Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Location(rel, mark.line + 1, mark.column + 1) if mark else Location(rel)
        problem = error.problem or "the YAML cannot be read"
        raise DataError(where, f"YAML syntax error: {problem}",
                        "check indentation and quoting; text containing ': ' or starting with a symbol needs quotes") from None
    except yaml.YAMLError as error:
        raise DataError(Location(rel), f"YAML error: {error}", "check the file's syntax") from None
    if len(documents) != 1:
        where = Location(rel, documents[1].start_mark.line + 1) if len(documents) > 1 else Location(rel)
        raise DataError(where, "a data file holds exactly one entity", "remove the '---' separator and split the file")
    _check_nodes(documents[0], rel)
    return documents[0]


def _check_nodes(root: yaml.Node, rel: str) -> None:
    """Refuse tags, anchors/aliases and absurdly many nodes, before anything is built."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        problem = None
        if id(node) in seen:
            problem = ("YAML anchors and aliases (&name, *name) are not allowed", "write the value out in full")
        elif len(seen) >= MAX_NODES:
            problem = (f"the file has more than {MAX_NODES} values", "split it into several entities")
        elif node.tag not in SAFE_TAGS:
            problem = (f"YAML tag {shown(node.tag)} is not allowed", "remove the '!' tag; data files hold plain values")
        elif (isinstance(node, yaml.ScalarNode) and node.style == '"'
              and (unsafe := UNSAFE_CHARS.search(node.value.replace("\r\n", "\n")))):
            # written as an escape such as "\x1b": only a double-quoted scalar has escapes, and the file's own text
            # was searched before it was parsed
            problem = unsafe_char(unsafe.group())
        if problem:
            raise DataError(Location(rel, node.start_mark.line + 1, node.start_mark.column + 1), *problem)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((value, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def _key_node(mapping: yaml.Node, key: str) -> yaml.Node:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return mapping


# --------------------------------------------------------------------------- archived texts


def load_archives(root: Path, entities: list[Entity]) -> tuple[dict[str, Archive], list[DataError]]:
    """The archived text of every source that has one (source id → text), and the errors of those that cannot be
    read."""
    archives, errors = {}, []
    for entity in entities:
        path = entity.attrs.get("archive")
        if path:
            try:
                archives[entity.id] = Archive(read_archive(root, path, entity.at("archive")))
            except DataError as error:
                errors.append(error)
    return archives, errors


def read_archive(root: Path, path: str, where: Location) -> str:
    """The text of an archived source: a plain UTF-8 file inside seeds/ once every link is resolved.

    Nothing else is ever opened, so no data file can publish another file of the build machine.
    """
    seeds = root / ARCHIVE_DIR
    file = (root / path).resolve()
    hint = f"give the path of a text file in {ARCHIVE_DIR}/ from the project root, e.g. {ARCHIVE_DIR}/<file>.txt"
    if seeds.is_symlink() or not path.startswith(f"{ARCHIVE_DIR}/") or not file.is_relative_to(seeds.resolve()):
        raise DataError(where, f"archive file {shown(path)} is not inside {ARCHIVE_DIR}/", hint)
    if not file.is_file():
        raise DataError(where, f"archive file {shown(path)} does not exist", hint)
    if file.stat().st_size > MAX_ARCHIVE_BYTES:
        raise DataError(where, f"archive file {shown(path)} is larger than {MAX_ARCHIVE_BYTES // 1024} KiB",
                        "archive the article's text only")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(where, f"archive file {shown(path)} is not UTF-8 text (line {line})",
                        "save it with UTF-8 encoding") from None
    unsafe = UNSAFE_CHARS.search(text)
    if unsafe:
        message, fix = unsafe_char(unsafe.group())
        line = text.count("\n", 0, unsafe.start()) + 1
        raise DataError(where, f"archive file {shown(path)}, line {line}: {message}", fix)
    return text
