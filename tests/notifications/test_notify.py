"""notify(): one notification per distinct active recipient, in the caller's transaction."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from mediane.notifications.models import EmailDelivery, Notification
from mediane.notifications.services import notify
from tests.accounts.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_notification_per_distinct_active_recipient_not_the_actor(alice, bruno):
    inactive = UserFactory(is_active=False)
    org = OrganisationFactory()
    count = notify(
        recipients=[alice, bruno, alice, inactive],
        topic="challenge",
        verb="challenge_opened",
        title="Nouveau défi : flux touristiques à Lourdes",
        url="/marche/defis/1/",
        actor=bruno,
        target=org,
    )
    assert count == 1
    notification = Notification.objects.get()
    assert notification.recipient == alice
    assert notification.actor == bruno
    assert notification.topic == "challenge"
    assert notification.target_id == str(org.pk)
    assert notification.target_type.model == "organisation"
    assert notification.read_at is None


def test_no_recipient_creates_nothing(alice):
    assert notify(recipients=[alice], topic="answer", verb="x", title="t", actor=alice) == 0
    assert notify(recipients=[], topic="answer", verb="x", title="t") == 0
    assert not Notification.objects.exists()


def test_topic_is_required():
    with pytest.raises(ValueError):
        notify(recipients=[], topic="", verb="x", title="t")


def test_rolled_back_caller_notifies_nobody_and_sends_nothing(chloe):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notify(recipients=[chloe], topic="answer", verb="answer_submitted", title="Réponse")
        raise Boom
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_immediate_recipient_gets_one_email_on_commit_others_wait_for_digest(
    alice, chloe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[alice, chloe],
            topic="decision",
            verb="challenge_awarded",
            title="Défi attribué : billettique",
            url="/marche/defis/2/",
        )
        assert mail.outbox == []  # nothing before the commit
    assert [m.to for m in mail.outbox] == [["chloe@example.org"]]
    message = mail.outbox[0]
    assert "Défi attribué : billettique" in message.subject
    assert "http" in message.body and "/marche/defis/2/" in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    sent = Notification.objects.get(recipient=chloe)
    assert sent.email is not None and sent.email.sent_at is not None
    assert Notification.objects.get(recipient=alice).email is None
    # The task rerun (a retry) sends nothing more.
    from mediane.notifications.services import emails_send_immediate

    assert emails_send_immediate(notification_ids=[sent.pk]) == 0
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.count() == 1


def test_immediate_email_respects_muted_topic(chloe, django_capture_on_commit_callbacks):
    chloe.notification_preference.muted_topics = ["question"]
    chloe.notification_preference.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[chloe], topic="question", verb="question_asked", title="Question")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=chloe).count() == 1


def test_immediate_email_in_the_recipients_language(chloe, django_capture_on_commit_callbacks):
    chloe.preferred_language = "en"
    chloe.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[chloe], topic="answer", verb="v", title="Réponse reçue")
    assert "Hello" in mail.outbox[0].body
