"""The encrypted remote over real git-remote-gcrypt and GnuPG: a bare repository as the
host, journals as devices, throwaway GnuPG homes with keys that have no passphrase."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from narrate.cli import main
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.sync import Syncer, SyncError

pytestmark = pytest.mark.skipif(
    shutil.which("git-remote-gcrypt") is None or shutil.which("gpg") is None,
    reason="the encrypted remote needs git-remote-gcrypt and gpg (GnuPG), not installed "
    "here: apt install git-remote-gcrypt gnupg",
)

# gpg-agent answers on a socket in the GnuPG home, and a socket's path must stay under
# ~100 bytes: pytest's tmp_path is too deep, so the homes live in /tmp directly.
PINENTRY = """#!{python}
import sys
print("OK pleased to meet you", flush=True)
for line in sys.stdin:
    command = line.split(" ", 1)[0].strip().upper()
    if command == "GETPIN":
        print("D ", flush=True)  # an empty passphrase, confirmed below
    print("OK", flush=True)
    if command == "BYE":
        break
"""


def gpg(home: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run gpg in ``home``."""
    return subprocess.run(
        ["gpg", "--batch", "--homedir", str(home), *args],
        input=data,
        capture_output=True,
        check=True,
    ).stdout


def make_home() -> Path:
    """A GnuPG home whose agent asks a fake pinentry (an empty passphrase, accepted)."""
    home = Path(tempfile.mkdtemp(prefix="ngpg", dir="/tmp"))
    home.chmod(0o700)
    pinentry = home / "pinentry"
    pinentry.write_text(PINENTRY.format(python=sys.executable), "utf-8")
    pinentry.chmod(0o700)
    (home / "gpg-agent.conf").write_text(f"pinentry-program {pinentry}\n", "utf-8")
    return home


def make_key(home: Path, uid: str) -> str:
    """A key without passphrase (ed25519 signs, cv25519 encrypts); its fingerprint."""
    gpg(home, "--passphrase", "", "--quick-generate-key", uid, "future-default", "default", "0")
    listed = gpg(home, "--with-colons", "--list-secret-keys", uid).decode()
    return next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr"))


def share_public_key(source: Path, target: Path, fingerprint: str) -> None:
    """What a person does by hand: export a public key on one device, import it on another."""
    gpg(target, "--import", data=gpg(source, "--export", "--armor", fingerprint))


