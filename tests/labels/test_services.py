"""Facts gathered from the other apps, and the label's lifecycle: request (snapshot), confirm,
refuse, reminder 30 days before the end (once), expiry, renewal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.labels import selectors, services
from mediane.labels.evaluation import add_months
from mediane.labels.facts import facts_for
from mediane.labels.models import Label, LabelCriterion, LabelEvaluation
from mediane.notifications.models import Notification
from tests.labels.factories import (
    LabelWorld,
    awarded,
    give_challenge,
    give_dataset,
    give_diagnostic,
    give_plan,
    give_project,
    make_eligible,
)

pytestmark = pytest.mark.django_db


def results(evaluation: LabelEvaluation) -> dict[str, dict]:
    return {r["code"]: r for r in evaluation.results}


def test_default_criteria_are_seeded() -> None:
    assert list(LabelCriterion.objects.values_list("kind", flat=True)) == [
        "diagnostic_recent",
        "dimension_levels",
        "plan_covers_weak",
        "public_dataset_schema",
        "cooperation",
    ]


# --- facts -----------------------------------------------------------------------------------


def test_facts_of_a_city_with_nothing(world: LabelWorld) -> None:
    facts = facts_for(world.city)
    assert facts.diagnostic is None and facts.plan is None
    assert facts.datasets == () and facts.participations == ()


def test_diagnostic_facts_come_from_the_latest_validated_diagnostic(world: LabelWorld) -> None:
    now = timezone.now()
    give_diagnostic(world.city, [1] * 8, validated_at=now - timedelta(days=400))
    give_diagnostic(world.city, [4, 3, 3, 4, 3, 5, 2, 1], validated_at=now - timedelta(days=20))
    give_diagnostic(world.city, [5] * 8, year=now.year + 1, status="draft")
    fact = facts_for(world.city).diagnostic
    assert fact is not None
    assert fact.validated_on == timezone.localdate(now - timedelta(days=20))
    assert list(fact.levels) == [f"D{n}" for n in range(1, 9)]
    assert fact.levels["D1"] == ("Dim. 1", 4.0)
    assert fact.levels["D8"][1] == 1.0
    assert fact.dimension_count == 8


def test_plan_facts_group_actions_in_progress_by_dimension(world: LabelWorld) -> None:
    give_diagnostic(world.city, [3] * 8)
    give_plan(world.city, ["D2", "D7"])
    give_plan(world.other_city, ["D1"])  # another city's plan never counts
    plan = facts_for(world.city).plan
    assert plan is not None
    assert set(plan.actions_by_dimension) == {"D2", "D7"}  # the upcoming action is left out
    assert plan.actions_by_dimension["D2"][0].title == "Action pour D2"


def test_a_draft_plan_is_not_active(world: LabelWorld) -> None:
    give_plan(world.city, ["D2"], status="draft")
    assert facts_for(world.city).plan is None


def test_dataset_facts_need_public_schema_and_a_valid_current_version(world: LabelWorld) -> None:
    give_dataset(world.city, title="Bon")
    give_dataset(world.city, title="Privé", visibility="private")
    give_dataset(world.city, title="Invalide", validation="invalid")
    give_dataset(world.city, title="Sans schéma", with_schema=False, validation="none")
    give_dataset(world.other_city, title="Autre ville")
    [fact] = facts_for(world.city).datasets
    assert (fact.title, fact.schema, fact.version) == ("Bon", "Subventions (SCDL) 2.1.1", 2)


def test_participation_facts_leave_drafts_out(world: LabelWorld) -> None:
    give_challenge(world.city, status="draft")
    give_challenge(world.city, status="closed", role="co")
    give_project(world.city, status="draft")
    give_project(world.city, status="active", role="lead")
    give_challenge(world.other_city)
    facts = facts_for(world.city).participations
    assert [(p.kind, p.role, p.status) for p in facts] == [
        ("challenge", "co-émetteur", "clos"),
        ("project", "chef de file", "en cours"),
    ]


# --- request ---------------------------------------------------------------------------------


def test_request_stores_a_snapshot_and_tells_the_secretariat(world: LabelWorld) -> None:
    make_eligible(world.city)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    assert evaluation.status == "pending"
    assert (evaluation.passed_count, evaluation.criteria_count) == (5, 5)
    by_code = results(evaluation)
    assert by_code["niveaux-dimensions"]["summary"].startswith("6 dimensions sur 8")
    assert by_code["donnees-ouvertes"]["evidence"][0]["text"].startswith(
        "jeu de données « Subventions 2025 »"
    )
    assert Notification.objects.filter(recipient=world.secretariat, topic="label").count() == 1
    assert AuditEntry.objects.filter(action="label.evaluation_request").count() == 1
    # The snapshot does not follow later changes.
    LabelCriterion.objects.update(active=False)
    evaluation.refresh_from_db()
    assert evaluation.criteria_count == 5


def test_request_with_unmet_criteria_is_stored_with_the_failures(world: LabelWorld) -> None:
    give_diagnostic(world.city, [2] * 8)
    evaluation = services.evaluation_request(actor=world.admin, organisation=world.city)
    by_code = results(evaluation)
    assert by_code["diagnostic-recent"]["passed"]
    assert not by_code["niveaux-dimensions"]["passed"]
    assert by_code["plan-dimensions-faibles"]["summary"] == "Aucun plan stratégique actif."
    assert evaluation.passed_count == 1


def test_only_the_city_editors_and_the_secretariat_may_request(world: LabelWorld) -> None:
    for user in (world.member, world.other_editor, world.outsider):
        with pytest.raises(PermissionDenied):
            services.evaluation_request(actor=user, organisation=world.city)
    assert services.evaluation_request(actor=world.secretariat, organisation=world.city)


def test_only_cities_may_request(world: LabelWorld) -> None:
    with pytest.raises(ValidationFailed, match="Seules les villes"):
        services.evaluation_request(actor=world.secretariat, organisation=world.company)


def test_one_pending_evaluation_at_a_time(world: LabelWorld) -> None:
    services.evaluation_request(actor=world.editor, organisation=world.city)
    with pytest.raises(Conflict, match="attend déjà"):
        services.evaluation_request(actor=world.editor, organisation=world.city)


def test_no_active_criterion_refuses_the_request(world: LabelWorld) -> None:
    LabelCriterion.objects.update(active=False)
    with pytest.raises(ValidationFailed, match="Aucun critère"):
        services.evaluation_request(actor=world.editor, organisation=world.city)


def test_a_criterion_made_inactive_is_not_evaluated(world: LabelWorld) -> None:
    LabelCriterion.objects.filter(code="cooperation").update(active=False)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    assert "cooperation" not in results(evaluation)
    assert evaluation.criteria_count == 4


def test_criterion_parameters_are_data(world: LabelWorld) -> None:
    give_diagnostic(world.city, [4, 3, 3, 4, 3, 5, 2, 1])
    LabelCriterion.objects.filter(code="niveaux-dimensions").update(
        parameters={"min_level": 3, "min_dimensions": 7}
    )
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    assert not results(evaluation)["niveaux-dimensions"]["passed"]


# --- decision --------------------------------------------------------------------------------


def test_confirm_awards_one_year_and_tells_the_city(world: LabelWorld) -> None:
    label = awarded(world)
    today = timezone.localdate()
    assert label.status == "active"
    assert (label.valid_from, label.valid_until) == (today, add_months(today, 12))
    assert label.evaluation.status == "confirmed"
    assert label.evaluation.decided_by == world.secretariat
    for person in (world.admin, world.editor, world.member):
        assert Notification.objects.filter(recipient=person, verb="label_awarded").exists()
    assert not Notification.objects.filter(recipient=world.other_editor).exists()
    assert [lab.pk for lab in selectors.labelled_cities()] == [label.pk]


def test_only_the_secretariat_confirms_or_refuses(world: LabelWorld) -> None:
    make_eligible(world.city)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    for user in (world.admin, world.editor, world.outsider):
        with pytest.raises(PermissionDenied):
            services.evaluation_confirm(actor=user, evaluation=evaluation)
        with pytest.raises(PermissionDenied):
            services.evaluation_refuse(actor=user, evaluation=evaluation, reason="Non")
    assert not Label.objects.exists()


def test_confirm_needs_every_criterion(world: LabelWorld) -> None:
    give_diagnostic(world.city, [2] * 8)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    with pytest.raises(ValidationFailed, match="critères non remplis"):
        services.evaluation_confirm(actor=world.secretariat, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == "pending" and not Label.objects.exists()


def test_refuse_needs_a_reason_and_tells_the_city(world: LabelWorld) -> None:
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    with pytest.raises(ValidationFailed) as error:
        services.evaluation_refuse(actor=world.secretariat, evaluation=evaluation, reason="  ")
    assert error.value.field_errors["reason"]
    services.evaluation_refuse(
        actor=world.secretariat, evaluation=evaluation, reason="Preuves insuffisantes."
    )
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.refusal_reason) == ("refused", "Preuves insuffisantes.")
    assert Notification.objects.filter(recipient=world.member, verb="evaluation_refused").exists()
    with pytest.raises(Conflict):
        services.evaluation_confirm(actor=world.secretariat, evaluation=evaluation)
    # A new request is possible once decided.
    assert services.evaluation_request(actor=world.editor, organisation=world.city)


# --- expiry and renewal ----------------------------------------------------------------------


def noon(day: date) -> datetime:
    """Noon of `day` in the site's time zone: the services count local days, and an instant
    taken as "now + N days" falls on the next local day when run late in the evening across
    a change of summer time."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def test_reminder_thirty_days_before_the_end_is_sent_once(world: LabelWorld) -> None:
    label = awarded(world)
    end = noon(label.valid_until)
    assert services.labels_remind_expiring(now=end - timedelta(days=31)) == 0
    assert services.labels_remind_expiring(now=end - timedelta(days=29)) == 1
    assert services.labels_remind_expiring(now=end - timedelta(days=10)) == 0
    label.refresh_from_db()
    assert label.reminder_sent_at is not None
    reminders = Notification.objects.filter(verb="label_expiring")
    assert reminders.filter(recipient=world.member).count() == 1
    assert reminders.count() == 3  # the city's three people, nobody else


