"""Every permission-aware read of cooperation: the page, the htmx fragments, the API and the
exports call these, so they see the same rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from mediane.accounts.models import User
from mediane.cooperation import needs_index
from mediane.cooperation.models import (
    BudgetShare,
    PoolingProposal,
    Project,
    ProjectPartner,
    ProjectStatus,
    ProposalStatus,
    Thread,
)
from mediane.cooperation.rules import partner_ids
from mediane.cooperation.similarity import Corpus, Group, Match, Need, group_needs
from mediane.core.errors import NotFound
from mediane.core.permissions import (
    can,
    has_role,
    is_authenticated,
    is_network_member,
    is_secretariat,
    user_roles,
)
from mediane.directory.models import Organisation
from mediane.directory.sanitize import clean_text, html_to_text
from mediane.search.selectors import search_filter_queryset


class ProjectNotFound(NotFound, Http404):
    pass


class ProposalNotFound(NotFound, Http404):
    pass


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Projet introuvable.")


def projects_visible_q(user: Any) -> Q:
    """Projects whose public page `user` may read (see `rules.project_view`)."""
    if is_secretariat(user):
        return Q()
    q = ~Q(status=ProjectStatus.DRAFT) & Q(visibility="public")
    if is_network_member(user):
        q |= ~Q(status=ProjectStatus.DRAFT) & Q(visibility="network")
    own = list(user_roles(user))
    if own:
        q |= Q(pk__in=ProjectPartner.objects.filter(organisation_id__in=own).values("project_id"))
    return q


def _project_qs() -> QuerySet[Project]:
    return Project.objects.prefetch_related(
        Prefetch(
            "partner_links",
            queryset=ProjectPartner.objects.select_related("organisation__territory"),
        ),
        "sectors",
        Prefetch("budget_shares", queryset=BudgetShare.objects.select_related("organisation")),
    )


@dataclass(frozen=True)
class ProjectFilters:
    """Filters of the project list; unknown values are ignored."""

    statuses: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # sector slugs
    countries: tuple[str, ...] = ()  # partners' countries
    partner: str = ""  # a partner organisation's slug
    query: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ProjectFilters:
        def values(name: str) -> tuple[str, ...]:
            raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
            raw = [raw] if isinstance(raw, str) else list(raw)
            return tuple(dict.fromkeys(clean_text(v)[:100] for v in raw if clean_text(v)))[:50]

        return cls(
            statuses=tuple(v for v in values("status") if v in ProjectStatus.values),
            sectors=values("sector"),
            countries=tuple(v.upper() for v in values("country") if v.upper() in ("FR", "QC")),
            partner=clean_text(params.get("partner") or "")[:220],
            query=clean_text(params.get("q") or "")[:200],
        )


def projects_list_for(user: Any, filters: ProjectFilters | None = None) -> QuerySet[Project]:
    """Projects visible to `user`, filtered, newest first (partners, sectors, shares prefetched)."""
    filters = filters or ProjectFilters()
    qs = _project_qs().filter(projects_visible_q(user))
    narrowed = False
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.sectors:
        qs, narrowed = qs.filter(sectors__slug__in=filters.sectors), True
    if filters.countries:
        qs, narrowed = qs.filter(partner_links__organisation__country__in=filters.countries), True
    if filters.partner:
        qs, narrowed = qs.filter(partner_links__organisation__slug=filters.partner), True
    if narrowed:
        qs = qs.filter(pk__in=qs.values("pk"))  # one row per project
    if filters.query:
        # Drafts are never indexed; network projects are filtered by projects_visible_q.
        qs = search_filter_queryset(qs, query=filters.query, kind="project")
        return qs.order_by("-search_rank", "-created_at", "-pk")  # type: ignore[misc]
    return qs.order_by("-created_at", "-pk")


def project_get_for(user: Any, *, slug: str) -> Project:
    """One project whose public page `user` may read."""
    qs = _project_qs().prefetch_related("territories", "phases__milestones")
    try:
        project = qs.get(slug=slug)
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise ProjectNotFound(_not_found()) from exc
    if not can(user, "view", project):
        raise ProjectNotFound(_not_found())
    return project


def workspace_get_for(user: Any, *, slug: str) -> Project:
    """One project whose workspace `user` may read (partners' members, secretariat)."""
    project = project_get_for(user, slug=slug)
    if not can(user, "workspace", project):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("workspace")
    return project


def partner_organisations_for(user: Any) -> QuerySet[Organisation]:
    """Organisations `user` may lead a project for (editor or admin; all for the secretariat)."""
    if is_secretariat(user):
        return Organisation.objects.order_by("name")
    editable = [pk for pk in user_roles(user) if has_role(user, pk, "editor")]
    return Organisation.objects.filter(pk__in=editable).order_by("name")


def candidate_partners(user: Any, project: Project) -> QuerySet[Organisation]:
    """Organisations the lead's editors may add: visible ones not yet partners."""
    from mediane.core.permissions import visible_q

    if not can(user, "change", project):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(visible_q(user))
        .exclude(pk__in=partner_ids(project))
        .select_related("territory")
        .order_by("country", "name")
    )


