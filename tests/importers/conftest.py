"""Fixtures for the importer tests: journals written by jrnl itself, a Day One export
in its documented format, a folder of Obsidian notes, and a second empty journal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli


@pytest.fixture
def other(tmp_path: Path, template_journal: Path) -> Cli:
    """A second, empty journal (round trips import into it)."""
    target = tmp_path / "other"
    shutil.copytree(template_journal, target, symlinks=True)
    return Cli(target)


# ---------------------------------------------------------------------------- jrnl

JRNL_CONFIG = """\
colors: {{body: none, date: none, tags: none, title: none}}
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: {text}
  folder:
    journal: {folder}/
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%F %r'
version: v4.6
"""

LONG_LINE = (
    "First line of the body, not re-wrapped even though it is a very long line that goes "
    "on well past eighty columns."
)
# What we ask jrnl to write: (journal, text given as an argument or on stdin).
JRNL_WRITES: list[tuple[str, str, bool]] = [
    ("default", "2024-01-05 09:15: Shipped the retry fix @work. It took three tries.", False),
    ("default", "2024-01-06 14:30: Paired with Sam on the flaky deploy @pairing *", False),
    (
        "default",
        "2024-02-10 08:00: Notes from the retro @team/payments\n"
        f"{LONG_LINE}\n\n"
        "    indented code block\n\n"
        "## What I learned\n"
        "- a list item #done\n"
        "- another @Work and @café\n\n"
        "A footnote[^1].\n\n"
        "[^1]: the footnote @c++\n",
        True,
    ),
    ("default", "2024-03-01 12:00: Café ☕ notes", False),
    ("default", "2024-03-01 12:05: Two entries in one minute @work", False),
    ("folder", "2024-01-05 10:00: Folder entry one @work", False),
    ("folder", "2024-01-05 18:00: Folder entry two\nwith a body\n", True),
    ("folder", "2024-02-29 07:30: Leap day @pairing", False),
]


@dataclass
class JrnlFiles:
    """A journal jrnl wrote, in its three shapes, and the config that reads them."""

    config: Path
    text: Path
    json: Path
    folder: Path
    folder_json: Path

    def exported(self, which: str = "json") -> list[dict[str, Any]]:
        """jrnl's own JSON export of the text (or folder) journal: its entries."""
        path = self.json if which == "json" else self.folder_json
        return json.loads(path.read_text("utf-8"))["entries"]


