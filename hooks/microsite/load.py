"""Read `data/<kind>/<id>.yml` files into entities, collecting every mistake."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.cyaml import CParser

from .errors import DataError, DataErrors, Location
from .model import COMMON_FIELDS, KINDS, Entity, Kind
from .schema import BOOL_TAG, NULL_TAG, Context, suggest

MAX_BYTES = 512 * 1024
MAX_NODES = 50_000
SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
COMMON = {f.name for f in COMMON_FIELDS}
KIND_BY_FOLDER = {kind.plural: kind for kind in KINDS.values()}


class _Resolver(yaml.resolver.BaseResolver):
    """Only what the schema asks of YAML: nulls and booleans. Every other plain scalar stays text (the field
    types read numbers and dates themselves), which also spares a regex test per scalar."""


_Resolver.yaml_implicit_resolvers = {
    first: kept
    for first, entries in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    if (kept := [(tag, rx) for tag, rx in entries if tag in (NULL_TAG, BOOL_TAG)])
}


class Loader(CParser, yaml.constructor.BaseConstructor, _Resolver):
    """libyaml's parser with the resolver above; the loader composes node trees and never constructs objects."""
_INDENT_TAB = re.compile(r"^ *\t", re.MULTILINE)


def load_all(root: Path, data_dir: str = "data") -> list[Entity]:
    """Load every data file under `root/data_dir`; raise `DataErrors` listing all problems."""
    entities: list[Entity] = []
    errors: list[DataError] = []
    base = root / data_dir
    if not base.is_dir():
        raise DataErrors([DataError(Location(data_dir), "the data folder does not exist", f"create {data_dir}/")])
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        folder = path.parent.relative_to(base).as_posix()
        kind = KIND_BY_FOLDER.get(folder)
        try:
            if kind is None:
                raise DataError(Location(rel), f"'{folder}' is not a data folder",
                                suggest(folder, tuple(KIND_BY_FOLDER)) or f"use one of: {', '.join(KIND_BY_FOLDER)}")
            if path.suffix != ".yml":
                raise DataError(Location(rel), "data files must end in .yml", f"rename it to {path.stem}.yml")
            entity, file_errors = load_file(path, rel, kind)
        except DataError as error:
            errors.append(error)
            continue
        errors.extend(file_errors)
        if entity is not None:
            entities.append(entity)
    if errors:
        raise DataErrors(errors)
    return entities


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
        message = f"id '{values['id']}' does not match the file name '{path.name}'"
        ctx.errors.append(DataError(ctx.at(_key_node(node, "id")), message,
                                    f"rename the file to {values['id']}.yml, or set 'id: {path.stem}'"))
    if ctx.errors:
        return None, ctx.errors
    common = {k: values.pop(k) for k in COMMON}
    entity = Entity(kind=kind, attrs=values, location=ctx.at(node), refs=ctx.refs, **common)
    return entity, []


def compose(path: Path, rel: str) -> yaml.Node:
    """Parse a file into a YAML node tree, refusing what a data file must not contain."""
    if path.stat().st_size > MAX_BYTES:
        raise DataError(Location(rel), f"file is larger than {MAX_BYTES // 1024} KiB", "split it into several entities")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(Location(rel, line), "the file is not UTF-8 text", "save it with UTF-8 encoding") from None
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
            problem = (f"YAML tag '{node.tag}' is not allowed", "remove the '!' tag; data files hold plain values")
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
