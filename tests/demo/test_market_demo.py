"""`mediane demo`, market part: challenges in every state, a joint call, a finished evaluation,
a pilot report, offers with confirmed references — through the services, idempotently.

The demo is loaded once for the module (`demo_loaded`, tests/conftest.py); each test runs in a
savepoint rolled back after it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mediane.accounts.models import User
from mediane.demo import market_data
from mediane.market import selectors
from mediane.market.models import (
    Answer,
    Challenge,
    ChallengeEvent,
    ConflictDeclaration,
    JuryMember,
    Offer,
    OfferReference,
    Score,
)
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db


def market_counts() -> dict[str, int]:
    return {
        "challenges": Challenge.objects.count(),
        "answers": Answer.objects.count(),
        "events": ChallengeEvent.objects.count(),
        "jurors": JuryMember.objects.count(),
        "scores": Score.objects.count(),
        "offers": Offer.objects.count(),
        "references": OfferReference.objects.count(),
        "users": User.objects.count(),
    }


def account(email: str) -> User:
    return User.objects.get(email=email)


def test_challenges_in_every_state_marked_demo(demo_loaded):
    # The solutions demo adds draft challenges replicated from solution sheets: not the market's.
    replicated = Challenge.objects.filter(solution_replications__isnull=False)
    assert replicated.count() == 2
    assert set(replicated.values_list("status", flat=True)) == {"draft"}
    challenges = Challenge.objects.exclude(pk__in=replicated)
    assert challenges.count() == len(market_data.CHALLENGES) >= 12
    assert all(c.is_demo for c in challenges)
    states = set(challenges.values_list("status", flat=True))
    assert states == {
        "draft", "submitted", "open", "closed", "evaluation", "awarded", "not_awarded",
        "pilot_report", "archived",
    }  # fmt: skip
    now = timezone.now()
    for challenge in challenges.filter(status="open"):
        assert challenge.closes_at > now  # open ones stay open whenever the demo is loaded
    accepting = [c for c in challenges.filter(status="open") if c.is_accepting_answers(now)]
    assert len(accepting) >= 3
    wool = challenges.get(title="Valoriser la laine des brebis pyrénéennes")
    assert wool.time_zone == "Europe/Paris"
    residues = challenges.get(title="Valoriser les résidus miniers amiantés")
    assert residues.time_zone == "America/Toronto" and residues.currency == "CAD"


def test_the_joint_challenge_has_three_issuers(demo_loaded):
    joint = Challenge.objects.get(title__startswith="Billettique commune")
    links = {(link.organisation.name, link.role) for link in joint.issuer_links.all()}
    assert links == {
        ("Ville de Nevers", "lead"),
        ("Ville de Lourdes", "co"),
        ("Ville de Castelnau-le-Lez", "co"),
    }
    assert joint.answers.count() == 2


def test_completed_evaluation_and_pilot_report(demo_loaded):
    flows = Challenge.objects.get(title__startswith="Mesurer et lisser les flux")
    assert flows.status == "pilot_report" and flows.jury_closed_at is not None
    jurors = {j.user.email for j in flows.jury.select_related("user")}
    assert jurors == {
        "editeur.lourdes@example.org", "admin.lourdes@example.org", "expert@example.org",
    }  # fmt: skip
    assert (
        ConflictDeclaration.objects.filter(juror__challenge=flows, has_conflict=True).count() == 1
    )
    assert Score.objects.filter(answer__challenge=flows).count() > 20
    secretariat = account("secretariat@example.org")
    ranking = selectors.challenge_ranking(secretariat, flows)
    assert ranking[0].answer.organisation.name == "Pyrène Outdoor Lab"
    assert ranking[0].answer.awarded and ranking[0].answer.decision_reason
    assert ranking[0].result.jurors == 3
    report = flows.pilot_report
    assert report.contract_signed and report.amount == 38_000
    steps = [e.to_status for e in flows.events.order_by("at", "pk")]
    assert steps[:4] == ["draft", "submitted", "open", "closed"]
    assert steps[-2:] == ["pilot", "pilot_report"]


def test_each_demo_account_has_something_to_see(demo_loaded):
    startup = account("startup@example.org")
    mine = list(selectors.my_answers(startup))
    assert {a.challenge.status for a in mine} >= {"pilot_report", "awarded"}
    editor = account("editeur.lourdes@example.org")
    drafts = selectors.challenges_list_for(editor).filter(status="draft")
    # Its own draft and the one replicated from Nevers' parking sheet, not the other cities'.
    assert drafts.count() == 2
    assert drafts.filter(solution_replications__isnull=False).count() == 1
    running = Challenge.objects.get(status="evaluation")
    # The city editor still has to declare and score: others have started.
    assert selectors.answer_candidates(editor, running)
    assert not Score.objects.filter(juror__user=editor, answer__challenge=running).exists()
    assert Score.objects.filter(juror__user__email="expert@example.org", answer__challenge=running)
    assert selectors.offer_references_to_confirm(editor).exists()  # the wool reference
    visitor = account("visiteur@example.org")
    assert not selectors.challenges_list_for(visitor).filter(status__in=["draft", "submitted"])
    assert selectors.challenges_list_for(account("secretariat@example.org")).filter(
        status="submitted"
    )


def test_offers_with_references_some_confirmed(demo_loaded):
    offers = Offer.objects.all()
    assert offers.count() == len(market_data.OFFERS)
    assert offers.filter(status="published").count() == len(market_data.OFFERS) - 1
    assert all(o.is_demo for o in offers)
    references = OfferReference.objects.all()
    assert references.filter(confirmed_at__isnull=False).count() == 2
    assert references.filter(confirmed_at__isnull=True).count() >= 4


def test_rerun_is_idempotent(demo_loaded):
    before = market_counts()
    output = run_demo()
    assert market_counts() == before
    assert "défis : 0 créé(s)" in output
