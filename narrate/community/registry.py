"""The communities a user belongs to: settings in config.toml, clones in the data dir."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrate.community.repo import CommunityError, CommunityRepo
from narrate.config import Config
from narrate.journal.entry import normalise_tag
from narrate.paths import data_dir

if TYPE_CHECKING:
    from narrate.journal import Follows

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def check_name(value: str, what: str) -> str:
    """A community name or member handle: lower case letters, digits, - and _."""
    if not NAME_RE.fullmatch(value):
        example = "python-cop" if "community" in what else "sam-lee"
        raise CommunityError(
            f"{what} '{value}' must be lower-case letters, digits, '-' or '_' (e.g. {example})"
        )
    return value


# Letters that pass for Latin ones in other scripts (Cyrillic, Greek): enough to see
# "аlice" as "alice". Not Unicode's whole confusables table: a handle outside the rule is
# flagged anyway; this only names the member it imitates.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwabekmhopctxijsabeiknoptuxabezhikmnoptyx",
)


def _skeleton(handle: str) -> str:
    import unicodedata

    from narrate.sanitize import clean

    # Invisible characters dropped: "b\u200bob" is the twin of "bob" it passes for.
    shown = clean(handle, single_line=True, invisible="drop")
    folded = unicodedata.normalize("NFKC", shown).casefold()
    return folded.translate(_LOOKALIKES)


def _scripts(handle: str) -> list[str]:
    """The scripts of the handle's letters (LATIN, CYRILLIC, ...), in order of appearance."""
    import unicodedata

    found: list[str] = []
    for char in handle:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split()[0]
            if script not in found:
                found.append(script)
    return found


def handle_notice(handle: str, members: list[str]) -> str | None:
    """Why a member folder's name deserves a warning, or None when it keeps the handle rule.

    A community identifies a member only by the folder name, so a name outside the rule
    (lower-case ASCII letters, digits, - and _) may be passing for someone: "аlice" with
    a Cyrillic a beside "alice", "Bob" beside "bob", a name of escape characters that
    shows as nothing. ``members`` are the community's other folder names.
    """
    from narrate.sanitize import clean

    if NAME_RE.fullmatch(handle):
        return None
    problems: list[str] = []
    if clean(handle, single_line=True) != handle:
        problems.append("has control or invisible characters")
    scripts = _scripts(handle)
    if len(scripts) > 1:
        problems.append("mixes " + " and ".join(s.title() for s in scripts) + " letters")
    if any(c.isupper() for c in handle):
        problems.append("has upper-case letters")
    if not problems:
        problems.append("breaks the handle rule (lower-case letters, digits, - and _)")
    skeleton = _skeleton(handle)
    twins = sorted(m for m in members if m != handle and _skeleton(m) == skeleton)
    if twins:
        problems.append("looks like member " + ", ".join(f"'{clean(t, True)}'" for t in twins))
    return "member name " + "; ".join(problems)


@dataclass
class Community:
    """One community: where it lives and who the user is there."""

    name: str
    url: str
    member: str
    email: str
    partial: bool = False
    """Clone blobless (``partial = true`` in its settings): for a large community, whose
    entries are then fetched in batches, newest first."""
    following: tuple[str, ...] = ()
    """The members the user follows here (a partial clone fetches their entries first)."""

    @property
    def clone_path(self) -> Path:
        """The bare clone narrate keeps, outside the journal."""
        return data_dir() / "communities" / f"{self.name}.git"

    def repo(self, timeout: float = 30.0) -> CommunityRepo:
        """The hardened repository handle."""
        return CommunityRepo(self.name, self.clone_path, self.url, timeout, self.partial)


def communities(config: Config) -> dict[str, Community]:
    """Every configured community, by name."""
    found: dict[str, Community] = {}
    table = config.get("communities", {}) or {}
    for name, settings in table.items():
        # The name becomes the clone's folder name: a hand-edited "../x" must not escape
        # the data dir, nor markup reach a screen.
        check_name(str(name), f"community name in {config.path}: the name")
        if not isinstance(settings, dict) or "url" not in settings:
            raise CommunityError(f"config {config.path}: [communities.{name}] needs url and member")
        member = check_name(
            str(settings.get("member") or config.get("author.handle") or ""),
            f"member handle of community '{name}' in {config.path}",
        )
        email = str(settings.get("email") or config.get("author.email") or "")
        community = Community(
            name,
            str(settings["url"]),
            member,
            email or f"{member}@users.narrate.invalid",
            partial=settings.get("partial") is True,
        )
        members = [t for t in follow_list(config, community) if t[0] != "#" and ":" not in t]
        found[name] = replace(community, following=tuple(members))
    return found


def get(config: Config, name: str) -> Community:
    """One community; a clear error lists the known ones."""
    known = communities(config)
    if name not in known:
        names = ", ".join(sorted(known)) or "none yet"
        raise CommunityError(
            f"no community '{name}' (known: {names}); add one with "
            "'narrate community add NAME URL --member HANDLE'"
        )
    return known[name]


def state_path() -> Path:
    """Where last-pull times are kept (not settings, so not in the config)."""
    return data_dir() / "communities" / "state.json"


