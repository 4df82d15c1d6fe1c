"""Deterministic benchmark corpora: a narrate journal and the same entries for jrnl.

Usage: python bench/corpus.py 1000 [10000 100000 300000] [--force]

300k entries (thirty years, ~1.2 GB of files) take about 10 minutes on a 2-core machine
(10k: 15 s; writing, then one `git add -A`, commit and `git gc`).

Each corpus is cached under bench/corpus/<N>/: ``journal/`` is a real narrate journal
(created with ``Journal.create``, every entry file written with the bytes
``Entry.new(...).document.to_bytes()`` produces, one ``git add -A && git commit`` of
all of them, then ``git gc``) and ``jrnl.txt`` holds the same entries in jrnl 4.x's
plain-text format. The generator is seeded: the same N gives the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from narrate.journal import entry as entry_mod
from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice, slugify
from narrate.journal.store import entry_relpath

BENCH = Path(__file__).resolve().parent
CORPUS_DIR = BENCH / "corpus"
SEED = 20261127
TZ = ZoneInfo("Europe/Berlin")
END = dt.datetime(2026, 11, 20, 18, 0, tzinfo=TZ)
START = END - dt.timedelta(days=3 * 365)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench Writer",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench Writer",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2026-11-20T18:00:00+01:00",
    "GIT_COMMITTER_DATE": "2026-11-20T18:00:00+01:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}

# ------------------------------------------------------------------ vocabulary

PEOPLE = [
    "Sam",
    "Priya",
    "Jonas",
    "Mei",
    "Alex",
    "Fatima",
    "Tomás",
    "Olu",
    "Hana",
    "Lukas",
    "Ines",
    "Ravi",
    "Noor",
    "Mateo",
    "Yuki",
    "Chloe",
    "Arjun",
    "Lena",
    "Kofi",
    "Sofia",
    "Dmitri",
    "Aisha",
    "Ben",
    "Carla",
]
SYSTEMS = [
    "the deploy pipeline",
    "the billing service",
    "the search index",
    "the staging cluster",
    "the auth middleware",
    "the flaky integration test",
    "the migration script",
    "the onboarding docs",
    "the release checklist",
    "the metrics dashboard",
    "the payment webhook",
    "the CSV importer",
    "the nightly batch job",
    "the feature flag service",
    "the mobile build",
    "the cache layer",
    "the rate limiter",
    "the logging setup",
    "the API gateway",
    "the test fixtures",
    "the Terraform modules",
    "the Postgres replica",
    "the Kafka consumer",
    "the design system",
    "the invoice generator",
    "the data warehouse sync",
    "the on-call runbook",
    "the permissions model",
    "the retry logic",
    "the build cache",
]
DID = [
    "paired with {p} on {s}",
    "spent the morning debugging {s}",
    "reviewed {p}'s change to {s}",
    "refactored {s}",
    "rewrote the error handling in {s}",
    "profiled {s} under load",
    "wrote the first draft of a design note for {s}",
    "shipped a fix for {s}",
    "rolled back the last release of {s}",
    "added tests around {s}",
    "ran a short retro with {p} about {s}",
    "walked {p} through {s}",
    "finally deleted dead code from {s}",
    "benchmarked {s} against last week's numbers",
    "documented how {s} fails over",
    "sat in on {p}'s demo of {s}",
    "triaged three bugs in {s}",
    "mobbed with the team on {s}",
    "split a large pull request for {s} into four smaller ones",
    "chased a memory leak in {s}",
]
BECAUSE = [
    "because the logs were too noisy to read",
    "after the incident on Tuesday",
    "since the code review had stalled for a week",
    "because nobody remembered why it worked",
    "after a customer reported slow pages",
    "because the deadline moved up",
    "while the CI queue was down",
    "because {p} asked for a second pair of eyes",
    "after we agreed on it in planning",
    "because the alert kept firing at night",
]
LEARNED = [
    "I learned that {s} hides most of its state in environment variables",
    "It turned out the timeout was set in two places",
    "The real problem was an off-by-one in the pagination",
    "Reading the tests first made the change much easier to follow",
    "Writing the failing test before touching the code saved an hour",
    "{p} showed me how to bisect the history in a few minutes",
    "Small commits made the review quick and the rollback painless",
    "The flame graph pointed straight at the JSON serialisation",
    "Asking for help earlier would have saved most of the afternoon",
    "A checklist caught two things I would have forgotten",
    "The code review went faster once we agreed on naming up front",
    "Pair programming kept us from going down the wrong path",
    "Most of the slowness came from opening a new connection per request",
    "The documentation was wrong, the code was right",
    "Timeboxing the investigation kept it from eating the day",
    "Nobody owned {s}, which explains a lot",
    "Logging the request id everywhere made the bug obvious",
    "The retry storm came from three clients backing off in lockstep",
]
NEXT = [
    "Next time I will write down the question before I start digging",
    "Tomorrow I want to finish the tests for {s}",
    "I will ask {p} to review the follow-up",
    "From now on I read the tests before the implementation",
    "I should block an hour for deep work before standup",
    "I want to try a written design review instead of a meeting",
    "Next week I will pair with {p} again",
    "I will add a dashboard panel so this shows up sooner",
    "I need to write the runbook entry while it is fresh",
    "I will keep the pull requests under two hundred lines",
]
FILLER = [
    "The rest of the day went to meetings and small fixes.",
    "Energy was low after lunch, so I took a walk.",
    "Standup was short today.",
    "We argued about naming for far too long.",
    "Coffee with {p} turned into a useful chat about career growth.",
    "The build was red most of the afternoon.",
    "I kept getting interrupted by chat messages.",
    "Good focus today, the notifications were off.",
    "The planning meeting ran over again.",
    "Spent some time answering questions from support.",
    "Half an hour went into updating dependencies.",
    "The release went out without drama.",
    "I cleaned up my notes from the week.",
    "Sketched the idea on paper before writing any code.",
]
ADVERBS = ["quickly", "carefully", "slowly", "finally", "again", "mostly", "honestly", "briefly"]
HEADINGS = ["## What I did", "## What I learned", "## What I will do differently"]
DETAIL = [
    "Ticket {t} turned out to be about {w} in {s}.",
    "The error said {w} {w2}, which sent me to the {w} module.",
    "{p} mentioned {w} and {w2} as the next suspects.",
    "Renamed {w} to {w2} in {s} so the intent is clearer.",
    "Filed {t} for the {w} warning we keep ignoring.",
    "The {w} config in {s} still points at {w2}.",
]
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vi",
    "zo",
    "ba",
    "de",
    "fi",
    "go",
    "hu",
    "ja",
    "ke",
    "li",
    "mo",
    "nu",
    "pa",
    "qui",
    "re",
    "si",
    "to",
    "ul",
    "ve",
    "wa",
    "xi",
    "yo",
    "zu",
    "an",
    "el",
    "in",
    "on",
    "ur",
    "ar",
    "es",
    "ix",
    "om",
    "ty",
]

_BASE_TAGS = [
    "testing",
    "code-review",
    "pairing",
    "devops",
    "debugging",
    "performance",
    "refactoring",
    "documentation",
    "planning",
    "retro",
    "incident",
    "on-call",
    "security",
    "hiring",
    "mentoring",
    "onboarding",
    "design",
    "architecture",
    "database",
    "api",
    "frontend",
    "backend",
    "ci",
    "deployment",
    "monitoring",
    "logging",
    "observability",
    "accessibility",
    "writing",
    "meetings",
    "focus",
    "learning",
    "career",
    "feedback",
    "estimation",
    "release",
    "migration",
    "caching",
    "networking",
    "kubernetes",
    "docker",
    "terraform",
    "postgres",
    "kafka",
    "redis",
    "graphql",
    "rest",
    "mobile",
    "ios",
    "android",
    "ux",
    "research",
    "product",
    "customer-support",
    "data",
    "analytics",
    "ml",
    "prototyping",
    "spike",
    "tech-debt",
    "cleanup",
    "automation",
    "scripting",
    "tooling",
    "editor",
    "git",
    "shell",
    "vim",
    "productivity",
    "health",
    "reading",
    "conference",
    "talk",
    "workshop",
    "standup",
    "one-on-one",
    "async",
    "remote",
    "collaboration",
    "communication",
    "leadership",
    "ownership",
    "postmortem",
    "chaos",
    "reliability",
    "sre",
    "cost",
    "budget",
    "compliance",
    "privacy",
    "legal",
    "open-source",
    "community",
    "blog",
]
_LANGS = [
    "python",
    "rust",
    "go",
    "typescript",
    "javascript",
    "java",
    "kotlin",
    "swift",
    "ruby",
    "elixir",
    "sql",
    "bash",
]
_TEAMS = ["platform", "payments", "growth", "search", "infra", "mobile", "data", "web"]
_PROJECTS = [
    "atlas",
    "beacon",
    "comet",
    "delta",
    "ember",
    "falcon",
    "granite",
    "harbor",
    "iris",
    "juniper",
    "kestrel",
    "lumen",
    "meridian",
    "nimbus",
    "orbit",
    "pioneer",
    "quartz",
    "relay",
    "summit",
    "tundra",
    "umbra",
    "vector",
    "willow",
    "xenon",
    "yarrow",
    "zephyr",
    "apollo",
    "borealis",
    "cinder",
    "dune",
]
TAG_POOL = [
    *_BASE_TAGS,
    *(f"lang/{x}" for x in _LANGS),
    *(f"team/{x}" for x in _TEAMS),
    *(f"project/{x}" for x in _PROJECTS),
]
AREAS = [
    "testing",
    "code-review",
    "pairing",
    "debugging",
    "planning",
    "documentation",
    "focus",
    "communication",
]
SOURCES = ["python-cop", "devops-guild", "a blog post", "the team retro", *PEOPLE[:8]]
CHANGES = [
    ("Read the tests before the implementation in every review", "Read the diff top to bottom"),
    ("Write the failing test first", "Wrote tests after the fix"),
    ("Keep pull requests under 200 lines", "Opened one big pull request per feature"),
    ("Write down the hypothesis before debugging", "Poked at things until they worked"),
    ("Pair for the first hour of a new task", "Started new tasks alone"),
    ("Timebox investigations to 45 minutes, then ask", "Kept digging for hours"),
    ("Turn off notifications for two focus blocks a day", "Answered chat immediately"),
    ("Summarise decisions in writing after meetings", "Relied on memory"),
    ("Bisect before reading code", "Read code until I found it"),
    ("Update the runbook during the incident", "Wrote the runbook afterwards, or never"),
]


@dataclass
class Spec:
    """One generated entry, before it is written."""

    created: dt.datetime
    title: str | None  # None: the first line of the text is the title (as `narrate add`)
    body: str
    tags: list[str]
    practice: list[Practice]
    ident: str
    updated: dt.datetime


def _rare_words() -> list[str]:
    """A long tail of made-up identifiers, so the full-text vocabulary is Zipf-like."""
    rng = random.Random(SEED)
    words: dict[str, None] = {}
    while len(words) < 20_000:
        words["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4)))] = None
    return list(words)


RARE = _rare_words()
_RARE_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(RARE))]
_RARE_CUM = list(itertools.accumulate(_RARE_WEIGHTS))


def _fill(rng: random.Random, template: str) -> str:
    if "{w" in template or "{t}" in template:
        w, w2 = rng.choices(RARE, cum_weights=_RARE_CUM, k=2)
        ticket = f"{rng.choice(('PAY', 'OPS', 'WEB', 'DATA', 'SRCH'))}-{rng.randint(100, 9999)}"
        return template.format(p=rng.choice(PEOPLE), s=rng.choice(SYSTEMS), w=w, w2=w2, t=ticket)
    return template.format(p=rng.choice(PEOPLE), s=rng.choice(SYSTEMS))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        text = _fill(rng, rng.choice(DID))
        if rng.random() < 0.5:
            text += " " + _fill(rng, rng.choice(BECAUSE))
        if rng.random() < 0.2:
            text += ", " + rng.choice(ADVERBS)
        return _cap(text) + "."
    if kind < 0.6:
        return _fill(rng, rng.choice(LEARNED)) + "."
    if kind < 0.72:
        return _fill(rng, rng.choice(NEXT)) + "."
    if kind < 0.85:
        return _fill(rng, rng.choice(DETAIL))
    return _fill(rng, rng.choice(FILLER))


def _prose(rng: random.Random, words: int, tags: list[str]) -> str:
    """Paragraphs of narration, about ``words`` long, sometimes with headings/#tags."""
    paragraphs: list[str] = []
    current: list[str] = []
    count = 0
    headings = rng.random() < 0.25
    heading_at = 0
    if headings:
        paragraphs.append(HEADINGS[0])
        heading_at = 1
    while count < words:
        sentence = _sentence(rng)
        current.append(sentence)
        count += len(sentence.split())
        if len(current) >= rng.randint(3, 6):
            paragraphs.append(" ".join(current))
            current = []
            if headings and heading_at < len(HEADINGS) and rng.random() < 0.5:
                paragraphs.append(HEADINGS[heading_at])
                heading_at += 1
    if current:
        paragraphs.append(" ".join(current))
    if tags and rng.random() < 0.15:  # some writers type the tag inline too
        paragraphs[-1] += f" #{rng.choice(tags)}"
    return "\n\n".join(paragraphs)


