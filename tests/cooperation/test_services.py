from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mediane.cooperation import selectors, services
from mediane.cooperation.models import PartnerRole, ProjectStatus
from mediane.cooperation.services import ShareInput
from mediane.core.errors import Conflict, ValidationFailed
from mediane.notifications.models import Notification
from mediane.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def _pooled(world):
    project = world.project()
    services.partner_add(actor=world.lead_editor, project=project, organisation=world.nevers)
    services.partner_add(actor=world.lead_editor, project=project, organisation=world.shawinigan)
    return project


def _shares(world, **changes):
    values = {
        "lourdes": ShareInput(world.lourdes, "40000", "EUR"),
        "nevers": ShareInput(world.nevers, "30000", "EUR"),
        "shawinigan": ShareInput(
            world.shawinigan, "45000", "CAD", rate="0.666667", rate_date=date(2026, 1, 5)
        ),
    }
    values.update(changes)
    return list(values.values())


def test_budget_shares_converted_must_add_up_to_the_total(world):
    project = _pooled(world)
    services.budget_set(
        actor=world.lead_editor,
        project=project,
        total="100000",
        currency="EUR",
        shares=_shares(world),
    )
    summary = selectors.budget_summary(project)
    # 45 000 CAD × 0.666667 = 30 000.02 EUR: within a cent per share.
    assert summary.total == Decimal("100000.00")
    assert summary.shared == Decimal("100000.02")
    assert summary.balanced
    cad = next(s for s in summary.shares if s.currency == "CAD")
    assert (cad.rate, cad.rate_date) == (Decimal("0.666667"), date(2026, 1, 5))


def test_budget_set_refuses_shares_that_do_not_add_up(world):
    project = _pooled(world)
    with pytest.raises(ValidationFailed) as error:
        services.budget_set(
            actor=world.lead_editor,
            project=project,
            total="100000",
            currency="EUR",
            shares=_shares(world, nevers=ShareInput(world.nevers, "20000", "EUR")),
        )
    assert error.value.code == "budget_unbalanced"
    assert "10000" in error.value.message
    project.refresh_from_db()
    assert project.budget_total is None and not project.budget_shares.exists()


def test_budget_share_checks_partner_rate_date_and_total(world):
    project = _pooled(world)
    services.budget_total_set(
        actor=world.lead_editor, project=project, total="1000", currency="EUR"
    )
    with pytest.raises(ValidationFailed, match="date du taux"):
        services.budget_share_set(
            actor=world.lead_editor,
            project=project,
            share=ShareInput(world.shawinigan, "100", "CAD", rate="0.68"),
        )
    with pytest.raises(ValidationFailed, match="taux 1"):
        services.budget_share_set(
            actor=world.lead_editor,
            project=project,
            share=ShareInput(world.nevers, "100", "EUR", rate="2"),
        )
    other = services.project_create(actor=world.quebec_editor, lead=world.shawinigan, title="X")
    assert other
    services.budget_share_set(
        actor=world.lead_editor, project=project, share=ShareInput(world.nevers, "900", "EUR")
    )
    with pytest.raises(ValidationFailed) as error:
        services.budget_share_set(
            actor=world.lead_editor, project=project, share=ShareInput(world.lourdes, "101", "EUR")
        )
    assert error.value.code == "budget_exceeded"
    assert selectors.budget_summary(project).gap == Decimal("100.00")
    with pytest.raises(PermissionDenied):
        services.budget_share_set(
            actor=world.partner_editor,
            project=project,
            share=ShareInput(world.nevers, "1", "EUR"),
        )


def test_a_project_starts_only_with_a_balanced_budget(world):
    project = _pooled(world)
    services.project_set_status(actor=world.lead_editor, project=project, to=ProjectStatus.SETUP)
    with pytest.raises(Conflict) as error:
        services.project_set_status(actor=world.lead_editor, project=project, to="active")
    assert error.value.code == "budget_missing"
    services.budget_total_set(actor=world.lead_editor, project=project, total="10", currency="EUR")
    services.budget_share_set(
        actor=world.lead_editor, project=project, share=ShareInput(world.nevers, "5", "EUR")
    )
    with pytest.raises(Conflict) as error:
        services.project_set_status(actor=world.lead_editor, project=project, to="active")
    assert error.value.code == "budget_unbalanced"
    services.budget_share_set(
        actor=world.lead_editor, project=project, share=ShareInput(world.lourdes, "5", "EUR")
    )
    services.project_set_status(actor=world.lead_editor, project=project, to="active")
    assert project.status == "active"
    with pytest.raises(Conflict):
        services.project_set_status(actor=world.lead_editor, project=project, to="draft")


