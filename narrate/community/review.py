"""The community review: what a community changed over a period, in the five cycles of
value creation of Wenger, Trayner and de Laat (2011), read from the feed and from
community.toml's history, with the stories of the practice changes that spread
(docs/communities.md, "Community review").

Nothing here asks members for extra work: shares, replies, adoptions, check-backs and
the vocabulary are already in the community's repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.repo import CommunityError
from narrate.humane import plural
from narrate.journal.dates import period_label, periods_between
from narrate.sanitize import clean, clean_data

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.journal.core import Journal

DEFAULT_DAYS = 90
CYCLES = ("immediate", "potential", "applied", "realized", "reframing")
"""The five cycles, in the paper's order."""


def day_of(text: Any) -> dt.date | None:
    """The calendar day an ISO 8601 string starts with, or None (a hostile value)."""
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


@dataclass
class CommunityReview:
    """The review of one community over a period (``to_json`` is the documented shape)."""

    community: str
    since: dt.date
    until: dt.date
    by: str
    periods: list[str]
    cycles: dict[str, dict[str, Any]] = field(default_factory=dict)
    stories: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What could not be read (community.toml's history), said beside the review."""

    def to_json(self) -> dict[str, Any]:
        """``{community, since, until, by, cycles: {immediate, potential, applied,
        realized, reframing}, stories}`` (docs/json.md)."""
        data: dict[str, Any] = clean_data(
            {
                "community": self.community,
                "since": self.since.isoformat(),
                "until": self.until.isoformat(),
                "by": self.by,
                "cycles": {name: self.cycles[name] for name in CYCLES},
                "stories": self.stories,
            }
        )
        return data


def period_bounds(
    since: dt.date | None, until: dt.date | None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period a review or digest covers: ``until`` (default today) and ``since``
    (default 90 days before it), in order."""
    end = until or today or dt.date.today()
    start = since or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    return (start, end) if start <= end else (end, start)


def build_community_review(
    journal: Journal,
    community: Community,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: str = "month",
    today: dt.date | None = None,
) -> CommunityReview:
    """The review of ``community`` from ``since`` to ``until`` (default: the last 90
    days), counted by week or month, from the feed the last pull indexed."""
    start, end = period_bounds(since, until, today)
    review = CommunityReview(community.name, start, end, by, periods_between(start, end, by))
    names = [community.name]
    review.cycles["immediate"] = _immediate(journal, names, review)
    review.cycles["potential"] = _potential(journal, names, review)
    adoptions = journal.feed_adopted_changes(names)
    review.cycles["applied"] = _applied(adoptions, review)
    review.cycles["realized"] = _realized(adoptions, review)
    review.cycles["reframing"] = _reframing(community, review)
    review.stories = stories(journal, community.name, adoptions, start, end)
    return review


def _label(day: Any, by: str) -> str | None:
    found = day_of(day)
    return None if found is None else period_label(found, by)


def _immediate(journal: Journal, names: list[str], review: CommunityReview) -> dict[str, Any]:
    """Activity and its value in itself: shares, replies and active members."""
    counts = {p: {"shares": 0, "replies": 0} for p in review.periods}
    active: dict[str, set[str]] = {p: set() for p in review.periods}
    for row in journal.feed_activity_by_day(names, review.since, review.until):
        label = _label(row["day"], review.by)
        if label is None or label not in counts:
            continue
        counts[label]["replies" if row["kind"] == "reply" else "shares"] += int(row["count"])
        active[label].add(str(row["member"]))
    return {
        "shares": sum(c["shares"] for c in counts.values()),
        "replies": sum(c["replies"] for c in counts.values()),
        "members": len(set().union(*active.values())),
        "periods": {
            label: {**counts[label], "members": len(active[label])} for label in review.periods
        },
    }


def _potential(journal: Journal, names: list[str], review: CommunityReview) -> dict[str, Any]:
    """Knowledge capital: practice changes published, per area, and who contributed."""
    areas: dict[str, dict[str, Any]] = {}
    members: set[str] = set()
    total = 0
    for row in journal.feed_practice_published(names, review.since, review.until):
        area = areas.setdefault(row["area"], {"changes": 0, "members": set()})
        area["changes"] += row["count"]
        area["members"].add(row["member"])
        members.add(row["member"])
        total += row["count"]
    return {
        "changes": total,
        "areas": [
            {"area": name, "changes": a["changes"], "members": len(a["members"])}
            for name, a in sorted(areas.items(), key=lambda kv: (-kv[1]["changes"], kv[0]))
        ],
        "members": sorted(members),
    }


def _checkbacks(change: dict[str, Any]) -> list[dict[str, Any]]:
    """A shared change's check-back answers that are well formed, oldest first."""
    raw = change.get("checkbacks")
    found = [
        {"date": str(c.get("date"))[:10], "answer": c.get("answer")}
        | ({"outcome": str(c["outcome"])} if c.get("outcome") else {})
        for c in (raw if isinstance(raw, list) else [])
        if isinstance(c, dict) and day_of(c.get("date")) is not None
    ]
    return sorted(found, key=lambda c: c["date"])


def _within(day: Any, review: CommunityReview | tuple[dt.date, dt.date]) -> bool:
    start, end = (review.since, review.until) if isinstance(review, CommunityReview) else review
    found = day_of(day)
    return found is not None and start <= found <= end


def _applied(adoptions: list[dict[str, Any]], review: CommunityReview) -> dict[str, Any]:
    """Changes in practice: adoptions started per area, and those confirmed (adopted) or
    dropped at a check-back answered in the period."""
    areas: dict[str, dict[str, int]] = {}
    totals = {"started": 0, "adopted": 0, "dropped": 0}
    for row in adoptions:
        change = row["change"]
        area = areas.setdefault(
            str(change.get("area") or "?"), {"started": 0, "adopted": 0, "dropped": 0}
        )
        if _within(row["created"], review):
            area["started"] += 1
            totals["started"] += 1
        status = change.get("status")
        answered = [c for c in _checkbacks(change) if _within(c["date"], review)]
        if status in ("adopted", "dropped") and answered:
            area[status] += 1
            totals[status] += 1
    return {
        **totals,
        "areas": [
            {"area": name, **counts}
            for name, counts in sorted(areas.items())
            if any(counts.values())
        ],
    }


def _realized(adoptions: list[dict[str, Any]], review: CommunityReview) -> dict[str, Any]:
    """Improved results: outcomes members recorded at their check-backs."""
    items: list[dict[str, Any]] = []
    for row in adoptions:
        change = row["change"]
        answers = _checkbacks(change)
        found = [(c["date"], c["outcome"]) for c in answers if c.get("outcome")]
        if change.get("outcome"):
            # An outcome of the change itself dates from its newest check-back.
            found.append(
                (answers[-1]["date"] if answers else row["created"][:10], change["outcome"])
            )
        # A shared copy repeats a day's outcome under each check-back of that day.
        for day, outcome in dict.fromkeys(found):
            if _within(day, review):
                items.append(
                    {
                        "member": row["member"],
                        "feed_id": row["feed_id"],
                        "area": change.get("area"),
                        "change": change.get("change"),
                        "date": day,
                        "outcome": clean(outcome, single_line=True),
                    }
                )
    items.sort(key=lambda i: (i["date"], i["feed_id"]))
    return {"outcomes": len(items), "items": items}


def _reframing(community: Community, review: CommunityReview) -> dict[str, Any]:
    """Redefined goals and criteria: the vocabulary's areas added, removed and merged,
    read from each version of community.toml committed in the period."""
    from narrate.community.registry import read_info

    changes: list[dict[str, Any]] = []
    repo = community.repo()
    head = repo.head() if repo.path.exists() else None
    versions = []
    if head:
        try:
            versions = list(reversed(repo.file_history(head, "community.toml")))
        except CommunityError as exc:
            review.problems.append(f"cannot read community.toml's history: {exc}")
    before: tuple[set[str], dict[str, str]] = (set(), {})
    for sha, when in versions:
        info = read_info(repo, sha)
        now = (set(info.areas or []), dict(info.synonyms or {}))
        if _within(when, review):
            added = sorted(now[0] - before[0])
            removed = sorted(before[0] - now[0])
            merged = [
                {"from": old, "into": now[1][old]} for old in removed if now[1].get(old) in now[0]
            ]
            if added or removed:
                changes.append(
                    {
                        "date": when[:10],
                        "commit": sha[:12],
                        "added": added,
                        "removed": [r for r in removed if r not in now[1]],
                        "merged": merged,
                    }
                )
        before = now
    return {
        "added": sorted({a for c in changes for a in c["added"]}),
        "removed": sorted({r for c in changes for r in c["removed"]}),
        "merged": [m for c in changes for m in c["merged"]],
        "changes": changes,
    }


def stories(
    journal: Journal,
    community: str,
    adoptions: list[dict[str, Any]],
    since: dt.date,
    until: dt.date,
) -> list[dict[str, Any]]:
    """For each practice change that spread (someone adopted it) with something in the
    period: ``{origin: {member, feed_id, area, change}, adopters: [{member, feed_id,
    status, adopted, checkbacks}], replies}``, the most adopted first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in adoptions:
        # Only links the feed resolved (narrate.community.feed.Links checks that they name
        # a file of the named member carrying the claimed id): a copy's own words about
        # where its change came from are untrusted.
        origin = row.get("origin")
        if not origin:
            continue
        groups.setdefault(str(origin), []).append(row)
    origins = {row["feed_id"]: row for row in journal.feed_by_ids(list(groups))}
    for origin_id, origin_row in origins.items():
        # Adopting one's own change spreads nothing.
        groups[origin_id] = [r for r in groups[origin_id] if r["member"] != origin_row["member"]]
    sizes = journal.feed_thread_sizes(list(groups))
    found: list[dict[str, Any]] = []
    for origin_id, rows in groups.items():
        if not rows:
            continue
        dates = [r["created"] for r in rows] + [
            c["date"] for r in rows for c in _checkbacks(r["change"])
        ]
        if origin_id in origins:
            dates.append(origins[origin_id]["created"])
        if not any(_within(d, (since, until)) for d in dates):
            continue
        first = rows[0]["change"]
        source = first["adopted_from"]
        seen = origins.get(origin_id)
        shared = (seen["practice"][0] if seen and seen["practice"] else {}) or {}
        found.append(
            {
                "origin": {
                    "member": seen["member"] if seen else source.get("member"),
                    "feed_id": origin_id,
                    "area": shared.get("area") or first.get("area"),
                    "change": shared.get("change") or first.get("change"),
                    "title": seen["title"] if seen else None,
                },
                "adopters": [
                    {
                        "member": r["member"],
                        "feed_id": r["feed_id"],
                        "status": r["change"].get("status") or "trying",
                        "adopted": r["created"],
                        "checkbacks": [
                            {k: c[k] for k in ("date", "answer")} for c in _checkbacks(r["change"])
                        ],
                    }
                    for r in rows
                ],
                "replies": sizes.get(origin_id, 0),
            }
        )
    found.sort(key=lambda s: (-len(s["adopters"]), s["origin"]["feed_id"]))
    return found


# ---- rendering: a note that can be saved as an entry, and the terminal's text


def render_markdown(review: CommunityReview, esc: Callable[[Any], str] | None = None) -> str:
    """The review as a Markdown note (``narrate review --community X --markdown |
    narrate add -``); ``esc`` writes a member's text (default: ``md_escape``)."""
    esc = esc or md_escape
    data = review.to_json()
    cycles = data["cycles"]
    lines = [
        f"# Community review: {data['community']}, {data['since']} to {data['until']}",
        "",
        "What the community changed, in the five cycles of value creation "
        "(Wenger, Trayner and de Laat 2011).",
        "",
    ]
    for _name, title, text in _cycle_lines(cycles, esc):
        lines += [f"## {title}", "", *text, ""]
    lines += ["## Stories", ""]
    if not data["stories"]:
        lines += ["No practice change spread in this period.", ""]
    for story in data["stories"]:
        origin = story["origin"]
        lines.append(
            f"- **{esc(origin['change'])}** ({esc(origin['area'])}), from {esc(origin['member'])}"
        )
        for adopter in story["adopters"]:
            answers = ", ".join(f"{c['date']}: {c['answer']}" for c in adopter["checkbacks"])
            lines.append(
                f"  - {esc(adopter['member'])}: {adopter['status']}"
                + (f" (check-backs {esc(answers)})" if answers else "")
            )
        lines.append(f"  - {story['replies']} repl{'y' if story['replies'] == 1 else 'ies'}")
    lines.append("")
    return "\n".join(lines)


def render_text(review: CommunityReview) -> str:
    """The review for the terminal: the same sections, a member's text as it is."""
    return render_markdown(review, plain_line).replace("**", "")


def md_escape(value: Any) -> str:
    """A community string inside the note: one line, Markdown's link and emphasis
    characters escaped so a member's text cannot become a link in the saved entry."""
    text = clean(value, single_line=True)
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def plain_line(value: Any) -> str:
    """A community string on one line, cleaned (the terminal's text)."""
    return clean(value, single_line=True)


def _cycle_lines(
    cycles: dict[str, Any], esc: Callable[[Any], str]
) -> list[tuple[str, str, list[str]]]:
    """(name, heading, lines) for each cycle, in the paper's order."""
    imm, pot, app, rea, ref = (cycles[name] for name in CYCLES)
    return [
        (
            "immediate",
            "Immediate value: activity",
            [f"{imm['shares']} shares, {imm['replies']} replies, {imm['members']} active members."],
        ),
        (
            "potential",
            "Potential value: knowledge capital",
            [
                f"{plural(pot['changes'], 'practice change')} published by "
                f"{plural(len(pot['members']), 'member')}."
            ]
            + [
                f"- {esc(a['area'])}: {a['changes']} ({plural(a['members'], 'member')})"
                for a in pot["areas"]
            ],
        ),
        (
            "applied",
            "Applied value: changes in practice",
            [
                f"{plural(app['started'], 'adoption')} started; {app['adopted']} confirmed and "
                f"{app['dropped']} dropped at check-backs."
            ]
            + [
                f"- {esc(a['area'])}: {a['started']} started, {a['adopted']} adopted, "
                f"{a['dropped']} dropped"
                for a in app["areas"]
            ],
        ),
        (
            "realized",
            "Realized value: improved results",
            [f"{plural(rea['outcomes'], 'outcome')} recorded."]
            + [f"- {esc(i['member'])}, {i['date']}: {esc(i['outcome'])}" for i in rea["items"]],
        ),
        (
            "reframing",
            "Reframing value: the community's vocabulary",
            [
                f"Areas added: {esc(', '.join(ref['added'])) or 'none'}; removed: "
                f"{esc(', '.join(ref['removed'])) or 'none'}; merged: "
                + (esc(", ".join(f"{m['from']} into {m['into']}" for m in ref["merged"])) or "none")
                + "."
            ],
        ),
    ]
