"""A community on this machine (a path or file://) runs none of its code as the member.

Pushing to a local path runs git-receive-pack inside the community's repository, and
git clears GIT_CONFIG_PARAMETERS for local transports: settings given with ``-c`` to
narrate's own git never reach it. These tests arm every hook and every repository
setting that runs a command, then clone, pull, share and unshare (issue 11, item 1).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.community.helpers import Member, git, publish

# Each one writes its name into the marker file when git runs it.
HOOKS = (
    "pre-receive",
    "update",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
)


def arm(repo: Path, git_dir: Path, marker: Path) -> None:
    """Hooks and command-running settings in ``repo`` that leave a trace in ``marker``."""
    for name in HOOKS:
        hook = git_dir / "hooks" / name
        hook.parent.mkdir(exist_ok=True)
        hook.write_text(f"#!/bin/sh\necho {name} >> '{marker}'\ncat > /dev/null\nexit 0\n")
        hook.chmod(0o755)
    settings = {
        # upload-pack (clone, fetch): git ignores it in a repository's own config; kept
        # here so a git that stops ignoring it fails this test.
        "uploadpack.packObjectsHook": f"echo pack-objects >> '{marker}'; exec",
        # receive-pack runs it to list the refs of the repository's alternates.
        "core.alternateRefsCommand": f"echo alternate-refs >> '{marker}'; true",
        "gc.auto": "1",
        "core.fsmonitor": f"echo fsmonitor >> '{marker}'; false",
    }
    for key, value in settings.items():
        git(repo, "config", key, value)
    alternate = repo.parent / f"{repo.name}-alternate.git"
    subprocess.run(["git", "init", "-q", "--bare", str(alternate)], check=True)
    (git_dir / "objects" / "info" / "alternates").write_text(f"{alternate / 'objects'}\n")


def traces(marker: Path) -> list[str]:
    return marker.read_text().split() if marker.exists() else []


@pytest.mark.parametrize("transport", ["path", "file://"])
def test_a_local_community_runs_no_hook_on_share_pull_or_unshare(
    tmp_path: Path, cop: Path, maintainer: Path, transport: str
) -> None:
    marker = tmp_path / "hook-ran"
    arm(cop, cop, marker)
    url = str(cop) if transport == "path" else cop.as_uri()
    zoe = Member(tmp_path / "people", "zoe")
    zoe.ok("community", "add", "cop", url, "--member", "zoe")
    entry_id = zoe.ok("add", "Shared into a community with hooks").stdout.strip()

    zoe.ok("share", entry_id, "--to", "cop", "--yes")
    assert "members/zoe/" in git(cop, "ls-tree", "-r", "--name-only", "main")
    zoe.ok("community", "pull")
    zoe.ok("unshare", entry_id, "--from", "cop")
    assert "members/zoe/" not in git(cop, "ls-tree", "-r", "--name-only", "main")

    assert traces(marker) == []
    # The hooks are live: a plain push from the maintainer runs them.
    git(maintainer, "pull", "-q", "--rebase", "origin", "main")
    publish(maintainer, {"notes.md": "hooks armed\n"})
    assert "pre-receive" in traces(marker) and "alternate-refs" in traces(marker)


def test_a_checked_out_community_is_never_updated_in_place(tmp_path: Path) -> None:
    # receive.denyCurrentBranch=updateInstead would check the pushed tree out there,
    # running the repository's own smudge filter as the member.
    marker = tmp_path / "filter-ran"
    folder = tmp_path / "shared-folder"
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    (folder / ".gitattributes").write_text("*.md filter=evil\n")
    git(folder, "add", "-A")
    git(folder, "-c", "user.name=M", "-c", "user.email=m@x", "commit", "-qm", "start")
    git(folder, "config", "filter.evil.smudge", f"echo smudge >> '{marker}'; cat")
    git(folder, "config", "filter.evil.clean", "cat")
    git(folder, "config", "receive.denyCurrentBranch", "updateInstead")
    arm(folder, folder / ".git", marker)
    yann = Member(tmp_path / "people", "yann")
    yann.ok("community", "add", "local", str(folder), "--member", "yann")
    entry_id = yann.ok("add", "Shared into a checked-out folder").stdout.strip()

    shared = yann("share", entry_id, "--to", "local", "--yes")

    assert shared.exit_code != 0 and "only into a bare repository" in shared.output
    assert traces(marker) == []
    assert not (folder / "members").exists()


def test_only_local_urls_get_their_own_pack_programs(tmp_path: Path) -> None:
    from narrate.community.repo import CommunityRepo
    from narrate.journal.remote import is_local_url

    local = ["/srv/cop.git", "./cop.git", "cop.git", "sub/dir:x", "file:///srv/cop.git"]
    remote = ["host:cop.git", "git@host:cop.git", "ssh://host/cop", "https://h/c", "git://h/c"]
    assert all(is_local_url(url) for url in local)
    assert not any(is_local_url(url) for url in remote)
    (option,) = CommunityRepo("cop", tmp_path, "/srv/cop.git")._pack_program("receive-pack")
    assert option.startswith("--receive-pack=git ") and "core.hooksPath=/dev/null" in option
    # A server over the network runs its own receive-pack: a custom command would fail.
    assert CommunityRepo("cop", tmp_path, "git@host:cop.git")._pack_program("receive-pack") == []


# Hooks git runs in the repository on *this* side of a push or fetch: the member's own
# bare clone of the community.
CLIENT_HOOKS = ("pre-push", "reference-transaction", "post-update", "pre-auto-gc")


def _serve(base: Path) -> tuple[subprocess.Popen[bytes], int]:
    """git daemon on loopback serving the repositories under ``base``, pushes allowed."""
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return daemon, port
        except OSError:
            assert time.monotonic() < deadline, "git daemon did not start"
            time.sleep(0.05)


def test_a_git_daemon_community_runs_no_hook_on_the_members_side(
    tmp_path: Path, cop: Path, maintainer: Path
) -> None:
    """Over git:// the community's own hooks run in the server's process, as the
    server's user: that is the host's business, not code run by narrate (on this test
    machine the daemon is the same user, so they are seen to run, which proves the push
    went through the served repository). What narrate controls, and this test checks:
    its own clone, fetch and push through git:// run no hook and no command setting of
    the member's clone, and the served repository's upload-pack settings do not apply.
    """
    server_marker = tmp_path / "server-hook-ran"
    member_marker = tmp_path / "member-hook-ran"
    arm(cop, cop, server_marker)
    daemon, port = _serve(tmp_path)
    try:
        zoe = Member(tmp_path / "people", "zoe")
        zoe.ok("community", "add", "cop", f"git://127.0.0.1:{port}/cop.git", "--member", "zoe")
        clone = Path(zoe.env["XDG_DATA_HOME"]) / "narrate" / "communities" / "cop.git"
        assert (clone / "HEAD").exists()
        # Arm the member's clone as a hostile tool or a careless script might.
        for name in CLIENT_HOOKS:
            hook = clone / "hooks" / name
            hook.parent.mkdir(exist_ok=True)
            hook.write_text(f"#!/bin/sh\necho {name} >> '{member_marker}'\nexit 0\n")
            hook.chmod(0o755)
        git(clone, "config", "core.fsmonitor", f"echo fsmonitor >> '{member_marker}'; false")
        git(clone, "config", "gc.auto", "1")
        entry_id = zoe.ok("add", "Shared over git://").stdout.strip()

        zoe.ok("share", entry_id, "--to", "cop", "--yes")
        assert "members/zoe/" in git(cop, "ls-tree", "-r", "--name-only", "main")
        zoe.ok("community", "pull")
        zoe.ok("unshare", entry_id, "--from", "cop")
        assert "members/zoe/" not in git(cop, "ls-tree", "-r", "--name-only", "main")

        assert traces(member_marker) == []
        # The served repository's upload-pack hook setting never ran (clone and fetches).
        assert "pack-objects" not in traces(server_marker)
        # The push did reach the served repository: the server ran its own hooks there.
        assert "pre-receive" in traces(server_marker)
        # The member's hooks are live: plain git in the clone runs them.
        git(clone, "update-ref", "refs/heads/probe", "refs/remotes/origin/main")
        assert "reference-transaction" in traces(member_marker)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
