"""Changes made outside narrate that a read must see (docs/index.md's guarantee), as a
second engineer found them trying to break the bounded check of busy months."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from narrate.journal.core import Journal
from tests.helpers import entry_text

DAY_NS = 86_400 * 10**9


def titles(root: Path) -> list[str]:
    """What a read lists (a fresh Journal each time: a new process's view)."""
    with Journal.open(root) as journal:
        return sorted(item["title"] for item in journal.entries(limit=None))


def age_folders(root: Path, days: int = 10) -> None:
    """Every folder's time in the past, as after a while without writes (a folder
    changed within the last two seconds is looked at again anyway)."""
    old = time.time_ns() - days * DAY_NS
    for folder in [root / "entries", *(p for p in (root / "entries").rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(old, old))


def small_journal(root: Path) -> Path:
    month = root / "entries" / "2024" / "01"
    for day in range(1, 4):
        (month / f"2024-01-0{day}-e{day}.md").parent.mkdir(parents=True, exist_ok=True)
        (month / f"2024-01-0{day}-e{day}.md").write_text(
            entry_text(f"0000000{day}", f"2024-01-0{day} 10:00", f"Entry {day}"), "utf-8"
        )
    age_folders(root)
    assert titles(root) == ["Entry 1", "Entry 2", "Entry 3"]
    return month


def test_a_small_journal_sees_a_rename_whose_folder_time_was_put_back(root: Path) -> None:
    """A journal of at most 5,000 files is checked whole on every read: a rename in a
    folder whose time is put back (touch -r, rsync -a, cp -a, tar) is seen."""
    month = small_journal(root)
    reference = root.parent / "month-times"
    subprocess.run(["touch", "-r", str(month), str(reference)], check=True)
    (month / "2024-01-01-e1.md").rename(month / "2024-01-01-renamed.md")
    subprocess.run(["touch", "-r", str(reference), str(month)], check=True)
    assert titles(root) == ["Entry 1", "Entry 2", "Entry 3"]


def test_a_small_journal_sees_a_new_file_whose_folder_time_was_put_back(root: Path) -> None:
    """The same for a file copied in or restored: the slice re-stats only known files,
    so only listing every folder of a small journal finds it."""
    month = small_journal(root)
    reference = root.parent / "month-times"
    subprocess.run(["touch", "-r", str(month), str(reference)], check=True)
    (month / "2024-01-04-restored.md").write_text(
        entry_text("00000004", "2024-01-04 10:00", "Restored"), "utf-8"
    )
    subprocess.run(["touch", "-r", str(reference), str(month)], check=True)
    for _ in range(12):  # more reads than files / 500 and than BARREN_EVERY
        seen = titles(root)
    assert "Restored" in seen


def big_journal(root: Path) -> None:
    """More than 5,000 files (so reads check recent files only): twelve months of 2023
    and two busy months of 2024 (400 entries each, 13 a day), and a notes folder of 400
    notes named by title (an Obsidian vault's folder)."""
    number = 0
    for year, months in ((2023, range(1, 13)), (2024, (11, 12))):
        for month in months:
            folder = root / "entries" / str(year) / f"{month:02d}"
            folder.mkdir(parents=True)
            for n in range(400):
                number += 1
                day = 1 + n // 14
                stem = f"{year}-{month:02d}-{day:02d}-e{n:03d}"
                (folder / f"{stem}.md").write_text(
                    entry_text(f"{number:08d}", f"{year}-{month:02d}-{day:02d} 10:00", stem),
                    "utf-8",
                )
    notes = root / "notes"
    notes.mkdir()
    for n in range(400):
        (notes / f"{chr(65 + n % 26)}{n:03d} note.md").write_text(f"Note {n}\n", "utf-8")
    age_folders(root)
    for folder in (root, notes):
        os.utime(folder, ns=(time.time_ns() - DAY_NS,) * 2)
    with Journal.open(root) as journal:
        journal.refresh()
        assert journal.count() > 5000


def bodies(root: Path, needle: str) -> list[str]:
    with Journal.open(root) as journal:
        return [item["title"] for item in journal.search(needle)[0]]


def test_a_big_journal_sees_an_edit_in_place_anywhere_in_a_month_of_400(root: Path) -> None:
    """A hot month of up to HOT_FILES entries is stat'ed whole on every read, however
    big the journal."""
    big_journal(root)
    target = root / "entries" / "2024" / "12" / "2024-12-01-e000.md"
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\nzanzibarquux appended in place\n")
    assert bodies(root, "zanzibarquux") == ["2024-12-01-e000"]


def test_a_big_journal_sees_an_edit_in_place_anywhere_in_the_hot_notes_folder(root: Path) -> None:
    """Hot folders outside entries/ hold notes not named by date: they are stat'ed
    whole, so an edit in place to any note there is seen."""
    big_journal(root)
    target = root / "notes" / "A000 note.md"
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\nzanzibarquux appended in place\n")
    assert len(bodies(root, "zanzibarquux")) == 1


def test_a_big_journal_drops_an_entry_deleted_from_a_hot_month_whose_time_was_put_back(
    root: Path,
) -> None:
    """Every known file of a month of up to HOT_FILES entries is re-stat'ed, so a
    deletion hidden by a restored folder time is still seen."""
    big_journal(root)
    month = root / "entries" / "2024" / "12"
    reference = root.parent / "month-times"
    subprocess.run(["touch", "-r", str(month), str(reference)], check=True)
    (month / "2024-12-01-e000.md").unlink()
    subprocess.run(["touch", "-r", str(reference), str(month)], check=True)
    assert "2024-12-01-e000" not in titles(root)
