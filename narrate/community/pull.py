"""Pulling communities and reading their feed: the use cases the CLI and the app share.

The faces choose the communities, call these, and render what comes back; git, the
feed index and the last-pull state are handled here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.registry import communities, get, load_state, save_state
from narrate.errors import NarrateError

if TYPE_CHECKING:
    from narrate.community.registry import Community, CommunityInfo
    from narrate.community.repo import Skipped
    from narrate.config import Config
    from narrate.journal.core import Journal


def choose(config: Config, name: str | None = None) -> list[Community]:
    """The community called ``name`` (a clear error if there is none), or every one."""
    return [get(config, name)] if name else list(communities(config).values())


def timeout_of(config: Config | None) -> float:
    """Seconds a community may take to answer: the config's sync_timeout."""
    from narrate.journal.sync import DEFAULT_TIMEOUT

    value = config.get("sync_timeout", DEFAULT_TIMEOUT) if config is not None else None
    return float(value) if isinstance(value, int | float) else DEFAULT_TIMEOUT


PULL_MINUTES = 30.0
"""How often the app pulls its communities by itself, unless the config says otherwise."""


def pull_minutes(config: Config | None) -> float:
    """Minutes between the app's own pulls (config ``community_pull_minutes``; 0: never)."""
    value = config.get("community_pull_minutes", PULL_MINUTES) if config is not None else None
    return float(value) if isinstance(value, int | float) and value >= 0 else PULL_MINUTES


@dataclass
class PullResult:
    """What pulling one community did: its shared entries now, or why not."""

    community: Community
    entries: int = 0
    """Shared entries in the community after the pull (your own included)."""
    replies: int = 0
    """Replies in the community after the pull (yours included)."""
    skipped: list[Skipped] = field(default_factory=list)
    """Files the community holds that narrate refused to read."""
    error: NarrateError | None = None
    """Why the community was not pulled (the others still are)."""
    notices: list[str] = field(default_factory=list)
    """Doubtful member folders, entries pushed by someone else (narrate.community.feed)."""


def pull(
    journal: Journal,
    chosen: list[Community],
    timeout: float,
    progress: Callable[[Community, int, int], object] | None = None,
    pulled: Callable[[PullResult], object] | None = None,
    detail: Callable[[Community, str], object] | None = None,
) -> list[PullResult]:
    """Fetch each community (cloning it the first time, objects checked), index its
    entries into the feed and remember when. ``progress(community, number, total)`` is
    called before each one, ``pulled(result)`` after it, ``detail(community, line)``
    along a long first pull (cloning, entries fetched so far)."""
    from narrate.community.feed import index_community

    results: list[PullResult] = []
    for number, community in enumerate(chosen, 1):
        if progress is not None:
            progress(community, number, len(chosen))
        result = PullResult(community)
        repo = community.repo(timeout)
        repo.followed = followed_of(community)

        def step(done: int, total: int, community: Community = community) -> None:
            if detail is not None:
                detail(community, f"fetched {done} of {total} files")

        try:
            if not repo.path.exists():
                if detail is not None:
                    detail(community, "cloning (the first pull of a large community is long)")
                repo.clone(step)
            else:
                repo.fetch(step=step)
            update = index_community(journal, community, repo)
        except NarrateError as exc:
            result.error = exc
        else:
            result.entries, result.skipped = update.entries, update.skipped
            result.replies = update.replies
            result.notices = update.notices
            # Saved after each community: a later failure keeps the earlier pulls' times.
            mark_pulled(community.name)
        results.append(result)
        if pulled is not None:
            pulled(result)
    return results


def followed_of(community: Community) -> list[str]:
    """The members of ``community`` the user follows (their entries are fetched first
    by a partial clone)."""
    return list(community.following)


def jittered(interval: float, rng: random.Random, spread: float = 0.2) -> float:
    """The wait before the next periodic pull: ``interval`` give or take ``spread``
    (±20 %), so members' apps started together do not all hit the host at once."""
    return interval * rng.uniform(1 - spread, 1 + spread)


def activity_summary(journal: Journal, chosen: list[Community]) -> str:
    """The pull's last line: what is new on my contributions ("2 replies, 1 adoption")."""
    from narrate.community.activity import gather, mark_new, summary

    return summary(mark_new(gather(journal, chosen)))


def mark_pulled(name: str) -> None:
    """Record that community ``name`` was read just now (a pull, or the first clone)."""
    state = load_state()
    now = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    state.setdefault(name, {})["last_pull"] = now
    save_state(state)


@dataclass
class CommunityView:
    """One community as the feed found it: its clone, its own description, its state."""

    community: Community
    last_pull: str | None = None
    """When it was last pulled (ISO 8601), or None if never."""
    cloned: bool = True
    """False until the first pull has cloned it here."""
    info: CommunityInfo | None = None
    """What community.toml says (only when asked for ``with_info``)."""
    skipped: list[Skipped] = field(default_factory=list)
    problem: NarrateError | None = None
    """Why its clone could not be read."""


@dataclass
class Feed:
    """The communities read and the newest entries they share (strings cleaned)."""

    communities: list[CommunityView]
    items: list[dict[str, Any]]


def read_feed(
    journal: Journal,
    chosen: list[Community],
    limit: int | None = 20,
    member: str | None = None,
    area: str | None = None,
    with_info: bool = False,
) -> Feed:
    """Other members' entries in ``chosen``, newest first, from the local clones (their
    feed re-indexed first if a pull changed them); ``with_info`` also reads each
    community's own description."""
    from narrate.community.feed import feed_items

    views = refresh(journal, chosen, with_info)
    items = feed_items(journal, chosen, limit=limit, member=member, area=area)
    return Feed(views, items)


def refresh(
    journal: Journal, chosen: list[Community], with_info: bool = False
) -> list[CommunityView]:
    """Re-index each cloned community of ``chosen`` whose clone moved since it was read
    (a pull, or your own share or reply); nothing is fetched."""
    from narrate.community.feed import index_community
    from narrate.community.registry import read_info

    state = load_state()
    views: list[CommunityView] = []
    for community in chosen:
        view = CommunityView(community, last_pull=state.get(community.name, {}).get("last_pull"))
        views.append(view)
        repo = community.repo()
        if not repo.path.exists():
            view.cloned = False
            continue
        try:
            if with_info:
                view.info = read_info(repo, repo.head())
            view.skipped = index_community(journal, community, repo).skipped
        except NarrateError as exc:
            view.problem = exc
    return views
