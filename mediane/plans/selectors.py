"""Every permission-aware read of plans: the pages, the API and the exports call these, so they
see the same rows. `plans_of`, `active_plan` and `actions_in_progress_by_question` are used by the
diagnostic and labels apps: keep them stable."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import can, is_network_member, is_secretariat, user_roles
from mediane.directory.models import Organisation
from mediane.plans.models import (
    Action,
    ActionIndicator,
    ActionStatus,
    Axis,
    IndicatorValue,
    Plan,
    PlanStatus,
)
from mediane.plans.progress import ActionInput, AxisInput, PlanProgress, plan_progress


class PlanNotFound(NotFound, Http404):
    pass


def plans_visible_q(user: Any) -> Q:
    """Plans `user` may read (see `rules.plan_view`)."""
    if is_secretariat(user):
        return Q()
    published = ~Q(status=PlanStatus.DRAFT)
    q = published & Q(visibility="public")
    if is_network_member(user):
        q |= published & Q(visibility="network")
    org_ids = list(user_roles(user))
    if org_ids:
        q |= Q(organisation_id__in=org_ids)
    return q


def plans_visible(user: Any) -> QuerySet[Plan]:
    return Plan.objects.filter(plans_visible_q(user)).select_related("organisation")


def plans_of(user: Any, organisation: Organisation) -> QuerySet[Plan]:
    """The plans of `organisation` that `user` may see, newest period first."""
    return plans_visible(user).filter(organisation=organisation)


def active_plan(organisation: Organisation) -> Plan | None:
    """The city's active plan (the most recent one if several are active), whoever asks.

    Not permission-filtered: callers (label criteria, diagnostic) use it to check facts and must
    not show its content to someone who may not `view` it.
    """
    return (
        Plan.objects.filter(organisation=organisation, status=PlanStatus.ACTIVE)
        .order_by("-start_year", "-id")
        .first()
    )


def actions_in_progress_by_question(plan: Plan) -> dict[str, list[Action]]:
    """{questionnaire code: actions "en cours" of the plan linked to it}, codes sorted."""
    result: dict[str, list[Action]] = defaultdict(list)
    actions = (
        Action.objects.filter(plan=plan, status=ActionStatus.IN_PROGRESS)
        .prefetch_related("questions")
        .order_by("number")
    )
    for action in actions:
        for question in action.questions.all():
            result[question.code].append(action)
    return dict(sorted(result.items()))


def plan_get_for(user: Any, slug: str) -> Plan:
    plan = Plan.objects.select_related("organisation").filter(slug=slug).first()
    if plan is None or not can(user, "view", plan):
        raise PlanNotFound(_("Plan introuvable."))
    return plan


def action_get_for(user: Any, plan: Plan, number: int) -> Action:
    """An action of a plan the caller already checked (`plan_get_for`)."""
    action = (
        _actions_qs()
        .prefetch_related(
            "funding",
            Prefetch(
                "indicators",
                queryset=ActionIndicator.objects.prefetch_related(
                    Prefetch("values", queryset=IndicatorValue.objects.order_by("date"))
                ),
            ),
            "projects",
            "challenges",
            "datasets",
        )
        .filter(plan=plan, number=number)
        .first()
    )
    if action is None:
        raise PlanNotFound(_("Action introuvable."))
    return action


def _actions_qs() -> QuerySet[Action]:
    return (
        Action.objects.select_related("axis", "plan", "plan__organisation")
        .prefetch_related("pilots", "partners", "questions")
        .order_by("number")
    )


@dataclass
class AxisNode:
    axis: Axis
    actions: list[Action]
    progress: float | None
    counted: int
    excluded: int

    @property
    def budget_planned(self) -> Any:
        return sum((a.budget_planned or 0) for a in self.actions)

    @property
    def budget_spent(self) -> Any:
        return sum((a.budget_spent or 0) for a in self.actions)


@dataclass
class PlanTree:
    plan: Plan
    axes: list[AxisNode]
    progress: float | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def actions(self) -> list[Action]:
        return [a for node in self.axes for a in node.actions]

    @property
    def budget_planned(self) -> Any:
        return sum((n.budget_planned for n in self.axes), 0)

    @property
    def budget_spent(self) -> Any:
        return sum((n.budget_spent for n in self.axes), 0)


def compute_progress(axes: list[Axis], actions: list[Action]) -> PlanProgress:
    by_axis: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        by_axis[action.axis_id].append(action)
    return plan_progress(
        [
            AxisInput(
                key=axis.pk,
                weight=axis.weight,
                actions=[
                    ActionInput(key=a.pk, status=a.status, progress=a.progress, weight=a.weight)
                    for a in by_axis[axis.pk]
                ],
            )
            for axis in axes
        ]
    )


def plan_tree(plan: Plan, *, axis_number: int | None = None) -> PlanTree:
    """The plan's axes and actions with the rolled-up progress (caller checked `view`)."""
    axes = list(Axis.objects.filter(plan=plan).order_by("number"))
    actions = list(_actions_qs().filter(plan=plan))
    progress = compute_progress(axes, actions)
    nodes = []
    for axis in axes:
        p = progress.axes[axis.pk]
        nodes.append(
            AxisNode(
                axis=axis,
                actions=[a for a in actions if a.axis_id == axis.pk],
                progress=p.value,
                counted=p.counted,
                excluded=p.excluded,
            )
        )
    counts = {status: 0 for status in ActionStatus.values}
    for action in actions:
        counts[action.status] += 1
    tree = PlanTree(plan=plan, axes=nodes, progress=progress.value, counts=counts)
    if axis_number is not None:
        tree.axes = [n for n in nodes if n.axis.number == axis_number]
    return tree


def plan_indicators(plan: Plan) -> list[ActionIndicator]:
    return list(
        ActionIndicator.objects.filter(action__plan=plan)
        .select_related("action")
        .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.order_by("date")))
        .order_by("action__number", "id")
    )


def organisations_with_plans(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=plans_visible(user).values("organisation_id")
    ).order_by("name")


def plan_actions_detailed(plan: Plan) -> QuerySet[Action]:
    """The plan's actions with funding and indicators (values by date) prefetched."""
    return Action.objects.filter(plan=plan).prefetch_related(
        "funding",
        Prefetch(
            "indicators",
            queryset=ActionIndicator.objects.prefetch_related(
                Prefetch("values", queryset=IndicatorValue.objects.order_by("date"))
            ),
        ),
    )
