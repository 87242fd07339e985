"""How many e-mails with a link (password reset, address verification) one address may be
sent in an hour, so that nobody can make Médiane flood a mailbox (OWASP ASVS 2.2.1).

Counted in the cache (shared by every app server when CACHE_URL is Redis or the database;
per process with the default in-memory cache). Over the limit the request is answered as
usual but no e-mail goes out: the page must not tell whether an address has an account."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"accounts:mail-links:{kind}:{digest}"


def allow(kind: str, value: str) -> bool:
    """Count one e-mail of `kind` to `value`; False once the hourly limit is reached."""
    limit = settings.MAIL_LINKS_PER_HOUR
    if limit <= 0:
        return True
    key = _key(kind, value)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return True
    return count <= limit
