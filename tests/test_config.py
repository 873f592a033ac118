"""`extra.microsite` in mkdocs.yml is checked like data: a wrong value or an unknown key stops the build clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build


@pytest.mark.parametrize(("setting", "message"), [
    ("overview: kim-jong-un", "extra.microsite.overview: the home page overview 'kim-jong-un' is not the id of an event"),
    ("overview: no-such-event", "the home page overview 'no-such-event' is not the id of an event"),
    ("overveiw: npo-mash-intrusion", "extra.microsite: overveiw: Unrecognised configuration name: overveiw"),
])
def test_a_wrong_microsite_setting_stops_the_build_with_its_message(project: Path, setting: str, message: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("overview: npo-mash-intrusion", setting, 1), encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (project / "site" / "index.html").exists()
