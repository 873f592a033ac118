"""Random mutations of valid data never crash the checks: each run ends in data or in DataErrors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsite import check
from microsite.errors import DataError, DataErrors, Location
from microsite.schema import Context, FormerId, Slug
from tests.conftest import MINIMAL

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))  # raise it for a longer hunt
FILES = sorted(p.relative_to(MINIMAL).as_posix() for p in (MINIMAL / "data").rglob("*.yml"))
MARK = yaml.Mark("x.yml", 0, 0, 0, None, None)
NOISE = st.text(alphabet=st.sampled_from(list(" :-[]{}#&*!|>'\"\t\n%@`,?") + ["a", "1", "é", "\x00", "\ufeff"]), max_size=8)


def mutate(text: str, how: str, position: int, noise: str) -> str:
    lines = text.splitlines(keepends=True)
    at = position % max(len(lines), 1)
    if how == "delete-line":
        del lines[at]
    elif how == "duplicate-line":
        lines.insert(at, lines[at])
    elif how == "swap-lines" and at + 1 < len(lines):
        lines[at], lines[at + 1] = lines[at + 1], lines[at]
    elif how == "insert-noise":
        cut = position % max(len(text), 1)
        return text[:cut] + noise + text[cut:]
    elif how == "replace-value" and ":" in lines[at]:
        key = lines[at].split(":", 1)[0]
        lines[at] = f"{key}: {noise}\n"
    elif how == "indent":
        lines[at] = "  " + lines[at]
    return "".join(lines)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file=st.sampled_from(FILES),
    mutations=st.lists(st.tuples(
        st.sampled_from(["delete-line", "duplicate-line", "swap-lines", "insert-noise", "replace-value", "indent"]),
        st.integers(0, 10_000), NOISE), min_size=1, max_size=4),
)
def test_random_mutations_of_valid_data_never_raise_anything_but_data_errors(tmp_path: Path, file: str, mutations) -> None:
    project = tmp_path / "fuzz"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(MINIMAL, project)
    target = project / file
    text = target.read_text(encoding="utf-8")
    for how, position, noise in mutations:
        text = mutate(text, how, position, noise)
    target.write_text(text, encoding="utf-8")
    try:
        check(project)
    except DataErrors as errors:
        assert errors.errors, "DataErrors must carry at least one error"
        for error in errors.errors:
            assert error.location.path.startswith("data/") and error.location.line >= 1


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("/.\\~:-_ a1")), min_size=1, max_size=12))
def test_an_accepted_former_id_names_a_url_inside_the_site_and_nothing_else(value: str) -> None:
    ctx = Context("data/actors/x.yml")
    node = yaml.ScalarNode("tag:yaml.org,2002:str", value, MARK, MARK)
    try:
        old = FormerId().convert(node, ctx)
    except DataError:
        return
    path = PurePosixPath(old)
    assert not path.is_absolute() and ".." not in path.parts and len(path.parts) <= 2, old
    assert all(Slug().checked(part, Location("x")) for part in path.parts)
