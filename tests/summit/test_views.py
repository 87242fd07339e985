"""Summit pages: who sees what, forms with bad input, the htmx wish, requests, organisers'
pages. Permission-sensitive pages are checked for each kind of visitor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediane.summit import services
from mediane.summit.models import (
    EditionStatus,
    MeetingRequest,
    MeetingWish,
    Registration,
    RegistrationStatus,
    RequestStatus,
)
from tests.directory.factories import OrganisationFactory, UserFactory, member_of
from tests.summit.factories import register

pytestmark = pytest.mark.django_db


def url(name, summit, *args):
    return reverse(f"summit:{name}", args=[summit.edition.slug, *args])


def test_public_pages(client, summit):
    assert client.get(reverse("summit:list")).status_code == 200
    page = client.get(url("edition", summit))
    assert page.status_code == 200
    assert "S’inscrire" in page.content.decode()


def test_draft_edition_hidden_from_public(client, summit):
    summit.edition.status = EditionStatus.DRAFT
    summit.edition.save()
    assert client.get(url("edition", summit)).status_code == 404
    assert summit.edition.title not in client.get(reverse("summit:list")).content.decode()
    client.force_login(summit.host_editor)
    assert client.get(url("edition", summit)).status_code == 200


def test_register_page_creates_pending_registration(client, summit):
    organisation = OrganisationFactory(name="Laines du Béarn")
    user = member_of(organisation, "editor")
    client.force_login(user)
    assert client.get(url("register", summit)).status_code == 200
    response = client.post(
        url("register", summit),
        {
            "participant_type": "company",
            "organisation": organisation.pk,
            "job_title": "Fondatrice",
            "wants_meetings": "on",
            "offers": "Isolation en laine",
            "seeks": "Des villes pour une expérimentation",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(user=user)
    assert registration.status == RegistrationStatus.PENDING
    # A second visit goes to one's registration.
    assert client.get(url("register", summit))["Location"].endswith("/mon-inscription/")


def test_register_with_bad_input_shows_errors(client, summit):
    user = UserFactory()
    client.force_login(user)
    other = OrganisationFactory()
    response = client.post(
        url("register", summit), {"participant_type": "company", "organisation": other.pk}
    )
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in response.content.decode()
    response = client.post(url("register", summit), {"participant_type": "<script>"})
    assert response.status_code == 200
    assert not Registration.objects.filter(user=user).exists()


def test_participants_only_for_approved_participants(client, summit):
    assert client.get(url("participants", summit)).status_code == 302  # login
    client.force_login(UserFactory())
    assert client.get(url("participants", summit)).status_code == 403
    pending = register(summit, "Émile Pending", approve=False)
    client.force_login(pending.user)
    assert client.get(url("participants", summit)).status_code == 403
    me = summit.people[0]
    client.force_login(me.user)
    page = client.get(url("participants", summit))
    assert page.status_code == 200
    body = page.content.decode()
    assert summit.people[1].display_name in body
    assert "Émile Pending" not in body  # not approved: not listed


def test_participants_page_queries_do_not_grow_with_participants(client, summit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = summit.people[0]
    client.force_login(me.user)
    client.get(url("participants", summit))  # warm the suggestions' cache key path

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("participants", summit)).status_code == 200
        return len(queries)

    before = count()
    for n in range(8):
        register(summit, f"Nouveau participant {n}")
    assert count() <= before + 2  # the suggestions are computed again (new version), once


def test_wish_through_htmx_returns_the_fragment(client, summit):
    me, other = summit.people[:2]
    client.force_login(me.user)
    response = client.post(url("wish", summit, other.pk), {"level": "must"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="must"' in response.content.decode() and "checked" in response.content.decode()
    assert MeetingWish.objects.get(author=me, target=other).level == "must"
    response = client.post(
        url("wish", summit, other.pk), {"level": "bidon"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_request_send_answer_through_pages(client, summit):
    a, b = summit.people[:2]
    client.force_login(a.user)
    response = client.post(url("request_new", summit, b.pk), {"message": "Parlons capteurs"})
    assert response.status_code == 302
    request = MeetingRequest.objects.get(sender=a, recipient=b)
    # The sender cannot accept their own request.
    client.post(url("request_answer", summit, request.pk), {"answer": "accept"})
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    client.force_login(b.user)
    assert "Parlons capteurs" in client.get(url("requests", summit)).content.decode()
    client.post(url("request_answer", summit, request.pk), {"answer": "accept"})
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    # A third person cannot even see it.
    client.force_login(summit.people[2].user)
    assert client.post(url("request_cancel", summit, request.pk)).status_code == 404


def test_availability_form(client, summit):
    me = summit.people[0]
    client.force_login(me.user)
    assert client.get(url("availability", summit)).status_code == 200
    slot = summit.slot(2)
    day = summit.edition.starts_on.isoformat()
    response = client.post(
        url("availability", summit),
        {"arrives_at": f"{day}T09:20", "half_day": "", "unavailable_slots": [slot.pk]},
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.arrives_at is not None
    assert me.arrives_at.astimezone(slot.starts_at.tzinfo) == slot.starts_at
    assert list(me.unavailable_slots.all()) == [slot]
    # Departure before arrival: the form says so, nothing changes.
    response = client.post(
        url("availability", summit),
        {"arrives_at": f"{day}T15:00", "departs_at": f"{day}T10:00", "half_day": ""},
    )
    assert response.status_code == 200
    me.refresh_from_db()
    assert list(me.unavailable_slots.all()) == [slot]


@pytest.mark.parametrize(
    "name", ["dashboard", "registrations", "checkin", "planning", "badges", "roi"]
)
def test_organiser_pages_refused_to_participants(client, summit, name):
    client.force_login(summit.people[0].user)
    assert client.get(url(name, summit)).status_code == 403
    client.logout()
    assert client.get(url(name, summit)).status_code == 302


@pytest.mark.parametrize("name", ["dashboard", "registrations", "checkin", "planning", "roi"])
def test_organiser_pages_for_organisers(client, summit, name):
    client.force_login(summit.host_editor)
    assert client.get(url(name, summit)).status_code == 200


def test_approve_and_check_in_through_pages(client, summit):
    pending = register(summit, "Fanny Pelletier", approve=False)
    client.force_login(summit.host_editor)
    page = client.get(url("registrations", summit), {"status": "pending"})
    assert "Fanny Pelletier" in page.content.decode()
    client.post(url("registration_decide", summit, pending.pk), {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.APPROVED
    # The badge's QR code page, then the arrival.
    badge_page = client.get(url("checkin_badge", summit, pending.badge_token))
    assert badge_page.status_code == 200 and "Fanny Pelletier" in badge_page.content.decode()
    client.post(url("checkin_badge", summit, pending.badge_token))
    pending.refresh_from_db()
    assert pending.checked_in_at is not None
    assert client.get(url("checkin_badge", summit, "inconnu")).status_code == 404
    # Search at the desk.
    assert "Fanny Pelletier" in client.get(url("checkin", summit), {"q": "Fanny"}).content.decode()


def test_agenda_before_publication(client, summit):
    client.force_login(summit.people[0].user)
    page = client.get(url("agenda", summit))
    assert page.status_code == 200
    assert "pas encore publié" in page.content.decode()


def test_ics_feed_needs_the_secret_token(client, summit):
    assert client.get(url("agenda_ics", summit, "x" * 30)).status_code == 404


def test_unregistered_person_has_no_agenda(client, summit):
    client.force_login(UserFactory())
    assert client.get(url("agenda", summit)).status_code == 404
    assert client.get(url("availability", summit)).status_code == 404


def test_slots_and_tables_forms(client, summit):
    client.force_login(summit.secretariat)
    response = client.post(url("planning", summit), {"form": "tables", "count": "5"})
    assert response.status_code == 302
    assert summit.edition.tables.count() == 5
    response = client.post(url("planning", summit), {"form": "tables", "count": "0"})
    assert response.status_code == 200
    response = client.post(
        url("planning", summit),
        {
            "form": "slots",
            "day": summit.edition.starts_on.isoformat(),
            "start": "09:00",
            "end": "10:00",
            "minutes": "20",
        },
    )
    assert response.status_code == 200  # overlaps the existing slots: said on the form
    assert "chevauchent" in response.content.decode()


def test_run_refused_without_slots_is_a_form_error(client, summit):
    from mediane.summit.models import MeetingSlot

    MeetingSlot.objects.filter(edition=summit.edition).delete()
    client.force_login(summit.secretariat)
    response = client.post(
        url("planning", summit), {"form": "run", "time_limit": "10", "fairness": "2"}
    )
    assert response.status_code == 200
    assert "créneaux" in response.content.decode()


def test_cancel_registration_page(client, summit):
    me = summit.people[0]
    client.force_login(me.user)
    assert client.get(url("cancel", summit)).status_code == 200
    client.post(url("cancel", summit))
    me.refresh_from_db()
    assert me.status == RegistrationStatus.CANCELLED


def test_profile_update_page(client, summit):
    me = summit.people[0]
    client.force_login(me.user)
    response = client.post(
        url("my_registration", summit),
        {
            "job_title": "Directrice",
            "offers": "Jumeaux numériques",
            "seeks": "",
            "wants_meetings": "on",
        },
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.offers == "Jumeaux numériques"
    services.registration_cancel(actor=me.user, registration=me)


def test_published_agenda_page_lists_meetings_by_day(client, summit):
    from mediane.summit.models import Meeting, MeetingTable, ScheduleRun

    a, b, c = summit.people[:3]
    run = ScheduleRun.objects.create(edition=summit.edition, status="done")
    table = MeetingTable.objects.get(edition=summit.edition, number=2)
    Meeting.objects.create(
        run=run, edition=summit.edition, first=a, second=b, priority="required",
        slot=summit.slot(4), table=table,
    )  # fmt: skip
    Meeting.objects.create(
        run=run, edition=summit.edition, first=c, second=a, priority="would",
        slot=summit.slot(1), table=table,
    )  # fmt: skip
    summit.edition.published_run = run
    summit.edition.save()
    client.force_login(a.user)
    body = client.get(url("agenda", summit)).content.decode()
    assert body.index(c.display_name) < body.index(b.display_name)  # in time order
    assert "09:00–09:20" in body and "14:00–14:20" in body and "Table 2" in body
    assert "demande acceptée" in body
    client.force_login(summit.people[3].user)
    assert "Aucun rendez-vous" in client.get(url("agenda", summit)).content.decode()


def test_admin_edits_the_programme_and_reads_registrations(client, summit):
    from tests.directory.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/summit/edition/").status_code == 200
    assert client.get(f"/admin/summit/edition/{summit.edition.pk}/change/").status_code == 200
    assert client.get("/admin/summit/programmesession/add/").status_code == 200
    registration = summit.people[0]
    page = client.get(f"/admin/summit/registration/{registration.pk}/change/")
    assert page.status_code == 200
    assert registration.badge_token not in page.content.decode()  # the badge's secret stays out
    assert client.get("/admin/summit/registration/add/").status_code == 403


def test_outcome_form_after_the_meeting(client, summit):
    import datetime as dt

    from django.utils import timezone

    from mediane.summit.models import (
        Meeting,
        MeetingOutcome,
        MeetingSlot,
        MeetingTable,
        ScheduleRun,
    )

    a, b = summit.people[:2]
    run = ScheduleRun.objects.create(edition=summit.edition, status="done")
    summit.edition.published_run = run
    summit.edition.save()
    MeetingSlot.objects.filter(edition=summit.edition).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    meeting = Meeting.objects.create(
        run=run, edition=summit.edition, first=a, second=b, priority="must",
        slot=summit.slot(1), table=MeetingTable.objects.filter(edition=summit.edition).first(),
    )  # fmt: skip
    client.force_login(a.user)
    assert "Dire ce qui en est sorti" in client.get(url("agenda", summit)).content.decode()
    response = client.post(
        url("outcome", summit, meeting.pk),
        {"took_place": "1", "result": "contract", "amount": "abc", "note": ""},
    )
    assert response.status_code == 200  # a bad amount is said on the form
    assert not MeetingOutcome.objects.exists()
    response = client.post(
        url("outcome", summit, meeting.pk),
        {"took_place": "1", "result": "contract", "amount": "25000", "note": "Signé"},
    )
    assert response.status_code == 302
    assert MeetingOutcome.objects.get(registration=a).result == "contract"
    # Someone else's meeting is not found.
    client.force_login(summit.people[2].user)
    assert client.get(url("outcome", summit, meeting.pk)).status_code == 404
