"""API of cooperation: projects (list, one project) and similar needs.

Reads go through `mediane.cooperation.selectors`, as the pages and the exports: anonymous callers
see public projects past their draft; a token adds network projects and the projects of the
owner's organisations. A project's workspace (budget shares, decisions, tasks) is only given to
members of its partner organisations and the secretariat; others get the public fields.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.cooperation import selectors
from mediane.cooperation.models import PartnerRole, Project, ProjectStatus
from mediane.core.errors import ValidationFailed
from mediane.core.models import choice_label
from mediane.core.permissions import can

router = Router(tags=["Projets"])


def _absolute(path: str) -> str:
    return settings.SITE_URL + path if path else ""


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


class RefOut(Schema):
    slug: str
    name: str


class PartnerOut(Schema):
    slug: str
    name: str
    country: str
    role: str = Field(description="lead (chef de file) ou partner (partenaire).")
    joined_on: date


class MilestoneOut(Schema):
    title: str
    due_on: date
    done: bool


class PhaseOut(Schema):
    title: str
    starts_on: date | None
    ends_on: date | None
    milestones: list[MilestoneOut]


class ProjectOut(Schema):
    slug: str
    title: str
    summary: str
    status: str = Field(description="draft, setup, active, suspended, completed, abandoned.")
    status_label: str
    visibility: str = Field(description="public ou network (membres du réseau).")
    partners: list[PartnerOut]
    sectors: list[RefOut]
    budget_total: Decimal | None = Field(description="Dans la devise du projet.")
    currency: str
    is_demo: bool
    created_at: datetime
    url: str

    @staticmethod
    def resolve_status_label(obj: Project) -> str:
        return choice_label(ProjectStatus, obj.status)

    @staticmethod
    def resolve_partners(obj: Project) -> list[dict[str, Any]]:
        links = sorted(obj.partner_links.all(), key=lambda link: link.role != PartnerRole.LEAD)  # type: ignore[attr-defined]
        return [
            {
                "slug": link.organisation.slug,
                "name": link.organisation.name,
                "country": link.organisation.country,
                "role": link.role,
                "joined_on": link.joined_on,
            }
            for link in links
        ]

    @staticmethod
    def resolve_sectors(obj: Project) -> list[dict[str, str]]:
        return [{"slug": s.slug, "name": s.name} for s in obj.sectors.all()]

    @staticmethod
    def resolve_url(obj: Project) -> str:
        return _absolute(obj.get_absolute_url())


class ShareOut(Schema):
    organisation: RefOut
    amount: Decimal
    currency: str
    rate: Decimal = Field(description="Taux vers la devise du projet.")
    rate_date: date
    converted: Decimal = Field(description="Montant dans la devise du projet.")


class DecisionOut(Schema):
    decided_on: date
    decision: str
    made_by: str
    context: str


class TaskOut(Schema):
    title: str
    owner: str | None
    due_on: date | None
    done: bool


class WorkspaceOut(Schema):
    budget_shares: list[ShareOut]
    budget_gap: Decimal | None = Field(description="Total moins les parts converties.")
    decisions: list[DecisionOut]
    tasks: list[TaskOut]
    threads: int = Field(description="Nombre de discussions.")
    documents: int = Field(description="Nombre de documents.")


class ProjectDetailOut(ProjectOut):
    goals: str
    description: str
    territories: list[RefOut]
    phases: list[PhaseOut]
    workspace: WorkspaceOut | None = Field(
        description="Réservé aux membres des organisations partenaires et au secrétariat."
    )

    @staticmethod
    def resolve_territories(obj: Project) -> list[dict[str, str]]:
        return [{"slug": t.slug, "name": t.name} for t in obj.territories.all()]

    @staticmethod
    def resolve_phases(obj: Project) -> list[dict[str, Any]]:
        return [
            {
                "title": p.title,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "milestones": [
                    {"title": m.title, "due_on": m.due_on, "done": m.done}
                    for m in p.milestones.all()
                ],
            }
            for p in obj.phases.all()  # type: ignore[attr-defined]
        ]

    @staticmethod
    def resolve_workspace(obj: Project) -> dict[str, Any] | None:
        return getattr(obj, "_api_workspace", None)


class ProjectListIn(PageIn):
    q: str = Field("", max_length=200, description="Texte recherché.")
    status: str = Field("", max_length=200, description="États : setup, active, completed…")
    sector: str = Field("", max_length=300, description="Identifiants de secteurs.")
    country: str = Field("", max_length=20, description="Pays des partenaires : FR, QC.")
    partner: str = Field("", max_length=220, description="Identifiant d'une organisation.")


class ProjectListOut(PageOut):
    results: list[ProjectOut]


def _filters(params: ProjectListIn) -> selectors.ProjectFilters:
    """API parameters → the list's filters; unknown values are a 422 (never a wider answer)."""
    statuses, countries = _split(params.status), [c.upper() for c in _split(params.country)]
    errors: dict[str, list[str]] = {}
    unknown = [s for s in statuses if s not in ProjectStatus.values]
    if unknown:
        errors["status"] = [_("État inconnu : %(values)s.") % {"values": ", ".join(unknown)}]
    unknown = [c for c in countries if c not in ("FR", "QC")]
    if unknown:
        errors["country"] = [
            _("Pays inconnu (FR ou QC) : %(values)s.") % {"values": ", ".join(unknown)}
        ]
    if errors:
        raise ValidationFailed(_("Paramètres invalides."), field_errors=errors)
    return selectors.ProjectFilters(
        statuses=tuple(statuses),
        sectors=tuple(_split(params.sector)),
        countries=tuple(countries),
        partner=params.partner.strip(),
        query=params.q.strip(),
    )