def load_state() -> dict[str, Any]:
    """Per-community state: last pull time and commit."""
    try:
        data = json.loads(state_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(state: dict[str, Any]) -> None:
    """Write the state file atomically."""
    from narrate.journal import atomic_write

    state_path().parent.mkdir(parents=True, exist_ok=True)
    atomic_write(state_path(), json.dumps(state, indent=1).encode())


@dataclass
class CommunityInfo:
    """What a community says about itself in community.toml."""

    name: str = ""
    description: str = ""
    guidelines: str = ""
    areas: list[str] | None = None
    tags: list[str] | None = None
    synonyms: dict[str, str] | None = None
    layout: str = "flat"
    """Where member folders live (narrate.community.repo.LAYOUTS); shares go there."""
    problem: str | None = None


def read_info(repo: CommunityRepo, commit: str | None) -> CommunityInfo:
    """community.toml from the fetched tree; a broken file is a notice, not a failure."""
    if commit is None:
        return CommunityInfo()
    raw = repo.read_file(commit, "community.toml")
    if raw is None:
        return CommunityInfo()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return CommunityInfo(problem=f"community.toml is not valid TOML ({exc}); ignored")
    found = data.get("vocabulary")
    vocabulary: dict[str, Any] = found if isinstance(found, dict) else {}

    def strings(value: Any) -> list[str] | None:
        return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else None

    # Vocabulary entries become tags in what the user publishes, and appear in notes:
    # keep only words that are tags (a community cannot rename a tag into anything else).
    def tags_only(values: list[str] | None) -> list[str] | None:
        return None if values is None else [t for v in values if (t := normalise_tag(v))]

    raw_synonyms = vocabulary.get("synonyms")
    synonyms = (
        {
            key: value
            for k, v in raw_synonyms.items()
            if (key := normalise_tag(str(k))) and (value := normalise_tag(str(v)))
        }
        if isinstance(raw_synonyms, dict)
        else None
    )
    return CommunityInfo(
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        guidelines=str(data.get("guidelines", "")),
        areas=tags_only(strings(vocabulary.get("areas"))),
        tags=tags_only(strings(vocabulary.get("tags"))),
        synonyms=synonyms,
        # Kept as written: a layout this narrate does not know refuses to publish
        # (writing elsewhere would put shares where other clients do not look).
        layout=str(data.get("layout", "flat")),
    )


# ---- following: what to read first when a community is large (narrate follow)
# Kept with the community's settings in config.toml, `follow = ["bob", "#testing",
# "area:code-review"]`, written back atomically by Config.save.


def follow_target(raw: str) -> str:
    """The stored form of a follow target: a member handle, ``#tag`` or ``area:AREA``;
    a clear error for anything else."""
    from narrate.journal.entry import normalise_area

    text = raw.strip()
    if text.startswith("#"):
        tag = normalise_tag(text)
        if tag:
            return f"#{tag}"
    elif text.lower().startswith("area:"):
        area = normalise_area(text[5:])
        if area:
            return f"area:{area}"
    elif NAME_RE.fullmatch(text):
        return text
    from narrate.sanitize import clean

    raise CommunityError(
        f"cannot follow '{clean(raw, single_line=True)}': give a member handle (bob), "
        "a #tag or area:AREA"
    )


def follow_list(config: Config, community: Community) -> list[str]:
    """What the user follows in ``community``, in the order they followed it; a target a
    hand edit broke is a config error (set_follow must not rewrite the list without it).
    The list's type is checked with the config's other keys (narrate.config)."""
    key = f"communities.{community.name}.follow"
    found: list[str] = []
    for value in config.get(key, []) or []:
        try:
            target = follow_target(str(value))
        except CommunityError:
            from narrate.sanitize import clean

            raise CommunityError(
                f"config {config.path}: key '{key}' must be a list of member handles, "
                f'#tags and area:AREAs (such as "bob"); '
                f"{json.dumps(clean(str(value), single_line=True), ensure_ascii=False)} is not one"
            ) from None
        if target not in found:
            found.append(target)
    return found


def set_follow(config: Config, community: Community, target: str, on: bool) -> bool:
    """Follow (``on``) or unfollow ``target`` in ``community``, saving the config;
    whether anything changed."""
    target = follow_target(target)
    current = follow_list(config, community)
    if (target in current) == on:
        return False
    updated = [*current, target] if on else [t for t in current if t != target]
    config.set(f"communities.{community.name}.follow", updated)
    config.save()
    return True


def follows_of(config: Config, chosen: list[Community]) -> Follows:
    """Everything the user follows in ``chosen``, as the feed's reads take it."""
    from narrate.journal import Follows

    members: list[tuple[str, str]] = []
    tags: list[tuple[str, str]] = []
    areas: list[tuple[str, str]] = []
    for community in chosen:
        for target in follow_list(config, community):
            if target.startswith("#"):
                tags.append((community.name, target[1:]))
            elif target.startswith("area:"):
                areas.append((community.name, target[5:]))
            else:
                members.append((community.name, target))
    return Follows(tuple(members), tuple(tags), tuple(areas))
