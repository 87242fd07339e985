"""Factories of incubation: incubators of both sides, a start-up, a signed agreement."""

from __future__ import annotations

from datetime import date

from mediane.accounts.models import Role
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
