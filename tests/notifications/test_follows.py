"""Follows: one target each, idempotent, owner-only deletion; followers_for matches stems."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from mediane.core.errors import NotFound, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.notifications.models import Follow
from mediane.notifications.services import follow_create, follow_delete, followers_for
from tests.accounts.factories import (
    OrganisationFactory,
    SectorFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_follow_each_kind_once(alice):
    sector, territory, org = SectorFactory(), TerritoryFactory(), OrganisationFactory()
    first = follow_create(actor=alice, sector=sector)
    assert follow_create(actor=alice, sector=sector) == first  # idempotent
    follow_create(actor=alice, territory=territory)
    follow_create(actor=alice, organisation=org)
    saved = follow_create(actor=alice, query="  Laine   des Pyrénées ")
    assert saved.query == "Laine des Pyrénées"
    # Same stems, other spelling: the same saved search.
    assert follow_create(actor=alice, query="laines pyrenees") == saved
    assert Follow.objects.filter(user=alice).count() == 4
    assert AuditEntry.objects.filter(action="follow_create").count() == 4


def test_follow_needs_exactly_one_target(alice):
    with pytest.raises(ValidationFailed):
        follow_create(actor=alice)
    with pytest.raises(ValidationFailed):
        follow_create(actor=alice, sector=SectorFactory(), query="laine")
    with pytest.raises(ValidationFailed):
        follow_create(actor=alice, query="le la les")  # stop words only
    with pytest.raises(ValidationFailed):
        follow_create(actor=alice, query="mot " * 60)


def test_database_refuses_a_follow_with_two_targets(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=alice, sector=SectorFactory(), territory=TerritoryFactory())


def test_anonymous_cannot_follow_and_private_organisation_needs_visibility(alice):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        follow_create(actor=AnonymousUser(), sector=SectorFactory())
    with pytest.raises(PermissionDenied):
        follow_create(actor=alice, organisation=OrganisationFactory(visibility="private"))


def test_only_the_follower_can_unfollow(alice, bruno):
    follow = follow_create(actor=alice, sector=SectorFactory())
    with pytest.raises(PermissionDenied):
        follow_delete(actor=bruno, follow_id=follow.pk)
    follow_delete(actor=alice, follow_id=follow.pk)
    assert not Follow.objects.exists()
    with pytest.raises(NotFound):
        follow_delete(actor=alice, follow_id=follow.pk)


def test_followers_for_structured_targets(alice, bruno):
    wool, health = SectorFactory(), SectorFactory()
    lourdes, nevers = TerritoryFactory(name="Lourdes"), TerritoryFactory(name="Nevers")
    org = OrganisationFactory()
    inactive = UserFactory(is_active=False)
    follow_create(actor=alice, sector=wool)
    follow_create(actor=bruno, territory=nevers)
    Follow.objects.create(user=inactive, sector=wool)
    carol = UserFactory()
    follow_create(actor=carol, organisation=org)
    assert followers_for(sectors=[wool]) == {alice}
    assert followers_for(sectors=[health.pk], territories=[lourdes]) == set()
    assert followers_for(sectors=[wool], territories=[nevers.pk], organisations=[org]) == {
        alice,
        bruno,
        carol,
    }
    assert followers_for() == set()


def test_saved_search_matches_stems_not_substrings(alice, bruno):
    follow_create(actor=alice, query="laine pyrénéenne")
    follow_create(actor=bruno, query="transport")
    text = "Valoriser les LAINES des brebis pyrénéennes dans l'artisanat"
    assert followers_for(text=text) == {alice}
    # Every word of the search must be present: "laine" alone is not enough.
    assert followers_for(text="Une filière laine locale") == set()
    # Words, not substrings: "transports" matches "transport", "Sport" does not.
    assert followers_for(text="Billettique des transports en commun") == {bruno}
    assert followers_for(text="Sport") == set()
