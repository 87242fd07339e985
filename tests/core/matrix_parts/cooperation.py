"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile

from mediane.cooperation.models import (
    PartnerRole,
    PoolingProposal,
    Project,
    ProjectDocument,
    ProjectPartner,
)
from tests.core.matrix_roles import EVERYONE, NETWORK, O_EDITORS, O_MEMBERS, STAFF

SU = frozenset({"superuser"})
OTHER = frozenset({"admin_other"})
#: "create" is a class-level check: any editor or admin of some organisation (the service checks
#: that the actor edits the lead organisation).
CREATE = O_EDITORS | OTHER | STAFF


def _project_rows(view: frozenset[str], lead: frozenset[str], members: frozenset[str], editors):  # type: ignore[no-untyped-def]
    return (
        Project,
        {
            "view": view,
            "create": CREATE,
            "change": lead | STAFF,
            "workspace": members | STAFF,
            "decide": editors | STAFF,
        },
    )


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "project_draft_of_o": _project_rows(O_MEMBERS | STAFF, O_EDITORS, O_MEMBERS, O_EDITORS),
    "project_public_of_o": _project_rows(EVERYONE, O_EDITORS, O_MEMBERS, O_EDITORS),
    "project_network_of_o": _project_rows(NETWORK, O_EDITORS, O_MEMBERS, O_EDITORS),
    "project_draft_of_other_with_o_partner": _project_rows(
        O_MEMBERS | OTHER | STAFF, OTHER, O_MEMBERS | OTHER, O_EDITORS | OTHER
    ),
    "project_draft_of_other": _project_rows(OTHER | STAFF, OTHER, OTHER, OTHER),
    "project_network_of_other": _project_rows(NETWORK, OTHER, OTHER, OTHER),
    "project_document_of_o": (ProjectDocument, {"view": O_MEMBERS | STAFF}),
    "pooling_from_o_to_other": (
        PoolingProposal,
        {"view": O_MEMBERS | OTHER | STAFF, "answer": OTHER | SU},
    ),
    "pooling_from_other_to_o": (
        PoolingProposal,
        {"view": O_MEMBERS | OTHER | STAFF, "answer": O_EDITORS | SU},
    ),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    today = datetime.date(2026, 1, 5)

    def project(slug: str, status: str, visibility: str, lead: Any, partners=()) -> Project:  # type: ignore[no-untyped-def]
        p = Project.objects.create(title=slug, slug=slug, status=status, visibility=visibility)
        ProjectPartner.objects.create(
            project=p, organisation=lead, role=PartnerRole.LEAD, joined_on=today
        )
        for org in partners:
            ProjectPartner.objects.create(
                project=p, organisation=org, role=PartnerRole.PARTNER, joined_on=today
            )
        return p

    public = project("coop-public-o", "active", "public", o)
    document = ProjectDocument.objects.create(
        project=public,
        title="Convention",
        file=ContentFile(b"%PDF-1.4\n", name="convention.pdf"),
        content_type="application/pdf",
        size=9,
    )
    of_other = project("coop-network-other", "active", "network", other)
    return {
        "project_draft_of_o": project("coop-draft-o", "draft", "public", o),
        "project_public_of_o": public,
        "project_network_of_o": project("coop-network-o", "active", "network", o),
        "project_draft_of_other_with_o_partner": project(
            "coop-draft-other-o", "draft", "public", other, [o]
        ),
        "project_draft_of_other": project("coop-draft-other", "draft", "public", other),
        "project_network_of_other": of_other,
        "project_document_of_o": document,
        "pooling_from_o_to_other": PoolingProposal.objects.create(
            from_organisation=o, to_organisation=other, target_project=of_other
        ),
        "pooling_from_other_to_o": PoolingProposal.objects.create(
            from_organisation=other, to_organisation=o, target_project=public
        ),
    }
