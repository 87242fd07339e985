"""API of plans: the plans a caller may read, and one plan as a tree with its progress.

Read-only; reads go through `mediane.plans.selectors`, as the pages and the exports: anonymous
callers see the published public plans; a token adds network plans and every plan of the owner's
organisations (drafts included).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.plans import selectors

router = Router(tags=["Plans"])


def _absolute(path: str) -> str:
    return settings.SITE_URL + path if path else ""


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class PlanOut(Schema):
    slug: str
    title: str
    organisation: str = Field(description="Identifiant (slug) de la ville.")
    organisation_name: str
    start_year: int
    end_year: int
    status: str = Field(description="draft (brouillon), active (actif) ou archived (archivé).")
    visibility: str
    url: str
    public_url: str


class PlansListIn(Schema):
    organisation: str = Field("", description="Ne garder que les plans de cette ville (slug).")
    status: str = Field("", description="draft, active ou archived.")


class IndicatorValueOut(Schema):
    date: date
    value: Decimal


class IndicatorOut(Schema):
    name: str
    unit: str
    target: Decimal | None
    values: list[IndicatorValueOut]


class FundingOut(Schema):
    funder: str
    amount: Decimal
    currency: str


class ActionOut(Schema):
    number: int
    title: str
    description: str
    status: str = Field(description="upcoming, in_progress, done, paused ou abandoned.")
    priority: str
    start_date: date | None
    end_date: date | None
    budget_planned: Decimal | None
    budget_spent: Decimal | None
    progress: int = Field(description="Avancement déclaré, de 0 à 100.")
    weight: Decimal | None
    counted_progress: float | None = Field(
        description="Ce que l'action apporte à son axe : 100 si réalisée, absent si abandonnée."
    )
    question_codes: list[str]
    funding: list[FundingOut]
    indicators: list[IndicatorOut]
    is_example: bool
    url: str


class AxisOut(Schema):
    number: int
    title: str
    description: str
    weight: Decimal | None
    progress: float | None
    actions: list[ActionOut]


class PlanDetailOut(PlanOut):
    description: str
    currency: str
    progress: float | None = Field(description="Avancement du plan (0–100), pondéré ; voir la doc.")
    axes: list[AxisOut]


def _plan(plan) -> dict:  # type: ignore[no-untyped-def]
    return {
        "slug": plan.slug,
        "title": plan.title,
        "organisation": plan.organisation.slug,
        "organisation_name": plan.organisation.name,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "status": plan.status,
        "visibility": plan.visibility,
        "url": _absolute(plan.get_absolute_url()),
        "public_url": _absolute(plan.get_public_url()),
    }


@router.get(
    "/plans",
    response={200: list[PlanOut], **error_responses(*READ_ERRORS)},
    operation_id="plans_list",
    summary="Lister les plans stratégiques",
    description=(
        "Les plans stratégiques des villes lisibles par l'appelant, filtrés par ville et par état. "
        "Sans jeton : les plans publics sortis du brouillon ; avec un jeton, aussi ceux réservés "
        "au réseau et tous ceux des organisations du propriétaire du jeton."
    ),
)
def plans_list(request, filters: Query[PlansListIn]):  # type: ignore[no-untyped-def]
    user = request_user(request)
    qs = selectors.plans_visible(user).order_by("organisation__name", "-start_year", "id")
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return [_plan(p) for p in qs[:500]]


@router.get(
    "/plans/{slug}",
    response={200: PlanDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="plan_get",
    summary="Consulter un plan stratégique",
    description=(
        "Un plan lisible par l'appelant, en arbre : axes, actions numérotées (état, dates, "
        "budgets, financements, indicateurs et leurs valeurs), avancement de chaque axe et du "
        "plan. 404 s'il n'existe pas ou n'est pas visible."
    ),
)
def plan_get(request, slug: str):  # type: ignore[no-untyped-def]
    user = request_user(request)
    plan = selectors.plan_get_for(user, slug)
    tree = selectors.plan_tree(plan)
    details = {a.pk: a for a in selectors.plan_actions_detailed(plan)}
    progress = selectors.compute_progress([n.axis for n in tree.axes], tree.actions)
    axes = []
    for node in tree.axes:
        actions = []
        for a in node.actions:
            full = details[a.pk]
            actions.append(
                {
                    "number": a.number,
                    "title": a.title,
                    "description": a.description,
                    "status": a.status,
                    "priority": a.priority,
                    "start_date": a.start_date,
                    "end_date": a.end_date,
                    "budget_planned": a.budget_planned,
                    "budget_spent": a.budget_spent,
                    "progress": a.progress,
                    "weight": a.weight,
                    "counted_progress": _pct(progress.actions.get(a.pk)),
                    "question_codes": [q.code for q in a.questions.all()],
                    "funding": [
                        {"funder": f.funder, "amount": f.amount, "currency": f.currency}
                        for f in full.funding.all()
                    ],
                    "indicators": [
                        {
                            "name": i.name,
                            "unit": i.unit,
                            "target": i.target,
                            "values": [{"date": v.date, "value": v.value} for v in i.values.all()],
                        }
                        for i in full.indicators.all()
                    ],
                    "is_example": a.is_example,
                    "url": _absolute(a.get_absolute_url()),
                }
            )
        axes.append(
            {
                "number": node.axis.number,
                "title": node.axis.title,
                "description": node.axis.description,
                "weight": node.axis.weight,
                "progress": _pct(node.progress),
                "actions": actions,
            }
        )
    return {
        **_plan(plan),
        "description": plan.description,
        "currency": plan.currency,
        "progress": _pct(tree.progress),
        "axes": axes,
    }
