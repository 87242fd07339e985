import datetime

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import ValidationFailed
from mediane.notifications.models import Notification
from mediane.plans import selectors, services
from mediane.plans.models import Action, ActionStatus, Axis


def test_only_the_citys_editors_create_and_change(world):
    for actor in (world.member, world.other_editor, world.outsider, world.secretariat):
        with pytest.raises(PermissionDenied):
            services.plan_create(
                actor=actor, organisation=world.lourdes, title="X", start_year=2022, end_year=2030
            )
    plan = world.plan()
    with pytest.raises(PermissionDenied):
        services.axis_create(actor=world.other_editor, plan=plan, title="Axe")


def test_plan_validation_messages(world):
    with pytest.raises(ValidationFailed) as err:
        services.plan_create(
            actor=world.editor,
            organisation=world.lourdes,
            title="P",
            start_year=2030,
            end_year=2022,
        )
    assert "end_year" in err.value.field_errors
    with pytest.raises(ValidationFailed):
        services.plan_create(
            actor=world.editor,
            organisation=world.lourdes,
            title=" ",
            start_year=2022,
            end_year=2030,
        )


def test_action_numbers_are_unique_within_the_plan(world):
    plan = world.plan()
    axis = services.axis_create(actor=world.editor, plan=plan, title="Économie")
    services.action_create(actor=world.editor, plan=plan, axis=axis, number=72, title="Tiers-lieu")
    with pytest.raises(ValidationFailed) as err:
        services.action_create(actor=world.editor, plan=plan, axis=axis, number=72, title="Bis")
    assert "72" in err.value.message
    nxt = services.action_create(actor=world.editor, plan=plan, axis=axis, title="Suivante")
    assert nxt.number == 73


def test_action_validation(world):
    plan = world.plan()
    axis = services.axis_create(actor=world.editor, plan=plan, title="Économie")
    bad = [
        {"progress": 120},
        {"budget_planned": "-5"},
        {"budget_spent": "abc"},
        {"start_date": "2024-05-01", "end_date": "2024-01-01"},
        {"status": "nope"},
        {"question_codes": "3.2, <script>"},
    ]
    for fields in bad:
        with pytest.raises(ValidationFailed):
            services.action_create(actor=world.editor, plan=plan, axis=axis, title="A", **fields)
    assert not Action.objects.exists()


def test_done_means_full_progress(world):
    plan = world.plan()
    axis = services.axis_create(actor=world.editor, plan=plan, title="Économie")
    action = services.action_create(
        actor=world.editor, plan=plan, axis=axis, title="A", status="done", progress=20
    )
    assert action.progress == 100


def test_add_suggested_action_creates_the_default_axis_once(world):
    plan = world.plan()
    services.axis_create(actor=world.editor, plan=plan, title="Économie")
    first = services.action_add_suggested(
        actor=world.editor, plan=plan, title="Ouvrir les données", source_question="3.2"
    )
    second = services.action_add_suggested(actor=world.editor, plan=plan, title="Former")
    assert first.status == ActionStatus.UPCOMING
    assert first.axis.title == services.SUGGESTED_AXIS_TITLE
    assert first.axis.number == 2
    assert second.axis_id == first.axis_id
    assert (first.number, second.number) == (1, 2)
    assert list(first.questions.values_list("code", flat=True)) == ["3.2"]
    assert Axis.objects.filter(plan=plan).count() == 2
    with pytest.raises(PermissionDenied):
        services.action_add_suggested(actor=world.member, plan=plan, title="X")


def test_actions_in_progress_by_question_and_active_plan(world):
    assert selectors.active_plan(world.lourdes) is None
    plan = world.plan()
    axis = services.axis_create(actor=world.editor, plan=plan, title="Économie")
    a1 = services.action_create(
        actor=world.editor,
        plan=plan,
        axis=axis,
        title="A",
        status="in_progress",
        question_codes=["3.2", "1.1"],
    )
    services.action_create(
        actor=world.editor,
        plan=plan,
        axis=axis,
        title="B",
        status="upcoming",
        question_codes="3.2",
    )
    assert selectors.active_plan(world.lourdes) == plan
    assert selectors.actions_in_progress_by_question(plan) == {"1.1": [a1], "3.2": [a1]}


def test_plans_of_respects_visibility(world):
    draft = world.plan("Brouillon", status="draft")
    private = world.plan("Privé", visibility="private")
    public = world.plan("Public")
    assert set(selectors.plans_of(world.member, world.lourdes)) == {draft, private, public}
    assert set(selectors.plans_of(world.other_editor, world.lourdes)) == {public}
    assert set(selectors.plans_of(None, world.lourdes)) == {public}
    assert set(selectors.plans_of(world.secretariat, world.lourdes)) == {draft, private, public}


def test_pilots_are_notified_when_assigned_and_on_status_change(world):
    plan = world.plan()
    axis = services.axis_create(actor=world.editor, plan=plan, title="Économie")
    with pytest.raises(ValidationFailed):
        services.action_create(
            actor=world.editor, plan=plan, axis=axis, title="A", pilots=[world.other_editor]
        )
    action = services.action_create(
        actor=world.editor, plan=plan, axis=axis, title="A", pilots=[world.member]
    )
    notes = Notification.objects.filter(recipient=world.member, topic="plan")
    assert notes.count() == 1
    services.action_update(actor=world.editor, action=action, title="A bis")
    assert notes.count() == 1
    services.action_update(actor=world.editor, action=action, status="in_progress")
    assert notes.count() == 2
    assert "En cours" in notes.order_by("-id").first().title


def test_indicator_values_replace_by_date(world):
    plan = world.plan()
    axis = services.axis_create(actor=world.editor, plan=plan, title="Économie")
    action = services.action_create(actor=world.editor, plan=plan, axis=axis, title="A")
    ind = services.indicator_create(
        actor=world.editor, action=action, name="Entreprises", target=20
    )
    services.indicator_value_set(actor=world.editor, indicator=ind, date="2024-01-01", value="3")
    services.indicator_value_set(actor=world.editor, indicator=ind, date="01/01/2024", value="5")
    assert [v.value for v in ind.values.all()] == [5]
    with pytest.raises(ValidationFailed):
        services.indicator_value_set(actor=world.editor, indicator=ind, date="hier", value="1")
    with pytest.raises(ValidationFailed):
        services.funding_add(actor=world.editor, action=action, funder="Région", amount="x")
    src = services.funding_add(
        actor=world.editor, action=action, funder="Région", amount="1 000,50", currency="EUR"
    )
    assert str(src.amount) == "1000.50"
    assert datetime.date(2024, 1, 1) == ind.values.get().date
