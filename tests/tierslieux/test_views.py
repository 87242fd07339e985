"""Pages: list, resource with its week calendar (and the htmx fragment), booking with the price
before confirming, an occupied slot refused with a clear message, my bookings and cancelling,
the tiers-lieu's bookings and exports for its editors only, trainings."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from mediane.tierslieux import services
from mediane.tierslieux.models import Booking, BookingStatus, Training
from tests.tierslieux.factories import at, make_resource

pytestmark = pytest.mark.django_db


def book_data(resource, hour: int, end_hour: int, action: str = "confirm", **extra):  # type: ignore[no-untyped-def]
    return {
        "date": at(resource, hour).date().isoformat(),
        "start": f"{hour:02d}:00",
        "end": f"{end_hour:02d}:00",
        "action": action,
        **extra,
    }


def test_list_and_resource_page_show_free_slots(client, space, room):
    response = client.get("/tiers-lieux/")
    assert response.status_code == 200 and "Salle Adour" in response.content.decode()
    response = client.get(f"/tiers-lieux/{room.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Connectez-vous pour réserver." in html  # anonymous: no booking links
    assert 'scope="row">10:00</th>' in html and "Libre" in html
    client.force_login(space.member)
    html = client.get(f"/tiers-lieux/{room.slug}/").content.decode()
    assert "Réserver le " in html and "votre tarif" in html


def test_the_week_fragment_moves_between_weeks(client, space, room):
    client.force_login(space.member)
    monday = at(room, 10).date()
    url = f"/tiers-lieux/{room.slug}/semaine/?semaine={monday.isoformat()}"
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="tl-week"') and "<html" not in html
    assert client.get(url).status_code == 302  # without htmx: the whole page


def test_book_shows_the_price_then_confirms(client, space, room):
    client.force_login(space.network)
    day = at(room, 10).date().isoformat()
    response = client.get(f"/tiers-lieux/{room.slug}/reserver/?date={day}&debut=10:00&fin=10:30")
    html = response.content.decode()
    assert "Ce créneau est libre" in html and "10,00 EUR" in html and "Tarif public" in html
    response = client.post(
        f"/tiers-lieux/{room.slug}/reserver/", book_data(room, 10, 12, "preview")
    )
    assert "40,00 EUR" in response.content.decode() and not Booking.objects.exists()
    response = client.post(f"/tiers-lieux/{room.slug}/reserver/", book_data(room, 10, 12))
    assert response.status_code == 302 and response["Location"] == "/tiers-lieux/mes-reservations/"
    booking = Booking.objects.get()
    assert booking.user == space.network and booking.price == 40
    html = client.get("/tiers-lieux/mes-reservations/").content.decode()
    assert "Salle Adour" in html and "10:00–12:00" in html


def test_an_occupied_slot_gives_a_clear_message(client, space, room):
    services.booking_create(
        actor=space.member, resource=room, starts_at=at(room, 10), ends_at=at(room, 11)
    )
    client.force_login(space.network)
    response = client.post(f"/tiers-lieux/{room.slug}/reserver/", book_data(room, 10, 11))
    assert response.status_code == 422
    assert "Ce créneau est déjà réservé" in response.content.decode()
    response = client.post(f"/tiers-lieux/{room.slug}/reserver/", book_data(room, 6, 7))
    assert "En dehors des horaires d&#x27;ouverture" in response.content.decode()
    assert Booking.objects.count() == 1


def test_refused_people_see_why(client, space):
    printer = make_resource(space, name="Découpeuse laser", kind="machine", training_required=True)
    client.force_login(space.member)
    html = client.get(f"/tiers-lieux/{printer.slug}/reserver/").content.decode()
    assert "demande une formation" in html and "Confirmer" not in html
    response = client.post(f"/tiers-lieux/{printer.slug}/reserver/", book_data(printer, 10, 11))
    assert response.status_code == 200 and not Booking.objects.exists()


def test_cancel_from_my_bookings(client, space, room):
    booking = services.booking_create(
        actor=space.member, resource=room, starts_at=at(room, 10), ends_at=at(room, 11)
    )
    client.force_login(space.network)
    assert client.post(f"/tiers-lieux/reservations/{booking.pk}/annuler/").status_code == 404
    client.force_login(space.member)
    response = client.post(f"/tiers-lieux/reservations/{booking.pk}/annuler/", follow=True)
    assert "La réservation a été annulée." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_the_tiers_lieu_bookings_and_exports_are_for_its_editors(client, space, room):
    services.booking_create(
        actor=space.member,
        resource=room,
        starts_at=at(room, 10),
        ends_at=at(room, 11),
        note='=HYPERLINK("http://x")',
    )
    url = f"/tiers-lieux/organisations/{space.organisation.pk}/reservations/"
    for user in (space.member, space.network):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(url.rstrip("/") + ".csv").status_code == 404
    client.force_login(space.editor)
    html = client.get(url).content.decode()
    assert "Salle Adour" in html and space.member.get_full_name() in html
    csv_body = client.get(url.rstrip("/") + ".csv").content.decode("utf-8-sig")
    header, row = csv_body.splitlines()[:2]
    assert header.startswith("id,resource,resource_kind,unit,date,start,end")
    assert "'=HYPERLINK" in row and "10:00,11:00,Europe/Paris" in row
    workbook = load_workbook(io.BytesIO(client.get(url.rstrip("/") + ".xlsx").content))
    sheet = workbook.active
    assert sheet["B2"].value == "Salle Adour" and sheet["O2"].value.startswith("'=")
    assert client.get(url.rstrip("/") + ".json").status_code == 404


def test_editors_grant_trainings(client, space):
    printer = make_resource(space, name="Imprimante 3D", kind="machine", training_required=True)
    url = f"/tiers-lieux/{printer.slug}/formations/"
    client.force_login(space.member)
    assert client.get(url).status_code == 404
    client.force_login(space.editor)
    response = client.post(url, {"email": "personne@example.invalid"})
    assert "Aucun compte actif" in response.content.decode()
    response = client.post(url, {"email": space.member.email}, follow=True)
    assert "Formation enregistrée" in response.content.decode()
    training = Training.objects.get(resource=printer, user=space.member)
    client.post(f"{url}{training.pk}/retirer/")
    assert not Training.objects.exists()


def test_an_invisible_resource_is_404(client, space):
    space.organisation.visibility = "private"
    space.organisation.save()
    room = make_resource(space, name="Salle privée")
    assert client.get(f"/tiers-lieux/{room.slug}/").status_code == 404
    assert client.get(f"/tiers-lieux/{room.slug}/calendrier.ics").status_code == 404
    client.force_login(space.member)
    assert client.get(f"/tiers-lieux/{room.slug}/").status_code == 200
