import pytest
from django.core.exceptions import PermissionDenied

from mediane.cooperation import services
from mediane.cooperation.models import PartnerRole, ProjectStatus
from mediane.core.errors import ValidationFailed
from mediane.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_project_create_makes_a_draft_led_by_the_organisation(world):
    project = world.project(summary="Des navettes pour trois villes", goals="Réduire les voitures")
    assert project.status == ProjectStatus.DRAFT
    assert project.slug == "navettes-electriques-mutualisees"
    links = list(project.partner_links.all())
    assert [(link.organisation, link.role) for link in links] == [(world.lourdes, PartnerRole.LEAD)]
    assert project.lead == world.lourdes
    assert AuditEntry.objects.filter(action="project.create", object_id=str(project.pk)).exists()


def test_project_create_refuses_who_does_not_edit_the_lead(world):
    with pytest.raises(PermissionDenied):
        services.project_create(actor=world.lead_member, lead=world.lourdes, title="Projet")
    with pytest.raises(PermissionDenied):
        services.project_create(actor=world.partner_editor, lead=world.lourdes, title="Projet")
    with pytest.raises(PermissionDenied):
        services.project_create(actor=world.outsider, lead=world.lourdes, title="Projet")


def test_project_create_by_the_secretariat_and_slugs_are_unique(world):
    first = services.project_create(actor=world.secretariat, lead=world.nevers, title="Projet")
    second = services.project_create(actor=world.secretariat, lead=world.nevers, title="Projet")
    assert (first.slug, second.slug) == ("projet", "projet-2")


def test_project_create_needs_a_title(world):
    with pytest.raises(ValidationFailed) as error:
        services.project_create(actor=world.lead_editor, lead=world.lourdes, title="   ")
    assert "title" in error.value.field_errors


def test_long_texts_keep_their_lines_single_line_fields_do_not(world):
    project = world.project(
        title="  Deux\nlignes ", goals="Premier objectif.\r\nSecond objectif.\n\n\n\nFin\x00."
    )
    assert project.title == "Deux lignes"
    assert project.goals == "Premier objectif.\nSecond objectif.\n\nFin."