def test_expiry_after_the_last_valid_day(world: LabelWorld) -> None:
    label = awarded(world)
    last_day = noon(label.valid_until)
    assert services.labels_expire(now=last_day) == 0
    assert services.labels_expire(now=last_day + timedelta(days=1)) == 1
    assert services.labels_expire(now=last_day + timedelta(days=2)) == 0
    label.refresh_from_db()
    assert label.status == "expired" and label.expired_at is not None
    assert Notification.objects.filter(recipient=world.admin, verb="label_expired").count() == 1


def test_the_periodic_job_is_registered() -> None:
    from mediane.core.periodic import registered_jobs

    assert "labels.expiry" in registered_jobs()


def test_renewal_is_refused_until_90_days_before_the_end(world: LabelWorld) -> None:
    awarded(world)
    with pytest.raises(Conflict, match="renouvellement s'ouvre 90 jours"):
        services.evaluation_request(actor=world.editor, organisation=world.city)


def test_renewal_keeps_the_days_left_and_supersedes_the_old_label(world: LabelWorld) -> None:
    first = awarded(world)
    later = first.valid_until - timedelta(days=60)
    # The city renews two months before the end, with a fresh diagnostic.
    give_diagnostic(world.city, [4] * 8, year=later.year + 1)
    evaluation = services.evaluation_request(
        actor=world.editor, organisation=world.city, today=later
    )
    assert evaluation.all_passed
    second = services.evaluation_confirm(
        actor=world.secretariat, evaluation=evaluation, today=later
    )
    first.refresh_from_db()
    assert first.status == "superseded"
    assert second.valid_from == later
    assert second.valid_until == add_months(first.valid_until, 12)
    assert Label.objects.filter(organisation=world.city, status="active").get() == second


