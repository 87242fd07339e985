import io

import pytest
from django.core.exceptions import PermissionDenied
from PIL import Image

from mediane.accounts.models import Membership
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.directory import services
from mediane.directory.inputs import ExpertInput
from mediane.directory.models import Expert, Organisation
from mediane.search.models import SearchEntry
from mediane.search.selectors import search_filter_queryset
from tests.directory.factories import (
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    member_of,
    org_input,
)

pytestmark = pytest.mark.django_db


def test_create_makes_actor_admin_audits_and_indexes(user):
    territory = TerritoryFactory(name="Lourdes")
    organisation = services.organisation_create(
        actor=user,
        data=org_input(
            siret="732 829 320 00074",
            territory_id=territory.pk,
            sector_slugs=["laine-textile"],
            description="<p>Laine <script>alert(1)</script>des Pyrénées</p>",
            website="example.org",
        ),
    )
    assert organisation.slug == "laines-des-pyrenees"
    assert organisation.siren == "732829320"
    assert organisation.website == "https://example.org"
    assert "script" not in organisation.description
    assert [s.slug for s in organisation.sectors.all()] == ["laine-textile"]
    assert Membership.objects.get(user=user, organisation=organisation).role == "admin"
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.actor == user and entry.object_id == str(organisation.pk)
    assert SearchEntry.objects.filter(kind="organisation", object_id=organisation.pk).exists()
    found = search_filter_queryset(Organisation.objects.all(), query="laine", kind="organisation")
    assert list(found) == [organisation]


def test_secretariat_does_not_become_member_unless_asked(secretariat):
    first = services.organisation_create(actor=secretariat, data=org_input(name="A"))
    second = services.organisation_create(
        actor=secretariat, data=org_input(name="B"), make_admin=True
    )
    assert not Membership.objects.filter(organisation=first).exists()
    assert Membership.objects.filter(organisation=second, role="admin").exists()


