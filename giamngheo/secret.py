"""The province's secret key for household pseudonyms (household_key), found the same way in the flow
and in the parsing processes. No polars here: the parsing processes import this module.

Where the key comes from, first found wins:
  1. GIAMNGHEO_SECRET: the key itself, in the environment (a deployment's secret store);
  2. GIAMNGHEO_SECRET_FILE: a file holding it (`giamngheo run --secret-file` sets this);
  3. --out/.secret.key: created once, owner-only (0600), then reused.

Design (issue 17): the parsing processes key every identifier they read (household code, ID
number, else the head's name + village + birth year) with HMAC-SHA256 under this key and send back
only those keyed digests; the commune is known only after the files are resolved, so the flow keys
again: household_key = HMAC(key, commune code + digest). No personal value leaves the parsing
process, and the parse cache holds digests a reader cannot reverse without the key. The cache's
entries are filed under the key's fingerprint (`key_id`), so another key never reuses them.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets as _random
from functools import lru_cache
from pathlib import Path

ENV_SECRET = "GIAMNGHEO_SECRET"
ENV_FILE = "GIAMNGHEO_SECRET_FILE"
FILE_NAME = ".secret.key"
_MADE: str | None = None  # the key file ensure_secret pointed the environment at (not one the user gave)


def secret_path(out: Path) -> Path:
    return Path(out) / FILE_NAME


def ensure_secret(out: Path) -> None:
    """Make the run's key findable by the parsing processes (spawned later, they inherit the
    environment): without GIAMNGHEO_SECRET or GIAMNGHEO_SECRET_FILE, --out/.secret.key, made once."""
    global _MADE
    if os.environ.get(ENV_SECRET) or (os.environ.get(ENV_FILE) and os.environ.get(ENV_FILE) != _MADE):
        return
    path = secret_path(out)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(_random.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # never replaces a key another run made meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    os.environ[ENV_FILE] = _MADE = str(path)  # this --out's own key: the next run in this process finds its own


@lru_cache(maxsize=4)
def _key_from(secret: str | None, path: str | None) -> bytes:
    if secret:
        return secret.encode()
    if path:
        return Path(path).read_text(encoding="utf-8").strip().encode()
    # no key configured (`giamngheo inspect` of one file, say): one for this process alone, so
    # pseudonyms are still keyed, only not stable
    return _random.token_bytes(32)


def _key() -> bytes:
    return _key_from(os.environ.get(ENV_SECRET) or None, os.environ.get(ENV_FILE) or None)


def keyed(text: str) -> str:
    """HMAC-SHA256 of a text under the province's key, hex."""
    return hmac.digest(_key(), text.encode(), "sha256").hex()


def keyer(short: bool = False):
    """`keyed` with the key found once: for the many texts of one list (hmac.digest, one C call a text). `short`:
    the digest's first 72 bits as 12 URL-safe base64 characters, what a parsing process sends for each household
    (a text of 12 bytes or fewer is held inside its column's view: a million households' digests cost no buffer)."""
    key = _key()
    if short:
        return lambda text: base64.urlsafe_b64encode(hmac.digest(key, text.encode(), "sha256")[:9]).decode()
    return lambda text: hmac.digest(key, text.encode(), "sha256").hex()


def key_id() -> str:
    """A fingerprint of the key (not the key): files the parse cache's entries by key."""
    return keyed("giamngheo key id")[:16]
