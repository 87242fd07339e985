import pytest
from django.contrib.auth.models import AnonymousUser

from mediane.core.permissions import can
from mediane.directory.models import Expert, Organisation, Sector
from tests.directory.factories import ExpertFactory, OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    org = OrganisationFactory(visibility="private")
    other = OrganisationFactory()
    return {
        "org": org,
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "member": member_of(org, "member"),
        "editor": member_of(org, "editor"),
        "admin": member_of(org, "admin"),
        "other_admin": member_of(other, "admin"),
        "secretariat": UserFactory(is_secretariat=True),
    }


ROLES = ["anonymous", "outsider", "member", "editor", "admin", "other_admin", "secretariat"]
ORGANISATION = {
    "view": ["member", "editor", "admin", "secretariat"],  # private organisation
    "change": ["editor", "admin", "secretariat"],
    "delete": ["admin", "secretariat"],
    "manage_members": ["admin", "secretariat"],
}


@pytest.mark.parametrize("action", sorted(ORGANISATION))
def test_organisation_rules(people, action):
    allowed = [role for role in ROLES if can(people[role], action, people["org"])]
    assert allowed == ORGANISATION[action]


def test_network_organisation_is_seen_by_network_members_only(people):
    org = OrganisationFactory(visibility="network")
    allowed = [role for role in ROLES if can(people[role], "view", org)]
    assert allowed == ["member", "editor", "admin", "other_admin", "secretariat"]


def test_create_rules(people):
    allowed = [role for role in ROLES if can(people[role], "create", Organisation)]
    assert allowed == ROLES[1:]
    assert [role for role in ROLES if can(people[role], "create", Expert)] == ROLES[1:]
    inactive = UserFactory(is_active=False)
    assert not can(inactive, "create", Organisation)


def test_expert_rules(people):
    owner = UserFactory()
    expert = ExpertFactory(organisation=people["org"], user=owner, visibility="private")
    people["owner"] = owner
    roles = [*ROLES, "owner"]
    assert [r for r in roles if can(people[r], "view", expert)] == [
        "member",
        "editor",
        "admin",
        "secretariat",
        "owner",
    ]
    assert [r for r in roles if can(people[r], "change", expert)] == [
        "editor",
        "admin",
        "secretariat",
        "owner",
    ]
    assert [r for r in roles if can(people[r], "delete", expert)] == [
        "admin",
        "secretariat",
        "owner",
    ]


def test_sector_rules(people):
    sector = Sector.objects.first()
    assert all(can(people[r], "view", sector) for r in ROLES)
    for action in ("change", "create", "delete"):
        assert [r for r in ROLES if can(people[r], action, sector)] == ["secretariat"]
