"""The tierslieux part of the demo network, created through the real services: the bookable
resources of Lourdes' tiers-lieu (coworking desks, a meeting room, a 3D printer and a laser
cutter that need training, a shared kitchen, a wool workshop), its opening hours and year-end
closure, a training and a few bookings in the coming days. Skipped when already loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mediane.tierslieux import services
from mediane.tierslieux.models import Resource

TIERS_LIEU = "Tiers-lieu et incubateur de Lourdes"
WEEKDAYS = range(5)

RESOURCES: list[dict[str, Any]] = [
    {
        "key": "desks",
        "name": "Postes de coworking",
        "kind": "desk",
        "description": "Huit postes en open space avec écran, fibre et café, face au Pic du Jer.",
        "capacity": 8,
        "slot_minutes": 60,
        "min_minutes": 60,
        "max_minutes": 600,
        "who_may_book": "network",
        "price_member": "0",
        "price_partner": "2",
        "price_other": "4",
        "rules": "Poste libéré et rangé en fin de réservation. Appels dans les cabines.",
        "hours": [(d, "08:00", "18:00") for d in WEEKDAYS] + [(5, "09:00", "12:00")],
    },
    {
        "key": "room",
        "name": "Salle de réunion du Pic du Jer",
        "kind": "meeting_room",
        "description": "Salle de 12 places avec écran, visioconférence et tableau blanc.",
        "capacity": 1,
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 240,
        "who_may_book": "network",
        "price_member": "10",
        "price_partner": "15",
        "price_other": "25",
        "show_bookers": True,
        "hours": [(d, "08:30", "18:30") for d in WEEKDAYS],
    },
    {
        "key": "printer",
        "name": "Imprimante 3D",
        "kind": "machine",
        "description": "Imprimante 3D à dépôt de fil (PLA, PETG), plateau 25 × 21 cm.",
        "capacity": 1,
        "slot_minutes": 60,
        "min_minutes": 60,
        "max_minutes": 480,
        "who_may_book": "network",
        "training_required": True,
        "price_member": "3",
        "price_partner": "3",
        "price_other": "8",
        "rules": "Formation d'une heure obligatoire avec le fabmanager. "
        "Matière facturée au gramme.",
        "hours": [(d, "09:00", "17:00") for d in WEEKDAYS],
    },
    {
        "key": "laser",
        "name": "Découpeuse laser",
        "kind": "machine",
        "description": "Découpe et gravure laser CO2 (bois, carton, cuir, acrylique), 60 × 40 cm.",
        "capacity": 1,
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 180,
        "who_may_book": "partners",
        "training_required": True,
        "price_member": "6",
        "price_partner": "8",
        "price_other": "15",
        "rules": "Formation obligatoire. Jamais sans surveillance ; PVC interdit.",
        "hours": [(d, "09:00", "17:00") for d in WEEKDAYS],
    },
    {
        "key": "kitchen",
        "name": "Cuisine partagée",
        "kind": "kitchen",
        "description": "Cuisine professionnelle pour tester un produit ou préparer un événement.",
        "capacity": 1,
        "slot_minutes": 60,
        "min_minutes": 120,
        "max_minutes": 480,
        "who_may_book": "members",
        "price_member": "12",
        "price_partner": "15",
        "price_other": "20",
        "rules": "Certificat d'hygiène alimentaire demandé. Nettoyage compris dans le créneau.",
        "hours": [(d, "07:00", "21:00") for d in range(6)],
    },
    {
        "key": "wool",
        "name": "Atelier laine des Pyrénées",
        "kind": "workshop",
        "description": "Rouets, métiers à tisser et cardeuse pour la filière laine « Made in "
        "Pyrénées ».",
        "capacity": 4,
        "slot_minutes": 60,
        "min_minutes": 60,
        "max_minutes": 240,
        "who_may_book": "authenticated",
        "price_member": "0",
        "price_partner": "0",
        "price_other": "5",
        "hours": [(d, "10:00", "18:00") for d in range(6)],
    },
]


def _next_weekdays(zone: Any, count: int) -> list[dt.date]:
    """The next `count` working days (Monday to Friday) after today, in `zone`."""
    day = timezone.now().astimezone(zone).date()
    days: list[dt.date] = []
    while len(days) < count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def load_tierslieux(loader: Any) -> None:
    """Loads the tierslieux demo data."""
    organisation = loader.organisations.get(TIERS_LIEU)
    if organisation is None:
        return
    existing = Resource.objects.filter(organisation=organisation).count()
    if existing:
        loader.report.existing["tiers-lieux : ressources"] += existing
        return
    staff = loader.users["secretariat"]
    resources: dict[str, Resource] = {}
    for spec in RESOURCES:
        fields = {k: v for k, v in spec.items() if k not in {"key", "hours"}}
        resource = services.resource_create(actor=staff, organisation=organisation, **fields)
        loader.report.created["tiers-lieux : ressources"] += 1
        services.opening_hours_set(actor=staff, resource=resource, hours=spec["hours"])
        year = timezone.localdate().year
        services.closure_add(
            actor=staff,
            resource=resource,
            starts_on=dt.date(year, 12, 24),
            ends_on=dt.date(year + 1, 1, 1),
            reason="Fermeture de fin d'année",
        )
        resources[spec["key"]] = resource

    member = loader.users["city_member"]
    services.training_grant(
        actor=staff,
        resource=resources["printer"],
        user=member,
        granted_on=timezone.localdate() - dt.timedelta(days=14),
    )
    zone = resources["room"].zone
    closed = (resources["room"].closures.get().starts_on, resources["room"].closures.get().ends_on)
    days = [d for d in _next_weekdays(zone, 20) if not closed[0] <= d <= closed[1]][:3]

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)

    bookings = [
        ("city_admin", "room", days[0], (10, 0), (11, 30), "Comité Plan Avenir"),
        ("city_member", "desks", days[0], (9, 0), (17, 0), ""),
        ("startup_admin", "desks", days[0], (9, 0), (12, 0), "Pyrène Outdoor Lab"),
        ("startup_admin", "room", days[1], (14, 0), (15, 0), "Rendez-vous client"),
        ("city_member", "printer", days[1], (9, 0), (12, 0), "Prototype"),
        ("outsider", "wool", days[2], (10, 0), (12, 0), "Initiation au tissage"),
    ]
    for who, key, day, start, end, note in bookings:
        person = loader.users.get(who)
        if person is None:
            continue
        services.booking_create(
            actor=staff,
            user=person,
            resource=resources[key],
            starts_at=at(day, *start),
            ends_at=at(day, *end),
            note=note,
        )
        loader.report.created["tiers-lieux : réservations"] += 1
