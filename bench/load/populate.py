"""Multiply the demo network's accounts for the mixed load test, and describe its targets.

Run after `mediane demo` on the bench database (DATABASE_URL / MEDIANE_VAR_DIR). Creates
`--per-role` accounts of each kind, all with the password `BENCH_PASSWORD`, through the
services (memberships, jury seats, conflict declarations, API tokens), and gives the summit's
demo participants (no password in the demo) that password too, so that 100+ distinct people
can log in at once:

- `bench.staff.N@example.org`: editors of the Ville de Lourdes (challenge drafts, plan, jury);
- `bench.company.N@example.org`: editors of the companies that answered an open challenge;
- `bench.booker.N@example.org`: members of the Lourdes tiers-lieu (bookings);
- `bench.organiser.N@example.org`: editors of the organiser of the coming summit (moves);
- the approved participants of the coming summit (agenda page, iCalendar);
- one API token per company account.

Writes a JSON description of what the locustfile needs (accounts, slugs, ids, tokens, free
booking slots) to `--out`. Idempotent: a second run reuses the accounts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediane_load \
        .venv/bin/python bench/load/populate.py --out bench/out/load/targets.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
BENCH_PASSWORD = "mediane-bench-2025"  # noqa: S105 - a bench database's shared password


def _setup() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    import django

    django.setup()


def _account(email: str, full_name: str, hashed: str) -> Any:
    """A verified bench account (created like the demo's accounts: bootstrap, no actor)."""
    from mediane.accounts.models import User

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, full_name=full_name, email_verified=True
        )
    if user.password != hashed:
        user.password = hashed
        user.save(update_fields=["password"])
    return user


def _member(actor: Any, organisation: Any, user: Any, role: str) -> None:
    from mediane.accounts.models import Membership
    from mediane.accounts.services import membership_add

    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        membership_add(actor=actor, organisation=organisation, user=user, role=role)


def booking_slots(resource: Any, days: int) -> list[dict[str, str]]:
    """Every bookable slot of `resource` in the next `days` days, in local time."""
    from django.utils import timezone

    from mediane.tierslieux import services

    today = timezone.now().astimezone(resource.zone).date()
    slots = []
    for offset in range(1, days + 1):
        day = today + dt.timedelta(days=offset)
        if services.closed_on(resource, day) is not None:
            continue
        for start, end in services.opening_periods(resource, day):
            step = dt.timedelta(minutes=resource.slot_minutes)
            at = start
            while at + step <= end:
                slots.append(
                    {
                        "date": day.isoformat(),
                        "start": at.strftime("%H:%M"),
                        "end": (at + step).strftime("%H:%M"),
                    }
                )
                at += step
    return slots