# --- Workspace --------------------------------------------------------------------------------


def _require_workspace(user: Any, project: Project) -> None:
    if not can(user, "workspace", project):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("workspace")


def threads_for(user: Any, project: Project) -> QuerySet[Thread]:
    _require_workspace(user, project)
    return project.threads.select_related("created_by").prefetch_related("messages__author")  # type: ignore[attr-defined]


def thread_get_for(user: Any, project: Project, pk: int) -> Thread:
    try:
        return threads_for(user, project).get(pk=pk)
    except (Thread.DoesNotExist, ValueError, TypeError) as exc:
        raise ProjectNotFound(_not_found()) from exc


def tasks_for(user: Any, project: Project):  # type: ignore[no-untyped-def]
    _require_workspace(user, project)
    return project.tasks.select_related("owner")  # type: ignore[attr-defined]


def decisions_for(user: Any, project: Project):  # type: ignore[no-untyped-def]
    _require_workspace(user, project)
    return project.decisions.select_related("recorded_by")  # type: ignore[attr-defined]


def documents_for(user: Any, project: Project):  # type: ignore[no-untyped-def]
    _require_workspace(user, project)
    return project.documents.select_related("uploaded_by")  # type: ignore[attr-defined]


def task_owners_for(user: Any, project: Project) -> QuerySet[User]:
    """Who may own a task: active members of the partner organisations."""
    _require_workspace(user, project)
    return (
        User.objects.filter(is_active=True, memberships__organisation_id__in=partner_ids(project))
        .distinct()
        .order_by("full_name", "email")
    )


@dataclass(frozen=True)
class BudgetSummary:
    total: Decimal | None
    currency: str
    shares: list[BudgetShare]
    shared: Decimal  # sum of converted shares
    gap: Decimal | None  # total - shared
    balanced: bool


def budget_summary(project: Project) -> BudgetSummary:
    """The budget of a project (shown on its public page to whoever reads it)."""
    shares = list(project.budget_shares.all())  # type: ignore[attr-defined]
    shared = sum((s.converted for s in shares), Decimal("0"))
    total = project.budget_total
    gap = None if total is None else (total - shared)
    tolerance = Decimal("0.01") * max(1, len(shares))
    return BudgetSummary(
        total=total,
        currency=project.currency,
        shares=shares,
        shared=shared,
        gap=gap,
        balanced=gap is not None and abs(gap) <= tolerance,
    )


# --- Pooling proposals ------------------------------------------------------------------------


def proposals_for(user: Any) -> dict[str, list[PoolingProposal]]:
    """Proposals received by and sent from the user's organisations."""
    if not is_authenticated(user):
        return {"received": [], "sent": []}
    own = list(user_roles(user))
    qs = PoolingProposal.objects.select_related(
        "from_organisation",
        "to_organisation",
        "target_project",
        "target_challenge",
        "source_project",
        "proposed_by",
    )
    return {
        "received": list(qs.filter(to_organisation_id__in=own)),
        "sent": list(qs.filter(from_organisation_id__in=own)),
    }


def proposal_get_for(user: Any, pk: int) -> PoolingProposal:
    try:
        proposal = PoolingProposal.objects.select_related(
            "from_organisation", "to_organisation", "target_project", "target_challenge"
        ).get(pk=pk)
    except (PoolingProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise ProposalNotFound(_proposal_not_found()) from exc
    if not can(user, "view", proposal):
        raise ProposalNotFound(_proposal_not_found())
    return proposal


def _proposal_not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Proposition introuvable.")


def pending_proposals_between(from_id: int, key: tuple[str, int]) -> bool:
    field = "target_project_id" if key[0] == "project" else "target_challenge_id"
    return PoolingProposal.objects.filter(
        from_organisation_id=from_id, status=ProposalStatus.PROPOSED, **{field: key[1]}
    ).exists()


# --- Similar needs ----------------------------------------------------------------------------


def _city(org: Organisation) -> str:
    territory = getattr(org, "territory", None)
    return territory.name if territory is not None else org.name


def _challenge_need(challenge: Any) -> Need | None:
    lead = challenge.lead_issuer
    if lead is None:
        return None
    sectors = list(challenge.sectors.all())
    body = " ".join(
        filter(None, [challenge.summary, html_to_text(challenge.problem), challenge.context])
    )
    return Need(
        kind="challenge",
        id=challenge.pk,
        title=challenge.title,
        body=html_to_text(body),
        sectors=tuple(s.slug for s in sectors),
        organisation_id=lead.pk,
        organisation_name=lead.name,
        city=_city(lead),
        country=lead.country,
        url=challenge.get_absolute_url(),
        sector_names={s.slug: s.name for s in sectors},
        members=frozenset(link.organisation_id for link in challenge.issuer_links.all()),
    )


def _project_need(project: Project) -> Need | None:
    lead = project.lead
    if lead is None:
        return None
    sectors = list(project.sectors.all())
    return Need(
        kind="project",
        id=project.pk,
        title=project.title,
        body=" ".join(filter(None, [project.summary, project.goals, project.description])),
        sectors=tuple(s.slug for s in sectors),
        organisation_id=lead.pk,
        organisation_name=lead.name,
        city=_city(lead),
        country=lead.country,
        url=project.get_absolute_url(),
        sector_names={s.slug: s.name for s in sectors},
        members=frozenset(link.organisation_id for link in project.partner_links.all()),  # type: ignore[attr-defined]
    )


#: Project states worth pooling with (not closed ones).
OPEN_PROJECT_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.SETUP, ProjectStatus.ACTIVE)
#: Needs of each kind compared at most (the most recent ones).
NEEDS_MAX = 2000