def test_partners_lead_cannot_be_removed_and_partner_editors_cannot_add(world):
    project = _pooled(world)
    with pytest.raises(PermissionDenied):
        services.partner_add(
            actor=world.partner_editor, project=project, organisation=world.shawinigan
        )
    with pytest.raises(Conflict):
        services.partner_add(actor=world.lead_editor, project=project, organisation=world.nevers)
    with pytest.raises(Conflict):
        services.partner_remove(
            actor=world.lead_editor, project=project, organisation=world.lourdes
        )
    services.partner_remove(actor=world.lead_editor, project=project, organisation=world.nevers)
    roles = {p.organisation.name: p.role for p in project.partner_links.all()}
    assert roles == {"Lourdes": PartnerRole.LEAD, "Shawinigan": PartnerRole.PARTNER}


def test_notifications_on_partner_decision_task_and_status(world):
    project = _pooled(world)
    Notification.objects.all().delete()
    services.decision_record(
        actor=world.partner_editor,
        project=project,
        decided_on=date(2026, 2, 1),
        decision="Retenir trois lignes de navettes",
        made_by="Comité de pilotage",
    )
    recipients = set(
        Notification.objects.filter(verb="decision").values_list("recipient", flat=True)
    )
    assert recipients == {
        world.lead_editor.pk,
        world.lead_member.pk,
        world.partner_member.pk,
        world.quebec_editor.pk,
    }
    assert world.outsider.pk not in recipients
    services.task_create(
        actor=world.lead_editor,
        project=project,
        title="Rédiger la convention",
        owner=world.partner_member,
        due_on=date(2026, 3, 1),
    )
    assert (
        Notification.objects.filter(verb="task_assigned", recipient=world.partner_member).count()
        == 1
    )
    with pytest.raises(ValidationFailed):
        services.task_create(
            actor=world.lead_editor, project=project, title="T", owner=world.outsider
        )
    services.project_set_status(actor=world.lead_editor, project=project, to="setup")
    assert Notification.objects.filter(verb="status", topic="project").count() == 4


def test_workspace_writes_need_a_partner(world):
    project = _pooled(world)
    thread = services.thread_create(
        actor=world.partner_member, project=project, title="Calendrier", body="On se voit quand ?"
    )
    services.message_post(actor=world.quebec_editor, thread=thread, body="Mardi, heure du Québec")
    assert [m.body for m in thread.messages.all()] == [
        "On se voit quand ?",
        "Mardi, heure du Québec",
    ]
    for who in (world.outsider, world.secretariat):
        if who is world.secretariat:
            services.message_post(actor=who, thread=thread, body="Le secrétariat suit.")
            continue
        with pytest.raises(PermissionDenied):
            services.message_post(actor=who, thread=thread, body="Intrus")
    with pytest.raises(PermissionDenied):
        services.decision_record(
            actor=world.partner_member,
            project=project,
            decided_on=date(2026, 1, 1),
            decision="x",
            made_by="y",
        )


def test_drafts_are_never_indexed_and_network_projects_keep_their_visibility(world):
    project = _pooled(world)
    assert not SearchEntry.objects.filter(kind="project").exists()
    project.visibility = "network"
    project.save()
    services.project_set_status(actor=world.lead_editor, project=project, to="setup")
    entry = SearchEntry.objects.get(kind="project", object_id=project.pk)
    assert entry.visibility == "network"
    assert entry.owner_id == world.lourdes.pk


def test_closed_projects_are_read_only(world):
    project = _pooled(world)
    services.project_set_status(actor=world.lead_editor, project=project, to="abandoned")
    with pytest.raises(Conflict):
        services.thread_create(actor=world.lead_editor, project=project, title="t", body="b")
    with pytest.raises(Conflict):
        services.project_update(actor=world.lead_editor, project=project, title="Autre")


@pytest.mark.parametrize(
    ("amount", "rate", "field"),
    [
        ("abc", "1", "amount"),
        ("-5", "1", "amount"),
        ("NaN", "1", "amount"),
        ("1e13", "1", "amount"),
        ("10", "0", "rate"),
        ("10", "5000", "rate"),
        ("10", "0.0000001", "rate"),
    ],
)
def test_bad_amounts_and_rates_are_refused_with_the_field(world, amount, rate, field):
    project = _pooled(world)
    services.budget_total_set(
        actor=world.lead_editor, project=project, total="1000", currency="EUR"
    )
    with pytest.raises(ValidationFailed) as error:
        services.budget_share_set(
            actor=world.lead_editor,
            project=project,
            share=ShareInput(
                world.shawinigan, amount, "CAD", rate=rate, rate_date=date(2026, 1, 1)
            ),
        )
    assert field in error.value.field_errors
