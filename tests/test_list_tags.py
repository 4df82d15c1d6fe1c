"""list -t reads a tag as search's #tag does: the one tag grammar."""

from __future__ import annotations

import pytest

from tests.helpers import Cli


@pytest.mark.parametrize("written", ["Straße", "ＣＬＩＥＮＴ", "lang/"])
def test_list_t_finds_what_search_hash_tag_finds(cli: Cli, written: str) -> None:
    """list -t folded with str.lower() while tags are stored by tag_key (NFKC +
    casefold): `list -t Straße` found nothing that `search '#Straße'` finds."""
    stored = {"Straße": "strasse", "ＣＬＩＥＮＴ": "client", "lang/": "lang/python"}[written]
    wanted = cli.add(f"An entry about #{stored}")
    cli.add("Another entry without it")
    searched = {item["id"] for item in cli.json("search", f"#{written.rstrip('/')}")}
    assert searched == {wanted}
    listed = {item["id"] for item in cli.json("list", "-t", written)}
    assert listed == searched
