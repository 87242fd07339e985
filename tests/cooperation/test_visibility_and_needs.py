import pytest
from django.core.exceptions import PermissionDenied

from mediane.cooperation import selectors, services
from mediane.cooperation.models import ProposalStatus
from mediane.core.errors import Conflict, NotFound
from mediane.directory.models import Sector
from mediane.market import services as market
from mediane.notifications.models import Notification
from tests.market.factories import NOW, challenge_input

pytestmark = pytest.mark.django_db


def _challenge(world, editor, org, *, publish=True, **changes):
    challenge = market.challenge_create(
        actor=editor, lead_issuer=org, data=challenge_input(**changes), now=NOW
    )
    if publish:
        market.challenge_submit(actor=editor, challenge=challenge, now=NOW)
        market.challenge_publish(actor=world.secretariat, challenge=challenge, now=NOW)
    return challenge


def _slugs(user):
    return set(selectors.projects_list_for(user).values_list("slug", flat=True))


def test_a_partner_sees_the_workspace_others_the_public_page_only(world):
    project = world.project()
    services.partner_add(actor=world.lead_editor, project=project, organisation=world.nevers)
    # A draft: partners and the secretariat only.
    assert project.slug in _slugs(world.partner_member)
    assert project.slug not in _slugs(world.quebec_editor)
    assert project.slug not in _slugs(world.outsider)
    with pytest.raises(NotFound):
        selectors.project_get_for(world.quebec_editor, slug=project.slug)
    services.project_set_status(actor=world.lead_editor, project=project, to="setup")
    # Proposed: everyone reads the public page, only partners the workspace.
    from django.contrib.auth.models import AnonymousUser

    for user in (world.quebec_editor, world.outsider, AnonymousUser()):
        assert selectors.project_get_for(user, slug=project.slug) == project
        with pytest.raises(PermissionDenied):
            selectors.workspace_get_for(user, slug=project.slug)
    for user in (world.partner_member, world.lead_member, world.secretariat):
        assert selectors.workspace_get_for(user, slug=project.slug) == project
        assert list(selectors.threads_for(user, project)) == []
    with pytest.raises(PermissionDenied):
        selectors.tasks_for(world.quebec_editor, project)


def test_network_projects_are_hidden_from_visitors_outside_the_network(world):
    project = world.project(visibility="network")
    services.project_set_status(actor=world.lead_editor, project=project, to="setup")
    assert project.slug in _slugs(world.quebec_editor)
    assert project.slug not in _slugs(world.outsider)
    from django.contrib.auth.models import AnonymousUser

    assert project.slug not in _slugs(AnonymousUser())


def test_list_filters(world):
    sector = Sector.objects.get(slug="mobilite")
    a = world.project(title="Navettes", sectors=[sector])
    services.partner_add(actor=world.lead_editor, project=a, organisation=world.shawinigan)
    b = world.project(title="Compost")
    for p in (a, b):
        services.project_set_status(actor=world.lead_editor, project=p, to="setup")
    F = selectors.ProjectFilters
    assert [
        p.slug for p in selectors.projects_list_for(world.outsider, F(sectors=("mobilite",)))
    ] == [a.slug]
    assert [p.slug for p in selectors.projects_list_for(world.outsider, F(countries=("QC",)))] == [
        a.slug
    ]
    assert [
        p.slug for p in selectors.projects_list_for(world.outsider, F(partner="shawinigan"))
    ] == [a.slug]
    assert [p.slug for p in selectors.projects_list_for(world.outsider, F(query="compost"))] == [
        b.slug
    ]
    assert selectors.projects_list_for(world.outsider, F(statuses=("active",))).count() == 0


