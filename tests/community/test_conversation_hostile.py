"""Replies are untrusted input (issue 14, safety): links outside members/, forged
authors and ids, cycles of in_reply_to and ten thousand replies to one entry."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.community.helpers import Member, git, publish, shared_entry

ROOT = "members/carol/2026/2026-11-20-root.md"


def reply_file(
    member: str, answers: dict[str, str], body: str, author: str | None = None, rid: str = ""
) -> str:
    """A reply as narrate publishes it, answering ``answers`` (member, path, id)."""
    link = "".join(f"\n  {key}: {json.dumps(value)}" for key, value in answers.items())
    return (
        f'---\nid: {rid or "01REPLY" + str(abs(hash(body)) % 10**8)}\ntitle: "Re: root"\n'
        f"created: 2026-11-21T10:00:00Z\nauthor: {author or member}\ntags: []\n"
        f"in_reply_to:{link}\n---\n\n{body}\n"
    )


def root_link() -> dict[str, str]:
    root_id = shared_entry("Root").split("\n")[1].removeprefix("id: ")
    return {"member": "carol", "path": ROOT, "id": root_id}


def root_feed_id(member: Member) -> str:
    member.ok("community", "pull")
    items = json.loads(member.ok("feed", "--json").stdout)
    return next(item["feed_id"] for item in items if item["path"] == ROOT)


def test_a_reply_pointing_outside_members_is_ignored_with_a_notice(
    bob: Member, maintainer: Path
) -> None:
    link = root_link()
    publish(
        maintainer,
        {
            ROOT: shared_entry("Root"),
            "members/mallory/replies/2026/a.md": reply_file(
                "mallory", {**link, "path": "../../etc/passwd"}, "ESCAPE-A"
            ),
            "members/mallory/replies/2026/b.md": reply_file(
                "mallory", {**link, "path": "README.md"}, "ESCAPE-B"
            ),
            "members/mallory/replies/2026/c.md": reply_file(
                "mallory", {**link, "path": "members/carol/../../x.md"}, "ESCAPE-C"
            ),
            "members/mallory/replies/2026/d.md": reply_file("mallory", {}, "ESCAPE-D"),
        },
    )
    pulled = bob.ok("community", "pull").output
    # Each refusal is said, naming the file and the reason.
    for name in "abcd":
        assert f"members/mallory/replies/2026/{name}.md" in pulled, pulled
    assert "not a file in members/carol/" in pulled and "names nothing it answers" in pulled
    item = json.loads(bob.ok("read", root_feed_id(bob), "--json").stdout)
    assert item["replies"] == []
    assert "ESCAPE" not in json.dumps(item)


def test_a_reply_claiming_another_members_authorship_is_shown_as_its_folders(
    bob: Member, maintainer: Path
) -> None:
    publish(
        maintainer,
        {
            ROOT: shared_entry("Root"),
            "members/mallory/replies/2026/forged.md": reply_file(
                "mallory", root_link(), "I am carol, trust me", author="carol"
            ),
        },
    )
    pulled = bob.ok("community", "pull")
    assert "other than the member whose folder holds it" in pulled.output
    item = json.loads(bob.ok("read", root_feed_id(bob), "--json").stdout)
    assert [r["member"] for r in item["replies"]] == ["mallory"]


def test_in_reply_to_forging_an_entry_id_or_member_is_refused(
    bob: Member, maintainer: Path
) -> None:
    link = root_link()
    publish(
        maintainer,
        {
            ROOT: shared_entry("Root"),
            # The path holds carol's entry, but the link claims another id is there.
            "members/mallory/replies/2026/wrong-id.md": reply_file(
                "mallory", {**link, "id": "01SOMEOTHERENTRY00000000"}, "FORGED-ID"
            ),
            # The link says alice wrote what sits in carol's folder.
            "members/mallory/replies/2026/wrong-member.md": reply_file(
                "mallory", {**link, "member": "alice"}, "FORGED-MEMBER"
            ),
            "members/mallory/replies/2026/honest.md": reply_file("mallory", link, "HONEST"),
        },
    )
    item = json.loads(bob.ok("read", root_feed_id(bob), "--json").stdout)
    bodies = [r["body"] for r in item["replies"]]
    assert bodies == ["HONEST\n"]


def test_a_copy_of_my_entry_in_another_folder_does_not_bring_me_its_replies(
    alice: Member, bob: Member, maintainer: Path, cop: Path
) -> None:
    entry = alice.ok("add", "Mine alone\nbody").stdout.strip()
    alice.ok("share", entry, "--yes")
    git(maintainer, "pull", "-q", "origin", "main")
    (mine,) = [f for f in git(cop, "ls-tree", "-r", "--name-only", "main").split() if "alice" in f]
    stolen = "members/mallory/2026/2026-12-01-mine-alone.md"
    publish(
        maintainer,
        {
            stolen: (maintainer / mine).read_text(),
            "members/carol/replies/2026/r.md": reply_file(
                "carol", {"member": "mallory", "path": stolen, "id": entry}, "ON-MALLORYS-COPY"
            ),
        },
    )
    alice.ok("community", "pull")
    assert json.loads(alice.ok("activity", "--json").stdout) == []


def test_a_cycle_of_in_reply_to_is_shown_once_and_ends(bob: Member, maintainer: Path) -> None:
    one = "members/mallory/replies/2026/one.md"
    two = "members/mallory/replies/2026/two.md"
    publish(
        maintainer,
        {
            ROOT: shared_entry("Root"),
            one: reply_file(
                "mallory", {"member": "mallory", "path": two, "id": "01TWO"}, "ONE", rid="01ONE"
            ),
            two: reply_file(
                "mallory", {"member": "mallory", "path": one, "id": "01ONE"}, "TWO", rid="01TWO"
            ),
            "members/mallory/replies/2026/self.md": reply_file(
                "mallory",
                {
                    "member": "mallory",
                    "path": "members/mallory/replies/2026/self.md",
                    "id": "01SELF",
                },
                "SELF",
                rid="01SELF",
            ),
        },
    )
    bob.ok("community", "pull")
    from narrate.community.feed import feed_id

    started = time.perf_counter()
    item = json.loads(bob.ok("read", feed_id("cop", one), "--json").stdout)
    assert time.perf_counter() - started < 10
    assert item["body"] == "ONE\n"
    (child,) = item["replies"]
    assert child["body"] == "TWO\n" and child["replies"] == []
    self_reply = bob("read", feed_id("cop", "members/mallory/replies/2026/self.md"))
    assert self_reply.exit_code == 1 and "not in the feed" in self_reply.output


def fast_import(work: Path, files: dict[str, str]) -> None:
    """Commit many files in one go (git fast-import) onto main, and push."""
    head = git(work, "rev-parse", "HEAD").strip()
    stream = [
        "commit refs/heads/main",
        "committer mallory <m@x> 1764000000 +0000",
        "data 5",
        "many",
        f"from {head}",
    ]
    chunks = ["\n".join(stream) + "\n"]
    for path, text in files.items():
        data = text.encode()
        chunks.append(f"M 100644 inline {path}\ndata {len(data)}\n")
        chunks.append(text + "\n")
    subprocess.run(
        ["git", "-C", str(work), "fast-import", "--quiet"],
        input="".join(chunks).encode(),
        check=True,
    )
    git(work, "push", "-q", "origin", "main")


def test_ten_thousand_replies_to_one_entry_stay_bounded_and_fast(
    bob: Member, maintainer: Path
) -> None:
    from narrate.community.thread import MAX_REPLIES

    publish(maintainer, {ROOT: shared_entry("Root")})
    link = root_link()
    fast_import(
        maintainer,
        {
            f"members/m{n % 50}/replies/2026/r{n}.md": reply_file(
                f"m{n % 50}", link, f"reply {n}", rid=f"01R{n:08d}"
            )
            for n in range(10_000)
        },
    )
    started = time.perf_counter()
    bob.ok("community", "pull")
    pulled = time.perf_counter() - started
    root = root_feed_id(bob)
    started = time.perf_counter()
    item = json.loads(bob.ok("read", root, "--json").stdout)
    took = time.perf_counter() - started
    assert len(item["replies"]) == MAX_REPLIES
    assert item["replies_omitted"] == 10_000 - MAX_REPLIES
    assert "more replies not shown" in bob.ok("read", root).stdout
    print(f"pull of 10,000 replies {pulled:.2f} s, read {took:.2f} s")
    assert took < 5, took


def test_hostile_reply_text_is_shown_inert(bob: Member, maintainer: Path) -> None:
    publish(
        maintainer,
        {
            ROOT: shared_entry("Root"),
            "members/mallory/replies/2026/evil.md": reply_file(
                "mallory", root_link(), "x\x1b]0;pwned\x07 [@click=app.quit]go[/] \x1b[2J\x9b6n end"
            ),
        },
    )
    root = root_feed_id(bob)
    shown = bob.ok("read", root).output + bob.ok("read", root, "--json").output
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "[@click=app.quit]go[/]" in shown  # shown as the characters it is made of


def test_a_thread_deeper_than_the_bound_is_cut_and_counted(bob: Member, maintainer: Path) -> None:
    from narrate.community.feed import feed_id
    from narrate.community.thread import MAX_DEPTH

    publish(maintainer, {ROOT: shared_entry("Root")})
    link, files = root_link(), {}
    for n in range(MAX_DEPTH + 10):
        path = f"members/m{n % 2}/replies/2026/d{n}.md"
        files[path] = reply_file(f"m{n % 2}", link, f"depth {n}", rid=f"01D{n:08d}")
        link = {"member": f"m{n % 2}", "path": path, "id": f"01D{n:08d}"}
    fast_import(maintainer, files)
    bob.ok("community", "pull")
    item = json.loads(bob.ok("read", feed_id("cop", ROOT), "--json").stdout)
    depth, node = 0, item
    while node["replies"]:
        (node,) = node["replies"]
        depth += 1
    assert depth == MAX_DEPTH and item["replies_omitted"] >= 1
