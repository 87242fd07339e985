"""The incubation demo data, loaded through the real services on a small loader."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mediane.demo.incubation_data import HYDRO, INKUB, LOURDES, PYRENE, RUCHE, load_incubation
from mediane.demo.loader import DemoReport
from mediane.incubation.models import AgreementStatus, RequestStatus, SoftLandingRequest
from mediane.incubation.selectors import twinned_partners
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_twinning_with_a_stay_and_a_pending_request():
    organisations = {
        INKUB: OrganisationFactory(name=INKUB, kind="incubateur", country="FR"),
        RUCHE: OrganisationFactory(name=RUCHE, kind="incubateur", country="QC"),
        LOURDES: OrganisationFactory(name=LOURDES, kind="tiers-lieu", country="FR"),
        HYDRO: OrganisationFactory(name=HYDRO, kind="startup", country="QC"),
        PYRENE: OrganisationFactory(name=PYRENE, kind="startup", country="FR"),
    }
    startup_admin = MembershipFactory(organisation=organisations[PYRENE], role="admin").user
    loader = SimpleNamespace(
        organisations=organisations,
        users={"startup_admin": startup_admin},
        actor=UserFactory(is_secretariat=True),
        report=DemoReport(),
    )
    load_incubation(loader)

    ruche = organisations[RUCHE]
    assert set(twinned_partners(ruche)) == {organisations[INKUB], organisations[LOURDES]}
    statuses = dict(
        SoftLandingRequest.objects.values_list("startup__name", "status").order_by("status")
    )
    assert statuses[PYRENE] == RequestStatus.REQUESTED
    stays = SoftLandingRequest.objects.filter(startup=organisations[HYDRO])
    assert sorted(stays.values_list("status", flat=True)) == ["accepted", "in_progress"]
    in_progress = stays.get(status=RequestStatus.IN_PROGRESS)
    assert in_progress.journal.count() == 2 and in_progress.outcomes.count() == 1
    assert ruche.twinning_agreements_as_second.filter(status=AgreementStatus.SIGNED).count() == 2
    assert any(a["email"] == "incubateur.shawinigan@example.org" for a in loader.report.accounts)

    # loading again adds nothing
    load_incubation(loader)
    assert SoftLandingRequest.objects.count() == 3
