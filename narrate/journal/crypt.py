"""The encrypted remote: git-remote-gcrypt and GnuPG keys, set up for the journal.

narrate invents no cryptography. An origin of the form ``gcrypt::URL`` is handled by
git-remote-gcrypt, which stores the repository on the host as encrypted packs and an
encrypted, signed manifest (docs/sync.md, "Encrypted remote"). This module checks the
tools are there, picks or makes the GnuPG key, and keeps the journal's git config
(``remote.origin.gcrypt-participants``, ``remote.origin.gcrypt-signingkey``) right.

The participants travel with the journal, encrypted like everything else: sync pushes
their fingerprints as a blob at ``refs/narrate/participants`` and takes in the ones
another device added, so a key added on one device is encrypted to by every device.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import NarrateError
from narrate.journal import gitrun
from narrate.journal.remote import GCRYPT, is_encrypted_url

INSTALL = (
    "install them (Debian/Ubuntu: apt install git-remote-gcrypt gnupg; "
    "macOS: brew install git-remote-gcrypt gnupg) and try again"
)
PARTICIPANTS_KEY = "remote.origin.gcrypt-participants"
SIGNING_KEY = "remote.origin.gcrypt-signingkey"
PUBLISH_KEY = "remote.origin.gcrypt-publish-participants"
# Where the participants' fingerprints travel: on the remote, and as last fetched.
PARTICIPANTS_REF = "refs/narrate/participants"
FETCHED_PARTICIPANTS_REF = "refs/narrate/origin-participants"
# gcrypt decrypts and verifies a manifest and encrypts every pack with gpg: slower than
# plain git (docs/sync.md), so its network steps get this many times the timeout.
TIMEOUT_FACTOR = 3
_FINGERPRINT = re.compile(r"[0-9A-F]{40}|[0-9A-F]{64}")


@dataclass(frozen=True)
class Key:
    """A GnuPG key as gpg lists it."""

    fingerprint: str
    keyid: str
    uids: tuple[str, ...] = ()
    can_encrypt: bool = False
    can_sign: bool = False

    @property
    def uid(self) -> str:
        """The first user id ("" when the key has none)."""
        return self.uids[0] if self.uids else ""

    def label(self) -> str:
        """``KEYID  uid``, for lists and messages."""
        return f"{self.keyid}  {self.uid}".rstrip()

    def to_json(self) -> dict[str, str]:
        """The participant object of ``narrate status --json``."""
        return {"fingerprint": self.fingerprint, "keyid": self.keyid, "uid": self.uid}


@dataclass
class Encryption:
    """Who the journal's encrypted remote is encrypted for, and who signs on this device."""

    participants: list[str] = field(default_factory=list)
    signing_key: str | None = None


def require_tools() -> None:
    """Refuse, in one line, when git-remote-gcrypt or gpg is missing."""
    missing = [name for name in ("git-remote-gcrypt", "gpg") if shutil.which(name) is None]
    if missing:
        raise NarrateError(
            f"the encrypted remote needs {' and '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: {INSTALL}"
        )


def encrypted(url: str) -> str:
    """``url`` as an encrypted remote: ``gcrypt::url`` (unchanged when it already is)."""
    return url if is_encrypted_url(url) else GCRYPT + url


def list_keys(*queries: str, secret: bool = False) -> list[Key]:
    """The keys in the GnuPG keyring (secret ones only with ``secret``) matching any of
    ``queries`` (key ids, fingerprints or parts of user ids; none: every key), revoked,
    expired and disabled ones left out."""
    listing = "--list-secret-keys" if secret else "--list-keys"
    args = ["--with-colons", "--fixed-list-mode", listing]
    if queries:
        args += ["--", *queries]
    # gpg exits 2 when a query matches nothing: that is an empty list, not a failure.
    done = gitrun.run_gpg(args, check=False, timeout=30)
    keys: list[Key] = []
    for block in re.split(r"(?m)^(?=pub:|sec:)", done.stdout):
        lines = [line.split(":") for line in block.splitlines()]
        if not lines or lines[0][0] not in ("pub", "sec") or len(lines[0]) < 12:
            continue
        head = lines[0]
        if head[1] in ("r", "e", "d"):
            continue
        fingerprints = [f[9] for f in lines if f[0] == "fpr" and len(f) > 9]
        uids = tuple(
            unescape(f[9]) for f in lines if f[0] == "uid" and len(f) > 9 and f[1] not in "re"
        )
        # Upper-case capabilities are the whole key's, its subkeys' included.
        if fingerprints:
            keys.append(Key(fingerprints[0], head[4], uids, "E" in head[11], "S" in head[11]))
    return keys