def test_similar_needs_of_other_cities_with_reasons(world):
    sector = Sector.objects.get(slug="mobilite")
    waste = Sector.objects.get(slug="environnement")
    shuttle = _challenge(
        world,
        world.partner_editor,
        world.nevers,
        title="Navettes électriques vers la gare",
        problem="<p>Relier la gare au centre-ville par des navettes électriques.</p>",
        sectors=[sector.slug],
    )
    _challenge(
        world,
        world.partner_editor,
        world.nevers,
        title="Compostage des biodéchets",
        problem="<p>Collecte des déchets verts.</p>",
        sectors=[waste.slug],
    )
    hidden = _challenge(
        world,
        world.partner_editor,
        world.nevers,
        publish=False,
        title="Navettes électriques brouillon",
        problem="<p>Navettes électriques gare</p>",
    )
    own = world.project(title="Navettes électriques pour les pèlerins", sectors=[sector])
    quebec = services.project_create(
        actor=world.quebec_editor,
        lead=world.shawinigan,
        title="Navettes électriques hivernales",
        summary="Des navettes électriques en hiver",
        sectors=[sector],
    )
    services.project_set_status(actor=world.quebec_editor, project=quebec, to="setup")

    matches = selectors.similar_needs(
        world.lead_editor,
        title="Navette électrique",
        text="relier la gare",
        sectors=("mobilite",),
        exclude_organisation=world.lourdes.pk,
    )
    keys = [m.need.key for m in matches]
    assert keys[0] == ("challenge", shuttle.pk)  # text and sector
    assert ("project", quebec.pk) in keys
    assert ("project", own.pk) not in keys  # own city's need
    assert ("challenge", hidden.pk) not in keys  # another city's draft is not visible
    assert all(m.need.title != "Compostage des biodéchets" for m in matches)
    best = matches[0]
    assert "gare" in best.shared_terms and "Mobilité" in best.shared_sectors
    # Nothing typed: nothing proposed.
    assert selectors.similar_needs(world.lead_editor, text="  ") == []


def test_need_groups_gather_cities(world):
    sector = Sector.objects.get(slug="mobilite")
    _challenge(
        world,
        world.partner_editor,
        world.nevers,
        title="Navettes électriques vers la gare",
        problem="<p>Relier la gare au centre par des navettes électriques.</p>",
        sectors=[sector.slug],
    )
    quebec = services.project_create(
        actor=world.quebec_editor,
        lead=world.shawinigan,
        title="Navettes électriques vers la gare",
        summary="Navettes électriques",
        sectors=[sector],
    )
    services.project_set_status(actor=world.quebec_editor, project=quebec, to="setup")
    services.project_create(actor=world.lead_editor, lead=world.lourdes, title="Jardins partagés")
    groups = selectors.need_groups(world.lead_editor)
    assert len(groups) == 1
    assert set(groups[0].organisations) == {"Nevers", "Shawinigan"}
    assert "navettes" in " ".join(groups[0].shared_terms)


def test_pooling_proposal_accepted_makes_the_proposer_a_partner(world):
    target = services.project_create(
        actor=world.quebec_editor, lead=world.shawinigan, title="Navettes hivernales"
    )
    services.project_set_status(actor=world.quebec_editor, project=target, to="setup")
    with pytest.raises(PermissionDenied):
        services.pooling_propose(
            actor=world.lead_member, from_organisation=world.lourdes, target=target
        )
    proposal = services.pooling_propose(
        actor=world.lead_editor,
        from_organisation=world.lourdes,
        target=target,
        message="Nous avons le même besoin.",
    )
    assert proposal.to_organisation == world.shawinigan
    assert Notification.objects.filter(
        recipient=world.quebec_editor, verb="pooling_proposed", topic="project"
    ).exists()
    with pytest.raises(Conflict):
        services.pooling_propose(
            actor=world.lead_editor, from_organisation=world.lourdes, target=target
        )
    with pytest.raises(PermissionDenied):
        services.pooling_accept(actor=world.lead_editor, proposal=proposal)
    services.pooling_accept(actor=world.quebec_editor, proposal=proposal)
    assert proposal.status == ProposalStatus.ACCEPTED
    assert target.partner_links.filter(organisation=world.lourdes).exists()
    assert Notification.objects.filter(
        recipient=world.lead_editor, verb="pooling_accepted"
    ).exists()
    with pytest.raises(Conflict):
        services.pooling_decline(actor=world.quebec_editor, proposal=proposal)


def test_pooling_a_challenge_with_a_source_project_declined(world):
    challenge = _challenge(world, world.partner_editor, world.nevers, title="Navettes")
    source = world.project(title="Navettes de Lourdes")
    proposal = services.pooling_propose(
        actor=world.lead_editor,
        from_organisation=world.lourdes,
        target=challenge,
        source_project=source,
    )
    assert proposal.to_organisation == world.nevers
    visible = selectors.proposals_for(world.partner_editor)
    assert [p.pk for p in visible["received"]] == [proposal.pk]
    assert selectors.proposals_for(world.quebec_editor) == {"received": [], "sent": []}
    services.pooling_decline(actor=world.partner_editor, proposal=proposal)
    assert not source.partner_links.filter(organisation=world.nevers).exists()
    # Accepting another one makes Nevers a partner of the source project.
    again = services.pooling_propose(
        actor=world.lead_editor,
        from_organisation=world.lourdes,
        target=challenge,
        source_project=source,
    )
    services.pooling_accept(actor=world.partner_editor, proposal=again)
    assert source.partner_links.filter(organisation=world.nevers).exists()
