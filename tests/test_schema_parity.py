"""The editor sees what `make check` sees: each mistake of the corpus is caught by the check and by the JSON Schema
of its kind alike, or by one side only for a reason listed in tests/schema-parity.yml.

The corpus is every case of tests/mistakes.yml and tests/hostile/*.yml, and every valid data file. The check side
is the real core on a copy of the minimal project; the schema side reads each file the case wrote as an editor's
YAML 1.2 language server does (`editor_view`) and validates it against the committed schema its modeline names.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from microsite.model import KINDS
from tests import test_data_errors, test_hostile
from tests.conftest import MINIMAL, ROOT, check_report

ALLOWED = ROOT / "tests" / "schema-parity.yml"
SCHEMA_OF = {kind.plural: kind.name for kind in KINDS.values()}
# YAML 1.2's core schema, which editors' YAML language servers follow: only these plain scalars are not text.
CORE = [
    (re.compile(r"(?:~|null|Null|NULL|)"), lambda _: None),
    (re.compile(r"true|True|TRUE"), lambda _: True),
    (re.compile(r"false|False|FALSE"), lambda _: False),
    (re.compile(r"[-+]?[0-9]+"), int),
    (re.compile(r"0o[0-7]+"), lambda text: int(text[2:], 8)),
    (re.compile(r"0x[0-9a-fA-F]+"), lambda text: int(text[2:], 16)),
    (re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"), float),
    (re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"), lambda text: float(text.replace(".", ""))),
]
PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map")}  # what an untagged node gets


class _Plain(yaml.SafeLoader):
    """PyYAML's parser and composer with no implicit types: every plain scalar keeps its text for `_value`."""


_Plain.yaml_implicit_resolvers = {}


def editor_view(raw: bytes) -> list[Any]:
    """The documents of a file as an editor's YAML 1.2 language server reads them; `ValueError` for what it shows as a
    YAML error (syntax, a key written twice, a tag it does not know)."""
    try:
        return [_value(node) for node in yaml.compose_all(raw.decode("utf-8", errors="replace"), Loader=_Plain)]
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from None


def _value(node: yaml.Node) -> Any:
    if node.tag not in PLAIN_TAGS:
        raise ValueError(f"unresolved tag {node.tag}")
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key, value in node.value:
            name = _value(key)
            if name in mapping:
                raise ValueError(f"map keys must be unique: {name!r}")
            mapping[name] = _value(value)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_value(item) for item in node.value]
    if node.style is None:  # plain: typed by the core schema
        return next((make(node.value) for rx, make in CORE if rx.fullmatch(node.value)), node.value)
    return node.value


def schema_errors(project: Path, rel: str) -> list[str]:
    """What the editor shows for one file of a kind's folder: its YAML errors, or where its schema refuses it."""
    path = project / rel
    if path.parent.parent != project / "data" or path.parent.name not in SCHEMA_OF or path.suffix != ".yml" \
            or path.is_symlink() or not path.is_file():
        return []  # no kind's schema applies to it
    schema = json.loads((ROOT / "schemas" / f"{SCHEMA_OF[path.parent.name]}.json").read_text(encoding="utf-8"))
    try:
        documents = editor_view(path.read_bytes())
    except ValueError as error:
        return [f"YAML: {error}"]
    validator = Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for doc in documents for e in validator.iter_errors(doc)]


@dataclass(frozen=True)
class Mistake:
    """A case of the corpus: how it changes a copy of the minimal project, and which files it writes."""

    id: str
    files: tuple[str, ...]
    steps: Any

    def apply(self, project: Path) -> None:
        if isinstance(self.steps, test_data_errors.Case):
            test_data_errors.write(project, self.steps)
        else:
            test_hostile.apply(project, self.steps)


def corpus() -> list[Mistake]:
    mistakes = [Mistake(f"mistakes: {case.name}", (case.path,), case) for case in test_data_errors.CASES]
    for case in test_hostile.CASES:
        files = (*case.steps.get("write", {}), *case.steps.get("replace", {}))
        mistakes.append(Mistake(f"{case.rule}: {case.name}", files, case.steps))
    return mistakes


def allowed() -> dict[str, str]:
    """Case id → 'loader only' or 'schema only', from the committed allow-list (each group has its reason)."""
    spec = yaml.safe_load(ALLOWED.read_text(encoding="utf-8"))
    found = {}
    for side in ("loader only", "schema only"):
        for group in spec.get(side) or ():
            assert group["reason"].strip(), f"{side}: every group gives its reason"
            found.update(dict.fromkeys(group["cases"], side))
    return found


def divergence(project: Path, mistake: Mistake) -> str | None:
    """'loader only' or 'schema only' when one side refuses the case and the other lets it pass, else None."""
    shutil.copytree(MINIMAL, project)
    mistake.apply(project)
    loader = not check_report(project).startswith("data OK")
    schema = any(schema_errors(project, rel) for rel in mistake.files)
    return None if loader == schema else "loader only" if loader else "schema only"


def test_only_the_listed_mistakes_are_caught_by_one_side_alone(tmp_path: Path) -> None:
    mistakes = corpus()
    found = {m.id: side for n, m in enumerate(mistakes) if (side := divergence(tmp_path / str(n), m))}
    listed = allowed()
    new = {case: side for case, side in found.items() if listed.get(case) != side}
    gone = sorted(set(listed) - set(found))
    assert not new, f"caught by one side only, not in {ALLOWED.name}: {new}"
    assert not gone, f"listed in {ALLOWED.name}, but both sides now agree (remove them): {gone}"
    assert set(listed) <= {m.id for m in mistakes}, "the allow-list names a case the corpus does not have"


@pytest.mark.parametrize("rel", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "data").glob("*/*.yml")
                                      if p.parent.name in SCHEMA_OF))
def test_every_real_data_file_is_valid_for_its_schema_too(rel: str) -> None:
    assert schema_errors(ROOT, rel) == []


def test_the_minimal_fixture_is_valid_for_the_schemas_too() -> None:
    files = sorted(p.relative_to(MINIMAL).as_posix() for p in (MINIMAL / "data").glob("*/*.yml"))
    assert files and {rel: schema_errors(MINIMAL, rel) for rel in files} == dict.fromkeys(files, [])


@pytest.mark.parametrize(("text", "value"), [
    ("country: no\nkey: yes\nname: off", {"country": "no", "key": "yes", "name": "off"}),
    ("country: ~\nrole:\nend: null", {"country": None, "role": None, "end": None}),
    ("key: true\nflag: False\ndate: 2021\nday: 2023-08-07", {"key": True, "flag": False, "date": 2021, "day": "2023-08-07"}),
    ("date: 0x7E5\nratio: 1.5\nq: '~'", {"date": 2021, "ratio": 1.5, "q": "~"}),
])
def test_the_editor_view_reads_yaml_as_yaml_1_2_does(text: str, value: dict[str, Any]) -> None:
    assert editor_view(text.encode()) == [value]


@pytest.mark.parametrize("text", ["a: 1\na: 2", "a: !!python/object/apply:os.system [ls]", "a: [b"])
def test_the_editor_view_refuses_what_an_editor_marks_as_a_yaml_error(text: str) -> None:
    with pytest.raises(ValueError):
        editor_view(text.encode())
