"""Evaluation: the grid, the jury, conflicts of interest, hidden marks, shortlist and decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import can
from mediane.market import selectors, services
from mediane.market.models import Criterion, JurorKind, Score
from mediane.market.services import CriterionInput
from tests.directory.factories import UserFactory


def grid():
    return [CriterionInput("Impact", 60), CriterionInput("Prix", 40)]


def test_grid_editable_until_opening(world):
    challenge = world.open_challenge(opens_at="2025-03-20T09:00")
    services.criteria_set(
        actor=world.city_editor, challenge=challenge, criteria=grid(), now=world.now
    )
    assert [(c.label, c.weight) for c in challenge.criteria.all()] == [("Impact", 60), ("Prix", 40)]
    with pytest.raises(Conflict):
        services.criteria_set(
            actor=world.city_editor,
            challenge=challenge,
            criteria=grid(),
            now=challenge.opens_at + timedelta(seconds=1),
        )
    with pytest.raises(PermissionDenied):
        services.criteria_set(
            actor=world.company_editor, challenge=challenge, criteria=grid(), now=world.now
        )


def test_grid_validation(world):
    challenge = world.draft()
    with pytest.raises(ValidationFailed) as error:
        services.criteria_set(
            actor=world.city_editor,
            challenge=challenge,
            criteria=[CriterionInput("Prix", 0), CriterionInput("prix", "x")],
            now=challenge.opens_at - timedelta(days=1),
        )
    assert {"criteria.0.weight", "criteria.1.label", "criteria.1.weight"} <= set(
        error.value.field_errors
    )
    assert Criterion.objects.filter(challenge=challenge).count() == 5  # unchanged


def test_jury_issuer_people_and_invited_experts_only(world):
    challenge = world.draft()
    seat = services.jury_add(actor=world.city_editor, challenge=challenge, user=world.city_member)
    assert seat.kind == JurorKind.ISSUER
    assert (
        services.jury_add(actor=world.city_editor, challenge=challenge, user=world.expert).kind
        == JurorKind.EXPERT
    )
    with pytest.raises(ValidationFailed):
        services.jury_add(actor=world.city_editor, challenge=challenge, user=world.outsider)
    with pytest.raises(Conflict):
        services.jury_add(actor=world.city_editor, challenge=challenge, user=world.expert)
    with pytest.raises(PermissionDenied):
        services.jury_add(actor=world.company_editor, challenge=challenge, user=world.expert)


def test_juror_must_declare_before_seeing_answers(world):
    challenge, (mine, theirs) = world.evaluation(jurors=[world.expert])
    assert list(selectors.answers_for_challenge(world.expert, challenge)) == []
    assert not can(world.expert, "view", mine)
    candidates = selectors.answer_candidates(world.expert, challenge)
    assert {c["organisation"] for c in candidates} == {world.company, world.rival}
    assert all(c["has_conflict"] is None for c in candidates)
    services.conflict_declare(
        actor=world.expert, challenge=challenge, organisation=world.company, has_conflict=False
    )
    services.conflict_declare(
        actor=world.expert,
        challenge=challenge,
        organisation=world.rival,
        has_conflict=True,
        note="Ancienne salariée",
    )
    assert list(selectors.answers_for_challenge(world.expert, challenge)) == [mine]
    assert can(world.expert, "view", mine)
    assert not can(world.expert, "view", theirs)
    with pytest.raises(selectors.AnswerNotFound):
        selectors.answer_get_for(world.expert, pk=theirs.pk)
    criterion = challenge.criteria.first()
    with pytest.raises(Conflict) as error:
        services.score_set(actor=world.expert, answer=theirs, criterion=criterion, value=3)
    assert error.value.code == "conflict_of_interest"


def test_declaring_a_conflict_later_removes_the_marks(world):
    challenge, (mine, _theirs) = world.evaluation(jurors=[world.expert])
    services.conflicts_declare_none(actor=world.expert, challenge=challenge)
    criterion = challenge.criteria.first()
    services.score_set(actor=world.expert, answer=mine, criterion=criterion, value=3)
    services.conflict_declare(
        actor=world.expert, challenge=challenge, organisation=world.company, has_conflict=True
    )
    assert not Score.objects.filter(answer=mine).exists()
    assert not can(world.expert, "view", mine)


def test_non_jurors_cannot_declare_or_score(world):
    challenge, (mine, _theirs) = world.evaluation(jurors=[world.expert])
    for actor in (world.city_editor, world.company_editor, world.secretariat):
        with pytest.raises(PermissionDenied):
            services.conflicts_declare_none(actor=actor, challenge=challenge)
        with pytest.raises(PermissionDenied):
            services.score_set(
                actor=actor, answer=mine, criterion=challenge.criteria.first(), value=3
            )


def test_marks_bounds(world):
    challenge, (mine, _theirs) = world.evaluation(jurors=[world.expert])
    services.conflicts_declare_none(actor=world.expert, challenge=challenge)
    criterion = challenge.criteria.first()
    for bad in (6, -1, "cinq"):
        with pytest.raises(ValidationFailed):
            services.score_set(actor=world.expert, answer=mine, criterion=criterion, value=bad)
    score = services.score_set(actor=world.expert, answer=mine, criterion=criterion, value="5")
    again = services.score_set(
        actor=world.expert, answer=mine, criterion=criterion, value=2, comment="Revu"
    )
    assert score.pk == again.pk and again.value == 2


def test_a_juror_never_sees_others_marks_before_the_jury_closes(world):
    second = UserFactory()
    from mediane.directory.models import Expert

    Expert.objects.create(name="Second expert", slug="second-expert", user=second)
    challenge, (mine, theirs) = world.evaluation(jurors=[world.expert, second])
    for juror, value in ((world.expert, 5), (second, 1)):
        services.conflicts_declare_none(actor=juror, challenge=challenge)
        for criterion in challenge.criteria.all():
            services.score_set(actor=juror, answer=mine, criterion=criterion, value=value)
            services.score_set(actor=juror, answer=theirs, criterion=criterion, value=3)
    own = selectors.scores_for(world.expert, challenge)
    assert {s.juror.user for s in own} == {world.expert}
    other_mark = Score.objects.filter(juror__user=second).first()
    assert not can(world.expert, "view", other_mark)
    with pytest.raises(PermissionDenied):
        selectors.challenge_ranking(world.expert, challenge)
    with pytest.raises(PermissionDenied):
        selectors.challenge_ranking(world.city_editor, challenge)
    # The secretariat follows the evaluation.
    assert len(selectors.scores_for(world.secretariat, challenge)) == 20
    services.jury_close(actor=world.city_editor, challenge=challenge, now=world.now)
    challenge.refresh_from_db()
    other_mark = Score.objects.get(pk=other_mark.pk)
    assert can(world.expert, "view", other_mark)
    assert len(selectors.scores_for(world.expert, challenge)) == 20
    with pytest.raises(Conflict):  # marks are final
        services.score_set(
            actor=world.expert, answer=mine, criterion=challenge.criteria.first(), value=0
        )
    ranking = selectors.challenge_ranking(world.city_editor, challenge)
    assert [row.answer for row in ranking] == [mine, theirs]
    assert ranking[0].result.score == pytest.approx(3.0)
    assert ranking[0].result.spread == pytest.approx(4.0)
    assert ranking[1].result.spread == 0.0
    assert [c.label for c, _mean in ranking[0].criterion_means][0] == "Adéquation au problème"


def test_shortlist_and_decision_need_reasons(world):
    challenge, (mine, theirs) = world.evaluation(jurors=[world.expert])
    services.answer_shortlist(actor=world.city_editor, answer=mine)
    mine.refresh_from_db()
    assert mine.shortlisted
    with pytest.raises(PermissionDenied):
        services.answer_shortlist(actor=world.company_editor, answer=theirs)
    with pytest.raises(Conflict):  # jury still open
        services.challenge_decide(
            actor=world.city_editor, challenge=challenge, awarded={mine.pk: "Bien"}
        )
    services.jury_close(actor=world.city_editor, challenge=challenge, now=world.now)
    with pytest.raises(ValidationFailed):
        services.challenge_decide(
            actor=world.city_editor, challenge=challenge, awarded={mine.pk: " "}
        )
    with pytest.raises(ValidationFailed):
        services.challenge_decide(
            actor=world.city_editor, challenge=challenge, awarded={999_999: "?"}
        )
    with pytest.raises(ValidationFailed):
        services.challenge_decide(
            actor=world.city_editor, challenge=challenge, awarded={"pas-un-id": "?"}
        )
    services.challenge_decide(actor=world.city_editor, challenge=challenge, awarded={})
    challenge.refresh_from_db()
    assert challenge.status == "not_awarded"


def test_decision_accepts_ids_as_text(world):
    challenge, (mine, theirs) = world.evaluation(jurors=[world.expert])
    services.jury_close(actor=world.city_editor, challenge=challenge, now=world.now)
    services.challenge_decide(
        actor=world.city_editor, challenge=challenge, awarded={str(theirs.pk): "Moins cher"}
    )
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.awarded and not mine.awarded


def test_attachment_delete_follows_the_deadline(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.market.test_attachments import PDF

    challenge = world.open_challenge()
    answer = world.answer(challenge)
    attachment = services.answer_attach(
        actor=world.company_editor,
        answer=answer,
        file=SimpleUploadedFile("offre.pdf", PDF),
        now=world.now,
    )
    with pytest.raises(PermissionDenied):
        services.attachment_delete(actor=world.rival_editor, attachment=attachment, now=world.now)
    with pytest.raises(Conflict):
        services.attachment_delete(
            actor=world.company_editor,
            attachment=attachment,
            now=world.after_closing(challenge),
        )
    services.attachment_delete(actor=world.company_editor, attachment=attachment, now=world.now)
    assert not answer.attachments.exists()


def test_jury_frozen_once_closed(world):
    challenge, _answers = world.evaluation(jurors=[world.expert])
    services.jury_close(actor=world.city_editor, challenge=challenge, now=world.now)
    with pytest.raises(Conflict):
        services.jury_add(actor=world.city_editor, challenge=challenge, user=world.city_member)
