"""Factories of incubation: incubators of both sides, a start-up, a signed agreement, and the
world of a soft-landing request (both incubators, the start-up, the host's capacity)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from mediane.accounts.models import Role
from mediane.incubation import services
from mediane.incubation.models import AgreementStatus, TwinningAgreement
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory


def incubator(name: str, country: str = "FR", kind: str = "incubateur"):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name=name, kind=kind, country=country)


def startup(name: str = "Jeune pousse", country: str = "FR"):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name=name, kind="startup", country=country)


def person(organisation, role: str = Role.EDITOR):  # type: ignore[no-untyped-def]
    return MembershipFactory(organisation=organisation, role=role).user


def secretariat():  # type: ignore[no-untyped-def]
    return UserFactory(is_secretariat=True)


def agreement(first, second, *, start=date(2025, 1, 1), end=None, status=AgreementStatus.SIGNED):  # type: ignore[no-untyped-def]
    return TwinningAgreement.objects.create(
        first=first, second=second, title=f"{first} – {second}", start=start, end=end, status=status
    )


def soft_landing_world(*, places: int, capacity_days: int, **people: tuple[str, str]):  # type: ignore[no-untyped-def]
    """A start-up of Inkub, a signed agreement with Shawinigan (from 30 days ago) and a host
    capacity of `places` from today for `capacity_days` days. Always a founder (editor of the
    start-up) and a host editor; `people` adds others: name=(side, role), side being "home",
    "host" or "startup"."""
    today = timezone.localdate()
    home = incubator("Inkub")
    host = incubator("Incubateur de Shawinigan", "QC")
    deal = agreement(home, host, start=today - timedelta(days=30))
    young = startup("Laine connectée")
    w = {
        "today": today,
        "home": home,
        "host": host,
        "agreement": deal,
        "startup": young,
        "founder": person(young, "editor"),
        "host_editor": person(host, "editor"),
    }
    for name, (side, role) in people.items():
        w[name] = person(w[side], role)
    services.capacity_set(
        actor=w["host_editor"],
        host=host,
        start=today,
        end=today + timedelta(days=capacity_days),
        places=places,
    )
    return w


def soft_landing_request(  # type: ignore[no-untyped-def]
    w, *, start_in=10, days, needs, message, startup=None, founder=None
):
    """The world's start-up (or `startup`) asks its host for `days` days from `start_in` days on."""
    start = w["today"] + timedelta(days=start_in)
    return services.request_create(
        actor=founder or w["founder"],
        startup=startup or w["startup"],
        agreement=w["agreement"],
        home=w["home"],
        start=start,
        end=start + timedelta(days=days - 1),
        needs=needs,
        message=message,
    )
