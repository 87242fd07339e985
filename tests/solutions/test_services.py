"""Services of solutions: sheets (validation, indicators, search), replication into a draft
challenge (atomic, linked, notified), the outcome of a replication, deletion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.market.models import Challenge, ChallengeStatus
from mediane.notifications.models import Notification
from mediane.search.models import SearchEntry
from mediane.solutions import services
from mediane.solutions.models import Replication
from mediane.solutions.services import IndicatorInput
from tests.directory.factories import OrganisationFactory, member_of
from tests.solutions.factories import make_sheet, make_world, solution_input

pytestmark = pytest.mark.django_db


def test_create_records_sheet_indicators_audit_and_search():
    world = make_world()
    sheet = make_sheet(world)
    assert sheet.is_published and sheet.published_at is not None
    assert sheet.supplier_organisation == world.company
    indicator = sheet.indicators.get()
    assert indicator.value_before == Decimal("12.00")
    assert indicator.value_after == Decimal("7.50")
    assert indicator.change == Decimal("-4.50")
    assert AuditEntry.objects.filter(action="solution.create", object_id=str(sheet.pk)).exists()
    entry = SearchEntry.objects.get(kind="solution", object_id=sheet.pk)
    assert entry.visibility == "public" and entry.owner_id == world.nevers.pk


def test_drafts_are_not_searchable_and_visibility_follows_the_sheet():
    world = make_world()
    sheet = make_sheet(world, status="draft")
    assert not SearchEntry.objects.filter(kind="solution", object_id=sheet.pk).exists()
    data = services.SolutionInput.from_sheet(sheet)
    data.status, data.visibility = "published", "network"
    services.solution_update(actor=world.nevers_editor, sheet=sheet, data=data)
    assert SearchEntry.objects.get(kind="solution", object_id=sheet.pk).visibility == "network"
    data.status = "draft"
    services.solution_update(actor=world.nevers_editor, sheet=sheet, data=data)
    sheet.refresh_from_db()
    assert sheet.published_at is None
    assert not SearchEntry.objects.filter(kind="solution", object_id=sheet.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"problem": "  "}, "problem"),
        ({"cost_amount": "beaucoup"}, "cost_amount"),
        ({"cost_amount": "-5"}, "cost_amount"),
        ({"currency": "USD"}, "currency"),
        ({"visibility": "secret"}, "visibility"),
        ({"contact_role": "jean.dupont@nevers.fr"}, "contact_role"),
        ({"supplier_organisation": "inconnue"}, "supplier_organisation"),
        ({"sectors": ["nope"]}, "sectors"),
        ({"deployed_on": "hier"}, "deployed_on"),
        ({"indicators": [IndicatorInput(name="Sans valeur")]}, "indicators.0.value_after"),
        ({"indicators": [IndicatorInput(value_after="3")]}, "indicators.0.name"),
        (
            {"indicators": [IndicatorInput(name="x", value_after="trois")]},
            "indicators.0.value_after",
        ),
    ],
)
def test_bad_input_is_refused_field_by_field(changes, field):
    world = make_world()
    with pytest.raises(ValidationFailed) as caught:
        make_sheet(world, **changes)
    assert field in caught.value.field_errors
    assert not world.nevers.solution_sheets.exists()


def test_only_a_city_editor_records_a_sheet_of_that_city():
    world = make_world()
    with pytest.raises(PermissionDenied):
        services.solution_create(
            actor=world.nevers_member, organisation=world.nevers, data=solution_input()
        )
    with pytest.raises(PermissionDenied):
        services.solution_create(
            actor=world.lourdes_editor, organisation=world.nevers, data=solution_input()
        )
    with pytest.raises(ValidationFailed) as caught:
        services.solution_create(
            actor=world.company_admin, organisation=world.company, data=solution_input()
        )
    assert "organisation" in caught.value.field_errors


def test_replicate_creates_a_prefilled_draft_challenge_linked_and_notified():
    world = make_world()
    sheet = make_sheet(world)
    replication = services.solution_replicate(
        actor=world.lourdes_editor, sheet=sheet, organisation=world.lourdes
    )
    challenge = replication.challenge
    assert challenge is not None and challenge.status == ChallengeStatus.DRAFT
    assert challenge.lead_issuer == world.lourdes
    assert challenge.title == "Stationnement intelligent du centre-ville à Lourdes"
    assert "12 minutes" in challenge.problem
    assert "Ville de Nevers" in challenge.context and sheet.get_absolute_url() in challenge.context
    assert [s.slug for s in challenge.sectors.all()] == ["mobilite-test"]
    assert [t.slug for t in challenge.territories.all()] == ["lourdes"]
    assert replication.status_label == "Brouillon"
    notes = Notification.objects.filter(topic="solution")
    assert {n.recipient for n in notes} == {world.nevers_editor}
    assert "Ville de Lourdes" in notes.get().title
    assert AuditEntry.objects.filter(action="solution.replicate").count() == 1


def test_replication_is_refused_to_the_source_city_and_to_non_editors():
    world = make_world()
    sheet = make_sheet(world)
    with pytest.raises(PermissionDenied):
        services.solution_replicate(
            actor=world.nevers_editor, sheet=sheet, organisation=world.nevers
        )
    with pytest.raises(PermissionDenied):
        services.solution_replicate(
            actor=world.lourdes_member, sheet=sheet, organisation=world.lourdes
        )
    with pytest.raises(PermissionDenied):  # an editor of Lourdes cannot act for another city
        third = OrganisationFactory(kind="collectivite")
        services.solution_replicate(actor=world.lourdes_editor, sheet=sheet, organisation=third)
    with pytest.raises(ValidationFailed):
        services.solution_replicate(actor=world.secretariat, sheet=sheet, organisation=world.nevers)
    assert not Replication.objects.exists() and not Challenge.objects.exists()


def test_a_company_cannot_replicate_and_a_draft_cannot_be_replicated():
    world = make_world()
    sheet = make_sheet(world)
    with pytest.raises(ValidationFailed):
        services.solution_replicate(
            actor=world.company_admin, sheet=sheet, organisation=world.company
        )
    draft = make_sheet(world, status="draft", title="Brouillon")
    with pytest.raises(PermissionDenied):
        services.solution_replicate(
            actor=world.lourdes_editor, sheet=draft, organisation=world.lourdes
        )
    assert not Challenge.objects.exists()


def test_replication_is_atomic_when_the_challenge_fails(monkeypatch):
    world = make_world()
    sheet = make_sheet(world)

    def broken(**kwargs):
        raise ValidationFailed("refusé", field_errors={"title": ["refusé"]})

    monkeypatch.setattr("mediane.market.services.challenge_create", broken)
    with pytest.raises(ValidationFailed):
        services.solution_replicate(
            actor=world.lourdes_editor, sheet=sheet, organisation=world.lourdes
        )
    assert not Replication.objects.exists()
    assert not Notification.objects.filter(topic="solution").exists()


def test_outcome_by_the_replicating_city_notifies_the_source():
    world = make_world()
    sheet = make_sheet(world)
    replication = services.solution_replicate(
        actor=world.lourdes_editor, sheet=sheet, organisation=world.lourdes
    )
    with pytest.raises(PermissionDenied):
        services.replication_update(
            actor=world.nevers_editor, replication=replication, outcome_note="x"
        )
    services.replication_update(
        actor=world.lourdes_editor, replication=replication, outcome_note="Marché lancé."
    )
    replication.refresh_from_db()
    assert replication.outcome_note == "Marché lancé."
    assert Notification.objects.filter(topic="solution", verb="replication_outcome").count() == 1


def test_a_replicated_sheet_cannot_be_deleted():
    world = make_world()
    sheet = make_sheet(world)
    lonely = make_sheet(world, title="Autre solution")
    services.solution_replicate(actor=world.lourdes_editor, sheet=sheet, organisation=world.lourdes)
    with pytest.raises(Conflict):
        services.solution_delete(actor=world.nevers_editor, sheet=sheet)
    with pytest.raises(PermissionDenied):
        services.solution_delete(actor=world.lourdes_editor, sheet=lonely)
    services.solution_delete(actor=world.nevers_editor, sheet=lonely)
    assert not SearchEntry.objects.filter(kind="solution", object_id=lonely.pk).exists()


def test_replication_cities_lists_the_cities_the_actor_edits():
    world = make_world()
    sheet = make_sheet(world)
    second = OrganisationFactory(name="Ville de Tarbes", kind="collectivite")
    member_of(second, "admin", user=world.lourdes_editor)
    names = [o.name for o in services.replication_cities(world.lourdes_editor, sheet)]
    assert names == ["Ville de Lourdes", "Ville de Tarbes"]
    assert services.replication_cities(world.nevers_editor, sheet) == []
