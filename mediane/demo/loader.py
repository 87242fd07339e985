"""Load the demo network (mediane/demo/data.py) through the domain services, idempotently.

A second run reuses what exists: accounts, organisations and experts are found by e-mail or name
and left as they are; memberships and twinnings are created only when missing. The secretariat
demo account is the actor of every write, so the audit log shows who seeded the data.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from mediane.accounts.models import Membership, User
from mediane.core.services import audit_record
from mediane.demo import data
from mediane.directory.models import Expert, Organisation
from mediane.territories.models import NetworkMembership, Territory, Twinning

MUNICIPALITY = "municipality"


class DemoError(Exception):
    """The demo cannot be loaded (e.g. the reference territories are missing); French message."""


@dataclass
class DemoReport:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    accounts: list[dict[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.existing))
        return [
            f"{kind} : {self.created[kind]} créé(s), {self.existing[kind]} déjà présent(s)"
            for kind in kinds
        ]


def city_codes() -> list[str]:
    """`--only` value for `import_territories`: the seven network cities."""
    return [f"{city['country']}:{city['code']}" for city in data.CITIES]


def _offset(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    return (
        round(lat + north_km / 111.0, 6),
        round(lon + east_km / (111.0 * math.cos(math.radians(lat))), 6),
    )


def _spread(name: str) -> tuple[float, float]:
    """A stable pseudo-random offset (km) so that organisations of a city do not overlap."""
    digest = hashlib.sha256(name.encode()).digest()
    return ((digest[0] / 255 - 0.5) * 3, (digest[1] / 255 - 0.5) * 3)


class Loader:
    def __init__(self) -> None:
        self.report = DemoReport()
        self.cities: dict[str, Territory] = {}
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.actor: User | None = None

    # --- steps ---------------------------------------------------------------------------------

    def run(self) -> DemoReport:
        with transaction.atomic():
            self.load_accounts()
            self.load_cities()
            self.load_twinnings()
            self.load_organisations()
            self.load_memberships()
            self.load_experts()
            self.load_market()
            self.load_summit()
            self.load_datahub()
            self.load_cooperation()
            self.load_solutions()
            self.load_incubation()
            self.load_tierslieux()
            self.load_support()
            self.load_diagnostic()
            self.load_plans()
            self.load_labels()
        # After the commit: the scheduler writes its progress from the solver's own threads.
        self.load_summit_schedule()
        return self.report

    def load_datahub(self) -> None:
        from mediane.demo.datahub_data import load_datahub

        load_datahub(self)

    def load_cooperation(self) -> None:
        from mediane.demo.cooperation_data import load_cooperation

        load_cooperation(self)

    def load_solutions(self) -> None:
        from mediane.demo.solutions_data import load_solutions

        load_solutions(self)

    def load_incubation(self) -> None:
        from mediane.demo.incubation_data import load_incubation

        load_incubation(self)

    def load_tierslieux(self) -> None:
        from mediane.demo.tierslieux_data import load_tierslieux

        load_tierslieux(self)

    def load_support(self) -> None:
        from mediane.demo.support_data import load_support

        load_support(self)

    def load_diagnostic(self) -> None:
        from mediane.demo.diagnostic_data import load_diagnostic

        load_diagnostic(self)

    def load_plans(self) -> None:
        from mediane.demo.plans_data import load_plans

        load_plans(self)

    def load_labels(self) -> None:
        from mediane.demo.labels_data import load_labels

        load_labels(self)

    def load_accounts(self) -> None:
        """Demo accounts, created verified with the documented password (bootstrap: no actor)."""
        hashed = ""
        for spec in data.ACCOUNTS:
            user = User.objects.filter(email__iexact=spec["email"]).first()
            if user is None:
                # Hashing is deliberately slow: hash the shared demo password once.
                hashed = hashed or make_password(data.DEMO_PASSWORD)
                user = User.objects.create_user(
                    email=spec["email"],
                    password=None,
                    full_name=spec["full_name"],
                    email_verified=True,
                    is_secretariat=bool(spec.get("secretariat")),
                )
                user.password = hashed
                user.save(update_fields=["password"])
                audit_record(actor=None, action="demo.user_create", obj=user)
                self.report.created["comptes"] += 1
            else:
                self.report.existing["comptes"] += 1
            self.users[spec["key"]] = user
            self.report.accounts.append(
                {"email": spec["email"], "role": spec["role"], "password": data.DEMO_PASSWORD}
            )
        self.actor = self.users["secretariat"]

    def load_cities(self) -> None:
        from mediane.territories.services import (
            TerritoryUpdate,
            network_membership_set,
            territory_update,
        )

        for spec in data.CITIES:
            territory = Territory.objects.filter(
                country=spec["country"], kind=MUNICIPALITY, code=spec["code"]
            ).first()
            if territory is None:
                raise DemoError(
                    f"Territoire introuvable : {spec['name']} ({spec['country']} {spec['code']}). "
                    "Importez d'abord les territoires : mediane import-territories."
                )
            if territory.latitude is None or territory.longitude is None:
                territory = territory_update(
                    actor=self.actor,
                    territory=territory,
                    data=TerritoryUpdate(
                        website=territory.website or spec["website"],
                        description=getattr(territory, "description", ""),
                        latitude=spec["latitude"],
                        longitude=spec["longitude"],
                    ),
                )
            self.cities[spec["key"]] = territory
            membership = NetworkMembership.objects.filter(territory=territory).first()
            if membership is None:
                network_membership_set(
                    actor=self.actor,
                    territory=territory,
                    status=spec["status"],
                    member_since=spec["member_since"],
                    notes=spec["notes"],
                )
                self.report.created["adhésions"] += 1
            else:
                self.report.existing["adhésions"] += 1

    def load_twinnings(self) -> None:
        from mediane.territories.services import twinning_create

        for spec in data.TWINNINGS:
            a, b = self.cities[spec["a"]], self.cities[spec["b"]]
            first, second = (a, b) if a.pk < b.pk else (b, a)
            if Twinning.objects.filter(first=first, second=second, kind=spec["kind"]).exists():
                self.report.existing["jumelages"] += 1
                continue
            twinning_create(
                actor=self.actor,
                a=a,
                b=b,
                kind=spec["kind"],
                since=spec["since"],
                description=spec["description"],
            )
            self.report.created["jumelages"] += 1

    def load_organisations(self) -> None:
        from mediane.directory.inputs import OrganisationInput
        from mediane.directory.services import organisation_create

        for spec in _round_robin(data.ORGANISATIONS):
            city = self.cities[spec["city"]]
            existing = Organisation.objects.filter(name=spec["name"], territory=city).first()
            if existing is not None:
                self.organisations[spec["name"]] = existing
                self.report.existing["organisations"] += 1
                continue
            demo = spec.get("demo", False)
            latitude = longitude = None
            offset = spec.get("offset") or (_spread(spec["name"]) if demo else None)
            if offset is not None and city.latitude is not None and city.longitude is not None:
                latitude, longitude = _offset(city.latitude, city.longitude, *offset)
            organisation = organisation_create(
                actor=self.actor,
                data=OrganisationInput(
                    name=spec["name"],
                    kind=spec["kind"],
                    country=city.country,
                    territory_id=city.pk,
                    latitude=latitude,
                    longitude=longitude,
                    website=spec.get("website", ""),
                    summary=spec["summary"],
                    description=spec.get("description", ""),
                    contact_email=_demo_email(spec["name"]) if demo else "",
                    visibility=spec.get("visibility", "public"),
                    sector_slugs=spec["sectors"],
                    is_demo=demo,
                ),
                make_admin=False,
            )
            self.organisations[spec["name"]] = organisation
            self.report.created["organisations"] += 1

    def load_memberships(self) -> None:
        from mediane.accounts.services import membership_add

        for spec in data.ACCOUNTS:
            if "organisation" not in spec:
                continue
            name, role = spec["organisation"]
            organisation = self.organisations[name]
            user = self.users[spec["key"]]
            if Membership.objects.filter(user=user, organisation=organisation).exists():
                self.report.existing["appartenances"] += 1
                continue
            membership_add(actor=self.actor, organisation=organisation, user=user, role=role)
            self.report.created["appartenances"] += 1

    def load_experts(self) -> None:
        from mediane.directory.inputs import ExpertInput
        from mediane.directory.services import expert_create

        for spec in data.EXPERTS:
            if Expert.objects.filter(name=spec["name"]).exists():
                self.report.existing["experts"] += 1
                continue
            organisation = self.organisations.get(spec.get("organisation", ""))
            account = self.users.get(spec.get("account", ""))
            expert_create(
                actor=self.actor,
                data=ExpertInput(
                    name=spec["name"],
                    kind=spec["kind"],
                    headline=spec["headline"],
                    organisation_id=organisation.pk if organisation else None,
                    user_id=account.pk if account else None,
                    skills=spec["skills"],
                    sector_slugs=spec["sectors"],
                    languages=spec["languages"],
                    territory_ids=[self.cities[key].pk for key in spec["cities"]],
                    is_demo=True,
                ),
            )
            self.report.created["experts"] += 1

    def load_market(self) -> None:
        """Challenges, answers, a jury's evaluation, offers and references (market_data.py)."""
        from mediane.demo.market_data import load_market

        load_market(self)

    def load_summit(self) -> None:
        """Past summit editions, an edition to come with participants, requests and a
        published schedule (summit_data.py)."""
        from mediane.demo.summit_data import load_summit

        load_summit(self)

    def load_summit_schedule(self) -> None:
        """The demo edition's business meetings, computed and published (summit_data.py)."""
        from mediane.demo.summit_data import load_summit_schedule

        load_summit_schedule(self)


def _round_robin(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Real organisations first, then the fictitious ones one city after another, so that the
    "latest organisations" of the home page come from several cities."""
    real = [spec for spec in specs if not spec.get("demo")]
    by_city: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        if spec.get("demo"):
            by_city.setdefault(spec["city"], []).append(spec)
    queues = list(by_city.values())
    mixed = []
    while any(queues):
        for queue in queues:
            if queue:
                mixed.append(queue.pop(0))
    return real + mixed


def _demo_email(name: str) -> str:
    from django.utils.text import slugify

    return f"contact.{slugify(name)[:40].strip('-')}@example.org"


def load_demo() -> DemoReport:
    """Load (or complete) the demo network; the territories must be imported first."""
    return Loader().run()


def accounts_table(report: DemoReport) -> list[str]:
    """The demo accounts as a plain-text table (e-mail, role, password)."""
    rows = [("E-mail", "Rôle", "Mot de passe")] + [
        (a["email"], a["role"], a["password"]) for a in report.accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def summary(report: DemoReport) -> dict[str, Any]:
    return {"created": dict(report.created), "existing": dict(report.existing)}
