"""Import boundaries: the CLI never pulls in Textual, and hot reads stay lean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import narrate
from tests.helpers import CLI_ENV, Cli

HEAVY = ["textual", "narrate.tui", "sqlite_utils", "git", "yaml", "markdown_it"]
# What a read never needs: the other commands' modules (the group loads a command's
# module only when it runs), and Rich where nothing is drawn.
OTHER_COMMANDS = [
    f"narrate.commands.{name}"
    for name in ("attach", "community", "conflicts", "imports", "maintenance", "practice", "sync")
]
RICH = ["rich", "rich.console", "rich.table", "rich.text"]
WATCHED = [*HEAVY, *OTHER_COMMANDS, *RICH]

# Runs one command in a fresh interpreter, then records which heavy modules it loaded.
RUN_AND_REPORT = f"""
import json, sys
from narrate.cli import main
report, args = sys.argv[1], sys.argv[2:]
try:
    main(args, standalone_mode=False)
except SystemExit:
    pass
with open(report, "w") as handle:
    json.dump(sorted(m for m in {WATCHED!r} if m in sys.modules), handle)
"""


def loaded(tmp_path: Path, *args: str) -> set[str]:
    """Heavy modules present in sys.modules after ``narrate ARGS`` in a new process."""
    report = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT, str(report), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **CLI_ENV},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return set(json.loads(report.read_text()))


@pytest.fixture
def indexed(cli: Cli) -> Cli:
    """A journal whose entries need every parser, with an up-to-date index."""
    cli.add("Plain entry about deploys")
    cli.add("Tagged #devops entry with `code`", "-t", "pairing")
    cli.add("A change", "--practice", "testing:Tests first", "--source", "sam")
    cli.ok("reindex")
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--json"),
        ("list", "-t", "devops", "--json"),
        ("search", "deploys"),
        ("search", "--json", "#devops is:practice"),
        ("tags", "--json"),
    ],
    ids=" ".join,
)
def test_reads_on_a_fresh_index_import_nothing_heavy(
    indexed: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    assert not loaded(tmp_path, "-j", str(indexed.root), *args) & {*HEAVY, *OTHER_COMMANDS}


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json"),
        ("list", "--short"),
        ("search", "--json", "deploys"),
        ("tags", "--json"),
        # Into a pipe (these subprocesses' stdout): plain text, no Rich.
        ("list",),
        ("list", "-t", "devops"),
        ("search", "deploys"),
        ("tags",),
    ],
    ids=" ".join,
)
def test_reads_into_a_pipe_never_import_rich(
    indexed: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    modules = loaded(tmp_path, "-j", str(indexed.root), *args)
    assert not modules & {*HEAVY, *OTHER_COMMANDS, *RICH}, modules


@pytest.mark.parametrize(
    "args",
    [
        ("practice", "--json"),
        ("practice", "--due", "--json"),
        ("practice", "--area", "Testing", "--since", "2020-01-01", "--json"),
        ("practice", "-n", "5", "--json"),
        ("review", "--json"),
        ("review", "--markdown"),
        # Into a pipe (these subprocesses' stdout): plain text, no Rich.
        ("practice",),
        ("practice", "--due"),
    ],
    ids=" ".join,
)
def test_practice_reads_import_nothing_heavy_and_no_rich(
    indexed: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    modules = loaded(tmp_path, "-j", str(indexed.root), *args)
    others = {m for m in OTHER_COMMANDS if m != "narrate.commands.practice"}
    assert "narrate.commands.practice" in modules, "the command really ran"
    assert not modules & {*HEAVY, *others, *RICH}, modules


def test_show_into_a_pipe_imports_neither_rich_nor_markdown_it(
    indexed: Cli, tmp_path: Path
) -> None:
    entry_id = indexed.add("Shown **in full**\n\n- a list item")
    modules = loaded(tmp_path, "-j", str(indexed.root), "show", entry_id)
    assert not modules & {*HEAVY, *OTHER_COMMANDS, *RICH}, modules


def test_plain_output_keeps_every_column_and_folds_nothing(indexed: Cli) -> None:
    title = "A title long enough to be folded at eighty columns by a table that wraps"
    entry_id = indexed.add(title, "-t", "folding")
    listed = indexed.ok("list").stdout.splitlines()
    assert listed[0].split() == ["id", "date", "title", "tags"]
    (row,) = [line for line in listed if title in line]
    assert row.startswith(entry_id[:12]) and row.endswith("#folding")
    assert all(line == line.rstrip() for line in listed)
    tags = dict(line.split() for line in indexed.ok("tags").stdout.splitlines()[1:])
    assert tags["#folding"] == "1"
    shown = indexed.ok("show", entry_id).stdout
    assert shown.splitlines()[0] == title and "#folding" in shown


def test_a_command_module_loads_only_when_its_command_runs(tmp_path: Path) -> None:
    from narrate.cli import COMMANDS, main

    assert set(main.commands) == set(COMMANDS)  # every command listed, for help
    # Each command is found under its name, in the module the table names.
    for name, where in COMMANDS.items():
        command = main.commands[name]
        assert command.name == name
        assert command.callback is not None
        assert command.callback.__module__ == f"narrate.commands.{where.partition(':')[0]}"


def test_add_never_imports_textual(cli: Cli, tmp_path: Path) -> None:
    modules = loaded(tmp_path, "-j", str(cli.root), "add", "A #tagged entry", "-t", "x")
    assert not modules & {"textual", "narrate.tui"}
    assert len(cli.json("list")) == 1, "the command really ran"


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("search", "--help")], ids=str)
def test_help_and_version_import_nothing_heavy(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert not loaded(tmp_path, *args) & set(HEAVY)


def test_no_module_outside_the_tui_imports_textual() -> None:
    # By file, not pkgutil: narrate.journal is a namespace package walk_packages skips.
    package = Path(narrate.__file__).parent
    modules = sorted(
        ".".join(("narrate", *path.relative_to(package).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] != "tui" and path.name != "__main__.py"
    )
    assert "narrate.journal.core" in modules and "narrate.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual' "
        "or m.startswith('narrate.tui')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_showing_an_entry_with_practice_changes_never_imports_yaml(
    indexed: Cli, tmp_path: Path
) -> None:
    (change,) = [e for e in indexed.json("list") if e["practice"]]
    modules = loaded(tmp_path, "-j", str(indexed.root), "show", change["id"])
    assert "yaml" not in modules, "the fast reader reads what narrate writes for practice"
