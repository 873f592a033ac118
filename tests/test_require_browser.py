"""Without a browser the browser tests are skipped, unless REQUIRE_BROWSER=1 (CI): then they fail and say why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser import conftest as browser
from tests.conftest import ROOT

# Any one browser test: a missing browser stops it before the site is built, so the run takes a second or two.
ONE_BROWSER_TEST = "tests/browser/test_reading.py::test_searching_an_alias_finds_the_entity_that_carries_it"


def run_without_a_browser(tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    """pytest on one browser test, with $CHROMIUM_PATH pointing at nothing and no PATH to look a browser up in."""
    env = {key: value for key, value in os.environ.items() if key not in ("REQUIRE_BROWSER", "CHROMIUM_PATH")}
    env |= {"CHROMIUM_PATH": "/nonexistent/chromium", "PATH": str(Path(sys.executable).parent), **env_vars}
    command = [sys.executable, "-m", "pytest", ONE_BROWSER_TEST, "-rs", "-p", "no:cacheprovider", "--basetemp", str(tmp_path)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("required", ["1", None], ids=["required-fails", "optional-skips"])
def test_a_missing_browser_fails_the_browser_tests_only_when_required(tmp_path: Path, required: str | None) -> None:
    result = run_without_a_browser(tmp_path / "run", **({"REQUIRE_BROWSER": required} if required else {}))
    output = result.stdout + result.stderr
    assert "CHROMIUM_PATH=/nonexistent/chromium is not an executable file" in output, output
    if required:
        assert result.returncode != 0, output
        assert "REQUIRE_BROWSER=1 but" in output and "1 error" in output and "skipped" not in output, output
    else:
        assert result.returncode == 0, output
        assert "1 skipped" in output and "browser tests skipped" in output, output


def test_a_chromium_from_playwright_install_is_used_when_debian_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed = tmp_path / "chrome-linux64" / "chrome"
    driver = SimpleNamespace(chromium=SimpleNamespace(executable_path=str(installed)))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(browser, "DEBIAN_CHROMIUM", tmp_path / "no-chromium")
    assert "nor from `playwright install chromium`" in str(browser.find_chromium(driver))  # type: ignore[arg-type]
    installed.parent.mkdir()
    installed.write_text("#!/bin/sh\n")
    installed.chmod(0o755)
    assert browser.find_chromium(driver) == installed  # type: ignore[arg-type]
