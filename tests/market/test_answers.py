"""Answers: who may write them, one active answer per organisation, and who may read them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import can
from mediane.market import selectors, services
from mediane.market.models import Answer, AnswerStatus
from mediane.notifications.models import Notification
from tests.market.factories import answer_input


def test_answer_is_sanitised_and_notifies_issuers_without_content(world):
    challenge = world.open_challenge()
    answer = services.answer_create(
        actor=world.company_editor,
        challenge=challenge,
        organisation=world.company,
        data=answer_input(approach='<p>Plan<img src=x onerror="alert(1)"></p>'),
        now=world.now,
    )
    assert answer.approach == "<p>Plan</p>"
    note = Notification.objects.get(recipient=world.city_editor, verb="answer")
    assert world.company.name not in note.title


def test_only_editors_of_the_organisation_answer(world):
    challenge = world.open_challenge()
    for actor in (world.company_member, world.rival_editor, world.secretariat, world.outsider):
        with pytest.raises(PermissionDenied):
            services.answer_create(
                actor=actor,
                challenge=challenge,
                organisation=world.company,
                data=answer_input(),
                now=world.now,
            )


def test_one_active_answer_per_organisation_then_again_after_withdrawal(world):
    challenge = world.open_challenge()
    first = world.answer(challenge)
    with pytest.raises(Conflict):
        world.answer(challenge)
    services.answer_withdraw(actor=world.company_editor, answer=first, now=world.now)
    second = world.answer(challenge)
    assert Answer.objects.filter(challenge=challenge, organisation=world.company).count() == 2
    assert second.status == AnswerStatus.SUBMITTED
    with pytest.raises(Conflict):
        services.answer_withdraw(actor=world.company_editor, answer=first, now=world.now)


def test_database_refuses_two_active_answers(world):
    from django.db import IntegrityError, transaction

    challenge = world.open_challenge()
    world.answer(challenge)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(challenge=challenge, organisation=world.company, approach="x")


def test_eligibility_and_issuers_cannot_answer(world):
    challenge = world.open_challenge(eligible_countries=["QC"])
    with pytest.raises(ValidationFailed) as error:
        world.answer(challenge)
    assert "pays" in error.value.message
    other = world.open_challenge(title="Autre", eligible_kinds=["pme"])
    with pytest.raises(ValidationFailed):
        world.answer(other)
    third = world.open_challenge(title="Troisième")
    with pytest.raises(ValidationFailed):
        services.answer_create(
            actor=world.city_editor,
            challenge=third,
            organisation=world.city,
            data=answer_input(),
            now=world.now,
        )


def test_draft_challenge_cannot_be_answered(world):
    challenge = world.draft()
    with pytest.raises(PermissionDenied):  # the company does not even see it
        world.answer(challenge)


def test_invalid_answer_reports_fields(world):
    challenge = world.open_challenge()
    with pytest.raises(ValidationFailed) as error:
        services.answer_create(
            actor=world.company_editor,
            challenge=challenge,
            organisation=world.company,
            data=answer_input(approach="<p> </p>", price_min="beaucoup", price_max=-3),
            now=world.now,
        )
    assert set(error.value.field_errors) == {"approach", "price_min", "price_max"}


def test_a_company_never_sees_another_companys_answer(world):
    challenge = world.open_challenge()
    mine = world.answer(challenge, world.company)
    theirs = world.answer(challenge, world.rival)
    for when in ("open", "after"):
        if when == "after":
            services.challenges_close_due(now=world.after_closing(challenge))
            challenge.refresh_from_db()
            mine.refresh_from_db()
            theirs.refresh_from_db()
        assert can(world.company_member, "view", mine)
        assert not can(world.company_editor, "view", theirs)
        assert not can(world.rival_editor, "view", mine)
        with pytest.raises(selectors.AnswerNotFound):
            selectors.answer_get_for(world.company_editor, pk=theirs.pk)
        assert list(selectors.my_answers(world.company_member)) == [mine]
        with pytest.raises(PermissionDenied):
            selectors.answers_for_challenge(world.company_editor, challenge)


def test_issuers_who_are_not_jurors_cannot_read_answers(world):
    challenge = world.open_challenge()
    answer = world.answer(challenge)
    services.challenges_close_due(now=world.after_closing(challenge))
    challenge.refresh_from_db()
    assert not can(world.city_editor, "view", answer)
    assert not can(AnonymousUser(), "view", answer)
    assert can(world.secretariat, "view", answer)
    assert list(selectors.answers_for_challenge(world.secretariat, challenge)) == [answer]


def test_my_answer_to_and_withdrawn_answers_hidden_from_jury(world):
    challenge = world.open_challenge()
    services.jury_add(actor=world.city_editor, challenge=challenge, user=world.expert)
    answer = world.answer(challenge)
    assert selectors.my_answer_to(world.company_member, challenge) == answer
    services.answer_withdraw(actor=world.company_editor, answer=answer, now=world.now)
    assert selectors.my_answer_to(world.company_member, challenge) is None
    services.challenges_close_due(now=world.after_closing(challenge))
    challenge.refresh_from_db()
    answer.refresh_from_db()
    assert not can(world.expert, "view", answer)
