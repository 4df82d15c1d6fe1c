"""Themes from files: narrate's own, the user's, broken ones, and the remembered choice."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.themes import (
    DEFAULT_THEME,
    ThemeFileError,
    builtin_theme_dir,
    load_themes,
    parse_theme,
)
from tests.tui.helpers import wait_for

GOOD = """
name = "mine"
primary = "#336699"
background = "#101010"
dark = true
[variables]
"footer-key-foreground" = "#ff8800"
"""


def test_narrate_ships_at_least_four_themes_that_all_load() -> None:
    loaded = load_themes([builtin_theme_dir()])
    assert loaded.problems == []
    names = {theme.name for theme in loaded.themes}
    assert len(names) >= 4 and DEFAULT_THEME in names
    assert any(not theme.dark for theme in loaded.themes)  # at least one light theme


def test_the_project_root_themes_folder_is_the_packaged_one() -> None:
    root_themes = Path(__file__).resolve().parents[2] / "themes"
    assert root_themes.resolve() == builtin_theme_dir().resolve()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name = 'x'\nprimary = ", "not valid TOML"),
        ("primary = '#123456'", "'name' is missing"),
        ("name = 'x'", "'primary' is missing"),
        ("name = 'x'\nprimary = 'no-such-colour'", "'primary' is not a colour"),
        ("name = 'x'\nprimary = 12", "'primary' must be a colour string"),
        ("name = 'x'\nprimary = '#123456'\ndark = 'yes'", "'dark' must be true or false"),
        ("name = 'x'\nprimary = '#123456'\ncolour = '#fff'", "unknown key 'colour'"),
        ("name = 'x'\nprimary = '#123456'\nvariables = 3", "[variables] must be a table"),
    ],
)
def test_a_broken_theme_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ThemeFileError, match=problem.replace("[", r"\[")):
        parse_theme(text)


def test_a_theme_file_becomes_a_textual_theme() -> None:
    theme = parse_theme(GOOD)
    assert (theme.name, theme.primary, theme.dark) == ("mine", "#336699", True)
    assert theme.variables == {"footer-key-foreground": "#ff8800"}


async def test_broken_theme_files_are_reported_once_and_skipped(
    journal: Journal, user_themes: Path
) -> None:
    (user_themes / "mine.toml").write_text(GOOD, "utf-8")
    (user_themes / "broken.toml").write_text("name = 'oops'\nprimary = [", "utf-8")
    (user_themes / "badcolour.toml").write_text("name = 'b'\nprimary = 'blurple'", "utf-8")
    (user_themes / "binary.toml").write_bytes(b"\xff\xfe\x00")
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        app = pilot.app
        assert "mine" in app.available_themes
        assert "oops" not in app.available_themes
        notes = [n for n in app._notifications if "theme file" in n.title]
        assert len(notes) == 1
        assert notes[0].title == "Skipped 3 theme files"
        for name in ["broken.toml", "badcolour.toml", "binary.toml"]:
            assert name in notes[0].message
        assert app.theme == DEFAULT_THEME  # the app still starts, in its own theme


async def test_theme_chosen_in_the_palette_is_saved_and_restored(
    journal: Journal, config_file: Path
) -> None:
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        assert pilot.app.theme == DEFAULT_THEME
        await pilot.press("ctrl+p", *"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press(*"narrate-paper")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.theme == "narrate-paper")
        await wait_for(pilot, config_file.exists)
        await wait_for(pilot, lambda: "narrate-paper" in config_file.read_text("utf-8"))
    assert tomllib.loads(config_file.read_text("utf-8"))["theme"] == "narrate-paper"
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        assert pilot.app.theme == "narrate-paper"


async def test_saving_the_theme_keeps_the_rest_of_the_config(
    journal: Journal, config_file: Path, user_themes: Path
) -> None:
    (user_themes / "mine.toml").write_text(GOOD, "utf-8")
    config_file.write_text('private_tags = ["health"]\n\n[author]\nhandle = "ana"\n', "utf-8")
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        pilot.app.theme = "mine"
        await wait_for(pilot, lambda: "mine" in config_file.read_text("utf-8"))
    data = tomllib.loads(config_file.read_text("utf-8"))
    assert data == {"private_tags": ["health"], "author": {"handle": "ana"}, "theme": "mine"}


async def test_an_unknown_saved_theme_falls_back_to_the_default(
    journal: Journal, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('theme = "gone-theme"\n', "utf-8")
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        assert pilot.app.theme == DEFAULT_THEME
        assert any("gone-theme" in n.message for n in pilot.app._notifications)
        await pilot.pause(0.3)  # time for a (wrong) save to happen
    # The user's choice is not overwritten just because the theme is missing today.
    assert 'theme = "gone-theme"' in config_file.read_text("utf-8")


async def test_a_broken_config_is_never_overwritten(journal: Journal, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text("theme = [unclosed\n", "utf-8")
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        assert any("not valid TOML" in n.message for n in pilot.app._notifications)
        pilot.app.theme = "narrate-moss"
        await pilot.pause(0.3)
    assert config_file.read_text("utf-8") == "theme = [unclosed\n"
