"""Rate limits of the API, counted in the Django cache (shared when several servers run).

Anonymous calls are counted per client IP address at `settings.API_RATE_ANON`; token calls per
user at `settings.API_RATE_TOKEN` (e.g. "60/min", "1000/hour"). Both are read at each request so
tests and operators can change them without restarting. Fixed windows keep the cost to one cache
increment per call; the refused call gets 429 with `Retry-After` (end of the current window).
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/min" → (60, 60); "1000/2h" → (1000, 7200)."""
    count, _, period = rate.strip().partition("/")
    period = period.strip().lower()
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits) :]
    if unit not in PERIODS or not count.strip().isdigit():
        raise ValueError(f"Invalid API rate {rate!r}: expected e.g. '60/min'")
    return int(count), PERIODS[unit] * (int(digits) if digits else 1)


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies saw (MEDIANE_PROXY_COUNT proxies)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class _RateThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self._local = threading.local()

    def rate(self) -> str:
        raise NotImplementedError

    def ident(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        ident = self.ident(request)
        self._local.wait = None
        if ident is None:
            return True
        limit, duration = parse_rate(self.rate())
        now = time.time()
        window = int(now // duration)
        key = f"mediane:api-rate:{self.scope}:{ident}:{window}"
        cache.add(key, 0, timeout=duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=duration + 1)
            count = 1
        if count > limit:
            self._local.wait = (window + 1) * duration - now
            return False
        return True

    def wait(self) -> float | None:
        wait = getattr(self._local, "wait", None)
        return None if wait is None else max(1, math.ceil(wait))


def _is_token_call(request: HttpRequest) -> bool:
    user = getattr(request, "auth", None)
    return bool(user is not None and getattr(user, "is_authenticated", False))


class AnonThrottle(_RateThrottle):
    scope = "anon"

    def rate(self) -> str:
        return settings.API_RATE_ANON

    def ident(self, request: HttpRequest) -> str | None:
        return None if _is_token_call(request) else client_ip(request)


class TokenThrottle(_RateThrottle):
    scope = "token"

    def rate(self) -> str:
        return settings.API_RATE_TOKEN

    def ident(self, request: HttpRequest) -> str | None:
        return str(request.auth.pk) if _is_token_call(request) else None  # type: ignore[attr-defined]