def test_anonymous_cannot_create(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=AnonymousUser(), data=org_input())
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"siret": "73282932000075"}, "siret"),
        ({"country": "QC", "siren": "732829320"}, "siren"),
        ({"country": "QC", "neq": "5512345678"}, "neq"),
        ({"neq": "1143563412"}, "neq"),
        ({"kind": "zzz"}, "kind"),
        ({"name": "  "}, "name"),
        ({"latitude": 200, "longitude": 3}, "latitude"),
        ({"contact_email": "pas-une-adresse"}, "contact_email"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"sector_slugs": ["inconnu"]}, "sectors"),
        ({"visibility": "secret"}, "visibility"),
        ({"territory_id": 999_999}, "territory"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_saved(user, changes, field):
    with pytest.raises(ValidationFailed) as error:
        services.organisation_create(actor=user, data=org_input(**changes))
    assert field in error.value.field_errors
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not SearchEntry.objects.exists()


def test_territory_must_be_in_the_same_country(user):
    quebec = TerritoryFactory(country="QC")
    with pytest.raises(ValidationFailed) as error:
        services.organisation_create(actor=user, data=org_input(territory_id=quebec.pk))
    assert "territory" in error.value.field_errors


def test_duplicate_siret_is_a_conflict(user):
    services.organisation_create(actor=user, data=org_input(siret="73282932000074"))
    with pytest.raises(Conflict) as error:
        services.organisation_create(
            actor=user, data=org_input(name="Autre", siret="73282932000074")
        )
    assert "siret" in error.value.field_errors
    assert Organisation.objects.count() == 1


def test_failure_after_writes_rolls_everything_back(user, monkeypatch):
    def boom(doc):
        raise RuntimeError("index down")

    monkeypatch.setattr(services, "index_document", boom)
    with pytest.raises(RuntimeError):
        services.organisation_create(actor=user, data=org_input())
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEntry.objects.exists()


def test_slugs_are_unique_and_avoid_page_names(secretariat):
    a = services.organisation_create(actor=secretariat, data=org_input(name="Experts"))
    b = services.organisation_create(actor=secretariat, data=org_input(name="Experts"))
    assert a.slug == "experts-1"
    assert b.slug == "experts-1-2"


def test_update_requires_editor_and_reindexes(user):
    organisation = services.organisation_create(actor=user, data=org_input())
    outsider = UserFactory()
    member = member_of(organisation, "member")
    editor = member_of(organisation, "editor")
    data = org_input(name="Tissage de Lourdes")
    for actor in (outsider, member):
        with pytest.raises(PermissionDenied):
            services.organisation_update(actor=actor, organisation=organisation, data=data)
    services.organisation_update(actor=editor, organisation=organisation, data=data)
    organisation.refresh_from_db()
    assert organisation.name == "Tissage de Lourdes"
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.changes["name"] == ["Laines des Pyrénées", "Tissage de Lourdes"]
    assert SearchEntry.objects.get(kind="organisation", object_id=organisation.pk).title == (
        "Tissage de Lourdes"
    )


def test_partial_update_through_from_organisation(user):
    from mediane.directory.inputs import OrganisationInput

    organisation = services.organisation_create(
        actor=user, data=org_input(sector_slugs=["sport", "sante"], summary="Accroche")
    )
    data = OrganisationInput.from_organisation(organisation).replace(visibility="network")
    services.organisation_update(actor=user, organisation=organisation, data=data)
    organisation.refresh_from_db()
    assert organisation.visibility == "network"
    assert organisation.summary == "Accroche"
    assert sorted(s.slug for s in organisation.sectors.all()) == ["sante", "sport"]


def test_delete_requires_admin_and_removes_search_entry(user):
    organisation = services.organisation_create(actor=user, data=org_input())
    editor = member_of(organisation, "editor")
    with pytest.raises(PermissionDenied):
        services.organisation_delete(actor=editor, organisation=organisation)
    pk = organisation.pk
    services.organisation_delete(actor=user, organisation=organisation)
    assert not Organisation.objects.filter(pk=pk).exists()
    assert not SearchEntry.objects.filter(kind="organisation", object_id=pk).exists()
    assert AuditEntry.objects.filter(action="organisation.delete", object_id=str(pk)).exists()


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "blue").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_set_logo_stores_reencoded_file_and_refuses_bad_content(user):
    organisation = services.organisation_create(actor=user, data=org_input())
    services.organisation_set_logo(actor=user, organisation=organisation, file=_png())
    organisation.refresh_from_db()
    assert organisation.logo.name.endswith(".webp")
    before = organisation.logo.name
    with pytest.raises(ValidationFailed):
        services.organisation_set_logo(
            actor=user, organisation=organisation, file=io.BytesIO(b"<svg onload=alert(1)>")
        )
    organisation.refresh_from_db()
    assert organisation.logo.name == before
    with pytest.raises(PermissionDenied):
        services.organisation_set_logo(actor=UserFactory(), organisation=organisation, file=_png())


def test_expert_create_update_delete(user):
    organisation = OrganisationFactory()
    expert = services.expert_create(
        actor=user,
        data=ExpertInput(
            name="Camille Martin",
            skills=["Données ouvertes", "IA"],
            languages=["fr", "en"],
            user_id=user.pk,
            bio="<p>Bio<script>x</script></p>",
        ),
    )
    assert expert.user == user
    assert sorted(s.name for s in expert.skills.all()) == ["Données ouvertes", "IA"]
    assert expert.languages == "fr,en"
    assert "script" not in expert.bio
    assert SearchEntry.objects.filter(kind="expert", object_id=expert.pk).exists()
    with pytest.raises(PermissionDenied):  # not an editor of that organisation
        services.expert_update(
            actor=user,
            expert=expert,
            data=ExpertInput(name="Camille", organisation_id=organisation.pk),
        )
    services.expert_update(
        actor=user, expert=expert, data=ExpertInput(name="Camille M.", skills=["IA"])
    )
    expert.refresh_from_db()
    assert expert.name == "Camille M."
    with pytest.raises(PermissionDenied):
        services.expert_delete(actor=UserFactory(), expert=expert)
    services.expert_delete(actor=user, expert=expert)
    assert not Expert.objects.exists()
    assert not SearchEntry.objects.filter(kind="expert").exists()


def test_expert_for_someone_else_is_refused(user):
    other = UserFactory()
    with pytest.raises(ValidationFailed):
        services.expert_create(actor=user, data=ExpertInput(name="X", user_id=other.pk))
    with pytest.raises(ValidationFailed) as error:
        services.expert_create(actor=user, data=ExpertInput(name="X", languages=["xx"]))
    assert "languages" in error.value.field_errors
