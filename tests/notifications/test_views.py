"""Pages: the notification centre, preferences, follows, the follow button and the header count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediane.notifications.models import Follow, Notification, NotificationPreference
from mediane.notifications.services import follow_create, notify
from tests.accounts.factories import OrganisationFactory, SectorFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
CENTRE = reverse("notifications:centre")


def make(user, count: int, topic: str = "challenge") -> None:
    for n in range(count):
        notify(recipients=[user], topic=topic, verb="opened", title=f"Défi {n}", url=f"/d/{n}/")


def test_centre_requires_login(client):
    response = client.get(CENTRE)
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_centre_lists_only_my_notifications_unread_first(client, alice, bruno):
    make(alice, 3)
    notify(recipients=[bruno], topic="answer", verb="v", title="Secret de Bruno")
    first = Notification.objects.filter(recipient=alice).order_by("pk").first()
    first.read_at = first.created_at
    first.save()
    client.force_login(alice)
    response = client.get(CENTRE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret de Bruno" not in html
    assert html.index("Défi 2") < html.index("Défi 1") < html.index("Défi 0")  # read one last
    assert "2 notifications non lues" in html
    assert 'href="/d/2/"' in html


def test_centre_query_count_does_not_grow_with_rows(client, alice, django_assert_max_num_queries):
    make(alice, 3)
    client.force_login(alice)
    client.get(CENTRE)  # warm caches (session, content types)
    with django_assert_max_num_queries(8) as small:
        client.get(CENTRE)
    make(alice, 30, topic="decision")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(CENTRE + "?page=2")
    assert response.status_code == 200


def test_pagination_and_unread_filter_and_bad_page(client, alice, settings):
    settings.PAGE_SIZE = 5
    make(alice, 7)
    client.force_login(alice)
    page2 = client.get(CENTRE + "?page=2").content.decode()
    assert "Page 2 sur 2" in page2
    assert client.get(CENTRE + "?page=zzz").status_code == 200
    assert client.get(CENTRE + "?page=999").status_code == 200
    Notification.objects.filter(title="Défi 6").update(read_at="2025-01-01T00:00:00Z")
    unread = client.get(CENTRE + "?unread=1").content.decode()
    assert "Défi 6" not in unread


def test_mark_read_without_js_and_with_htmx(client, alice):
    make(alice, 2)
    one, two = Notification.objects.filter(recipient=alice).order_by("pk")
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_read", args=[one.pk]))
    assert response.status_code == 302 and response["Location"] == CENTRE
    one.refresh_from_db()
    assert one.read_at is not None
    fragment = client.post(
        reverse("notifications:mark_read", args=[two.pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert f'id="notification-{two.pk}"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_cannot_mark_someone_elses_notification(client, alice, bruno):
    make(bruno, 1)
    theirs = Notification.objects.get(recipient=bruno)
    client.force_login(alice)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code in (
        403,
        404,
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 405


def test_mark_all_read_and_header_count(client, alice):
    make(alice, 3)
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert 'href="/notifications/"' in home and ">3<" in home
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "3 notifications marquées comme lues." in response.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert ">3<" not in client.get("/").content.decode()


def test_htmx_centre_gets_the_list_fragment(client, alice):
    make(alice, 1)
    client.force_login(alice)
    html = client.get(CENTRE, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="notification-list"' in html and "<html" not in html


def test_preferences_page_saves_frequency_and_topics(client, alice):
    client.force_login(alice)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert 'value="daily"' in page and "checked" in page
    response = client.post(url, {"frequency": "weekly", "email_topics": ["challenge", "decision"]})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=alice)
    assert preference.frequency == "weekly"
    assert "answer" in preference.muted_topics and "challenge" not in preference.muted_topics


def test_preferences_bad_input_is_a_french_400(client, alice):
    client.force_login(alice)
    response = client.post(reverse("notifications:preferences"), {"frequency": "hourly"})
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_profile_page_shows_the_email_preference(client, alice):
    client.force_login(alice)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Notifications par e-mail" in html and 'action="/notifications/preferences/"' in html


def test_follows_page_saves_a_search_and_unfollows(client, alice, bruno):
    client.force_login(alice)
    url = reverse("notifications:follows")
    assert client.post(url, {"query": "laine"}).status_code == 302
    assert client.post(url, {"query": "de la"}).status_code == 400
    follow = Follow.objects.get(user=alice)
    assert "« laine »" in client.get(url).content.decode()
    theirs = follow_create(actor=bruno, query="santé")
    assert client.post(reverse("notifications:unfollow", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("notifications:unfollow", args=[follow.pk])).status_code == 302
    assert list(Follow.objects.all()) == [theirs]


def test_follow_button_on_organisation_and_territory_pages(client, alice):
    org = OrganisationFactory(name="Kemitek")
    territory = TerritoryFactory()
    assert "Se connecter pour suivre" in client.get(org.get_absolute_url()).content.decode()
    client.force_login(alice)
    for obj, kind in ((org, "organisation"), (territory, "territory")):
        page = client.get(obj.get_absolute_url()).content.decode()
        toggle = reverse("notifications:follow_toggle", args=[kind, obj.pk])
        assert f'action="{toggle}"' in page
        response = client.post(toggle, {"next": obj.get_absolute_url()})
        assert response.status_code == 302 and response["Location"] == obj.get_absolute_url()
        assert "Ne plus suivre" in client.get(obj.get_absolute_url()).content.decode()
    assert Follow.objects.filter(user=alice).count() == 2
    # htmx: the button comes back toggled, with a status message for screen readers.
    toggle = reverse("notifications:follow_toggle", args=["organisation", org.pk])
    fragment = client.post(toggle, HTTP_HX_REQUEST="true").content.decode()
    assert "Suivre" in fragment and 'role="status"' in fragment
    assert not Follow.objects.filter(user=alice, organisation=org).exists()


def test_follow_toggle_refuses_bad_input(client, alice):
    client.force_login(alice)
    sector = SectorFactory()
    assert client.post(f"/notifications/suivre/planete/{sector.pk}/").status_code == 404
    assert client.post(f"/notifications/suivre/sector/{sector.pk + 999}/").status_code == 404
    private = OrganisationFactory(visibility="private")
    url = reverse("notifications:follow_toggle", args=["organisation", private.pk])
    assert client.post(url).status_code == 403
    assert client.post(
        reverse("notifications:follow_toggle", args=["sector", sector.pk]),
        {"next": "https://evil.example/"},
    )["Location"] == reverse("notifications:follows")


def test_times_are_shown_in_the_persons_time_zone(client, alice):
    from datetime import UTC, datetime

    make(alice, 1)
    Notification.objects.update(created_at=datetime(2025, 10, 8, 12, 30, tzinfo=UTC))
    alice.time_zone = "America/Toronto"
    alice.save()
    client.force_login(alice)
    html = client.get(CENTRE).content.decode()
    assert "08:30" in html and "14:30" not in html


def test_follow_button_include_works_for_a_sector(rf, alice):
    from django.template import engines

    sector = SectorFactory(name="Laine et textile")
    template = engines["django"].from_string(
        '{% include "notifications/_follow_button.html" with object=sector %}'
    )
    request = rf.get("/annuaire/")
    request.user = alice
    html = template.render({"sector": sector, "user": alice}, request)
    assert reverse("notifications:follow_toggle", args=["sector", sector.pk]) in html
    assert "Suivre" in html and "Ne plus suivre" not in html
    follow_create(actor=alice, sector=sector)
    assert "Ne plus suivre" in template.render({"sector": sector, "user": alice}, request)


def test_header_count_costs_no_query_and_follows_writes(client, alice, django_assert_num_queries):
    from mediane.notifications.selectors import unread_count

    make(alice, 2)
    assert unread_count(user=alice, cached=True) == 2
    with django_assert_num_queries(0):
        assert unread_count(user=alice, cached=True) == 2
    make(alice, 1)  # notify drops the cached count
    assert unread_count(user=alice, cached=True) == 3
    first = Notification.objects.filter(recipient=alice).first()
    from mediane.notifications.services import notification_mark_read

    notification_mark_read(actor=alice, notification_id=first.pk)
    assert unread_count(user=alice, cached=True) == 2


def test_login_warms_the_header_count(client, alice, django_assert_num_queries):
    from mediane.notifications.selectors import unread_count

    make(alice, 2)
    client.force_login(alice)
    with django_assert_num_queries(0):
        assert unread_count(user=alice, cached=True) == 2
