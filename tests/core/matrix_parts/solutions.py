"""Permission-matrix rows of solutions (mediane/solutions/rules.py): sheets of O at each
visibility and a draft, O as the city that records them, and replications by the other
organisation of O's public sheet — into a draft challenge and into a published one, into a draft
project, a project in set-up for the network only and a public one."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mediane.cooperation.models import PartnerRole, Project, ProjectPartner
from mediane.directory.models import Organisation
from mediane.market.models import Challenge, ChallengeIssuer, IssuerRole
from mediane.solutions.models import Replication, SolutionSheet
from tests.core.matrix_roles import (
    EVERYONE,
    NETWORK,
    O_EDITORS,
    O_MEMBERS,
    STAFF,
)

#: Editors and admins of another organisation (and the secretariat) may replicate a sheet of O.
REPLICATORS = frozenset({"admin_other"}) | STAFF


def _sheet_row(view: frozenset[str], replicate: frozenset[str]) -> dict[str, frozenset[str]]:
    return {
        "view": view,
        "change": O_EDITORS | STAFF,
        "delete": O_EDITORS | STAFF,
        "replicate": replicate,
    }


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "solution_public_of_o": (SolutionSheet, _sheet_row(EVERYONE, REPLICATORS)),
    "solution_network_of_o": (SolutionSheet, _sheet_row(NETWORK, REPLICATORS)),
    # A private sheet is read by O's people only: nobody outside O can replicate it.
    "solution_private_of_o": (SolutionSheet, _sheet_row(O_MEMBERS | STAFF, STAFF)),
    # A draft is O's (and the secretariat's) until it is published; nobody replicates it.
    "solution_draft_of_o": (SolutionSheet, _sheet_row(O_MEMBERS | STAFF, frozenset({"superuser"}))),
    "organisation_for_solutions": (
        Organisation,
        {"create_solution": O_EDITORS | STAFF},
    ),
    # The other organisation replicated O's public sheet: a draft challenge is news for the
    # network only; the other organisation's admin writes how it goes.
    "replication_draft_by_other": (
        Replication,
        {"view": NETWORK, "change": frozenset({"admin_other"}) | STAFF},
    ),
    # Once the challenge is public, whoever reads the sheet sees the replication.
    "replication_public_by_other": (
        Replication,
        {"view": EVERYONE, "change": frozenset({"admin_other"}) | STAFF},
    ),
    # The same for a project: whoever may not read the draft project (outside the network)
    # does not read the replication; a project's page for the network keeps it there.
    "replication_project_draft_by_other": (
        Replication,
        {"view": NETWORK, "change": frozenset({"admin_other"}) | STAFF},
    ),
    "replication_project_network_by_other": (
        Replication,
        {"view": NETWORK, "change": frozenset({"admin_other"}) | STAFF},
    ),
    "replication_project_public_by_other": (
        Replication,
        {"view": EVERYONE, "change": frozenset({"admin_other"}) | STAFF},
    ),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()

    def sheet(visibility: str, status: str = "published") -> SolutionSheet:
        return SolutionSheet.objects.create(
            organisation=o,
            slug=f"solution-{visibility}-{status}",
            title=f"Solution {visibility} {status}",
            problem="p",
            solution="s",
            visibility=visibility,
            status=status,
            published_at=now if status == "published" else None,
        )

    public = sheet("public")

    def challenge(status: str) -> Challenge:
        made = Challenge.objects.create(
            title=f"Reproduction {status}",
            slug=f"reproduction-{status}",
            problem="p",
            status=status,
        )
        ChallengeIssuer.objects.create(challenge=made, organisation=other, role=IssuerRole.LEAD)
        return made

    def replication(status: str) -> Replication:
        return Replication.objects.create(
            solution=public, organisation=other, kind="challenge", challenge=challenge(status)
        )

    def project(status: str, visibility: str) -> Replication:
        made = Project.objects.create(
            title=f"Projet {status} {visibility}",
            slug=f"projet-{status}-{visibility}",
            status=status,
            visibility=visibility,
        )
        ProjectPartner.objects.create(
            project=made, organisation=other, role=PartnerRole.LEAD, joined_on=now.date()
        )
        return Replication.objects.create(
            solution=public, organisation=other, kind="project", project=made
        )

    return {
        "solution_public_of_o": public,
        "solution_network_of_o": sheet("network"),
        "solution_private_of_o": sheet("private"),
        "solution_draft_of_o": sheet("public", "draft"),
        "organisation_for_solutions": Organisation.objects.get(pk=o.pk),
        "replication_draft_by_other": replication("draft"),
        "replication_public_by_other": replication("open"),
        "replication_project_draft_by_other": project("draft", "public"),
        "replication_project_network_by_other": project("setup", "network"),
        "replication_project_public_by_other": project("active", "public"),
    }
