"""The config is read once per CLI call, and its warnings are said once."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.errors import NarrateError
from narrate.paths import config_file, data_dir
from tests.helpers import Cli, run_narrate


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_a_misspelled_key_is_warned_about_once_naming_the_right_one(root: Path) -> None:
    write_config(f'journal = "{root}"\njornal = "x"\n')
    # practice reads the config for the journal and for the check-back weeks.
    result = run_narrate("practice")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "jornal" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("narrate: warning: ")
    assert "'journal'" in warnings[0]


def test_the_config_is_loaded_once_per_call(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import narrate.config

    write_config(f'journal = "{root}"\nsync_timeout = 5\n')
    real = narrate.config.load_config
    calls: list[object] = []

    def counted(path: Path | None = None) -> narrate.config.Config:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(narrate.config, "load_config", counted)
    cli = Cli(root)
    assert cli("practice", journal=False).exit_code == 0
    assert len(calls) == 1
    calls.clear()
    assert cli("review", journal=False).exit_code == 0
    assert len(calls) == 1


def test_community_remove_keeps_the_clone_when_the_config_cannot_be_saved(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrate.config

    path = write_config('# mine\n[communities.team]\nurl = "/nowhere.git"\nmember = "ana"\n')
    clone = data_dir() / "communities" / "team.git"
    clone.mkdir(parents=True)
    (clone / "HEAD").write_text("ref: refs/heads/main\n")

    def refuse(self: narrate.config.Config) -> None:
        raise NarrateError(f"cannot update config {self.path}: read-only; fix it by hand")

    with monkeypatch.context() as patched:
        patched.setattr(narrate.config.Config, "save", refuse)
        result = Cli(root)("community", "remove", "team", journal=False)
    assert result.exit_code == 1
    assert "cannot update config" in result.output
    assert (clone / "HEAD").exists(), "the clone is deleted only after the config is saved"
    assert "[communities.team]" in path.read_text("utf-8")
    Cli(root).ok("community", "remove", "team")
    assert not clone.exists()
