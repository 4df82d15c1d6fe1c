"""Choosing a theme writes config.toml through Config.save: the user's comments stay."""

from __future__ import annotations

from pathlib import Path

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from tests.tui.helpers import wait_for


async def test_choosing_a_theme_keeps_the_comments_in_the_config(
    journal: Journal, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(
        "# My narrate settings, written by hand.\n"
        'editor = "nano"  # the one I know\n\n'
        "# Kept out of every community:\n"
        'private_tags = ["health"]\n',
        "utf-8",
    )
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        pilot.app.theme = "narrate-paper"
        await wait_for(pilot, lambda: "narrate-paper" in config_file.read_text("utf-8"))
    text = config_file.read_text("utf-8")
    assert text.startswith("# My narrate settings, written by hand.\n")
    assert 'editor = "nano"  # the one I know' in text
    assert "# Kept out of every community:\n" in text
    assert 'theme = "narrate-paper"' in text


async def test_a_misspelled_config_key_is_said_in_the_app(
    journal: Journal, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('jornal = "~/journal"\n', "utf-8")
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(pilot.app._notifications))
        said = [n.message for n in pilot.app._notifications if "jornal" in n.message]
        assert len(said) == 1 and "'journal'" in said[0]
