"""Credentials in remote URLs never reach a message: doctor, sync, status, git's stderr."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.remote import redact
from tests.helpers import Cli

SECRET = "s3cretTOKEN"


def _journal(tmp_path: Path, url: str) -> Journal:
    journal = Journal.create(tmp_path / "journal")
    # As a user or another tool would set it: git itself, no validation on the way.
    subprocess.run(["git", "-C", str(journal.root), "remote", "add", "origin", url], check=True)
    return journal


@pytest.mark.parametrize(
    "text",
    [
        f"alice:{SECRET}@example.com:me/journal.git",
        f"'alice:{SECRET}@example.com:me/journal.git' does not appear to be a git repository",
        # git's own words for a git:// URL with a password (git 2.39).
        f"fatal: unable to look up alice:{SECRET}@127.0.0.1:1 (port 9418) (Name unknown)",
        f"fatal: unable to access 'https://alice:{SECRET}@example.com/x.git/': 403",
        f"remote: see ssh://alice:{SECRET}@example.com/x.git",
        f"https://{SECRET}@github.com/me/journal.git",
    ],
)
def test_redact_hides_every_form(text: str) -> None:
    assert SECRET not in redact(text)
    assert "***@" in redact(text)


def test_redact_keeps_what_is_not_a_secret() -> None:
    assert redact("git@github.com:me/journal.git") == "git@github.com:me/journal.git"
    assert redact("at 10:30 we met bob@example.com") == "at 10:30 we met bob@example.com"


def test_doctor_hides_the_remote_password(tmp_path: Path) -> None:
    journal = _journal(tmp_path, f"https://alice:{SECRET}@github.com/me/journal.git")
    result = Cli(journal.root)("doctor")
    assert "github.com/me/journal.git" in result.output
    assert SECRET not in result.output


def test_doctor_hides_the_scp_like_password(tmp_path: Path) -> None:
    journal = _journal(tmp_path, f"alice:{SECRET}@example.com:me/journal.git")
    result = Cli(journal.root)("doctor")
    assert "example.com:me/journal.git" in result.output
    assert SECRET not in result.output


def test_sync_failure_status_and_doctor_hide_gits_own_stderr(tmp_path: Path) -> None:
    # git names the host as "alice:TOKEN@127.0.0.1:1" in its own error text.
    journal = _journal(tmp_path, f"git://alice:{SECRET}@127.0.0.1:1/journal.git")
    cli = Cli(journal.root)
    synced = cli("sync")
    assert synced.exit_code == 1
    assert "look up" in synced.output  # git's stderr is part of the message...
    assert SECRET not in synced.output  # ...without the password
    data = json.loads(cli("status", "--json").stdout)
    assert data["last_error"] and SECRET not in data["last_error"]
    assert SECRET not in json.dumps(data)
    assert SECRET not in cli("status").output
    assert SECRET not in cli("doctor").output


def test_sync_failure_hides_the_scp_like_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = _journal(tmp_path, f"alice:{SECRET}@example.com:me/journal.git")
    # An ssh that fails at once, saying what a real one says, the URL's user included.
    fake = tmp_path / "fake-ssh"
    said = f"alice:{SECRET}@example.com: Permission denied"
    fake.write_text(f"#!/bin/sh\necho '{said}' >&2\nexit 255\n")
    fake.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(fake))
    cli = Cli(journal.root)
    synced = cli("sync")
    assert synced.exit_code == 1
    assert "Permission denied" in synced.output
    assert SECRET not in synced.output
    data = json.loads(cli("status", "--json").stdout)
    assert data["last_error"] and SECRET not in data["last_error"]


def test_status_hides_a_password_recorded_by_an_older_version(tmp_path: Path) -> None:
    journal = _journal(tmp_path, "https://github.com/me/journal.git")
    state = journal.state_dir()
    (state / "sync.json").write_text(
        json.dumps({"last_error": f"cannot reach https://alice:{SECRET}@github.com/x"})
    )
    data = json.loads(Cli(journal.root)("status", "--json").stdout)
    assert SECRET not in data["last_error"]


@pytest.mark.parametrize(
    "query",
    [
        f"private_token={SECRET}",
        f"access_token={SECRET}",
        f"token={SECRET}",
        f"ref=main&private_token={SECRET}&x=1",
        f"X-Amz-Signature={SECRET}",
        f"api_key={SECRET}",
    ],
)
def test_a_token_in_the_query_string_is_hidden_by_remote_set_show_and_status(
    tmp_path: Path, query: str
) -> None:
    journal = Journal.create(tmp_path / "journal")
    cli = Cli(journal.root)
    url = f"https://example.invalid/me/journal.git?{query}"
    set_output = cli.ok("remote", "set", url).output
    assert "example.invalid/me/journal.git?" in set_output and SECRET not in set_output
    shown = cli.ok("remote", "show").output
    assert shown.startswith("https://example.invalid/me/journal.git?"), shown
    assert SECRET not in shown and "***" in shown
    for output in (cli("status").output, cli("status", "--json").stdout, cli("doctor").output):
        assert SECRET not in output
    cli("sync")  # fails (no such host): its message and record hide the token too
    assert SECRET not in cli("status", "--json").stdout
    assert SECRET not in cli("status").output


def test_redact_keeps_a_query_that_holds_no_secret() -> None:
    url = "https://example.com/x.git?ref=main&depth=1"
    assert redact(url) == url
