"""The gpg runner beside the git runner: bounded, no terminal, typed errors."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from narrate.journal import gitrun
from narrate.journal.gitrun import GpgError


def test_missing_gpg_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GpgError) as failed:
        gitrun.run_gpg(["--version"])
    assert failed.value.kind == "missing"
    assert "apt install gnupg" in str(failed.value) and "brew install gnupg" in str(failed.value)


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg (GnuPG) is not installed")
def test_gpg_failures_are_one_line_and_binary_output_is_no_crash(tmp_path: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="ngpg", dir="/tmp"))  # agent sockets: short paths
    try:
        with pytest.raises(GpgError) as refused:
            gitrun.run_gpg(["--homedir", str(home), "--list-keys", "--", "nobody@nowhere"])
        assert "\n" not in str(refused.value) and "gpg failed" in str(refused.value)
        stored = gitrun.run_gpg(["--homedir", str(home), "--store"], input="journal")
        assert stored.returncode == 0 and stored.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_only_a_terminal_command_lets_pinentry_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPG_TTY", "/dev/pts/7")
    assert gitrun.gpg_terminal(True) == ({}, ())
    env, unset = gitrun.gpg_terminal(False)
    assert "GPG_TTY" not in gitrun.git_env(env, unset)
    assert gitrun.git_env()["GPG_TTY"] == "/dev/pts/7"