def unescape(value: str) -> str:
    r"""A user id as gpg's colon listing escapes it (``\x3a`` for ":") read back."""
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), value)


def _listed(keys: list[Key]) -> str:
    from narrate.sanitize import clean

    return "; ".join(clean(key.label(), single_line=True) for key in keys)


def choose_key(key: str | None, *, clone: bool = False) -> Key | None:
    """This device's key for the journal; None when there is none (make one).

    ``key`` names one (a key id, fingerprint or user id); without it, the only secret
    key that can sign and encrypt is taken and several are listed in the error. A clone
    needs a key the remote is already encrypted for: one cannot be made for it.
    """
    require_tools()
    listed = list_keys(key, secret=True) if key is not None else list_keys(secret=True)
    usable = [k for k in listed if k.can_encrypt and k.can_sign]
    if key is not None and not usable:
        raise NarrateError(
            f"no GnuPG secret key that can sign and encrypt matches {key!r}; list yours "
            "with 'gpg --list-secret-keys', or leave out --key to make one for the journal"
        )
    if len(usable) > 1:
        raise NarrateError(
            f"{len(usable)} GnuPG secret keys could encrypt the journal ({_listed(usable)}); "
            "pick one with --key KEYID"
        )
    if not usable and clone:
        raise NarrateError(
            "no GnuPG secret key on this device can sign and decrypt; an encrypted journal "
            "is cloned with a key it is encrypted for (docs/sync.md, 'Adding a device')"
        )
    return usable[0] if usable else None


def create_key(uid: str) -> Key:
    """Make an ed25519 signing key with a cv25519 encryption subkey for ``uid``; its
    passphrase is asked by gpg-agent's pinentry (never by narrate)."""
    gitrun.run_gpg(
        ["--yes", "--quick-generate-key", "--", uid, "future-default", "default", "never"],
        prompt=True,
    )
    made = [k for k in list_keys(f"={uid}", secret=True) if k.can_encrypt]
    if not made:
        raise NarrateError(f"gpg made no usable key for {uid!r}; see 'gpg --list-secret-keys'")
    return made[-1]


def public_key(key: str) -> Key:
    """The one public key in the keyring that ``key`` names and that can encrypt."""
    found = [k for k in list_keys(key) if k.can_encrypt]
    if not found:
        raise NarrateError(
            f"no GnuPG key that can encrypt matches {key!r}; import it first "
            "(gpg --import KEY.asc), then add it again"
        )
    if len(found) > 1:
        raise NarrateError(
            f"{key!r} matches {len(found)} keys ({_listed(found)}); give its fingerprint"
        )
    return found[0]


def read(root: Path) -> Encryption:
    """The encrypted remote's settings in the journal's git config."""
    done = gitrun.run(
        ["config", "-z", "--get-regexp", r"^remote\.origin\.gcrypt-(participants|signingkey)$"],
        root,
        check=False,
        text=True,
    )
    settings = dict(item.split("\n", 1) for item in done.stdout.split("\0") if "\n" in item)
    return Encryption(
        parse_participants(settings.get(PARTICIPANTS_KEY, "")), settings.get(SIGNING_KEY)
    )


def parse_participants(text: str) -> list[str]:
    """Fingerprints in a space- or line-separated list, in order, once each."""
    found: list[str] = []
    for word in text.upper().split():
        word = word.removeprefix("0X")
        if _FINGERPRINT.fullmatch(word) and word not in found:
            found.append(word)
    return found


