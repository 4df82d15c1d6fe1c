"""Community names from a hand-edited config are checked like the ones narrate writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.community.registry import communities
from narrate.community.repo import CommunityError
from narrate.config import load_config


@pytest.mark.parametrize("name", ["../../evil", "[@click=app.quit]evil", "Cop", "a b"])
def test_a_community_name_outside_the_rule_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "config.toml"
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(
        f'[communities."{escaped}"]\nurl = "https://example.com/cop.git"\nmember = "alice"\n'
    )
    with pytest.raises(CommunityError, match="community name") as caught:
        communities(load_config(path))
    assert str(path) in str(caught.value)


def test_a_good_name_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[communities.python-cop]\nurl = "https://example.com/cop.git"\nmember = "alice"\n'
    )
    found = communities(load_config(path))
    assert list(found) == ["python-cop"]
    assert found["python-cop"].clone_path.name == "python-cop.git"
