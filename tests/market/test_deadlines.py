"""Deadlines are enforced on the server, in UTC, from dates entered in the issuer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mediane.core.errors import Conflict
from mediane.market import services
from mediane.market.inputs import ChallengeInput
from tests.market.factories import answer_input, challenge_input


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_paris_and_toronto_issuers_enter_the_same_wall_clock_time(world):
    paris = world.draft(opens_at="2025-03-01T09:00", closes_at="2025-06-02T17:00")
    toronto = services.challenge_create(
        actor=world.co_city_editor,
        lead_issuer=world.co_city,
        data=challenge_input(opens_at="2025-03-01T09:00", closes_at="2025-06-02T17:00"),
    )
    assert (paris.time_zone, toronto.time_zone) == ("Europe/Paris", "America/Toronto")
    assert paris.closes_at == utc(2025, 6, 2, 15, 0)  # CEST, UTC+2
    assert toronto.closes_at == utc(2025, 6, 2, 21, 0)  # EDT, UTC-4
    assert paris.opens_at == utc(2025, 3, 1, 8, 0)  # CET, UTC+1
    assert toronto.opens_at == utc(2025, 3, 1, 14, 0)  # EST, UTC-5
    shown = services.local_time(toronto.closes_at, toronto.time_zone)
    assert (shown.hour, shown.minute) == (17, 0)


def test_aware_datetimes_are_kept_as_given(world):
    challenge = world.draft(
        opens_at=utc(2025, 3, 1, 0, 0), closes_at=datetime.fromisoformat("2025-04-01T12:00-04:00")
    )
    assert challenge.closes_at == utc(2025, 4, 1, 16, 0)


def _open(world, lead, editor, closes):
    challenge = services.challenge_create(
        actor=editor,
        lead_issuer=lead,
        data=challenge_input(opens_at="2025-03-01T09:00", closes_at=closes),
    )
    services.challenge_submit(actor=editor, challenge=challenge, now=world.now)
    services.challenge_publish(actor=world.secretariat, challenge=challenge, now=world.now)
    return challenge


def test_answers_refused_after_closing_in_the_issuers_zone(world):
    paris = _open(world, world.city, world.city_editor, "2025-06-02T17:00")
    toronto = _open(world, world.co_city, world.co_city_editor, "2025-06-02T17:00")
    moment = utc(2025, 6, 2, 16, 0)  # 18:00 in Paris (closed), 12:00 in Toronto (open)
    with pytest.raises(Conflict) as error:
        services.answer_create(
            actor=world.company_editor,
            challenge=paris,
            organisation=world.company,
            data=answer_input(),
            now=moment,
        )
    assert error.value.code == "deadline"
    answer = services.answer_create(
        actor=world.company_editor,
        challenge=toronto,
        organisation=world.company,
        data=answer_input(),
        now=moment,
    )
    # One second before closing the answer can change; at closing it is locked.
    services.answer_update(
        actor=world.company_editor,
        answer=answer,
        data=answer_input(team="<p>4 personnes</p>"),
        now=toronto.closes_at - timedelta(seconds=1),
    )
    with pytest.raises(Conflict):
        services.answer_update(
            actor=world.company_editor, answer=answer, data=answer_input(), now=toronto.closes_at
        )
    with pytest.raises(Conflict):
        services.answer_withdraw(actor=world.company_editor, answer=answer, now=toronto.closes_at)


def test_answers_refused_before_opening(world):
    challenge = world.open_challenge(opens_at="2025-03-20T09:00")
    with pytest.raises(Conflict) as error:
        world.answer(challenge)
    assert "pas encore ouvert" in error.value.message


def test_deadline_holds_even_if_the_periodic_close_did_not_run(world):
    challenge = world.open_challenge()
    assert challenge.status == "open"
    with pytest.raises(Conflict):
        services.answer_create(
            actor=world.company_editor,
            challenge=challenge,
            organisation=world.company,
            data=answer_input(),
            now=challenge.closes_at + timedelta(days=3),
        )


def test_close_due_across_zones(world):
    paris = _open(world, world.city, world.city_editor, "2025-06-02T17:00")
    toronto = _open(world, world.co_city, world.co_city_editor, "2025-06-02T17:00")
    assert services.challenges_close_due(now=utc(2025, 6, 2, 15, 0)) == [paris.pk]
    assert services.challenges_close_due(now=utc(2025, 6, 2, 20, 59)) == []
    assert services.challenges_close_due(now=utc(2025, 6, 2, 21, 0)) == [toronto.pk]


def test_bad_datetime_text_is_a_field_error(world):
    from mediane.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        services.challenge_create(
            actor=world.city_editor,
            lead_issuer=world.city,
            data=ChallengeInput(title="T", problem="<p>P</p>", closes_at="2025-13-45T99:00"),
        )
    assert "closes_at" in error.value.field_errors
