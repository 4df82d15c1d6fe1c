"""Git remote URLs: validated when they are written, redacted whenever they are shown."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from narrate.errors import NarrateError

_SCP_LIKE = re.compile(r"(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+:(?!//)[^\s]*")
_SCHEMES = ("https", "http", "ssh", "git", "file")
# git-remote-gcrypt's prefix: the encrypted remote (docs/sync.md, "Encrypted remote").
GCRYPT = "gcrypt::"
# What may follow it: gcrypt's own rsync/sftp/rclone transports run other programs.
_GCRYPT_SCHEMES = ("https", "ssh", "file")


def is_encrypted_url(url: str | None) -> bool:
    """Whether ``url`` is a git-remote-gcrypt remote (``gcrypt::URL``)."""
    return bool(url) and str(url).startswith(GCRYPT)


def validate_url(url: str, *, allow_encrypted: bool = False) -> str:
    """The URL if it is a safe git remote (https, ssh, git or a local path), else an error.

    With ``allow_encrypted`` (the journal's own origin, not a community), ``gcrypt::``
    is the one transport helper allowed, followed by https, ssh, file:// or a local
    path. Refused: other helpers such as ``ext::`` and ``fd::`` (they run commands), a
    nested ``gcrypt::``, any value or path segment that starts with "-" (git would read
    it as an option), and control characters.
    """
    shown = redact(url)
    if url.startswith(GCRYPT) and allow_encrypted:
        inner = url.removeprefix(GCRYPT)
        if "://" in inner and inner.split("://", 1)[0].lower() not in _GCRYPT_SCHEMES:
            raise NarrateError(
                f"remote URL {shown!r}: after 'gcrypt::' use https, ssh, file:// or a local path"
            )
        if inner.startswith("-"):
            raise NarrateError(f"remote URL {shown!r} has a part starting with '-': refused")
        _validate_plain(inner)
        return url
    return _validate_plain(url)


def _validate_plain(url: str) -> str:
    """validate_url without the gcrypt prefix: no transport helper at all."""
    shown = redact(url)
    if not url or url != url.strip():
        raise NarrateError(f"remote URL {shown!r} is empty or has surrounding spaces")
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise NarrateError(f"remote URL {shown!r} contains control characters")
    if url.startswith("-") or re.search(r"(^|[/:@])-", url):
        raise NarrateError(f"remote URL {shown!r} has a part starting with '-': refused")
    if "::" in url.split("://", 1)[0]:
        raise NarrateError(
            f"remote URL {shown!r} uses a git transport helper ('::'): only https, ssh, "
            "git and local paths are allowed"
        )
    if "://" in url:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in _SCHEMES:
            raise NarrateError(
                f"remote URL scheme '{scheme}' is not allowed: use https, ssh, git or a local path"
            )
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError:
            raise NarrateError(f"remote URL {shown!r} is not a valid URL") from None
        if scheme != "file" and not hostname:
            raise NarrateError(f"remote URL {shown!r} has no host")
        return url
    if url.startswith(("/", "./", "../", "~")) or re.match(r"[A-Za-z]:[\\/]", url):
        return url
    if _SCP_LIKE.fullmatch(url):
        return url  # user@host:path, as ssh
    # A bare relative path ("backup/journal.git") is a local path too.
    if ":" not in url:
        return url
    raise NarrateError(f"remote URL {shown!r} is not an https, ssh or git URL or a local path")


def is_local_url(url: str) -> bool:
    """Whether git reaches ``url`` on this machine (a path or file://), as git decides:
    no "://" and no ":" before the first "/" (else it is ssh's host:path)."""
    if "://" in url:
        return url.split("://", 1)[0].lower() == "file"
    colon, slash = url.find(":"), url.find("/")
    return colon < 0 or 0 <= slash < colon or re.match(r"[A-Za-z]:[\\/]", url) is not None


# user:password@ with no "//" before it: the scp-like "alice:pass@host:repo.git", and
# git's own words for a URL it took apart ("unable to look up alice:pass@host:1").
# It starts a word (not inside a path) and a host follows the "@".
_BARE_CREDENTIALS = re.compile(
    r"(?<![^\s'\"(<=,;])[^\s/:@'\"]+:[^\s/'\"]*@(?=[\w.\[\]-]+(?:[:/\s'\")>,;]|$))"
)


# A query parameter whose name says it is a credential (?private_token=, access_token=,
# token=, api_key=, X-Amz-Signature=, password=): its value is a secret as much as a
# password before "@" is.
_QUERY_SECRET = re.compile(
    r"(?i)([?&;][\w.-]*(?:token|secret|passw(?:or)?d|pwd|auth|key|sig(?:nature)?|credential)"
    r"[\w.-]*=)[^&#\s'\"]+"
)


def redact(url: str) -> str:
    """The URL (or any text holding one: git's stderr, a message) with passwords and
    tokens replaced by ***."""
    # user:password@ after "//", then a bare user name on http(s), where it is often a
    # token. Up to the last "@" before the path: a password may itself contain "@".
    url = re.sub(r"(?<=//)[^/\s:]*:[^/\s]*@", "***@", url)
    url = re.sub(r"(?i)(https?://)[^/\s]+@", r"\1***@", url)
    url = _QUERY_SECRET.sub(r"\1***", url)
    return _BARE_CREDENTIALS.sub("***@", url)
