"""`mediane demo`: the demo network loads through the services and a second run adds nothing.

The demo is the package's load (tests/demo/conftest.py; `demo_output`, what it printed); each
test runs in a savepoint rolled back after it."""

from __future__ import annotations

import pytest

from mediane.accounts.models import Membership, User
from mediane.core.models import AuditEntry
from mediane.demo import data
from mediane.directory.models import Expert, Organisation, Sector
from mediane.territories.models import NetworkMembership, Twinning
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "experts": Expert.objects.count(),
        "memberships": Membership.objects.count(),
        "network": NetworkMembership.objects.count(),
        "twinnings": Twinning.objects.count(),
    }


@pytest.fixture
def demo_output(demo_loaded: str) -> str:
    """What the package's load of the demo printed (tests/demo/conftest.py)."""
    return demo_loaded


def test_demo_network_content_and_accounts(demo_output):
    members = NetworkMembership.objects.select_related("territory")
    assert sorted(m.territory.name for m in members) == sorted(c["name"] for c in data.CITIES)
    founders = {m.territory.name for m in members if m.status == "founder"}
    assert founders == {"Nevers", "Shawinigan"}
    lourdes = members.get(territory__name="Lourdes")
    assert lourdes.status == "active" and lourdes.member_since.year == 2023
    assert lourdes.territory.latitude == pytest.approx(43.0981)

    pairs = {
        (frozenset({t.first.name, t.second.name}), t.kind)
        for t in Twinning.objects.select_related("first", "second")
    }
    assert (frozenset({"Lourdes", "Nevers"}), "jumelage") in pairs
    assert (frozenset({"Drummondville", "Castelnau-le-Lez"}), "technologique") in pairs

    organisations = Organisation.objects.all()
    assert organisations.count() >= 60
    assert set(organisations.values_list("country", flat=True)) == {"FR", "QC"}
    kinds = set(organisations.values_list("kind", flat=True))
    assert kinds == {
        "collectivite", "startup", "pme", "incubateur", "accelerateur", "tiers-lieu",
        "recherche", "french-tech", "association", "conseil", "investisseur",
    }  # fmt: skip
    used_sectors = set(
        Sector.objects.filter(organisations__isnull=False).values_list("slug", flat=True)
    )
    assert used_sectors == set(Sector.objects.values_list("slug", flat=True))
    for name in ("Inkub", "Village by CA Nevers", "Kemitek", "COALIA", "Ville de Lourdes"):
        assert not organisations.get(name=name).is_demo
    tiers_lieu = organisations.get(name="Tiers-lieu et incubateur de Lourdes")
    assert set(tiers_lieu.sectors.values_list("slug", flat=True)) >= {
        "tourisme", "sport", "artisanat", "laine-textile", "sante",
    }  # fmt: skip
    # Fictitious ones are marked and only use reserved example addresses.
    fictitious = organisations.filter(is_demo=True)
    assert fictitious.count() >= 45
    assert all(
        email.endswith("@example.org")
        for email in fictitious.values_list("contact_email", flat=True)
    )
    assert not organisations.filter(is_demo=False).exclude(contact_email="").exists()
    assert organisations.filter(name__icontains="laine").exists()
    assert organisations.filter(visibility="private").exists()
    assert organisations.filter(visibility="network").exists()

    experts = Expert.objects.all()
    assert {e.kind for e in experts} == {"person", "firm"}
    assert all(e.skills.exists() for e in experts)
    assert experts.get(user__email="expert@example.org").language_list == ["fr", "en"]

    # One account per role.
    secretariat = User.objects.get(email="secretariat@example.org")
    assert secretariat.is_secretariat and secretariat.check_password(data.DEMO_PASSWORD)
    roles = dict(
        Membership.objects.filter(organisation__name="Ville de Lourdes").values_list(
            "user__email", "role"
        )
    )
    assert roles == {
        "admin.lourdes@example.org": "admin",
        "editeur.lourdes@example.org": "editor",
        "membre.lourdes@example.org": "member",
    }
    startup = Membership.objects.get(user__email="startup@example.org")
    assert startup.role == "admin" and startup.organisation.kind == "startup"
    assert not Membership.objects.filter(user__email="visiteur@example.org").exists()
    assert "Comptes de démonstration" in demo_output
    for account in data.ACCOUNTS:
        assert account["email"] in demo_output
    assert data.DEMO_PASSWORD in demo_output

    # Everything was written through the services, by the secretariat account.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.create", "twinning.create", "network_membership.create"} <= actions
    entry = AuditEntry.objects.filter(action="organisation.create").first()
    assert entry.actor.email == "secretariat@example.org"


def test_demo_is_idempotent(demo_output):
    before = counts()
    audit_before = AuditEntry.objects.count()
    output = run_demo()
    assert counts() == before
    assert AuditEntry.objects.count() == audit_before
    assert "0 créé(s)" in output
    # the recommendations' profiles and the open challenges' vectors are up to date
    assert "0 profils construits, 0 défis encodés." in output


def test_demo_builds_the_recommendation_profiles_before_the_accounts(demo_output):
    from mediane.market.models import Challenge, ChallengeMatchVector, ChallengeStatus, MatchProfile

    assert MatchProfile.objects.count() == Organisation.objects.count()
    opened = Challenge.objects.filter(status=ChallengeStatus.OPEN).count()
    assert opened and ChallengeMatchVector.objects.count() == opened
    built = f"{Organisation.objects.count()} profils construits, {opened} défis encodés."
    assert built in demo_output
    assert demo_output.index(built) < demo_output.index("Comptes de démonstration")
