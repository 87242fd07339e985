"""The challenge lifecycle: every transition through its service, role checks, timeline, audit,
notifications and search index; every forbidden transition refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.market import services
from mediane.market.inputs import PilotReportInput
from mediane.market.models import ChallengeEvent, ChallengeStatus, Criterion
from mediane.notifications.models import Notification
from mediane.search.models import SearchEntry
from tests.market.factories import challenge_input

S = ChallengeStatus


def statuses(challenge):
    return list(
        ChallengeEvent.objects.filter(challenge=challenge)
        .order_by("pk")  # tests mix the real clock and `world.now`
        .values_list("from_status", "to_status")
    )


def test_create_draft_with_default_grid_and_sanitised_text(world):
    challenge = world.draft(problem='<p onclick="x()">Flux<script>alert(1)</script></p>')
    assert challenge.status == S.DRAFT
    assert challenge.lead_issuer == world.city
    assert challenge.problem == "<p>Flux</p>"
    assert [c.weight for c in Criterion.objects.filter(challenge=challenge)] == [30, 25, 20, 15, 10]
    assert statuses(challenge) == [("", "draft")]
    assert AuditEntry.objects.filter(
        action="challenge.create", object_id=str(challenge.pk)
    ).exists()
    assert not SearchEntry.objects.filter(kind="challenge", object_id=challenge.pk).exists()


def test_only_editors_of_a_collectivite_issue_challenges(world):
    with pytest.raises(PermissionDenied):
        services.challenge_create(
            actor=world.city_member, lead_issuer=world.city, data=challenge_input()
        )
    with pytest.raises(PermissionDenied):
        services.challenge_create(
            actor=world.company_editor, lead_issuer=world.city, data=challenge_input()
        )
    with pytest.raises(ValidationFailed) as error:
        services.challenge_create(
            actor=world.company_editor, lead_issuer=world.company, data=challenge_input()
        )
    assert "collectivité" in error.value.message
    # The secretariat may let another kind of organisation issue a challenge.
    challenge = services.challenge_create(
        actor=world.secretariat, lead_issuer=world.company, data=challenge_input()
    )
    assert challenge.lead_issuer == world.company


def test_invalid_input_reports_french_field_errors_and_saves_nothing(world):
    with pytest.raises(ValidationFailed) as error:
        world.draft(title="", budget_min=50_000, budget_max=10, opens_at="pas une date")
    assert set(error.value.field_errors) >= {"title", "budget_max", "opens_at"}
    assert not ChallengeEvent.objects.exists()


def test_whole_lifecycle_records_each_step(world):
    challenge, answers = world.evaluation(jurors=[world.city_member])
    juror = world.city_member
    services.conflicts_declare_none(actor=juror, challenge=challenge)
    for criterion in challenge.criteria.all():
        services.score_set(actor=juror, answer=answers[0], criterion=criterion, value=4)
    services.jury_close(actor=world.city_editor, challenge=challenge, now=world.now)
    services.challenge_decide(
        actor=world.city_editor,
        challenge=challenge,
        awarded={answers[0].pk: "Meilleure adéquation"},
        note="Une réponse retenue",
    )
    services.challenge_start_pilot(actor=world.city_editor, challenge=challenge)
    report = services.pilot_report_submit(
        actor=world.city_editor,
        challenge=challenge,
        data=PilotReportInput(
            outcome="<p>Fréquentation hivernale mesurée.</p>",
            contract_signed=True,
            amount=28_000,
            currency="EUR",
            lessons="<p>Associer les commerçants.</p>",
        ),
    )
    services.challenge_archive(actor=world.secretariat, challenge=challenge)
    assert [to for _from, to in statuses(challenge)] == [
        "draft",
        "submitted",
        "open",
        "closed",
        "evaluation",
        "evaluation",  # jury closed
        "awarded",
        "pilot",
        "pilot_report",
        "archived",
    ]
    assert report.contract_signed and report.amount == 28_000
    challenge.refresh_from_db()
    assert challenge.status == S.ARCHIVED
    answers[0].refresh_from_db()
    answers[1].refresh_from_db()
    assert answers[0].awarded and answers[0].decision_reason == "Meilleure adéquation"
    assert not answers[1].awarded
    # Every candidate is told the decision.
    told = set(
        Notification.objects.filter(
            topic="decision", verb__in=["awarded", "not_awarded"]
        ).values_list("recipient_id", "verb")
    )
    assert (world.company_editor.pk, "awarded") in told
    assert (world.company_member.pk, "awarded") in told
    assert (world.rival_editor.pk, "not_awarded") in told
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"challenge.submitted", "challenge.open", "challenge.awarded"} <= actions


def test_submit_notifies_secretariat_and_publish_indexes(world):
    challenge = world.draft()
    services.challenge_submit(actor=world.city_editor, challenge=challenge, now=world.now)
    assert Notification.objects.filter(recipient=world.secretariat, verb="submitted").exists()
    assert not SearchEntry.objects.filter(kind="challenge", object_id=challenge.pk).exists()
    services.challenge_publish(actor=world.secretariat, challenge=challenge, now=world.now)
    entry = SearchEntry.objects.get(kind="challenge", object_id=challenge.pk)
    assert entry.visibility == "public" and "Nevers" in entry.keywords
    assert Notification.objects.filter(recipient=world.city_editor, verb="published").exists()


def test_return_to_draft_needs_a_reason_and_unlocks_editing(world):
    challenge = world.draft()
    services.challenge_submit(actor=world.city_editor, challenge=challenge, now=world.now)
    with pytest.raises(ValidationFailed):
        services.challenge_return_to_draft(actor=world.secretariat, challenge=challenge, reason=" ")
    with pytest.raises(Conflict):
        services.challenge_update(
            actor=world.city_editor, challenge=challenge, data=challenge_input(title="Autre")
        )
    services.challenge_return_to_draft(
        actor=world.secretariat,
        challenge=challenge,
        reason="Décrivez le problème, pas la solution.",
    )
    challenge.refresh_from_db()
    assert challenge.status == S.DRAFT and challenge.review_note.startswith("Décrivez")
    assert ChallengeEvent.objects.filter(challenge=challenge, to_status="draft").last().note
    assert Notification.objects.filter(recipient=world.city_editor, verb="returned").exists()
    services.challenge_update(
        actor=world.city_editor, challenge=challenge, data=challenge_input(title="Autre titre")
    )
    challenge.refresh_from_db()
    assert challenge.title == "Autre titre"


def test_submission_requires_dates_in_the_future(world):
    challenge = world.draft(closes_at="2025-03-05T17:00")  # before world.now
    with pytest.raises(ValidationFailed) as error:
        services.challenge_submit(actor=world.city_editor, challenge=challenge, now=world.now)
    assert "closes_at" in error.value.field_errors
    challenge.refresh_from_db()
    assert challenge.status == S.DRAFT


ALL_STEPS = {
    "submit": lambda w, c: services.challenge_submit(actor=w.city_editor, challenge=c, now=w.now),
    "return": lambda w, c: services.challenge_return_to_draft(
        actor=w.secretariat, challenge=c, reason="motif"
    ),
    "publish": lambda w, c: services.challenge_publish(actor=w.secretariat, challenge=c, now=w.now),
    "close": lambda w, c: services.challenge_close(
        actor=w.city_editor, challenge=c, now=c.closes_at + timedelta(seconds=1)
    ),
    "evaluate": lambda w, c: services.challenge_start_evaluation(actor=w.city_editor, challenge=c),
    "decide": lambda w, c: services.challenge_decide(actor=w.city_editor, challenge=c, awarded={}),
    "pilot": lambda w, c: services.challenge_start_pilot(actor=w.city_editor, challenge=c),
    "report": lambda w, c: services.pilot_report_submit(
        actor=w.city_editor, challenge=c, data=PilotReportInput(outcome="<p>Bilan</p>")
    ),
    "archive": lambda w, c: services.challenge_archive(actor=w.city_editor, challenge=c),
}
ALLOWED = {
    S.DRAFT: {"submit"},
    S.SUBMITTED: {"return", "publish"},
    S.OPEN: {"close"},
    S.CLOSED: {"evaluate"},
    S.EVALUATION: {"decide"},
    S.AWARDED: {"pilot", "archive"},
    S.NOT_AWARDED: {"archive"},
    S.PILOT: {"report"},
    S.PILOT_REPORT: {"archive"},
    S.ARCHIVED: set(),
}


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_forbidden_transition_is_refused(world, status):
    challenge = world.draft()
    for step in sorted(set(ALL_STEPS) - ALLOWED[status]):
        challenge.status = status
        challenge.jury_closed_at = world.now  # so that "decide" fails on the state alone
        challenge.save()
        events = ChallengeEvent.objects.count()
        with pytest.raises((Conflict, ValidationFailed)):
            ALL_STEPS[step](world, challenge)
        challenge.refresh_from_db()
        assert challenge.status == status, step
        assert ChallengeEvent.objects.count() == events


@pytest.mark.parametrize(
    ("step", "status", "who"),
    [
        ("submit", S.DRAFT, ["city_member", "company_editor", "outsider", "co_city_editor"]),
        ("publish", S.SUBMITTED, ["city_editor", "city_member", "company_editor"]),
        ("return", S.SUBMITTED, ["city_editor", "company_editor"]),
        ("evaluate", S.CLOSED, ["city_member", "company_editor", "outsider"]),
        ("decide", S.EVALUATION, ["city_member", "company_editor", "rival_editor"]),
        ("archive", S.NOT_AWARDED, ["city_member", "company_editor"]),
    ],
)
def test_transitions_check_the_role(world, step, status, who):
    challenge = world.draft()
    challenge.status = status
    challenge.jury_closed_at = world.now
    challenge.save()
    for name in who:
        actor = getattr(world, name)
        staged = type("W", (), {**world.__dict__, "city_editor": actor, "secretariat": actor})
        with pytest.raises(PermissionDenied):
            ALL_STEPS[step](staged, challenge)
    challenge.refresh_from_db()
    assert challenge.status == status


def test_co_issuer_editors_run_the_joint_challenge(world):
    challenge = world.draft()
    services.challenge_add_co_issuer(
        actor=world.secretariat, challenge=challenge, organisation=world.co_city
    )
    challenge.refresh_from_db()
    services.challenge_submit(actor=world.co_city_editor, challenge=challenge, now=world.now)
    challenge.refresh_from_db()
    assert challenge.status == S.SUBMITTED
    # A company cannot be added as co-issuer by a city editor.
    other = world.draft(title="Autre défi")
    with pytest.raises(PermissionDenied):
        services.challenge_add_co_issuer(
            actor=world.city_editor, challenge=other, organisation=world.company
        )


def test_close_due_closes_only_the_challenges_past_their_deadline(world):
    early = world.open_challenge(closes_at="2025-03-20T12:00")
    late = world.open_challenge(title="Plus tard", closes_at="2025-03-25T12:00")
    between = early.closes_at + timedelta(hours=1)
    assert services.challenges_close_due(now=between) == [early.pk]
    assert services.challenges_close_due(now=between) == []
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == (S.CLOSED, S.OPEN)
    event = ChallengeEvent.objects.get(challenge=early, to_status="closed")
    assert event.actor is None and event.at == between


def test_manual_close_refused_before_the_deadline(world):
    challenge = world.open_challenge()
    with pytest.raises(Conflict):
        services.challenge_close(actor=world.city_editor, challenge=challenge, now=world.now)


def test_close_due_command(world, capsys):
    from django.core.management import call_command

    challenge = world.open_challenge(closes_at="2025-03-11T12:00")
    call_command("market_close_due")  # real clock: long after 2025
    challenge.refresh_from_db()
    assert challenge.status == S.CLOSED
    assert capsys.readouterr().out.strip() == "1"
