"""Configuration: TOML at the platform config dir, validated with errors naming the key."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.config import Config, dumps_toml, env_or_config_journal, load_config
from narrate.errors import NarrateError
from narrate.paths import config_file, default_journal
from tests.helpers import PROPERTY, Cli


def test_the_config_lives_in_the_platform_config_dir() -> None:
    assert config_file() == Path(os.environ["XDG_CONFIG_HOME"]) / "narrate" / "config.toml"
    assert default_journal() == Path(os.environ["XDG_DATA_HOME"]) / "narrate" / "journal"


def test_narrate_config_overrides_the_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NARRATE_CONFIG", str(tmp_path / "other.toml"))
    assert config_file() == tmp_path / "other.toml"


def test_a_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config.data == {} and config.get("author.handle", "nobody") == "nobody"
    assert config.private_tags == []


def test_a_full_config_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'journal = "~/notes"\neditor = "nano -w"\ntheme = "dusk"\nauto_sync = true\n'
        'private_tags = ["Health", "family"]\ncheck_back_weeks = [2, 6]\nfuture_key = 1\n\n'
        '[author]\nhandle = "alice"\nemail = "alice@example.com"\n\n'
        '[communities.python-cop]\nurl = "git@example.com:cop.git"\n'
    )
    config = load_config(path)
    assert config.get("author.handle") == "alice"
    assert config.get("communities.python-cop.url") == "git@example.com:cop.git"
    assert config.private_tags == ["health", "family"]
    assert config.get("future_key") == 1
    assert env_or_config_journal(config) == Path("~/notes").expanduser()


def test_private_tags_are_normalised_as_tags_are(tmp_path: Path) -> None:
    # Issue 11 item 3: "#health" and "Salary " protected nothing (fail open).
    path = tmp_path / "config.toml"
    path.write_text('private_tags = ["#health", "Salary ", "#Santé", "work/"]\n', "utf-8")
    assert load_config(path).private_tags == ["health", "salary", "santé", "work"]


@pytest.mark.parametrize("value", ["#", "  ", "", "my salary", "#-"])
def test_a_private_tag_that_is_not_a_tag_is_a_config_error(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'private_tags = ["ok", "{value}"]\n', "utf-8")
    with pytest.raises(NarrateError) as caught:
        load_config(path)
    assert "'private_tags'" in str(caught.value) and str(path) in str(caught.value)
    assert f'"{value}"' in str(caught.value)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('theme = "dark"\njournal = = 1\n', ["not valid TOML", "line 2"]),
        ("journal = 5\n", ["'journal'", "a path"]),
        ("auto_sync = \"yes\"\n", ["'auto_sync'", "true or false"]),
        ('private_tags = ["a", 1]\n', ["'private_tags'"]),
        ("check_back_weeks = [0]\n", ["'check_back_weeks'"]),
        ("check_back_weeks = [true]\n", ["'check_back_weeks'"]),
        ("[author]\nhandle = 7\n", ["'author.handle'"]),
        ("author = \"alice\"\n", ["'author'", "a table"]),
    ],
)  # fmt: skip
def test_an_invalid_config_names_the_file_and_the_problem(
    tmp_path: Path, text: str, needles: list[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(NarrateError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message


def test_a_config_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "caf\xe9"\n')
    with pytest.raises(NarrateError, match="not UTF-8"):
        load_config(path)


def test_save_writes_back_every_key_known_or_not(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "config.toml"
    config = Config(path, {"future": {"nested": [1, 2]}, "theme": "dusk"})
    config.set("author.handle", "alice")
    config.set("communities.python-cop.url", "https://example.com/cop.git")
    config.save()
    again = load_config(path)
    assert again.data == config.data
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]


# Astral keys and DEL have their own tests below.
TOML_KEY = st.text(st.characters(codec="utf-8", max_codepoint=0xFFFF), max_size=8)
TOML_SCALAR = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(st.characters(codec="utf-8", exclude_characters="\x7f"), max_size=12),
)
TOML_VALUE = st.recursive(
    TOML_SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TOML_KEY, inner, max_size=3),
    max_leaves=8,
)


@PROPERTY
@given(st.dictionaries(TOML_KEY, TOML_VALUE, max_size=5))
def test_dumps_toml_round_trips(data: dict[str, Any]) -> None:
    assert tomllib.loads(dumps_toml(data)) == data


def test_a_community_named_with_an_emoji_survives_a_save(tmp_path: Path) -> None:
    config = Config(tmp_path / "config.toml")
    config.set("communities.🐍-cop.url", "https://example.com/cop.git")
    config.save()
    assert load_config(config.path).data == config.data


def test_a_value_with_a_control_character_survives_a_save(tmp_path: Path) -> None:
    config = Config(tmp_path / "config.toml", {"editor": "vim\x7f"})
    config.save()
    assert load_config(config.path).data == config.data


def test_the_cli_uses_the_configured_journal_and_editor(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[-1], 'a').write('\\nfrom the config editor\\n')\n")
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "narrate" / "config.toml"
    Config(config, {"journal": str(cli.root), "editor": f"{sys.executable} {script}"}).save()
    # No --journal: the config names the journal.
    added = cli("add", "Configured", journal=False)
    assert added.exit_code == 0, added.output
    entry_id = added.stdout.strip()
    edited = cli("edit", entry_id, journal=False)
    assert edited.exit_code == 0, edited.output
    assert "from the config editor" in cli.json("show", entry_id)["body"]


def test_saving_keeps_the_users_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "# my narrate settings\n"
        'theme = "dusk"  # the dark one\n\n'
        '[author]\n# who I am in communities\nhandle = "alice"\n\n'
        '[communities.python-cop]\nurl = "https://example.com/cop.git"  # work\n'
    )
    config = load_config(path)
    config.set("theme", "paper")
    config.set("communities.go-cop.url", "https://example.com/go.git")
    config.save()
    text = path.read_text()
    for comment in ("# my narrate settings", "# the dark one", "# who I am", "# work"):
        assert comment in text, text
    assert load_config(path).get("theme") == "paper"
    assert load_config(path).get("communities.go-cop.url") == "https://example.com/go.git"
    assert text.index("[author]") < text.index("python-cop") < text.index("go-cop")


def test_deleting_a_key_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[communities.a]\nurl = "https://example.com/a.git"  # keep me\n\n'
        '[communities.b]\nurl = "https://example.com/b.git"\n'
    )
    config = load_config(path)
    config.delete("communities.b")
    config.save()
    assert "# keep me" in path.read_text()
    assert load_config(path).get("communities") == {"a": {"url": "https://example.com/a.git"}}


def test_a_toml_date_in_the_config_survives_a_save(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("started = 2026-11-01\n[notes]\nwhen = 2026-11-02T09:00:00Z\n")
    config = load_config(path)
    config.set("theme", "dusk")
    config.save()
    again = load_config(path)
    assert str(again.get("started")) == "2026-11-01" and again.get("theme") == "dusk"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-5", "0"])
def test_a_sync_timeout_that_is_not_a_positive_number_is_an_error(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"sync_timeout = {value}\n")
    with pytest.raises(NarrateError, match="'sync_timeout'"):
        load_config(path)


def test_a_misspelled_key_is_a_warning_naming_the_closest_known_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('jornal = "~/notes"\n[author]\nhandel = "alice"\n')
    config = load_config(path)
    assert any("'jornal'" in w and "'journal'" in w and str(path) in w for w in config.warnings)
    assert any("'author.handel'" in w and "'author.handle'" in w for w in config.warnings)
    assert load_config(tmp_path / "absent.toml").warnings == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("community_pull_minutes = -5\n", "'community_pull_minutes'"),
        ("community_pull_minutes = 1e309\n", "'community_pull_minutes'"),
        ("community_pull_minutes = nan\n", "'community_pull_minutes'"),
        ('community_pull_minutes = "10"\n', "'community_pull_minutes'"),
        ('[communities.cop]\nurl = "u"\npartial = "maybe"\n', "'communities.cop.partial'"),
        ('[communities.cop]\nurl = "u"\npartial = 1\n', "'communities.cop.partial'"),
        ('[communities.cop]\nurl = "u"\nfollow = "bob"\n', "'communities.cop.follow'"),
        ('[communities.cop]\nurl = "u"\nfollow = [1, 2]\n', "'communities.cop.follow'"),
        ('[communities.cop]\nurl = 5\n', "'communities.cop.url'"),
        ('[communities.cop]\nurl = "u"\nmember = ["a"]\n', "'communities.cop.member'"),
        ('communities = { cop = "u" }\n', "'communities.cop'"),
    ],
)  # fmt: skip
def test_community_settings_of_the_wrong_type_are_one_config_error(
    tmp_path: Path, text: str, key: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(NarrateError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and key in message and "\n" not in message, message
    assert " must be " in message, message


def test_good_community_settings_load_and_unknown_ones_warn(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'community_pull_minutes = 0\n[communities.cop]\nurl = "u"\nmember = "alice"\n'
        'email = "a@x"\npartial = true\nfollow = ["bob", "#testing"]\nparital = true\n'
    )
    config = load_config(path)
    assert config.get("communities.cop.partial") is True
    assert [w for w in config.warnings if "'communities.cop.parital'" in w]
    assert [w for w in config.warnings if "'communities.cop.partial'" in w]
