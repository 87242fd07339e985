"""Follow-up delays (untaken after 10 days, silent after 21) and the reminders sent once each."""

from __future__ import annotations

from datetime import timedelta

from mediane.core.periodic import registered_jobs
from mediane.notifications.models import Notification
from mediane.support import selectors, services
from mediane.support.models import SupportReminder
from mediane.support.tasks import remind_overdue_requests
from tests.support.conftest import T0
from tests.support.test_services import file


def test_untaken_after_ten_days_not_before(world):
    request = file(world)
    assert request not in selectors.overdue_untaken(now=T0 + timedelta(days=9, hours=23))
    assert request in selectors.overdue_untaken(now=T0 + timedelta(days=10))
    page = selectors.follow_up_for(world.secretariat, now=T0 + timedelta(days=12))
    assert [r.pk for r in page["untaken"]] == [request.pk]
    assert page["untaken"][0].age_days == 12


def test_delays_follow_the_settings(world, settings):
    settings.SUPPORT_UNTAKEN_DAYS = 3
    settings.SUPPORT_STALE_DAYS = 5
    request = file(world)
    assert request in selectors.overdue_untaken(now=T0 + timedelta(days=3))
    services.support_offer_take(actor=world.local_user, request=request, now=T0)
    assert request not in selectors.overdue_untaken(now=T0 + timedelta(days=30))
    assert request in selectors.overdue_stale(now=T0 + timedelta(days=5))


def test_stale_after_twenty_one_days_without_news_and_news_reset_it(world):
    request = file(world)
    services.support_offer_take(actor=world.local_user, request=request, now=T0)
    assert request not in selectors.overdue_stale(now=T0 + timedelta(days=20))
    assert request in selectors.overdue_stale(now=T0 + timedelta(days=21))
    services.support_message_post(
        actor=world.requester, request=request, body="Où en est-on ?", now=T0 + timedelta(days=15)
    )
    assert request not in selectors.overdue_stale(now=T0 + timedelta(days=21))
    assert request in selectors.overdue_stale(now=T0 + timedelta(days=36))


def test_reminders_are_sent_once_per_delay(world):
    untaken = file(world)
    taken = file(world, subject="Sécuriser nos serveurs")
    services.support_offer_take(actor=world.dep_user, request=taken, now=T0)
    day11 = T0 + timedelta(days=11)
    assert services.send_overdue_reminders(now=day11) == 1  # the untaken one only
    assert services.send_overdue_reminders(now=day11 + timedelta(hours=1)) == 0
    assert (
        Notification.objects.filter(recipient=world.secretariat, verb="overdue_untaken").count()
        == 1
    )
    # The experts still offered are reminded too.
    assert (
        Notification.objects.filter(recipient=world.local_user, verb="overdue_untaken").count() == 1
    )
    day22 = T0 + timedelta(days=22)
    assert services.send_overdue_reminders(now=day22) == 1  # the silent one
    assert services.send_overdue_reminders(now=day22) == 0
    stale_notes = Notification.objects.filter(verb="overdue_stale")
    assert {n.recipient for n in stale_notes} == {
        world.secretariat,
        world.requester,
        world.dep_user,
    }
    # New news, then a new silence: one more reminder.
    services.support_message_post(
        actor=world.dep_user, request=taken, body="Point d'étape", now=day22
    )
    assert services.send_overdue_reminders(now=day22 + timedelta(days=21)) == 1
    assert SupportReminder.objects.filter(request=taken, kind="stale").count() == 2
    assert SupportReminder.objects.filter(request=untaken, kind="untaken").count() == 1


def test_the_reminder_job_is_registered():
    job = registered_jobs()["support.remind_overdue"]
    assert job.task is remind_overdue_requests
    assert job.every == timedelta(hours=1)


def test_the_secretariat_reminds_by_hand(world):
    request = file(world)
    count = services.support_request_remind(actor=world.secretariat, request=request)
    assert count == 2  # the accounts of the experts offered (the third has none)
    assert request.events.filter(kind="reminded").exists()
