"""The tiers-lieu's editors create and edit resources, set opening hours and closures from the
pages; others get 404; bad input gives French messages."""

from __future__ import annotations

import datetime as dt

import pytest

from mediane.tierslieux.models import Closure, OpeningHours, Resource

pytestmark = pytest.mark.django_db

RESOURCE = {
    "name": "Atelier laine",
    "kind": "workshop",
    "description": "Rouets et métiers à tisser.",
    "capacity": "4",
    "slot_minutes": "60",
    "min_minutes": "60",
    "max_minutes": "240",
    "who_may_book": "authenticated",
    "price_member": "0",
    "price_partner": "0",
    "price_other": "5",
    "currency": "EUR",
    "rules": "",
    "is_active": "on",
}


def test_create_edit_and_set_hours(client, space):
    url = f"/tiers-lieux/organisations/{space.organisation.pk}/ressources/nouvelle/"
    client.force_login(space.member)
    assert client.get(url).status_code == 404
    client.force_login(space.editor)
    assert "Ajouter une ressource" in client.get("/tiers-lieux/").content.decode()
    response = client.post(url, {**RESOURCE, "min_minutes": "90"})
    assert response.status_code == 422
    assert "multiple de la durée" in response.content.decode()
    response = client.post(url, RESOURCE)
    resource = Resource.objects.get(name="Atelier laine")
    assert response["Location"] == f"/tiers-lieux/{resource.slug}/horaires/"
    assert resource.capacity == 4 and resource.organisation == space.organisation

    hours_url = f"/tiers-lieux/{resource.slug}/horaires/"
    response = client.post(
        hours_url, {"action": "hours", "opens_0_1": "09:00", "closes_0_1": "", "opens_1_1": ""}
    )
    assert response.status_code == 422 and "Lundi : indiquez" in response.content.decode()
    client.post(
        hours_url,
        {
            "action": "hours",
            "opens_0_1": "09:00",
            "closes_0_1": "12:00",
            "opens_0_2": "14:00",
            "closes_0_2": "18:00",
            "opens_5_1": "10:00",
            "closes_5_1": "16:00",
        },
    )
    rows = OpeningHours.objects.filter(resource=resource)
    assert [(h.weekday, f"{h.opens:%H:%M}") for h in rows] == [
        (0, "09:00"),
        (0, "14:00"),
        (5, "10:00"),
    ]
    html = client.get(hours_url).content.decode()
    assert 'value="14:00"' in html  # the second period is shown again

    day = dt.date.today() + dt.timedelta(days=10)
    response = client.post(
        hours_url,
        {
            "action": "closure",
            "starts_on": day.isoformat(),
            "ends_on": (day - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert "doit suivre son début" in response.content.decode()
    client.post(
        hours_url,
        {
            "action": "closure",
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "reason": "Inventaire",
        },
    )
    closure = Closure.objects.get(resource=resource)
    client.post(f"/tiers-lieux/{resource.slug}/fermetures/{closure.pk}/supprimer/")
    assert not Closure.objects.exists()

    edit = client.post(
        f"/tiers-lieux/{resource.slug}/modifier/",
        {**RESOURCE, "name": "Atelier laine des Pyrénées"},
    )
    assert edit.status_code == 302
    resource.refresh_from_db()
    assert resource.name == "Atelier laine des Pyrénées"
    client.force_login(space.member)
    assert client.get(f"/tiers-lieux/{resource.slug}/modifier/").status_code == 404
    assert client.get(hours_url).status_code == 404
