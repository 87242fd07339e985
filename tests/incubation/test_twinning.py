from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import ValidationFailed
from mediane.incubation.models import AgreementStatus
from mediane.incubation.selectors import twinned_partners
from mediane.incubation.services import twinning_create
from tests.incubation.factories import agreement, incubator, person, secretariat, startup

pytestmark = pytest.mark.django_db


def test_twinned_partners_follow_dates_and_status():
    inkub = incubator("Inkub")
    shawi = incubator("Incubateur de Shawinigan", "QC")
    thetford = incubator("Tiers-lieu de Thetford", "QC", kind="tiers-lieu")
    ended = incubator("Ancien partenaire", "QC")
    proposed = incubator("Proposé", "QC")
    agreement(inkub, shawi, start=date(2025, 1, 1))
    agreement(thetford, inkub, start=date(2025, 6, 1), end=date(2025, 12, 31))
    agreement(inkub, ended, start=date(2024, 1, 1), status=AgreementStatus.ENDED)
    agreement(inkub, proposed, start=date(2024, 1, 1), status=AgreementStatus.PROPOSED)

    assert set(twinned_partners(inkub, on=date(2025, 3, 1))) == {shawi}
    assert set(twinned_partners(inkub, on=date(2025, 6, 1))) == {shawi, thetford}
    assert set(twinned_partners(inkub, on=date(2026, 1, 1))) == {shawi}
    assert set(twinned_partners(thetford, on=date(2025, 12, 31))) == {inkub}
    assert set(twinned_partners(shawi, on=date(2024, 12, 31))) == set()
    assert twinned_partners(inkub, on=date(2025, 3, 1)).count() == 1


def test_twinning_create_by_secretariat_signed():
    inkub = incubator("Inkub")
    shawi = incubator("Shawinigan", "QC")
    made = twinning_create(
        actor=secretariat(),
        first=inkub,
        second=shawi,
        title="Inkub – Shawinigan",
        start=date(2025, 1, 1),
        signed=True,
    )
    assert made.status == AgreementStatus.SIGNED and made.signed_at is not None
    assert list(twinned_partners(shawi, on=date(2025, 2, 1))) == [inkub]


def test_twinning_create_permissions_and_validation():
    inkub = incubator("Inkub")
    shawi = incubator("Shawinigan", "QC")
    admin = person(inkub, "admin")
    with pytest.raises(PermissionDenied):
        twinning_create(
            actor=person(inkub, "editor"),
            first=inkub,
            second=shawi,
            title="x",
            start=date(2025, 1, 1),
        )
    with pytest.raises(PermissionDenied):  # signing is the other side's
        twinning_create(
            actor=admin, first=inkub, second=shawi, title="x", start=date(2025, 1, 1), signed=True
        )
    with pytest.raises(ValidationFailed) as error:
        twinning_create(
            actor=admin,
            first=inkub,
            second=startup(),
            title=" ",
            start=date(2025, 1, 1),
            end=date(2024, 1, 1),
        )
    assert set(error.value.field_errors) == {"title", "second", "end"}
    made = twinning_create(
        actor=admin, first=inkub, second=shawi, title="Accord", start=date(2025, 1, 1)
    )
    assert made.status == AgreementStatus.PROPOSED
    assert not twinned_partners(inkub, on=date(2025, 2, 1)).exists()
