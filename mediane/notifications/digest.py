"""Digest builder: group notifications by topic, with no Django import (tested alone)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DigestItem:
    topic: str
    title: str
    url: str
    created_at: datetime


@dataclass
class DigestGroup:
    topic: str
    items: list[DigestItem] = field(default_factory=list)
    more: int = 0  # items left out of the e-mail beyond the per-topic cap

    @property
    def total(self) -> int:
        return len(self.items) + self.more


def build_digest(
    items: Iterable[DigestItem],
    *,
    topic_order: Sequence[str] = (),
    max_per_topic: int = 10,
) -> list[DigestGroup]:
    """Group `items` by topic, newest first in each group, at most `max_per_topic` shown.

    Groups follow `topic_order`; topics not in it come after, alphabetically. Identical items
    (same topic, title and link) are shown once: the newest of them.
    """
    groups: dict[str, DigestGroup] = {}
    seen: set[tuple[str, str, str]] = set()
    for item in sorted(items, key=lambda i: i.created_at, reverse=True):
        key = (item.topic, item.title, item.url)
        if key in seen:
            continue
        seen.add(key)
        group = groups.setdefault(item.topic, DigestGroup(topic=item.topic))
        if len(group.items) < max_per_topic:
            group.items.append(item)
        else:
            group.more += 1
    rank = {topic: index for index, topic in enumerate(topic_order)}
    return sorted(groups.values(), key=lambda g: (rank.get(g.topic, len(rank)), g.topic))