def _ulid(rng: random.Random, moment: dt.datetime) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    number = (int(moment.timestamp() * 1000) << 80) | rng.getrandbits(80)
    chars = []
    for _ in range(26):
        chars.append(alphabet[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def _tag_weights() -> list[float]:
    return [1.0 / (rank + 1) ** 0.8 for rank in range(len(TAG_POOL))]


def start_for(n: int) -> dt.datetime:
    """The first day a corpus of ``n`` entries spans: three years up to 100k entries (the
    corpora measured so far keep their bytes), thirty years above (a lifetime journal:
    300k entries is ~27 a day, 360 month folders)."""
    return START if n <= 100_000 else END - dt.timedelta(days=30 * 365)


def generate(n: int, seed: int = SEED) -> Iterator[Spec]:
    """N entry specs, oldest first, the same for the same (n, seed); one at a time, so
    300k entries never sit in memory together (only their 300k moments do)."""
    rng = random.Random(seed * 1_000_003 + n)
    first = start_for(n)
    span = int((END - first).total_seconds())
    weights = _tag_weights()
    moments = []
    for _ in range(n):
        day = first + dt.timedelta(seconds=rng.randrange(span))
        hour = min(22, max(7, int(rng.gauss(13, 3))))
        moments.append(day.replace(hour=hour, minute=rng.randrange(60), second=0))
    moments.sort()
    for created in moments:
        created = created.astimezone(TZ)  # normalise DST offsets after replace()
        tags: list[str] = []
        for tag in rng.choices(TAG_POOL, weights, k=rng.choice((0, 1, 1, 2, 2, 3, 4))):
            if tag not in tags:
                tags.append(tag)
        words = rng.randint(50, 400)
        practice: list[Practice] = []
        if rng.random() < 0.10:
            for _ in range(1 if rng.random() < 0.85 else 2):
                change, before = rng.choice(CHANGES)
                practice.append(
                    Practice(
                        area=rng.choice(AREAS),
                        change=change,
                        before=before if rng.random() < 0.7 else None,
                        source=rng.choice(SOURCES) if rng.random() < 0.6 else None,
                        status=rng.choices(("trying", "adopted", "dropped"), (6, 3, 1))[0],
                    )
                )
        first = _cap(_fill(rng, rng.choice(DID)))
        body = _prose(rng, words - len(first.split()), tags)
        explicit = rng.random() < 0.4
        updated = created + dt.timedelta(minutes=rng.choice((0, 0, 0, 2, 15, 60, 1440)))
        yield (
            Spec(
                created=created,
                title=first if explicit else None,
                body=body if explicit else f"{first}\n{body}",
                tags=tags,
                practice=practice,
                ident=_ulid(rng, created),
                updated=updated,
            )
        )


def build_entry(spec: Spec) -> Entry:
    """The Entry narrate would write for this spec (as `narrate add` does)."""
    if spec.title is not None:
        title, body = spec.title, spec.body.strip("\n")
    else:
        lines = spec.body.strip("\n").split("\n")
        title = entry_mod.derive_title(lines[0])
        body = "\n".join(lines[1:]).strip("\n")
    original = entry_mod.new_id
    entry_mod.new_id = lambda when=None: spec.ident  # the one random part of Entry.new
    try:
        entry = Entry.new(
            body, title=title, created=spec.created, tags=spec.tags, practice=spec.practice
        )
    finally:
        entry_mod.new_id = original
    # Entry.new stamps `updated` with the clock; set it the way an edit does.
    return entry.with_changes(updated=entry_mod.format_timestamp(spec.updated))


def jrnl_text(spec: Spec, entry: Entry) -> str:
    """The entry in jrnl's plain-text format: [YYYY-MM-DD HH:MM] Title. body @tags."""
    body = entry.body.strip().replace("\n\n", "\n")
    tags = " ".join(f"@{t}" for t in spec.tags)
    title = entry.title.rstrip(".") + "."
    text = f"[{spec.created:%Y-%m-%d %H:%M}] {title} {body}"
    return f"{text} {tags}\n" if tags else f"{text}\n"


def git(root: Path, *args: str) -> None:
    """Run git in the journal with the bench identity."""
    subprocess.run(["git", "-C", str(root), *args], check=True, env={**os.environ, **GIT_ENV})


def build(n: int, force: bool = False) -> Path:
    """Create (or reuse) bench/corpus/<n>/ and return it."""
    target = CORPUS_DIR / str(n)
    if (target / "DONE").exists() and not force:
        return target
    if target.exists():
        shutil.rmtree(target)
    started = time.perf_counter()
    staging = CORPUS_DIR / f".{n}.tmp"
    if staging.exists():
        shutil.rmtree(staging)
    root = staging / "journal"
    saved = {k: os.environ.get(k) for k in GIT_ENV}
    os.environ.update(GIT_ENV)
    try:
        Journal.create(root)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    used: set[str] = set()
    made_dirs: set[Path] = set()
    with open(staging / "jrnl.txt", "w", encoding="utf-8") as jrnl:
        for number, spec in enumerate(generate(n), 1):
            entry = build_entry(spec)
            stem = f"{spec.created:%Y-%m-%d-%H%M}-{slugify(entry.title)}"
            suffix = 1
            rel = entry_relpath(spec.created.year, spec.created.month, stem)
            while rel in used:  # Journal.new_path: the first free -2, -3, ...
                suffix += 1
                rel = entry_relpath(spec.created.year, spec.created.month, f"{stem}-{suffix}")
            used.add(rel)
            path = root / rel
            if path.parent not in made_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(path.parent)
            path.write_bytes(entry.document.to_bytes())
            jrnl.write(jrnl_text(spec, entry) + "\n")
            if number % 10_000 == 0:
                print(f"  {number} entries written", file=sys.stderr)
    git(root, "add", "-A")
    # No background auto-gc racing the explicit one: pack once, as a long-lived repo is.
    git(root, "-c", "gc.auto=0", "commit", "-q", "-m", f"Bench corpus: {n} entries")
    git(root, "gc", "-q")
    (staging / "DONE").write_text(f"{n} entries, seed {SEED}\n")
    staging.rename(target)
    print(f"corpus {n}: {time.perf_counter() - started:.1f} s -> {target}", file=sys.stderr)
    return target


def main() -> None:
    """Build the corpora named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    for n in args.sizes:
        build(n, force=args.force)


if __name__ == "__main__":
    main()
