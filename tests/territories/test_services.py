"""Write services: permissions, validation, audit entries, search index."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.search.models import SearchEntry
from mediane.territories import services
from mediane.territories.models import NetworkMembership, Territory, Twinning
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    return TerritoryFactory(name="Lourdes"), TerritoryFactory(name="Nevers")


def test_membership_set_creates_then_updates_with_audit(secretariat, pair):
    lourdes, _ = pair
    membership = services.network_membership_set(
        actor=secretariat,
        territory=lourdes,
        status="active",
        member_since=datetime.date(2023, 1, 1),
    )
    assert membership.is_active and lourdes.network_membership == membership
    services.network_membership_set(actor=secretariat, territory=lourdes, status="suspended")
    membership.refresh_from_db()
    assert membership.status == "suspended" and membership.member_since is None
    assert NetworkMembership.objects.count() == 1
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor"))
    assert actions == [
        ("network_membership.create", secretariat.pk),
        ("network_membership.update", secretariat.pk),
    ]


def test_membership_set_refused_to_others(outsider, pair):
    for actor in (None, outsider):
        with pytest.raises(PermissionDenied):
            services.network_membership_set(actor=actor, territory=pair[0], status="active")
    assert not NetworkMembership.objects.exists() and not AuditEntry.objects.exists()


def test_membership_set_validates(secretariat, pair):
    with pytest.raises(ValidationFailed) as info:
        services.network_membership_set(
            actor=secretariat,
            territory=pair[0],
            status="zzz",
            member_since=datetime.date.today() + datetime.timedelta(days=400),
        )
    assert set(info.value.field_errors) == {"status", "member_since"}
    assert not NetworkMembership.objects.exists()


def test_membership_is_indexed_for_search(secretariat, pair):
    services.network_membership_set(actor=secretariat, territory=pair[0], status="founder")
    entry = SearchEntry.objects.get(kind="territory", object_id=pair[0].pk)
    assert "membre du réseau" in entry.keywords and entry.title == "Lourdes"


def test_membership_delete(secretariat, outsider, pair):
    membership = services.network_membership_set(
        actor=secretariat, territory=pair[0], status="active"
    )
    with pytest.raises(PermissionDenied):
        services.network_membership_delete(actor=outsider, membership=membership)
    services.network_membership_delete(actor=secretariat, membership=membership)
    assert not NetworkMembership.objects.exists()
    assert AuditEntry.objects.filter(action="network_membership.delete").count() == 1


def test_twinning_create_orders_the_pair(secretariat, pair):
    lourdes, nevers = pair
    twinning = services.twinning_create(
        actor=secretariat, a=nevers, b=lourdes, kind="jumelage", since=datetime.date(2021, 6, 1)
    )
    assert (twinning.first, twinning.second) == (lourdes, nevers)
    entry = AuditEntry.objects.get(action="twinning.create")
    assert entry.actor == secretariat and entry.object_id == str(twinning.pk)


def test_twinning_with_itself_is_refused(secretariat, pair):
    with pytest.raises(ValidationFailed, match="lui-même"):
        services.twinning_create(actor=secretariat, a=pair[0], b=pair[0], kind="jumelage")
    assert not Twinning.objects.exists()


def test_duplicate_twinning_is_refused_in_either_order(secretariat, pair):
    lourdes, nevers = pair
    services.twinning_create(actor=secretariat, a=lourdes, b=nevers, kind="jumelage")
    with pytest.raises(Conflict, match="déjà"):
        services.twinning_create(actor=secretariat, a=nevers, b=lourdes, kind="jumelage")
    # Another kind between the same two territories is a different twinning.
    services.twinning_create(actor=secretariat, a=nevers, b=lourdes, kind="technologique")
    assert Twinning.objects.count() == 2


def test_twinning_unknown_kind_and_permissions(secretariat, outsider, pair):
    with pytest.raises(ValidationFailed):
        services.twinning_create(actor=secretariat, a=pair[0], b=pair[1], kind="amitié")
    with pytest.raises(PermissionDenied):
        services.twinning_create(actor=outsider, a=pair[0], b=pair[1], kind="jumelage")
    assert not Twinning.objects.exists()


def test_twinning_delete(secretariat, outsider, pair):
    twinning = services.twinning_create(actor=secretariat, a=pair[0], b=pair[1], kind="jumelage")
    with pytest.raises(PermissionDenied):
        services.twinning_delete(actor=outsider, twinning=twinning)
    services.twinning_delete(actor=secretariat, twinning=twinning)
    assert not Twinning.objects.exists()
    assert AuditEntry.objects.filter(action="twinning.delete").count() == 1


def test_territory_update(secretariat, outsider, pair):
    lourdes = pair[0]
    data = services.TerritoryUpdate(
        website="https://www.lourdes.fr",
        description="Ville du Plan Avenir Lourdes.",
        latitude=43.0981,
        longitude=-0.0583,
    )
    with pytest.raises(PermissionDenied):
        services.territory_update(actor=outsider, territory=lourdes, data=data)
    services.territory_update(actor=secretariat, territory=lourdes, data=data)
    lourdes = Territory.objects.get(pk=lourdes.pk)
    assert lourdes.website == "https://www.lourdes.fr" and lourdes.latitude == 43.0981
    entry = AuditEntry.objects.get(action="territory.update")
    assert entry.changes["website"]["after"] == "https://www.lourdes.fr"
    assert "Plan Avenir" in SearchEntry.objects.get(kind="territory", object_id=lourdes.pk).body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (services.TerritoryUpdate(website="javascript:alert(1)"), "website"),
        (services.TerritoryUpdate(latitude=95.0, longitude=0.0), "latitude"),
        (services.TerritoryUpdate(latitude=45.0), "latitude"),
        (services.TerritoryUpdate(description="x" * 5001), "description"),
    ],
)
def test_territory_update_rejects_bad_input(secretariat, pair, data, field):
    with pytest.raises(ValidationFailed) as info:
        services.territory_update(actor=secretariat, territory=pair[0], data=data)
    assert field in info.value.field_errors
    pair[0].refresh_from_db()
    assert pair[0].website == "" and pair[0].latitude is None
    assert not AuditEntry.objects.exists()