def write(root: Path, participants: list[str], signing_key: str | None = None) -> None:
    """Write the participants (and this device's signing key) into the git config."""
    gitrun.run(["config", PARTICIPANTS_KEY, " ".join(participants)], root)
    # Hidden recipients (gcrypt's default) break with two or more cv25519 keys: gpg tries
    # each of its keys on each anonymous recipient, and one failed try fails the whole
    # decryption ("ecdh failed ... Checksum error"). So from the second participant on,
    # the manifest names the key ids it is encrypted to (docs/sync.md says what that shows).
    publish = "true" if len(participants) > 1 else "false"
    gitrun.run(["config", PUBLISH_KEY, publish], root)
    if signing_key:
        gitrun.run(["config", SIGNING_KEY, signing_key], root)


def set_up(root: Path, key: Key) -> list[str]:
    """Make ``key`` this device's signing key and a participant; the participants."""
    participants = read(root).participants
    if key.fingerprint not in participants:
        participants.append(key.fingerprint)
    write(root, participants, key.fingerprint)
    return participants


def add_participant(root: Path, key: Key) -> tuple[list[str], bool]:
    """Add ``key`` to the participants; (all of them, whether it is new)."""
    participants = read(root).participants
    if key.fingerprint in participants:
        return participants, False
    participants.append(key.fingerprint)
    write(root, participants)
    return participants, True


def describe(fingerprints: list[str]) -> list[Key]:
    """Each participant as the keyring knows it (fingerprint alone when it does not)."""
    if not fingerprints:
        return []
    known = {k.fingerprint: k for k in list_keys(*fingerprints)}
    return [known.get(fpr, Key(fpr, fpr[-16:])) for fpr in fingerprints]


def missing_keys(fingerprints: list[str]) -> list[str]:
    """The participants whose public key (able to encrypt) is not in this keyring."""
    known = {k.fingerprint for k in list_keys(*fingerprints) if k.can_encrypt}
    return [fpr for fpr in fingerprints if fpr not in known]


def default_uid(root: Path | None) -> str:
    """The user id of a key made for the journal: git's identity, else the machine's."""
    import getpass
    import socket

    done = gitrun.run(
        ["config", "-z", "--get-regexp", r"^user\.(name|email)$"], root, text=True, check=False
    )
    settings = dict(item.split("\n", 1) for item in done.stdout.split("\0") if "\n" in item)
    name = settings.get("user.name") or "narrate journal"
    host = re.sub(r"[^A-Za-z0-9.-]", "", socket.gethostname()) or "localhost"
    try:
        login = re.sub(r"[^A-Za-z0-9._-]", "", getpass.getuser()) or "me"
    except (OSError, KeyError):
        login = "me"
    email = settings.get("user.email") or f"{login}@{host}.invalid"
    # A user id is one line without angle brackets inside its parts.
    name = re.sub(r"[<>\x00-\x1f]", "", name).strip() or "narrate journal"
    email = re.sub(r"[<>\s\x00-\x1f]", "", email) or f"{login}@{host}.invalid"
    return f"{name} (narrate journal) <{email}>"


# ---------------------------------------------------------------------- during a sync


def fetch_refspec() -> str:
    """The refspec a sync adds to its fetch: the remote's list of participants."""
    return f"+{PARTICIPANTS_REF}:{FETCHED_PARTICIPANTS_REF}"


def forget_fetched(root: Path) -> None:
    """The remote holds no list of participants (yet): the next push sends one."""
    gitrun.run(["update-ref", "-d", FETCHED_PARTICIPANTS_REF], root, check=False)


def _fetched(root: Path) -> str | None:
    done = gitrun.run(["cat-file", "blob", FETCHED_PARTICIPANTS_REF], root, check=False, text=True)
    return done.stdout if done.returncode == 0 else None


def take_in_fetched(root: Path) -> list[str]:
    """Add the participants another device added (fetched) to this device's config."""
    settings = read(root)
    participants = list(settings.participants)
    for fpr in parse_participants(_fetched(root) or ""):
        if fpr not in participants:
            participants.append(fpr)
    if participants != settings.participants:
        write(root, participants)
    return participants


