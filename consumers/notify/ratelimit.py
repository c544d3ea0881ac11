"""A channel's hourly limit, pure: at most `limit` new alerts (a grouped message counts as one) in any `seconds`.
What exceeds it is held, and goes out as one grouped message as soon as the window has room again.

The sends it counts are the channel's delivery records (their `delivered_at`), so a restarted notifier knows
how much of the window is used."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from schemas import DeliveryRecord


@dataclass(frozen=True)
class Limit:
    per_window: int  # 0: no limit
    seconds: float = 3600.0

    def room(self, sends: list[datetime], now: datetime) -> bool:
        """Is there room for one more send now?"""
        return self.per_window <= 0 or len(_within(sends, now, self.seconds)) < self.per_window

    def next_room(self, sends: list[datetime], now: datetime) -> datetime:
        """When the next send fits (now when it fits now)."""
        recent = sorted(_within(sends, now, self.seconds))
        if self.per_window <= 0 or len(recent) < self.per_window:
            return now
        # the oldest sends must age out until only per_window - 1 are left
        return recent[len(recent) - self.per_window] + timedelta(seconds=self.seconds)


def _within(sends: list[datetime], now: datetime, seconds: float) -> list[datetime]:
    start = now - timedelta(seconds=seconds)
    return [t for t in sends if start < t <= now]


def sends_of(records: Iterable[DeliveryRecord], channel: str) -> list[datetime]:
    """The times a channel sent a new alert: one per revision-0 record, one per grouped message."""
    out: list[datetime] = []
    groups: set[str] = set()
    for record in records:
        if record.channel != channel or record.revision != 0 or record.alert_id.startswith("digest:"):
            continue
        if record.group is not None:
            if record.group in groups:
                continue
            groups.add(record.group)
        out.append(record.delivered_at)
    return out
