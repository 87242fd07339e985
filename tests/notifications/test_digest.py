"""Digests: the pure builder, and sending that never repeats itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from mediane.notifications.digest import DigestItem, build_digest
from mediane.notifications.models import EmailDelivery, Notification, NotificationPreference
from mediane.notifications.services import (
    digest_period,
    digests_send,
    notifications_mark_all_read,
    notify,
)

T0 = datetime(2025, 6, 3, 6, 0, tzinfo=UTC)


def item(topic: str, title: str, minutes: int) -> DigestItem:
    return DigestItem(
        topic=topic, title=title, url=f"/x/{title}", created_at=T0 + timedelta(minutes=minutes)
    )


def test_build_digest_groups_by_topic_in_order_newest_first():
    groups = build_digest(
        [
            item("answer", "r1", 1),
            item("challenge", "d1", 2),
            item("zzz", "autre", 3),
            item("challenge", "d2", 5),
            item("challenge", "d2", 4),  # duplicate: shown once
        ],
        topic_order=["challenge", "answer"],
    )
    assert [g.topic for g in groups] == ["challenge", "answer", "zzz"]
    assert [i.title for i in groups[0].items] == ["d2", "d1"]
    assert groups[0].items[0].created_at == T0 + timedelta(minutes=5)


def test_build_digest_caps_each_topic():
    groups = build_digest([item("challenge", f"d{n}", n) for n in range(15)], max_per_topic=10)
    assert len(groups[0].items) == 10
    assert groups[0].more == 5 and groups[0].total == 15
    assert groups[0].items[0].title == "d14"


def test_build_digest_empty():
    assert build_digest([]) == []


def test_digest_period_uses_the_persons_time_zone():
    late = datetime(2025, 6, 3, 2, 30, tzinfo=UTC)  # 22:30 on June 2 in Montréal
    assert digest_period("daily", late, "Europe/Paris") == "2025-06-03"
    assert digest_period("daily", late, "America/Toronto") == "2025-06-02"
    assert digest_period("weekly", late, "Europe/Paris") == "2025-W23"
    assert digest_period("daily", late, "Pas/UneZone") == "2025-06-03"


@pytest.mark.django_db
def test_daily_digest_once_grouped_and_idempotent(alice, bruno, chloe):
    weekly = bruno
    NotificationPreference.objects.create(user=weekly, frequency="weekly")
    for title in ("Défi laine", "Défi billettique"):
        notify(
            recipients=[alice, weekly, chloe],
            topic="challenge",
            verb="opened",
            title=title,
            url="/d/",
        )
    notify(recipients=[alice], topic="answer", verb="submitted", title="Réponse de Kemitek")

    assert digests_send(frequency="daily", now=T0) == 1  # alice only (default: daily)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    message = mail.outbox[0]
    assert "3" in message.subject
    body = message.body
    assert body.index("Défis") < body.index("Défi billettique") < body.index("Réponses")
    assert "Réponse de Kemitek" in body and "http" in body
    html = message.alternatives[0][0]
    assert "<h2>Défis</h2>" in html and "Réponse de Kemitek" in html
    assert Notification.objects.filter(recipient=alice, email__isnull=True).count() == 0

    # Rerun: nothing twice, even with something new the same day.
    notify(recipients=[alice], topic="question", verb="asked", title="Question publique")
    assert digests_send(frequency="daily", now=T0 + timedelta(hours=2)) == 0
    assert len(mail.outbox) == 1
    # The next day, only what is new.
    assert digests_send(frequency="daily", now=T0 + timedelta(days=1)) == 1
    sent = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    assert "Question publique" in sent[-1].body and "Défi laine" not in sent[-1].body
    assert EmailDelivery.objects.filter(user=alice, frequency="daily").count() == 2

    # Weekly people get theirs from the weekly run only.
    assert digests_send(frequency="weekly", now=T0) == 1
    assert digests_send(frequency="weekly", now=T0 + timedelta(days=1)) == 0
    assert mail.outbox[-1].to == ["bruno@example.org"]


@pytest.mark.django_db
def test_digest_skips_read_and_muted_and_other_language(alice):
    alice.preferred_language = "en"
    alice.save()
    NotificationPreference.objects.create(user=alice, frequency="daily", muted_topics=["question"])
    notify(recipients=[alice], topic="question", verb="asked", title="Question muette")
    assert digests_send(frequency="daily", now=T0) == 0
    notify(recipients=[alice], topic="decision", verb="awarded", title="Décision")
    notify(recipients=[alice], topic="challenge", verb="opened", title="Déjà lu")
    Notification.objects.filter(title="Déjà lu").update(read_at=T0)
    assert digests_send(frequency="daily", now=T0) == 1
    body = mail.outbox[0].body
    assert "Hello" in body and "Décision" in body
    assert "Déjà lu" not in body and "Question muette" not in body


@pytest.mark.django_db
def test_failed_send_releases_notifications_for_the_next_run(alice, monkeypatch):
    notify(recipients=[alice], topic="challenge", verb="opened", title="Défi")

    def refuse(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert digests_send(frequency="daily", now=T0) == 0
    assert not EmailDelivery.objects.exists()
    assert Notification.objects.get().email is None
    monkeypatch.undo()
    assert digests_send(frequency="daily", now=T0) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_unknown_frequency_is_refused():
    from mediane.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        digests_send(frequency="hourly")


@pytest.mark.django_db
def test_send_digests_command(alice, capsys):
    notify(recipients=[alice], topic="challenge", verb="opened", title="Défi")
    call_command("send_digests", "--frequency", "daily")
    assert "1" in capsys.readouterr().out
    assert len(mail.outbox) == 1
    call_command("send_digests")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_read_notifications_are_not_digested(alice):
    notify(recipients=[alice], topic="challenge", verb="opened", title="Défi")
    assert notifications_mark_all_read(actor=alice) == 1
    assert digests_send(frequency="daily", now=T0) == 0
