"""When to poll a feed next. Pure.

The wait after a poll is the configured interval, lengthened (never shortened) by what the publisher says about
freshness (Cache-Control max-age, Expires, RSS <ttl>) or how long to stay away (Retry-After on 429/503), doubled for
every consecutive failure, held within [minimum, maximum], then spread by a jitter so feeds polled together drift
apart. The jitter is drawn from the feed URL and its poll count: the same history gives the same schedule.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.I)


@dataclass(frozen=True)
class Schedule:
    interval: float = 300.0
    minimum: float = 60.0
    maximum: float = 21_600.0
    jitter: float = 0.1  # ± this share of the wait
    failing_after: int = 3  # consecutive failures before a feed is reported as failing


def freshness_hint(headers: dict[str, str], ttl_seconds: float | None, now: datetime) -> float | None:
    """How long the answer says it stays fresh: the longest of max-age, Expires and <ttl>, or None."""
    hints: list[float] = []
    cache_control = headers.get("cache-control", "")
    if "no-cache" not in cache_control.lower() and "no-store" not in cache_control.lower():
        found = _MAX_AGE.search(cache_control)
        if found:
            hints.append(float(found.group(1)))
        elif headers.get("expires"):
            expires = _http_date(headers["expires"])
            if expires is not None:
                reference = _http_date(headers.get("date", "")) or now
                hints.append(max(0.0, (expires - reference).total_seconds()))
    if ttl_seconds:
        hints.append(ttl_seconds)
    return max(hints) if hints else None


def next_wait(schedule: Schedule, *, failures: int, hint: float | None, feed_url: str, polls: int) -> float:
    wait = schedule.interval
    if failures:
        wait = schedule.interval * 2 ** min(failures - 1, 16)
    if hint is not None:
        wait = max(wait, hint)
    wait = min(max(wait, schedule.minimum), schedule.maximum)
    return wait * (1 + schedule.jitter * _unit(f"{feed_url}#{polls}"))


def next_poll_at(now: datetime, wait: float) -> datetime:
    return now + timedelta(seconds=wait)


def health(failures: int, schedule: Schedule) -> str:
    """ok, retrying (a few failures: not yet worth anyone's attention) or failing."""
    if failures == 0:
        return "ok"
    return "failing" if failures >= schedule.failing_after else "retrying"


def _unit(seed: str) -> float:
    """A number in [-1, 1) drawn from `seed`."""
    value = int.from_bytes(hashlib.blake2b(seed.encode("utf-8"), digest_size=8).digest(), "big")
    return value / 2**63 - 1


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