def take_in(root: Path, shown: str) -> list[str]:
    """Take in the participants another device added, then refuse, before anything is
    pushed, when one of them has no public key here: gcrypt would leave that device out
    of the encryption. ``shown``: the remote, for messages. Returns the participants."""
    participants = take_in_fetched(root)
    if not participants:
        raise NarrateError(
            f"origin ({shown}) is encrypted but this journal names no GnuPG key to encrypt "
            "for; run 'narrate remote set URL --encrypt' to pick one (nothing was pushed)"
        )
    missing = missing_keys(participants)
    if missing:
        raise NarrateError(
            f"origin ({shown}) is encrypted for {', '.join(missing)}, whose public key is "
            "not in this device's GnuPG keyring: import it (gpg --import KEY.asc) and sync "
            "again; nothing was pushed, your commits are kept here"
        )
    return participants


def push_refspecs(root: Path, participants: list[str]) -> list[str]:
    """The refspec that sends the list of participants, when the remote's differs."""
    text = "".join(f"{fpr}\n" for fpr in participants)
    if not participants or _fetched(root) == text:
        return []
    blob = gitrun.run(["hash-object", "-w", "--stdin"], root, input=text, text=True)
    return [f"+{blob.stdout.strip()}:{PARTICIPANTS_REF}"]


def pushed(root: Path, refspecs: list[str]) -> None:
    """Remember the list of participants just pushed as the remote's."""
    for spec in refspecs:
        gitrun.run(["update-ref", FETCHED_PARTICIPANTS_REF, spec[1:].split(":")[0]], root)


def explain(stderr: str, shown: str) -> tuple[str, str] | None:
    """gcrypt's reason for a failed fetch or push in one line and its kind ("auth",
    "offline"), or None for git's own."""
    lowered = stderr.lower()
    locked = ("no pinentry", "bad passphrase", "operation cancelled", "inappropriate ioctl")
    if any(sign in lowered for sign in locked):
        return (
            f"gpg could not use this device's key for origin ({shown}): its passphrase was "
            "not given (no pinentry could ask it here). Run 'narrate sync' in a terminal "
            "once (gpg-agent then keeps it for a while). Your commits are kept here",
            "auth",
        )
    if "failed to verify manifest signature" in lowered:
        return (
            f"origin ({shown}) is signed by a key that is not a participant here, or whose "
            "public key is not in this keyring: import the other devices' keys (gpg --import), "
            "add a new one with 'narrate remote add-key KEYID', and sync again. Your commits "
            "are kept here",
            "auth",
        )
    if "failed to decrypt manifest" in lowered or "no secret key" in lowered:
        return (
            f"origin ({shown}) is encrypted, but not for a GnuPG key this device holds "
            "(or the key's passphrase was not given): ask a device that syncs to run "
            "'narrate remote add-key YOUR-KEYID' and 'narrate sync', then sync again. Your "
            "commits are kept here",
            "auth",
        )
    if "you have not configured any keys you can encrypt to" in lowered:
        return (
            f"none of the participants' keys can encrypt for origin ({shown}): check "
            "'narrate status' and 'gpg --list-keys'. Your commits are kept here",
            "auth",
        )
    if gitrun.classify(stderr) != "other":
        return None  # git's own words (unreachable, credentials) say more: see quiet()
    if "repository not found" in lowered and "aborting" in lowered:
        return (
            f"cannot reach origin ({shown}): gcrypt found no encrypted repository there; your "
            "commits are kept here, run 'narrate sync' again when it is reachable",
            "offline",
        )
    return None


# gcrypt's and gpg's progress, which come before the reason in a failure's stderr.
_NOISE = (
    "gpg:",
    "gcrypt: decrypting manifest",
    "gcrypt: encrypting to",
    "gcrypt: requesting manifest signature",
    "gcrypt: due to a longstanding bug",
    "gcrypt: consider explicitly passing",
    "gcrypt: gcrypt's require-explicit",
    "gcrypt: remote id is",
    "gcrypt: setting up new repository",
    "primary key fingerprint:",
)


def quiet(stderr: str) -> str:
    """A failed fetch or push's stderr without gcrypt's and gpg's progress lines."""
    return "\n".join(
        line for line in stderr.splitlines() if not line.strip().lower().startswith(_NOISE)
    )