@router.get(
    "/projects",
    response={200: ProjectListOut, **error_responses(*READ_ERRORS)},
    operation_id="projects_list",
    summary="Lister les projets mutualisés",
    description=(
        "Les projets co-construits par des villes et des organisations du réseau, filtrés par "
        "texte, état, secteur, pays des partenaires et partenaire ; paginés, les plus récents "
        "d'abord. Sans jeton : les projets publics sortis du brouillon ; avec un jeton, aussi "
        "ceux réservés au réseau et ceux des organisations du propriétaire du jeton."
    ),
)
def projects_list(request, filters: Query[ProjectListIn]):  # type: ignore[no-untyped-def]
    user = request_user(request)
    limit, offset = filters.window()
    qs = selectors.projects_list_for(user, _filters(filters))
    return page(
        count=qs.count(), limit=limit, offset=offset, results=list(qs[offset : offset + limit])
    )


@router.get(
    "/projects/{slug}",
    response={200: ProjectDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="project_get",
    summary="Consulter un projet mutualisé",
    description=(
        "Un projet lisible par l'appelant : partenaires, objectifs, phases et jalons, budget "
        "total. Les membres des organisations partenaires (et le secrétariat) reçoivent aussi "
        "l'espace de travail : parts du budget avec leurs taux, décisions, tâches. 404 s'il "
        "n'existe pas ou n'est pas visible."
    ),
)
def project_get(request, slug: str):  # type: ignore[no-untyped-def]
    user = request_user(request)
    project = selectors.project_get_for(user, slug=slug)
    if can(user, "workspace", project):
        budget = selectors.budget_summary(project)
        project._api_workspace = {  # type: ignore[attr-defined]
            "budget_shares": [
                {
                    "organisation": {"slug": s.organisation.slug, "name": s.organisation.name},
                    "amount": s.amount,
                    "currency": s.currency,
                    "rate": s.rate,
                    "rate_date": s.rate_date,
                    "converted": s.converted,
                }
                for s in budget.shares
            ],
            "budget_gap": budget.gap,
            "decisions": [
                {
                    "decided_on": d.decided_on,
                    "decision": d.decision,
                    "made_by": d.made_by,
                    "context": d.context,
                }
                for d in selectors.decisions_for(user, project)
            ],
            "tasks": [
                {
                    "title": t.title,
                    "owner": str(t.owner) if t.owner else None,
                    "due_on": t.due_on,
                    "done": t.done,
                }
                for t in selectors.tasks_for(user, project)
            ],
            "threads": selectors.threads_for(user, project).count(),
            "documents": selectors.documents_for(user, project).count(),
        }
    return project


class SimilarNeedsIn(Schema):
    title: str = Field("", max_length=300, description="Titre du besoin en cours de rédaction.")
    text: str = Field("", max_length=5000, description="Description du besoin.")
    sector: str = Field("", max_length=300, description="Identifiants de secteurs.")
    exclude_organisation: str = Field(
        "", max_length=220, description="Identifiant de l'organisation qui rédige (exclue)."
    )
    limit: int = Field(6, ge=1, le=20)


class NeedOut(Schema):
    kind: str = Field(description="challenge (défi) ou project (projet).")
    id: int
    title: str
    organisation: str
    country: str
    url: str
    score: float = Field(description="Similarité, de 0 à 1.")
    shared_terms: list[str]
    shared_sectors: list[str]


@router.get(
    "/similar-needs",
    response={200: list[NeedOut], **error_responses(*READ_ERRORS)},
    operation_id="similar_needs",
    summary="Besoins similaires d'autres villes",
    description=(
        "Défis et projets d'autres organisations, lisibles par l'appelant, semblables à un "
        "besoin en cours de rédaction (texte et secteurs), avec les termes et secteurs communs."
    ),
)
def similar_needs(request, params: Query[SimilarNeedsIn]):  # type: ignore[no-untyped-def]
    from mediane.directory.models import Organisation

    # A NUL byte cannot be stored nor compared by PostgreSQL: it means nothing in these texts.
    title, text, sector, excluded = (
        value.replace("\x00", "")
        for value in (params.title, params.text, params.sector, params.exclude_organisation)
    )
    exclude = None
    if excluded.strip():
        org = Organisation.objects.filter(slug=excluded.strip()).first()
        exclude = org.pk if org is not None else None
    matches = selectors.similar_needs(
        request_user(request),
        title=title,
        text=text,
        sectors=tuple(_split(sector)),
        exclude_organisation=exclude,
        limit=params.limit,
    )
    return [
        {
            "kind": m.need.kind,
            "id": m.need.id,
            "title": m.need.title,
            "organisation": m.need.organisation_name,
            "country": m.need.country,
            "url": _absolute(m.need.url),
            "score": m.score,
            "shared_terms": list(m.shared_terms),
            "shared_sectors": list(m.shared_sectors),
        }
        for m in matches
    ]
