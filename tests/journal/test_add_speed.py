"""The commit path ``narrate add`` takes (update-index, write-tree, commit-tree and
update-ref, with the split index a large journal gets) over real repositories: what it
commits, what it leaves alone, what it never loses."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from narrate.journal import history
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.history import commit, commit_index
from tests.helpers import commit_count, git, tracked, write

FIXED_DATES = {
    "GIT_AUTHOR_DATE": "1764590400 +0100",
    "GIT_COMMITTER_DATE": "1764590400 +0100",
}


def index_entries(root: Path) -> str:
    """git's index as ``git ls-files --stage`` prints it (mode, blob, stage, path)."""
    return git(root, "ls-files", "--stage", "-z")


def assert_clean_repository(root: Path, lost_race: bool = False) -> None:
    """What a user's git says about the journal: nothing uncommitted, nothing broken,
    no ref of narrate's left over (and no unreachable commit, but the one built on a
    HEAD that moved: ``lost_race``; git's gc prunes it)."""
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    fsck = subprocess.run(
        ["git", "-C", str(root), "fsck", "--strict", "--no-progress"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fsck.returncode == 0, fsck.stderr
    assert "error" not in fsck.stderr
    assert fsck.stdout.count("dangling commit") == (1 if lost_race else 0)
    refs = git(root, "for-each-ref", "--format=%(refname)").split()
    assert [ref for ref in refs if not ref.startswith("refs/remotes/")] == ["refs/heads/main"]


def test_the_commit_is_the_one_commit_tree_made(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same tree, message, author and committer as the plumbing it replaces: the two
    commits have the same id."""
    for var, value in FIXED_DATES.items():
        monkeypatch.setenv(var, value)
    write(root, "entries/2026/12/a.md", "---\ntitle: A\n---\nbody\n")
    twin = tmp_path / "twin"
    shutil.copytree(root, twin, symlinks=True)

    assert commit(root, ["entries/2026/12/a.md"], "Add entry: A") is True
    git(twin, "update-index", "--add", "--", "entries/2026/12/a.md")
    assert commit_index(twin, "Add entry: A") is True

    assert git(root, "rev-parse", "HEAD") == git(twin, "rev-parse", "HEAD")
    assert git(root, "reflog", "-1", "--format=%gs") == "commit: Add entry: A\n"
    assert index_entries(root) == index_entries(twin)
    assert_clean_repository(root)


def test_status_log_and_fsck_stay_clean_through_adds_edits_and_deletes(root: Path) -> None:
    with Journal.open(root) as journal:
        first = journal.add(Entry.from_capture("First #one"))
        second = journal.add(Entry.from_capture("Second"))
        journal.save(first.with_changes(title="First, edited"))
        journal.delete(second.id)
    assert git(root, "log", "--format=%s").splitlines()[:3] == [
        "Delete entry: Second",
        "Edit entry: First, edited",
        "Add entry: Second",
    ]
    assert tracked(root) == {".gitignore", first.path}
    assert_clean_repository(root)


def test_nothing_changed_makes_no_commit_and_no_object(root: Path) -> None:
    write(root, "entries/2026/12/a.md", "a")
    commit(root, ["entries/2026/12/a.md"], "Add a")
    objects = git(root, "count-objects")
    assert commit(root, ["entries/2026/12/a.md", "entries/2026/12/never.md"], "Again") is False
    assert git(root, "count-objects") == objects
    assert commit_count(root) == 2


@pytest.mark.parametrize(
    "name",
    [
        'quote".md',
        "back\\slash.md",
        "new\nline.md",
        "tab\there.md",
        "ünïcödé.md",
        "-n.md",
        "space and #hash.md",
        '"leading quote.md',
    ],
)
def test_any_file_name_is_committed_as_itself(root: Path, name: str) -> None:
    rel = f"entries/2026/12/{name}"
    write(root, rel, f"text of {name}")
    assert commit(root, [rel], f"Add {name}") is True
    assert rel in tracked(root)
    assert git(root, "show", f"HEAD:{rel}") == f"text of {name}"
    assert_clean_repository(root)

    (root / rel).unlink()
    assert commit(root, [rel], f"Remove {name}") is True
    assert rel not in tracked(root)
    assert_clean_repository(root)


def test_an_executable_file_keeps_its_mode(root: Path) -> None:
    path = write(root, "entries/2026/12/run.md", "#!/bin/sh\n")
    path.chmod(0o755)
    assert commit(root, ["entries/2026/12/run.md"], "Add run") is True
    assert git(root, "ls-tree", "HEAD", "entries/2026/12/run.md").startswith("100755 blob")
    assert_clean_repository(root)


def test_commit_hooks_of_the_journal_do_not_run(root: Path) -> None:
    """As before: narrate's commits are bookkeeping (like --no-verify), so a failing or
    prompting hook cannot leave an entry uncommitted."""
    ran = root.parent / "hooks-ran"
    hooks = Path(git(root, "rev-parse", "--git-path", "hooks").strip())
    if not hooks.is_absolute():
        hooks = root / hooks
    hooks.mkdir(parents=True, exist_ok=True)
    for name in ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\necho {name} >> '{ran}'\nexit 1\n")
        hook.chmod(0o755)
    with Journal.open(root) as journal:
        journal.add(Entry.from_capture("No hook runs"))
    assert not ran.exists()
    assert git(root, "log", "-1", "--format=%s") == "Add entry: No hook runs\n"


def test_a_locked_index_commits_nothing_and_keeps_the_file(root: Path) -> None:
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    with Journal.open(root) as journal, pytest.raises(history.NarrateError):
        journal.add(Entry.from_capture("Kept on disk"))
    lock.unlink()
    assert commit_count(root) == 1
    kept = [p for p in (root / "entries").rglob("*.md")]
    assert len(kept) == 1 and "Kept on disk" in kept[0].read_text()
    with Journal.open(root) as journal:  # the next write takes it along
        journal.add(Entry.from_capture("Next"))
    assert {p.relative_to(root).as_posix() for p in kept} <= tracked(root)
    assert_clean_repository(root)


def test_a_detached_head_moves_like_git_commit_moves_it(root: Path) -> None:
    git(root, "checkout", "-q", "--detach")
    write(root, "entries/2026/12/a.md", "a")
    assert commit(root, ["entries/2026/12/a.md"], "Add a") is True
    assert git(root, "log", "-1", "--format=%s", "HEAD") == "Add a\n"
    assert git(root, "log", "-1", "--format=%s", "main") == "Start the journal\n"


def test_the_first_commit_of_a_new_repository(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    write(root, "a.md", "a")
    assert commit(root, ["a.md"], "First") is True
    assert git(root, "log", "--format=%s") == "First\n"
    assert os.path.exists(root / ".git" / "refs" / "heads" / "main") or git(
        root, "show-ref", "main"
    )
    assert git(root, "status", "--porcelain") == ""


def test_init_gives_the_journal_the_settings_of_a_large_repository(tmp_path: Path) -> None:
    root = tmp_path / "journal"
    Journal.create(root).close()
    for key, value in history.SPEED_SETTINGS:
        assert git(root, "config", "--local", key).strip() == value
    assert history.missing_speed_settings(root) == []


def test_init_clone_gives_the_clone_the_settings(tmp_path: Path, root: Path) -> None:
    from tests.helpers import Cli

    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(remote))
    device = tmp_path / "device"
    Cli(device).ok("init", str(device), "--clone", str(remote))
    assert history.missing_speed_settings(device) == []
    Cli(device).add("From the second device")
    assert_clean_repository(device)


def test_doctor_names_missing_settings_and_fix_sets_them(root: Path) -> None:
    """A journal made before narrate set them: doctor says so (advice, not a failure),
    --fix sets them, and the index then splits on the next commit."""
    from tests.helpers import Cli

    for key, _ in history.SPEED_SETTINGS:
        git(root, "config", "--local", "--unset", key)
    cli = Cli(root)
    said = cli.ok("doctor").stdout
    assert "narrate doctor --fix" in said and "core.splitIndex=true" in said
    fixed = cli.ok("doctor", "--fix", "--yes").stdout
    assert "Set git config core.splitIndex=true" in fixed
    assert history.missing_speed_settings(root) == []
    assert "core.splitIndex" not in cli.ok("doctor").stdout

    cli.add("After the fix")
    assert list((root / ".git").glob("sharedindex.*"))
    assert_clean_repository(root)


def test_a_small_index_that_grew_whole_is_folded_into_the_shared_one(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a copy or a restore every file's ctime changes; git status refreshes them
    all into the small index of a split one, and git never folds them back: narrate
    does, so commits write a small index again."""
    old = time.time() - 60  # not "racily clean": git would keep them in the small index
    for n in range(300):
        os.utime(write(root, f"entries/2026/11/{n:03}.md", f"entry {n}"), (old, old))
    commit(root, [f"entries/2026/11/{n:03}.md" for n in range(300)], "Add 300")
    git(root, "update-index", "--split-index")
    front = root / ".git" / "index"
    small = front.stat().st_size
    for path in (root / "entries").rglob("*.md"):
        os.utime(path, (old + 5, old + 5))  # new file details, as a copy or restore gives
    git(root, "status", "--porcelain")  # refreshes every entry into the small index
    grown = front.stat().st_size
    assert grown > 4 * small

    monkeypatch.setattr(history, "SPLIT_FOLD_BYTES", grown)
    write(root, "entries/2026/12/a.md", "a")
    assert commit(root, ["entries/2026/12/a.md"], "Add a") is True
    assert front.stat().st_size < grown / 4
    assert_clean_repository(root)
