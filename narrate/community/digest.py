"""The digest: a week or a month of a community in a page, for members who do not read
the whole feed (new practice changes by area, what members adopted, the busiest
threads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.review import day_of, md_escape, plain_line
from narrate.community.search import search_feed
from narrate.sanitize import clean_data

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.config import Config
    from narrate.journal.core import Journal

DAYS = {"week": 7, "month": 30}
THREADS = 5


@dataclass
class Digest:
    """What happened in the communities over the period (``to_json``: docs/json.md)."""

    communities: list[str]
    since: dt.date
    until: dt.date
    period: str
    changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """New practice changes by area."""
    adoptions: list[dict[str, Any]] = field(default_factory=list)
    threads: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{communities, since, until, period, changes: [{area, changes}], adoptions,
        threads}``."""
        data: dict[str, Any] = clean_data(
            {
                "communities": self.communities,
                "since": self.since.isoformat(),
                "until": self.until.isoformat(),
                "period": self.period,
                "changes": [
                    {"area": area, "changes": items} for area, items in self.changes.items()
                ],
                "adoptions": self.adoptions,
                "threads": self.threads,
            }
        )
        return data


def build_digest(
    journal: Journal,
    config: Config,
    chosen: list[Community],
    period: str = "week",
    today: dt.date | None = None,
) -> Digest:
    """The digest of the last week or month (``period``) of ``chosen``, from the feed the
    last pull indexed; the user's own shares are left out, as in the feed."""
    until = today or dt.date.today()
    since = until - dt.timedelta(days=DAYS[period] - 1)
    names = [c.name for c in chosen]
    digest = Digest(names, since, until, period)
    new = search_feed(
        journal, config, chosen, f"since:{since} until:{until} is:practice", limit=None
    )
    for item in sorted(new.items, key=lambda i: (i["created"], i["feed_id"])):
        for change in item["practice"]:
            if change.get("adopted_from") or not isinstance(change.get("area"), str):
                continue
            digest.changes.setdefault(change["area"], []).append(
                {
                    "member": item["member"],
                    "community": item["community"],
                    "feed_id": item["feed_id"],
                    "title": item["title"],
                    "change": change.get("change"),
                }
            )
    digest.changes = dict(sorted(digest.changes.items()))
    own = {(c.name, c.member) for c in chosen}
    for row in journal.feed_adopted_changes(names):
        day = day_of(row["created"])
        if day is None or not since <= day <= until or (row["community"], row["member"]) in own:
            continue
        change = row["change"]
        digest.adoptions.append(
            {
                "member": row["member"],
                "community": row["community"],
                "feed_id": row["feed_id"],
                "area": change.get("area"),
                "change": change.get("change"),
                "from": change["adopted_from"].get("member"),
                "status": change.get("status") or "trying",
            }
        )
    for root, replies in journal.feed_busiest_threads(names, since, until, THREADS):
        digest.threads.append(
            {
                "feed_id": root["feed_id"],
                "community": root["community"],
                "member": root["member"],
                "title": root["title"],
                "replies": replies,
            }
        )
    return digest


def render_markdown(digest: Digest, esc: Callable[[Any], str] = md_escape) -> str:
    """The digest as a Markdown note; ``esc`` writes a member's text."""
    data = digest.to_json()
    lines = [
        f"# Digest: {', '.join(data['communities'])}, {data['since']} to {data['until']}",
        "",
        "## New practice changes",
        "",
    ]
    if not data["changes"]:
        lines += ["None this " + data["period"] + ".", ""]
    for group in data["changes"]:
        lines.append(f"### {esc(group['area'])}")
        lines.append("")
        lines += [
            f"- {esc(c['change'])} ({esc(c['member'])}, {c['feed_id']})" for c in group["changes"]
        ]
        lines.append("")
    lines += ["## What members adopted", ""]
    lines += [
        f"- {esc(a['member'])} is trying {esc(a['change'])} from {esc(a['from'])} ({a['status']})"
        for a in data["adoptions"]
    ] or ["Nothing adopted this " + data["period"] + "."]
    lines += ["", "## Busiest threads", ""]
    lines += [
        f"- {esc(t['title'])} ({esc(t['member'])}, {t['feed_id']}): "
        f"{t['replies']} repl{'y' if t['replies'] == 1 else 'ies'}"
        for t in data["threads"]
    ] or ["No replies this " + data["period"] + "."]
    lines.append("")
    return "\n".join(lines)


def render_text(digest: Digest) -> str:
    """The digest for the terminal."""
    return render_markdown(digest, plain_line)