@pytest.fixture
def homes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """GnuPG homes for the test (the first is in use), their agents killed at the end."""
    made: list[Path] = []

    def new() -> Path:
        made.append(make_home())
        return made[-1]

    new()
    monkeypatch.setenv("GNUPGHOME", str(made[0]))
    monkeypatch.delenv("GPG_TTY", raising=False)
    holder: list[Path] = made
    yield holder
    for home in made:
        if shutil.which("gpgconf"):  # the agent would outlive its deleted home otherwise
            subprocess.run(
                ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True
            )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def key_a(homes: list[Path]) -> str:
    """Device A's key, in the GnuPG home in use."""
    return make_key(homes[0], "Device A <a@narrate.invalid>")


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """The git host: an empty bare repository."""
    path = tmp_path / "host.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def narrate(*args: str) -> Result:
    """The CLI, in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    """The CLI, which must succeed."""
    result = narrate(*args)
    assert result.exit_code == 0, result.output
    return result


def add(root: Path, body: str, title: str) -> Entry:
    """Add an entry through the API (write, index, commit)."""
    with Journal.open(root) as journal:
        return journal.add(Entry.new(body, title=title))


def sync(root: Path) -> None:
    """One sync of the journal at ``root``."""
    with Journal.open(root) as journal:
        Syncer(journal, 30.0).run()


def host_objects(host: Path) -> bytes:
    """Every object the host holds, as git stores it (decompressed)."""
    return subprocess.run(
        ["git", "-C", str(host), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout


def commit_messages(root: Path) -> list[str]:
    """The subject of every commit in the journal."""
    log = subprocess.run(
        ["git", "-C", str(root), "log", "--all", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in log.splitlines() if line]


def assert_host_sees_nothing(host: Path, roots: list[Path], sentinels: list[str]) -> None:
    """No entry body, title, file name or commit message is readable on the host."""
    stored = host_objects(host)
    assert stored, "the host holds nothing at all"
    names = [p.name for root in roots for p in (root / "entries").rglob("*.md")]
    messages = [m for root in roots for m in commit_messages(root)]
    for needle in [*sentinels, *names, *(p.removesuffix(".md") for p in names), *messages]:
        assert needle.encode() not in stored, needle


def test_two_devices_sync_conflict_clone_and_the_host_sees_nothing(
    tmp_path: Path, key_a: str, host: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    url = f"gcrypt::{host}"
    made = ok("init", str(a), "--remote", str(host), "--encrypt")
    assert "Encrypted remote" in made.output
    config = subprocess.run(
        ["git", "-C", str(a), "config", "--get-regexp", "^remote.origin"],
        capture_output=True,
        text=True,
    ).stdout
    assert f"remote.origin.url {url}" in config
    assert f"remote.origin.gcrypt-participants {key_a}" in config
    assert f"remote.origin.gcrypt-signingkey {key_a}" in config

    first = add(a, "SENTINELBODYALPHA about the retry fix", "SENTINELTITLEALPHA")
    ok("sync", "--journal", str(a))

    cloned = ok("init", str(b), "--clone", url)
    assert (b / first.path).read_text("utf-8").count("SENTINELBODYALPHA") == 1
    add(b, "SENTINELBODYBRAVO from the laptop", "SENTINELTITLEBRAVO")
    ok("sync", "--journal", str(b))
    assert "Encrypted remote" in cloned.output
    ok("sync", "--journal", str(a))
    assert any("SENTINELBODYBRAVO" in p.read_text("utf-8") for p in (a / "entries").rglob("*.md"))

    # Both devices change the same entry: A's sync wins the race, B keeps both versions.
    path_a, path_b = a / first.path, b / first.path
    path_a.write_text(path_a.read_text("utf-8") + "SENTINELEDITA\n", "utf-8")
    path_b.write_text(path_b.read_text("utf-8") + "SENTINELEDITB\n", "utf-8")
    ok("sync", "--journal", str(a))
    conflicted = ok("sync", "--journal", str(b))
    assert "Conflict in" in conflicted.output
    texts = {p.name: p.read_text("utf-8") for p in (b / "entries").rglob("*.md")}
    assert "SENTINELEDITB" in texts[path_b.name]
    copies = [name for name in texts if "-conflict-" in name]
    assert len(copies) == 1 and "SENTINELEDITA" in texts[copies[0]]
    ok("sync", "--journal", str(a))
    assert (a / "entries" / first.path.split("/", 1)[1]).exists()
    assert any("-conflict-" in p.name for p in (a / "entries").rglob("*.md"))

    assert_host_sees_nothing(
        host,
        [a, b],
        [
            "SENTINELBODYALPHA",
            "SENTINELTITLEALPHA",
            "SENTINELBODYBRAVO",
            "SENTINELTITLEBRAVO",
            "SENTINELEDITA",
            "SENTINELEDITB",
            "retry fix",
            "Device A",
        ],
    )


def test_offline_keeps_commits_and_the_next_sync_pushes_them(
    tmp_path: Path, key_a: str, host: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    ok("init", str(a), "--remote", f"gcrypt::{host}")
    ok("sync", "--journal", str(a))
    away = tmp_path / "unplugged.git"
    host.rename(away)
    entry = add(a, "SENTINELOFFLINE written on the train", "On the train")
    with Journal.open(a) as journal, pytest.raises(SyncError) as failed:
        Syncer(journal, 30.0).run()
    assert failed.value.kind == "offline"
    assert "your commits are kept" in str(failed.value).lower()
    assert (a / entry.path).exists()
    assert "On the train" in "\n".join(commit_messages(a)) or commit_messages(a)
    status = json.loads(ok("status", "--json", "--journal", str(a)).output)
    assert status["last_error_kind"] == "offline" and status["encrypted"] is True

    away.rename(host)
    sync(a)
    ok("init", str(b), "--clone", f"gcrypt::{host}")
    assert (b / entry.path).read_text("utf-8").count("SENTINELOFFLINE") == 1
    assert_host_sees_nothing(host, [a, b], ["SENTINELOFFLINE", "written on the train"])


def test_a_second_device_with_its_own_key(
    tmp_path: Path, homes: list[Path], key_a: str, host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    home_a, home_b = homes[0], make_home()
    homes.append(home_b)
    key_b = make_key(home_b, "Device B <b@narrate.invalid>")
    ok("init", str(a), "--remote", f"gcrypt::{host}")
    add(a, "SENTINELBEFOREB", "Before B")
    sync(a)

    # Each device imports the other's public key; A makes B a participant.
    share_public_key(home_b, home_a, key_b)
    share_public_key(home_a, home_b, key_a)
    added = ok("remote", "add-key", key_b, "--journal", str(a))
    assert "at the next push" in added.output and "narrate sync" in added.output
    ok("sync", "--journal", str(a))

    monkeypatch.setenv("GNUPGHOME", str(home_b))
    ok("init", str(b), "--clone", f"gcrypt::{host}")
    assert any("SENTINELBEFOREB" in p.read_text("utf-8") for p in (b / "entries").rglob("*.md"))
    add(b, "SENTINELFROMB", "From B")
    ok("sync", "--journal", str(b))
    status = json.loads(ok("status", "--json", "--journal", str(b)).output)
    assert [p["fingerprint"] for p in status["participants"]] == [key_a, key_b]
    assert status["participants"][0]["uid"] == "Device A <a@narrate.invalid>"

    monkeypatch.setenv("GNUPGHOME", str(home_a))
    ok("sync", "--journal", str(a))
    assert any("SENTINELFROMB" in p.read_text("utf-8") for p in (a / "entries").rglob("*.md"))
    shown = ok("status", "--journal", str(a)).output
    assert "Encrypted (git-remote-gcrypt) for:" in shown and "Device B" in shown
    assert_host_sees_nothing(host, [a, b], ["SENTINELBEFOREB", "SENTINELFROMB", "Device B"])


def test_a_device_without_the_key_cannot_clone(
    tmp_path: Path, homes: list[Path], key_a: str, host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("init", str(tmp_path / "a"), "--remote", f"gcrypt::{host}")
    ok("sync", "--journal", str(tmp_path / "a"))
    stranger = make_home()
    homes.append(stranger)
    make_key(stranger, "Stranger <s@narrate.invalid>")
    monkeypatch.setenv("GNUPGHOME", str(stranger))
    refused = narrate("init", str(tmp_path / "b"), "--clone", f"gcrypt::{host}")
    assert refused.exit_code == 1
    assert "not for a GnuPG key this device holds" in refused.output


def test_a_key_is_made_for_the_journal_when_there_is_none(
    tmp_path: Path, homes: list[Path]
) -> None:
    host = tmp_path / "host.git"
    subprocess.run(["git", "init", "-q", "--bare", str(host)], check=True)
    made = ok("init", str(tmp_path / "a"), "--remote", str(host), "--encrypt")
    assert "Made key" in made.output and "--export-secret-keys" in made.output
    listed = gpg(homes[0], "--with-colons", "--list-secret-keys").decode()
    assert "(narrate journal)" in listed
    add(tmp_path / "a", "SENTINELNEWKEY", "New key")
    ok("sync", "--journal", str(tmp_path / "a"))
    assert_host_sees_nothing(host, [tmp_path / "a"], ["SENTINELNEWKEY"])


def test_several_keys_are_listed_and_key_picks_one(
    tmp_path: Path, homes: list[Path], key_a: str, host: Path
) -> None:
    other = make_key(homes[0], "Work <work@narrate.invalid>")
    refused = narrate("init", str(tmp_path / "a"), "--remote", str(host), "--encrypt")
    assert refused.exit_code == 1
    assert "Device A" in refused.output and "Work" in refused.output and "--key" in refused.output
    assert not (tmp_path / "a").exists()  # nothing written before the key is known
    ok("init", str(tmp_path / "a"), "--remote", str(host), "--encrypt", "--key", other)
    status = json.loads(ok("status", "--json", "--journal", str(tmp_path / "a")).output)
    assert [p["fingerprint"] for p in status["participants"]] == [other]


def test_missing_tools_say_how_to_install_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    only_git = tmp_path / "bin"
    only_git.mkdir()
    git = shutil.which("git")
    assert git
    os.symlink(git, only_git / "git")
    monkeypatch.setenv("PATH", str(only_git))
    refused = narrate(
        "remote", "set", "https://user:secret@host/x", "--encrypt", "--journal", str(root)
    )
    assert refused.exit_code == 1
    assert "apt install git-remote-gcrypt gnupg" in refused.output
    assert "brew install git-remote-gcrypt gnupg" in refused.output
    assert "secret" not in refused.output


def test_remote_set_refuses_unsafe_encrypted_urls(root: Path, key_a: str) -> None:
    for url in ("gcrypt::ext::sh -c x", "ext::sh -c x", "gcrypt::gcrypt::/x", "gcrypt::-oX"):
        refused = narrate("remote", "set", url, "--journal", str(root))
        assert refused.exit_code == 1, url
    shown = narrate(
        "remote", "set", "gcrypt::https://user:secret@host/x", "--journal", str(root)
    ).output
    assert "secret" not in shown and "gcrypt::https://***@host/x" in shown
    assert "secret" not in ok("status", "--journal", str(root)).output


def test_a_push_never_overwrites_what_another_device_pushed(
    tmp_path: Path, key_a: str, host: Path
) -> None:
    # gcrypt force-pushes whatever it is given ("Due to a longstanding bug, this push
    # implicitly has --force"): a device whose fetch is stale must be refused, not win.
    from narrate.journal import crypt
    from narrate.journal.sync import SyncResult

    a, b = tmp_path / "a", tmp_path / "b"
    ok("init", str(a), "--remote", f"gcrypt::{host}")
    ok("sync", "--journal", str(a))
    ok("init", str(b), "--clone", f"gcrypt::{host}")
    add(b, "SENTINELRACEB", "From B")
    with Journal.open(b) as journal:
        syncer = Syncer(journal, 30.0)
        branch = syncer.preflight()
        stale = syncer._fetch(branch)  # B looks at the remote ...
        add(a, "SENTINELRACEA", "From A")
        sync(a)  # ... A pushes in between ...
        syncer.participants = crypt.read(b).participants
        assert syncer._push(branch, stale, SyncResult()) is False  # ... and B is refused
        syncer.run()  # the real sync fetches again, integrates and pushes both
    sync(a)
    for root in (a, b):
        texts = "\n".join(p.read_text("utf-8") for p in (root / "entries").rglob("*.md"))
        assert "SENTINELRACEA" in texts and "SENTINELRACEB" in texts


def test_the_app_syncs_an_encrypted_journal_and_says_where_it_stands(
    tmp_path: Path, key_a: str, host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.tui.status import safe_summary
    from narrate.tui.sync import run_sync

    a = tmp_path / "a"
    ok("init", str(a), "--remote", f"gcrypt::{host}")
    add(a, "SENTINELAPP", "From the app")
    # A shell's GPG_TTY must not reach the app's gpg: a text pinentry would draw over it.
    monkeypatch.setenv("GPG_TTY", "/dev/pts/99")
    with Journal.open(a) as journal:
        finished = run_sync(journal, "now", 30.0, True)
        assert finished.error is None, finished.error
        assert finished.result is not None and finished.result.pushed >= 1
        assert safe_summary(journal) == "in sync"
        add(a, "SENTINELAPP2", "Offline in the app")
        host.rename(tmp_path / "gone.git")
        failed = run_sync(journal, "now", 30.0, True)
        assert failed.error_kind == "offline"
        assert "offline" in safe_summary(journal) and "1 to push" in safe_summary(journal)


def test_an_unreachable_https_host_is_offline_and_keeps_the_password_hidden(
    tmp_path: Path, key_a: str, host: Path
) -> None:
    a = tmp_path / "a"
    ok("init", str(a), "--remote", f"gcrypt::{host}")
    ok("sync", "--journal", str(a))
    ok("remote", "set", "gcrypt::https://user:secret@127.0.0.1:1/x.git", "--journal", str(a))
    entry = add(a, "SENTINELUNREACHABLE", "Nobody home")
    failed = narrate("sync", "--journal", str(a))
    assert failed.exit_code == 1
    assert "cannot reach origin (gcrypt::https://***@127.0.0.1:1/x.git)" in failed.output
    assert "Decrypting" not in failed.output and "gpg:" not in failed.output
    status = ok("status", "--journal", str(a)).output
    for shown in (failed.output, status, ok("remote", "show", "--journal", str(a)).output):
        assert "secret" not in shown
    assert (a / entry.path).exists() and "Nobody home" in (a / entry.path).read_text("utf-8")


def test_switching_a_plain_remote_to_encrypted_says_the_old_one_is_still_plain(
    tmp_path: Path, key_a: str, host: Path, root: Path
) -> None:
    plain = tmp_path / "plain.git"
    subprocess.run(["git", "init", "-q", "--bare", str(plain)], check=True)
    ok("remote", "set", str(plain), "--journal", str(root))
    switched = ok("remote", "set", str(host), "--encrypt", "--journal", str(root))
    assert f"{plain} still holds everything synced to it in plain text" in switched.output
    assert f"gcrypt::{host}" in ok("remote", "show", "--journal", str(root)).output


def test_a_hanging_host_is_stopped_within_the_encrypted_bound(
    tmp_path: Path, key_a: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    # ssh that never answers, started by gcrypt's own git fetch: the whole session goes.
    hang = tmp_path / "hang"
    hang.write_text("#!/bin/sh\nsleep 60\n", "utf-8")
    hang.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(hang))
    ok(
        "remote",
        "set",
        "ssh://git@example.invalid/journal.git",
        "--encrypt",
        "--journal",
        str(root),
    )
    started = time.monotonic()
    with Journal.open(root) as journal, pytest.raises(SyncError) as failed:
        Syncer(journal, 1.0).run()
    assert time.monotonic() - started < 15  # 3 x 1 s per step, and a margin for a busy CI
    assert failed.value.kind == "offline"
    assert "did not answer within 3 s" in str(failed.value)
    assert "--timeout 300" in str(failed.value)


def test_an_encrypted_remote_without_participants_is_refused_before_any_push(
    key_a: str, host: Path, root: Path
) -> None:
    from narrate.journal.sync import set_remote

    set_remote(root, f"gcrypt::{host}")  # as `git remote set-url` would: no key named
    with Journal.open(root) as journal, pytest.raises(SyncError) as refused:
        Syncer(journal, 30.0).run()
    assert "narrate remote set URL --encrypt" in str(refused.value)
    assert host_objects(host) == b""  # nothing reached the host


def test_a_locked_key_fails_the_apps_sync_in_one_line_without_hanging(
    tmp_path: Path, homes: list[Path], host: Path
) -> None:
    import time

    from narrate.tui.sync import run_sync

    home = homes[0]
    gpg(
        home,
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "correct horse",
        "--quick-generate-key",
        "Locked <l@narrate.invalid>",
        "future-default",
        "default",
        "0",
    )
    a = tmp_path / "a"
    ok("init", str(a), "--remote", f"gcrypt::{host}")
    # No pinentry can answer (none in the app) and the agent has no passphrase cached.
    (home / "pinentry").write_text("#!/bin/sh\nexit 1\n", "utf-8")
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=True)
    add(a, "SENTINELLOCKED", "Locked")
    started = time.monotonic()
    with Journal.open(a) as journal:
        finished = run_sync(journal, "now", 10.0, True)
    assert time.monotonic() - started < 30
    assert finished.error is not None and "\n" not in finished.error
    assert "passphrase" in finished.error, finished.error
    assert (a / "entries").exists() and "SENTINELLOCKED" not in host_objects(host).decode("latin-1")


def test_add_key_needs_an_encrypted_remote_and_an_imported_key(
    tmp_path: Path, key_a: str, host: Path, root: Path
) -> None:
    refused = narrate("remote", "add-key", key_a, "--journal", str(root))
    assert refused.exit_code == 1 and "not encrypted" in refused.output
    ok("remote", "set", str(host), "--encrypt", "--journal", str(root))
    unknown = narrate("remote", "add-key", "0123456789ABCDEF", "--journal", str(root))
    assert unknown.exit_code == 1 and "gpg --import" in unknown.output
    again = ok("remote", "add-key", key_a, "--journal", str(root))
    assert "already a participant" in again.output