def test_renewal_after_expiry_starts_a_new_year(world: LabelWorld) -> None:
    first = awarded(world)
    after = first.valid_until + timedelta(days=40)
    services.labels_expire(now=noon(after))
    give_diagnostic(
        world.city,
        [4] * 8,
        year=after.year + 1,
        validated_at=noon(after - timedelta(days=5)),
    )
    evaluation = services.evaluation_request(
        actor=world.editor, organisation=world.city, today=after
    )
    assert results(evaluation)["diagnostic-recent"]["passed"]
    second = services.evaluation_confirm(
        actor=world.secretariat, evaluation=evaluation, today=after
    )
    first.refresh_from_db()
    assert first.status == "expired"
    assert (second.valid_from, second.valid_until) == (after, add_months(after, 12))


def test_an_old_diagnostic_fails_the_renewal(world: LabelWorld) -> None:
    first = awarded(world)
    later = first.valid_until - timedelta(days=10)  # the diagnostic is now over 12 months old
    evaluation = services.evaluation_request(
        actor=world.editor, organisation=world.city, today=later
    )
    assert not results(evaluation)["diagnostic-recent"]["passed"]
    with pytest.raises(ValidationFailed):
        services.evaluation_confirm(actor=world.secretariat, evaluation=evaluation, today=later)
