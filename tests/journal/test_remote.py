"""Remote URLs are validated when written and never printed with credentials."""

from __future__ import annotations

import pytest

from narrate.errors import NarrateError
from narrate.journal.remote import redact, validate_url


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/me/journal.git",
        "ssh://git@example.com/me/journal.git",
        "git@github.com:me/journal.git",
        "git://127.0.0.1:9418/journal.git",
        "/srv/git/journal.git",
        "../backup/journal.git",
        "file:///srv/git/journal.git",
    ],
)
def test_allowed_urls(url: str) -> None:
    assert validate_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "-oProxyCommand=touch /tmp/pwned",
        "ssh://-oProxyCommand=x/repo",
        "git@host:-repo",
        "https://example.com/repo\n.git",
        "https://example.com/\x1b[31mred",
        "ftp://example.com/repo.git",
        "",
        " https://example.com/repo.git",
    ],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(NarrateError):
        validate_url(url)


def test_credentials_never_shown() -> None:
    shown = redact("https://alice:s3cret-token@example.com/me/journal.git")
    assert "s3cret" not in shown and "alice" not in shown
    assert shown == "https://***@example.com/me/journal.git"
    with pytest.raises(NarrateError) as caught:
        validate_url("ext::https://alice:s3cret@example.com/x")
    assert "s3cret" not in str(caught.value)


def test_redact_leaves_plain_urls_alone() -> None:
    assert redact("git@github.com:me/journal.git") == "git@github.com:me/journal.git"
    assert redact("ssh://git@example.com/x.git") == "ssh://git@example.com/x.git"


def test_review_findings_urls() -> None:
    assert redact("https://user:pa@ss@host/x") == "https://***@host/x"
    assert validate_url("https://[fe80::1]/journal.git") == "https://[fe80::1]/journal.git"
    with pytest.raises(NarrateError, match="not a valid URL"):
        validate_url("ssh://[-oProxyCommand=x]/y")