def populate(per_role: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from mediane.accounts.models import User
    from mediane.accounts.services import api_token_create
    from mediane.market import services as market
    from mediane.market.models import Answer, Challenge, ChallengeStatus, JuryMember
    from mediane.market.rules import juror_cleared_for
    from mediane.plans import services as plans
    from mediane.plans.models import Plan
    from mediane.search.models import SearchEntry
    from mediane.summit.models import Edition, Meeting, RegistrationStatus
    from mediane.territories.models import Territory
    from mediane.tierslieux.models import Resource

    hashed = make_password(BENCH_PASSWORD)
    secretariat = User.objects.get(email="secretariat@example.org")
    plan = Plan.objects.select_related("organisation").get(slug="plan-avenir-lourdes-2022")
    city = plan.organisation
    evaluated = Challenge.objects.filter(status=ChallengeStatus.EVALUATION).first()
    edition = (
        Edition.objects.filter(published_run__isnull=False).select_related("organiser").first()
    )
    room = Resource.objects.filter(slug__startswith="salle-de-reunion").first()
    if evaluated is None or edition is None or room is None:
        raise SystemExit("Run `mediane demo` first: the demo network is incomplete.")
    open_answers = list(
        Answer.objects.filter(challenge__status=ChallengeStatus.OPEN)
        .select_related("organisation", "challenge")
        .order_by("pk")
    )

    with transaction.atomic():
        staff = []
        for n in range(1, per_role + 1):
            user = _account(f"bench.staff.{n}@example.org", f"Agent bench {n}", hashed)
            _member(secretariat, city, user, "editor")
            staff.append(user)
        companies = []
        for n in range(1, per_role + 1):
            user = _account(f"bench.company.{n}@example.org", f"Entreprise bench {n}", hashed)
            answer = open_answers[(n - 1) % len(open_answers)]
            _member(secretariat, answer.organisation, user, "editor")
            companies.append((user, answer))
        bookers = []
        for n in range(1, per_role + 1):
            user = _account(f"bench.booker.{n}@example.org", f"Coworker bench {n}", hashed)
            _member(secretariat, room.organisation, user, "member")
            bookers.append(user)
        organisers = []
        for n in range(1, max(2, per_role // 5) + 1):
            user = _account(f"bench.organiser.{n}@example.org", f"Organisateur bench {n}", hashed)
            _member(secretariat, edition.organiser, user, "editor")
            organisers.append(user)
        participants = []
        for registration in edition.registrations.filter(
            status=RegistrationStatus.APPROVED
        ).select_related("user"):
            user = registration.user
            if user.password != hashed:
                user.password = hashed
                user.email_verified = True
                user.save(update_fields=["password", "email_verified"])
            participants.append({"email": user.email, "feed_token": registration.feed_token})

        # Jurors: a few of the staff seated on the jury, cleared for every candidate.
        jurors = []
        for user in staff[: max(2, per_role // 5)]:
            if not JuryMember.objects.filter(challenge=evaluated, user=user).exists():
                market.jury_add(actor=secretariat, challenge=evaluated, user=user)
            jurors.append(user)
        answers = list(evaluated.answers.exclude(status="withdrawn"))
        for user in jurors:
            juror = JuryMember.objects.get(challenge=evaluated, user=user)
            for answer in answers:
                if not juror_cleared_for(juror, answer.organisation_id):
                    market.conflict_declare(
                        actor=user,
                        challenge=evaluated,
                        organisation=answer.organisation,
                        has_conflict=False,
                    )

        action = plan.actions.order_by("number").first()
        indicator = action.indicators.first() or plans.indicator_create(
            actor=staff[0], action=action, name="Mesures du banc d'essai", unit="points"
        )
        tokens = [
            api_token_create(user=user, name="banc d'essai")[1] for user, _answer in companies
        ]

    drafts = list(
        Challenge.objects.filter(status=ChallengeStatus.DRAFT, issuer_links__organisation=city)
        .values_list("slug", flat=True)
        .distinct()
    )
    meetings = list(
        Meeting.objects.filter(run_id=edition.published_run_id, slot__isnull=False).values_list(
            "pk", flat=True
        )
    )
    words = [
        w
        for w in ("laine", "tourisme", "santé", "eau", "numérique", "mobilité", "données")
        if SearchEntry.objects.filter(body__icontains=w).exists()
    ] or ["laine"]
    return {
        "password": BENCH_PASSWORD,
        "staff": [u.email for u in staff],
        "jurors": [u.email for u in jurors],
        "companies": [{"email": u.email, "answer": a.pk} for u, a in companies],
        "bookers": [u.email for u in bookers],
        "organisers": [u.email for u in organisers],
        "participants": participants,
        "api_tokens": tokens,
        "plan": {"slug": plan.slug, "action": action.number, "indicator": indicator.pk},
        "challenge_drafts": drafts,
        "challenges": list(
            Challenge.objects.filter(
                status__in=[ChallengeStatus.OPEN, ChallengeStatus.EVALUATION]
            ).values_list("slug", flat=True)
        ),
        "evaluation": {
            "slug": evaluated.slug,
            "answers": [a.pk for a in answers],
            "criteria": list(evaluated.criteria.values_list("pk", flat=True)),
        },
        "edition": {
            "slug": edition.slug,
            "meetings": meetings,
            "slots": list(edition.slots.values_list("pk", flat=True)),
        },
        "resource": {"slug": room.slug, "slots": booking_slots(room, 60)},
        "territories": list(Territory.objects.network_members().values_list("slug", flat=True)),
        "search_terms": words,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-role", type=int, default=30, help="accounts of each kind")
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the locustfile")
    args = parser.parse_args(argv)
    _setup()
    targets = populate(args.per_role)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(targets, indent=1, ensure_ascii=False))
    print(
        f"{len(targets['staff'])} staff, {len(targets['companies'])} companies, "
        f"{len(targets['bookers'])} bookers, {len(targets['organisers'])} organisers, "
        f"{len(targets['participants'])} participants, {len(targets['api_tokens'])} API tokens "
        f"-> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
