"""The cooperation part of the demo, loaded through the services into a small network (the full
`mediane demo` is exercised by tests/demo/): a project pooled between Lourdes, Nevers and
Shawinigan with budget shares in EUR and CAD that add up, and a second load that changes
nothing."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

import pytest

from mediane.cooperation import selectors
from mediane.cooperation.models import PoolingProposal, Project
from mediane.demo.cooperation_data import DRAFT_PROJECT, LEAD_PROJECT, load_cooperation
from tests.directory.factories import UserFactory, member_of
from tests.market.factories import CityFactory, QuebecCityFactory

pytestmark = pytest.mark.django_db


def _loader():  # type: ignore[no-untyped-def]
    names = ["Ville de Lourdes", "Ville de Nevers"]
    organisations = {name: CityFactory(name=name) for name in names}
    for name in ("Ville de Shawinigan", "Ville de Thetford Mines"):
        organisations[name] = QuebecCityFactory(name=name)
    secretariat = UserFactory(is_secretariat=True)
    lourdes = organisations["Ville de Lourdes"]
    users = {
        "secretariat": secretariat,
        "city_editor": member_of(lourdes, "editor"),
        "city_member": member_of(lourdes, "member"),
    }
    return SimpleNamespace(
        organisations=organisations,
        users=users,
        actor=secretariat,
        report=SimpleNamespace(created=Counter(), existing=Counter()),
    )


def test_pooled_project_with_shares_in_two_currencies():
    loader = _loader()
    load_cooperation(loader)
    project = Project.objects.get(title=LEAD_PROJECT)
    assert project.status == "active" and project.is_demo
    partners = {link.organisation.name: link.role for link in project.partner_links.all()}
    assert partners == {
        "Ville de Lourdes": "lead",
        "Ville de Nevers": "partner",
        "Ville de Shawinigan": "partner",
    }
    budget = selectors.budget_summary(project)
    assert budget.balanced and budget.total == Decimal("239160.00")
    assert {s.currency for s in budget.shares} == {"EUR", "CAD"}
    assert project.phases.count() == 3 and project.decisions.count() == 3
    assert project.threads.count() == 2 and project.tasks.count() == 4
    document = project.documents.get()
    assert document.content_type == "application/pdf" and document.file.read().startswith(b"%PDF-")
    assert Project.objects.get(title=DRAFT_PROJECT).status == "draft"
    pending = PoolingProposal.objects.get(target_project=project)
    assert (
        pending.status == "proposed" and pending.from_organisation.name == "Ville de Thetford Mines"
    )
    # The draft of Nevers is not on Lourdes' editor's list; the pooled project is.
    visible = set(
        selectors.projects_list_for(loader.users["city_editor"]).values_list("title", flat=True)
    )
    assert LEAD_PROJECT in visible and DRAFT_PROJECT not in visible

    load_cooperation(loader)
    assert Project.objects.count() == 3 and PoolingProposal.objects.count() == 1
    assert loader.report.existing["projets"] == 3
