"""Permission rules: everyone reads territories, memberships and twinnings; the secretariat
manages them."""

from __future__ import annotations

import pytest

from mediane.core.permissions import can
from mediane.territories.models import NetworkMembership, Territory, Twinning
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

WRITES = [
    (Territory, "change"),
    (NetworkMembership, "change"),
    (NetworkMembership, "create"),
    (NetworkMembership, "delete"),
    (Twinning, "create"),
    (Twinning, "change"),
    (Twinning, "delete"),
]


def test_everyone_reads(secretariat):
    territory = TerritoryFactory()
    org_admin = MembershipFactory(role="admin").user
    for user in (None, UserFactory(), org_admin, secretariat):
        for model in (territory, NetworkMembership, Twinning):
            assert can(user, "view", model)


@pytest.mark.parametrize(("model", "action"), WRITES)
def test_only_the_secretariat_writes(model, action, secretariat):
    org_admin = MembershipFactory(role="admin").user
    assert can(secretariat, action, model)
    assert can(UserFactory(is_superuser=True), action, model)
    for user in (None, UserFactory(), org_admin, UserFactory(is_secretariat=True, is_active=False)):
        assert not can(user, action, model)
