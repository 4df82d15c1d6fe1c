"""The package says what it needs and what it is: floors checked, a licence, metadata."""

from __future__ import annotations

import tomllib
from importlib.metadata import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# The lowest versions the whole suite passed on (uv pip install --resolution
# lowest-direct in a scratch venv): click 8.2.0 leaves CliRunner's stderr empty,
# Textual 8.2.6 never delivers search-as-you-type results to the app's reader.
CHECKED_FLOORS = {"click": Version("8.2.1"), "textual": Version("8.2.7")}


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_dependency_floors_are_the_ones_the_suite_passed_on() -> None:
    found = {}
    for line in _project()["dependencies"]:  # type: ignore[attr-defined]
        requirement = Requirement(line)
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert floors, f"{line}: every dependency declares a floor"
        found[requirement.name] = floors[0]
    for name, floor in CHECKED_FLOORS.items():
        assert found[name] >= floor, f"{name} >= {found[name]} admits versions that fail"


def test_a_licence_file_and_the_metadata_that_names_it() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    project = _project()
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert any("Typing :: Typed" in c for c in project["classifiers"])  # type: ignore[attr-defined]
    installed = metadata("narrate")
    assert installed["License-Expression"] == "MIT"