def run_jrnl(config: Path, *args: str, stdin: str | None = None, home: Path) -> str:
    """jrnl itself, in a fresh interpreter, with a private HOME and config."""
    env = {
        **os.environ,
        "HOME": str(home / "home"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "NO_COLOR": "1",
    }
    env.pop("EDITOR", None)
    env.pop("VISUAL", None)
    result = subprocess.run(
        [sys.executable, "-m", "jrnl", "--config-file", str(config), *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, f"jrnl {args}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def jrnl_files(tmp_path_factory: pytest.TempPathFactory) -> JrnlFiles:
    """A text journal and a folder journal written entry by entry by jrnl 4, and jrnl's
    JSON export of each (read-only: copy before changing anything)."""
    base = tmp_path_factory.mktemp("jrnl")
    for sub in ("home", "config", "data"):
        (base / sub).mkdir()
    files = JrnlFiles(
        config=base / "jrnl.yaml",
        text=base / "journal.txt",
        json=base / "journal.json",
        folder=base / "folder",
        folder_json=base / "folder.json",
    )
    files.config.write_text(
        JRNL_CONFIG.format(text=files.text, folder=files.folder), encoding="utf-8"
    )
    for journal, text, on_stdin in JRNL_WRITES:
        name = [] if journal == "default" else [journal]
        if on_stdin:
            run_jrnl(files.config, *name, stdin=text, home=base)
        else:
            run_jrnl(files.config, *name, text, home=base)
    files.json.write_text(run_jrnl(files.config, "--format", "json", home=base), "utf-8")
    files.folder_json.write_text(
        run_jrnl(files.config, "folder", "--format", "json", home=base), "utf-8"
    )
    return files


# ---------------------------------------------------------------------------- Day One

PHOTO_ID = "76F9B0AC37954B51BF8B9146498B29C2"
PHOTO_MD5 = "ef43abe9582131d432f20dcc68e326aa"
LOCATION = {
    "region": {
        "center": {"longitude": 149.08692930000001, "latitude": -35.400089299999998},
        "identifier": "<-35.40008930,+149.08692930> radius 70.63",
        "radius": 70.632523826442977,
    },
    "localityName": "Wanniassa",
    "country": "Australia",
    "timeZoneName": "Australia/Sydney",
    "administrativeArea": "ACT",
    "longitude": 149.0987548828125,
    "placeName": "Wanniassa",
    "latitude": -35.401691436767578,
}
WEATHER = {
    "sunsetDate": "2021-03-03T08:38:49Z",
    "temperatureCelsius": 12,
    "weatherServiceName": "HAMweather",
    "windBearing": 90,
    "sunriseDate": "2021-03-02T19:51:44Z",
    "conditionsDescription": "Mostly Clear",
    "pressureMB": 1017,
    "visibilityKM": 48.280200958251953,
    "relativeHumidity": 72,
    "windSpeedKPH": 11,
    "weatherCode": "clear-night",
    "windChillCelsius": 12.199999809265137,
}
PHOTOS = [
    {
        "orderInEntry": 0,
        "creationDevice": "Vinoth’s iPhone",
        "duration": 0,
        "type": "jpeg",
        "identifier": PHOTO_ID,
        "date": "2021-03-03T11:48:50Z",
        "filename": "IMG_8615.HEIC",
        "height": 2400,
        "width": 3200,
        "fnumber": "2.2",
        "md5": PHOTO_MD5,
        "isSketch": False,
        "focalLength": "7.5",
    }
]
PACKED_TEXT = (
    "# All packed up finally \\.\\. still checking on weather \\.\\.\\. \n\n"
    f"![](dayone-moment://{PHOTO_ID})\n\n"
    "Cairns here we come\\. Gud nit canberra\\."
)


def dayone_export() -> dict[str, Any]:
    """A Day One JSON export (metadata + entries) as the app writes it: UTC creation
    dates with the zone they were written in, Markdown text with escaped punctuation
    and dayone-moment:// photo links, rich text, tags, stars, location and weather."""
    return {
        "metadata": {"version": "1.0"},
        "entries": [
            {
                "uuid": "2F8DDCA258634D9994DF3A4FEE328035",
                "creationDate": "2021-03-03T11:48:50Z",
                "modifiedDate": "2021-03-03T11:59:09Z",
                "timeZone": "Australia/Sydney",
                "text": PACKED_TEXT,
                "richText": json.dumps({"meta": {"version": 1}, "contents": [{"text": "x"}]}),
                "starred": True,
                "isPinned": False,
                "tags": ["Travel", "Work Trip"],
                "location": LOCATION,
                "weather": WEATHER,
                "photos": PHOTOS,
                "duration": 0,
                "editingTime": 63.553035974502563,
                "creationDevice": "Vinoth’s iPhone",
                "creationDeviceType": "iPhone",
                "creationOSName": "iOS",
                "creationOSVersion": "14.4",
                "userActivity": {"activityName": "Walking", "stepCount": 75},
            },
            {
                "uuid": "ABF26CD8D3EA42E298F1C3D5EFB0CF83",
                "creationDate": "2023-07-04T16:05:00Z",
                "modifiedDate": "2023-07-05T09:00:00Z",
                "timeZone": "America/New_York",
                "text": "Fireworks over the river #summer\n\nLine two.\n",
                "starred": False,
                "tags": [],
            },
            {
                "uuid": "C1A1F6787CEC46F1AD61A4DD557F9EEC",
                "creationDate": "2023-01-15T08:00:00Z",
                "text": "No time zone was recorded for this one.",
            },
            {
                "uuid": "914A44C8A0C04ED1B512DD3BEA61E3A7",
                "creationDate": "2022-12-31T23:30:00Z",
                "timeZone": "Europe/Berlin",
                "text": "Happy new year, written just after midnight.",
                "tags": ["C++", "new year"],
            },
        ],
    }
