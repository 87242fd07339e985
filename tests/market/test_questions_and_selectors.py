"""Public questions and answers; challenge lists and pages see only what they may."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediane.core.errors import Conflict, ValidationFailed
from mediane.market import selectors, services
from mediane.market.selectors import ChallengeFilters
from mediane.notifications.models import Notification


def test_network_members_ask_issuers_answer_and_publish(world):
    challenge = world.open_challenge()
    with pytest.raises(PermissionDenied):
        services.question_ask(
            actor=world.outsider, challenge=challenge, question="?", now=world.now
        )
    question = services.question_ask(
        actor=world.company_member,
        challenge=challenge,
        question="Les données restent-elles en France ?",
        now=world.now,
    )
    assert Notification.objects.filter(recipient=world.city_editor, topic="question").exists()
    assert list(selectors.questions_for(AnonymousUser(), challenge)) == []
    assert list(selectors.questions_for(world.company_member, challenge)) == [question]
    assert list(selectors.questions_for(world.city_editor, challenge)) == [question]
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=world.rival_editor, question=question, answer="Oui")
    services.question_answer(actor=world.city_editor, question=question, answer="Oui.")
    assert list(selectors.questions_for(AnonymousUser(), challenge)) == [question]
    assert Notification.objects.filter(recipient=world.company_member, verb="answered").exists()


def test_questions_only_while_open(world):
    challenge = world.open_challenge()
    with pytest.raises(Conflict):
        services.question_ask(
            actor=world.company_member,
            challenge=challenge,
            question="Encore ?",
            now=world.after_closing(challenge),
        )
    with pytest.raises(ValidationFailed):
        services.question_ask(
            actor=world.company_member, challenge=challenge, question=" ", now=world.now
        )


def test_drafts_are_visible_to_their_issuers_and_the_secretariat_only(world):
    draft = world.draft(title="Brouillon confidentiel")
    opened = world.open_challenge(title="Défi publié")
    assert list(selectors.challenges_list_for(AnonymousUser())) == [opened]
    assert list(selectors.challenges_list_for(world.company_editor)) == [opened]
    assert list(selectors.challenges_list_for(world.city_member)) == [opened]  # not an editor
    assert set(selectors.challenges_list_for(world.city_editor)) == {draft, opened}
    assert set(selectors.challenges_list_for(world.secretariat)) == {draft, opened}
    with pytest.raises(selectors.ChallengeNotFound):
        selectors.challenge_get_for(world.company_editor, slug=draft.slug)
    with pytest.raises(selectors.ChallengeNotFound):
        selectors.challenge_get_for(AnonymousUser(), slug="nexiste-pas")
    assert selectors.challenge_get_for(world.city_editor, slug=draft.slug) == draft
    # A query searches the public challenges only (drafts are not indexed).
    found = selectors.challenges_list_for(world.secretariat, ChallengeFilters(query="publié"))
    assert list(found) == [opened]
    assert (
        list(
            selectors.challenges_list_for(world.secretariat, ChallengeFilters(query="confidentiel"))
        )
        == []
    )


def test_joint_challenge_listed_for_each_issuer_and_filters(world):
    challenge = world.draft(sectors=[world.sector.slug])
    services.challenge_add_co_issuer(
        actor=world.secretariat, challenge=challenge, organisation=world.co_city
    )
    services.challenge_submit(actor=world.city_editor, challenge=challenge, now=world.now)
    services.challenge_publish(actor=world.secretariat, challenge=challenge, now=world.now)
    world.open_challenge(title="Autre")
    anonymous = AnonymousUser()
    assert list(selectors.challenges_for_organisation(anonymous, world.co_city.pk)) == [challenge]
    assert len(selectors.challenges_for_organisation(anonymous, world.city.pk)) == 2
    by_sector = selectors.challenges_list_for(
        anonymous, ChallengeFilters.from_params({"sector": world.sector.slug})
    )
    assert list(by_sector) == [challenge]
    by_country = selectors.challenges_list_for(
        anonymous, ChallengeFilters.from_params({"country": "qc"})
    )
    assert list(by_country) == [challenge]
    on_page = selectors.challenges_for_territory(anonymous, world.co_city.territory.slug)
    assert list(on_page) == [challenge]
    accepting = selectors.challenges_list_for(
        anonymous, ChallengeFilters(accepting_answers_at=world.after_closing(challenge))
    )
    assert list(accepting) == []
    ignored = ChallengeFilters.from_params({"status": ["open", "bidon"], "issuer": "x"})
    assert ignored.statuses == ("open",) and ignored.issuer is None


def test_list_query_count_does_not_grow_with_rows(world):
    for n in range(3):
        world.open_challenge(title=f"Défi {n}")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for challenge in selectors.challenges_list_for(AnonymousUser()):
                _ = [i.organisation.name for i in challenge.issuer_links.all()]
                _ = [s.name for s in challenge.sectors.all()]
                _ = challenge.lead_issuer
        return len(ctx.captured_queries)

    before = count()
    world.open_challenge(title="Encore un")
    assert count() == before <= 4


def test_timeline_visible_with_the_challenge(world):
    challenge = world.open_challenge()
    steps = [e.to_status for e in selectors.challenge_timeline(AnonymousUser(), challenge)]
    assert steps[-1] == "open"
    draft = world.draft(title="Caché")
    with pytest.raises(PermissionDenied):
        selectors.challenge_timeline(AnonymousUser(), draft)
