"""Random mutations of valid data never crash the checks: each run ends in data or in DataErrors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsite import check
from microsite.errors import DataErrors
from tests.conftest import MINIMAL

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))  # raise it for a longer hunt
FILES = sorted(p.relative_to(MINIMAL).as_posix() for p in (MINIMAL / "data").rglob("*.yml"))
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
