"""Replicating a solution into a draft cooperation project: the draft is prefilled and led by the
replicating city, linked to the sheet, the source city is told, it is atomic, its state is the
project's, and who may not read the draft project does not read the replication either."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from mediane.cooperation.models import Project, ProjectStatus
from mediane.cooperation.services import project_set_status
from mediane.core.errors import ValidationFailed
from mediane.core.models import AuditEntry
from mediane.core.permissions import can
from mediane.notifications.models import Notification
from mediane.solutions import selectors, services
from mediane.solutions.models import Replication
from tests.solutions.factories import make_sheet, make_world

pytestmark = pytest.mark.django_db


def replicate(world, sheet, **kwargs):
    return services.solution_replicate(
        actor=world.lourdes_editor,
        sheet=sheet,
        organisation=world.lourdes,
        kind="project",
        **kwargs,
    )


def test_replicate_creates_a_prefilled_draft_project_led_by_the_city_linked_and_notified():
    world = make_world()
    sheet = make_sheet(world)
    replication = replicate(world, sheet)
    project = replication.project
    assert replication.kind == "project" and replication.challenge is None
    assert project is not None and project.status == ProjectStatus.DRAFT
    assert project.lead == world.lourdes
    assert project.created_by == world.lourdes_editor
    assert project.title == "Stationnement intelligent du centre-ville à Lourdes"
    assert "12 minutes" in project.goals
    # The description names the source solution and city, with the sheet's address.
    first = project.description.split("\n\n")[0]
    assert "« Stationnement intelligent du centre-ville »" in first
    assert "Ville de Nevers" in first and sheet.get_absolute_url() in first
    assert "300 capteurs" in project.description and "commerçants" in project.description
    assert "<" not in project.description  # plain text, the project page adds the paragraphs
    assert [s.slug for s in project.sectors.all()] == ["mobilite-test"]
    assert [t.slug for t in project.territories.all()] == ["lourdes"]
    assert replication.target == project and replication.status_label == "Brouillon"
    notes = Notification.objects.filter(topic="solution", verb="replicated")
    assert {n.recipient for n in notes} == {world.nevers_editor}
    assert "Ville de Lourdes" in notes.get().title
    assert AuditEntry.objects.filter(action="project.create").count() == 1
    assert AuditEntry.objects.filter(action="solution.replicate").count() == 1


def test_replication_is_atomic_when_the_project_fails(monkeypatch):
    world = make_world()
    sheet = make_sheet(world)

    def broken(**kwargs):
        raise ValidationFailed("refusé", field_errors={"title": ["refusé"]})

    monkeypatch.setattr("mediane.solutions.services.project_create", broken)
    with pytest.raises(ValidationFailed):
        replicate(world, sheet)
    assert not Replication.objects.exists() and not Project.objects.exists()
    assert not Notification.objects.filter(topic="solution").exists()
    assert not AuditEntry.objects.filter(action="solution.replicate").exists()


def test_replication_is_atomic_when_it_fails_after_the_project(monkeypatch):
    world = make_world()
    sheet = make_sheet(world)

    def broken(**kwargs):
        raise RuntimeError("notifications down")

    monkeypatch.setattr("mediane.solutions.services._notify", broken)
    with pytest.raises(RuntimeError):
        replicate(world, sheet)
    assert not Replication.objects.exists() and not Project.objects.exists()


def test_one_target_matching_the_kind():
    world = make_world()
    sheet = make_sheet(world)
    project = replicate(world, sheet).project
    with pytest.raises(IntegrityError), transaction.atomic():
        Replication.objects.create(
            solution=sheet, organisation=world.lourdes, kind="challenge", project=project
        )


def test_state_follows_the_project_and_survives_its_deletion():
    world = make_world()
    sheet = make_sheet(world)
    replication = replicate(world, sheet)
    project_set_status(actor=world.lourdes_editor, project=replication.project, to="setup")
    replication = Replication.objects.select_related("project").get(pk=replication.pk)
    assert replication.status_label == "En montage"
    replication.project.delete()
    replication.refresh_from_db()
    assert replication.project is None and replication.status_label == "Brouillon supprimé"


def test_who_may_not_read_the_draft_project_does_not_read_the_replication_details():
    world = make_world()
    sheet = make_sheet(world)
    replication = replicate(world, sheet)
    project = replication.project
    outsider = world.stranger  # an account of no organisation: not of the network

    def visible(user) -> bool:
        listed = selectors.replications_visible(user).filter(pk=replication.pk).exists()
        assert listed == can(user, "view", replication)  # selector and rule agree
        return listed

    # The draft project: read by its partners (Lourdes) and the secretariat only.
    assert can(world.lourdes_member, "view", project)
    assert not can(world.nevers_editor, "view", project)
    assert not visible(outsider) and not can(outsider, "view", project)
    assert visible(world.lourdes_member) and visible(world.secretariat)
    # Network members read that Lourdes took it up, as for a draft challenge, but not the
    # project: no link to it on the sheet, in the API.
    assert visible(world.company_admin)
    project_set_status(actor=world.lourdes_editor, project=project, to="setup")
    project.refresh_from_db()
    Project.objects.filter(pk=project.pk).update(visibility="network")
    replication.project.refresh_from_db()
    assert not visible(outsider)  # a project for the network only
    Project.objects.filter(pk=project.pk).update(visibility="public")
    replication.project.refresh_from_db()
    assert visible(outsider)


def test_replicate_page_offers_a_project_and_lands_on_it(client):
    world = make_world()
    sheet = make_sheet(world)
    client.force_login(world.lourdes_editor)
    form = client.get(f"/solutions/{sheet.slug}/reproduire/").content.decode()
    assert 'value="project"' in form and "Projet de coopération (brouillon)" in form
    response = client.post(
        f"/solutions/{sheet.slug}/reproduire/",
        {"organisation": world.lourdes.pk, "kind": "project", "title": "Capteurs à Lourdes"},
    )
    replication = Replication.objects.get()
    assert replication.project.title == "Capteurs à Lourdes"
    assert response.status_code == 302
    assert response["Location"] == replication.project.get_absolute_url()
    project_page = client.get(response["Location"]).content.decode()
    assert "Reproduit à partir de la solution" in project_page and sheet.slug in project_page
    sheet_page = client.get(sheet.get_absolute_url()).content.decode()
    assert replication.project.get_absolute_url() in sheet_page  # Lourdes reads its draft
    client.force_login(world.company_admin)
    sheet_page = client.get(sheet.get_absolute_url()).content.decode()
    assert "Ville de Lourdes" in sheet_page
    assert replication.project.get_absolute_url() not in sheet_page
    assert "Capteurs à Lourdes" not in sheet_page
    client.logout()
    assert "Ville de Lourdes" not in client.get(sheet.get_absolute_url()).content.decode()
    assert client.get(f"/api/v1/solutions/{sheet.slug}/replications").json()["count"] == 0


def test_the_project_names_its_source_solution(rf):
    from django.template import Context, Template

    world = make_world()
    sheet = make_sheet(world)
    project = replicate(world, sheet).project
    template = Template("{% load solutions %}{% solution_source project %}")

    def render(user) -> str:
        request = rf.get("/")
        request.user = user
        return template.render(Context({"request": request, "project": project}))

    html = render(world.lourdes_member)
    assert "Reproduit à partir de la solution" in html and sheet.get_absolute_url() in html
    draft = make_sheet(world, title="Une autre")
    Replication.objects.filter(project=project).update(solution=draft)
    draft.status = "draft"
    draft.save()
    assert "Reproduit" not in render(world.lourdes_member)  # a sheet Lourdes may not read
