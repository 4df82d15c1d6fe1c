"""The encrypted remote's URL: ``gcrypt::`` only before an allowed transport."""

from __future__ import annotations

import pytest

from narrate.errors import NarrateError
from narrate.journal.remote import is_encrypted_url, redact, validate_url


@pytest.mark.parametrize(
    "url",
    [
        "gcrypt::https://github.com/me/journal.git",
        "gcrypt::ssh://git@example.com/me/journal.git",
        "gcrypt::git@github.com:me/journal.git",
        "gcrypt::/srv/git/journal.git",
        "gcrypt::file:///srv/git/journal.git",
    ],
)
def test_gcrypt_before_an_allowed_transport(url: str) -> None:
    assert validate_url(url, allow_encrypted=True) == url
    assert is_encrypted_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "gcrypt::ext::sh -c touch% /tmp/pwned",
        "gcrypt::fd::17",
        "gcrypt::gcrypt::https://example.com/x.git",
        "gcrypt::-oProxyCommand=touch /tmp/pwned",
        "gcrypt::ssh://-oProxyCommand=x/repo",
        "gcrypt::git@host:-repo",
        "gcrypt::https://example.com/\x1b[31mred",
        "gcrypt::https://example.com/x\n.git",
        "gcrypt::rsync://example.com/x",
        "gcrypt::sftp://example.com/x",
        "gcrypt::http://example.com/x.git",
        "gcrypt::",
        "gcrypt:: https://example.com/x.git",
    ],
)
def test_gcrypt_refused(url: str) -> None:
    with pytest.raises(NarrateError):
        validate_url(url, allow_encrypted=True)


def test_communities_never_take_gcrypt() -> None:
    # A community is shared with others: an encrypted remote is the journal's own only.
    with pytest.raises(NarrateError, match="transport helper"):
        validate_url("gcrypt::https://example.com/x.git")


def test_credentials_stay_hidden() -> None:
    url = "gcrypt::https://user:secret@host/x"
    assert "secret" not in redact(url) and redact(url) == "gcrypt::https://***@host/x"
    for bad in ("gcrypt::https://user:secret@host/x\x07", "gcrypt::ext::https://user:secret@h/x"):
        with pytest.raises(NarrateError) as caught:
            validate_url(bad, allow_encrypted=True)
        assert "secret" not in str(caught.value)
    with pytest.raises(NarrateError) as caught:
        validate_url(url)
    assert "secret" not in str(caught.value)