def _need_querysets(user: Any) -> tuple[QuerySet, QuerySet[Project]]:
    """Challenges (through the market's selector) and open projects `user` may read."""
    from mediane.market.models import ChallengeStatus
    from mediane.market.selectors import ChallengeFilters, challenges_list_for

    # Every challenge but those closed for good: a solved need (awarded, in pilot) may still be
    # pooled by a city that has the same one.
    challenge_states = tuple(
        s
        for s in ChallengeStatus.values
        if s not in (ChallengeStatus.NOT_AWARDED, ChallengeStatus.ARCHIVED)
    )
    challenges = challenges_list_for(user, ChallengeFilters(statuses=challenge_states))
    projects = projects_list_for(user, ProjectFilters(statuses=OPEN_PROJECT_STATUSES))
    return challenges, projects


def _visible_need_keys(user: Any) -> list[needs_index.NeedKey]:
    """Kind, id and version of each need `user` may read, in the lists' order (one query per
    kind, read at every request: the cache never decides what a reader sees)."""
    challenges, projects = _need_querysets(user)
    rows = challenges.prefetch_related(None).values_list("pk", "updated_at")[:NEEDS_MAX]
    keys: list[needs_index.NeedKey] = [("challenge", pk, at) for pk, at in rows]
    rows = projects.prefetch_related(None).values_list("pk", "updated_at")[:NEEDS_MAX]
    keys += [("project", pk, at) for pk, at in rows]
    return keys


def _needs_loader(
    user: Any,
) -> Callable[[list[needs_index.NeedKey]], dict[tuple[str, int], Need | None]]:
    """Builds the needs the cache misses, through the same selectors (so the same rows)."""

    def load(missing: list[needs_index.NeedKey]) -> dict[tuple[str, int], Need | None]:
        challenges, projects = _need_querysets(user)
        built: dict[tuple[str, int], Need | None] = {}
        for kind, qs, make in (
            ("challenge", challenges, _challenge_need),
            ("project", projects, _project_need),
        ):
            ids = [pk for k, pk, _at in missing if k == kind]
            for start in range(0, len(ids), 500):
                for row in qs.filter(pk__in=ids[start : start + 500]):
                    built[(kind, row.pk)] = make(row)
        return built

    return load


def _needs_corpus(user: Any) -> Corpus:
    return needs_index.corpus(_visible_need_keys(user), _needs_loader(user))


def needs_visible_to(user: Any) -> list[Need]:
    """Challenges and open projects `user` may read, as the similarity sees them."""
    return [item.need for item in _needs_corpus(user).items]


def similar_needs(
    user: Any,
    *,
    text: str,
    sectors: tuple[str, ...] | list[str] = (),
    exclude_organisation: int | None = None,
    exclude: set[tuple[str, int]] | None = None,
    limit: int = 6,
    title: str = "",
) -> list[Match]:
    """Challenges and projects of OTHER organisations similar to a need being drafted (its
    `title` and `text`, and its sector slugs), that `user` may read, best first, each with why."""
    title = clean_text(title or "")[:300]
    text = clean_text(text or "")[:5000]
    if not (title.strip() or text.strip()) and not sectors:
        return []
    exclude = set(exclude or ())
    if exclude_organisation is not None:
        # Projects the drafting organisation already takes part in are not to be pooled again.
        joined = ProjectPartner.objects.filter(organisation_id=exclude_organisation)
        exclude.update(("project", pk) for pk in joined.values_list("project_id", flat=True))
    corpus = _needs_corpus(user)
    return corpus.similar(
        title=title,
        body=text,
        sectors=tuple(sectors),
        exclude_organisation=exclude_organisation,
        exclude=exclude,
        limit=limit,
    )


def need_groups(user: Any) -> list[Group]:
    """Similar needs of several organisations grouped across the network (network page)."""
    corpus = _needs_corpus(user)
    return group_needs([item.need for item in corpus.items], corpus=corpus)
