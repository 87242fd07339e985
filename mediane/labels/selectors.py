"""Reads of labels. Evaluations go through the rules (city members and the secretariat); the
labels themselves are public."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import has_role, is_authenticated, is_secretariat, user_roles
from mediane.directory.models import Organisation, OrganisationKind
from mediane.labels.models import (
    EvaluationStatus,
    Label,
    LabelCriterion,
    LabelEvaluation,
    LabelStatus,
)


class EvaluationNotFound(NotFound):
    pass


def evaluations_visible(user: Any) -> QuerySet[LabelEvaluation]:
    qs = LabelEvaluation.objects.select_related("organisation", "requested_by", "decided_by")
    if is_secretariat(user):
        return qs
    if not is_authenticated(user):
        return qs.none()
    return qs.filter(organisation_id__in=list(user_roles(user)))


def evaluation_get_for(user: Any, pk: int) -> LabelEvaluation:
    """An evaluation `user` may read; EvaluationNotFound otherwise (as for a missing one)."""
    evaluation = evaluations_visible(user).filter(pk=pk).first()
    if evaluation is None:
        raise EvaluationNotFound(_("Évaluation introuvable."))
    return evaluation


def pending_first(qs: QuerySet[LabelEvaluation]) -> list[LabelEvaluation]:
    rows = list(qs.prefetch_related("label"))
    return sorted(rows, key=lambda e: e.status != EvaluationStatus.PENDING)


def requestable_cities(user: Any) -> QuerySet[Organisation]:
    """Cities for which `user` may request an evaluation: their own (editor or admin), every
    city for the secretariat."""
    qs = Organisation.objects.filter(kind=OrganisationKind.COLLECTIVITE).order_by("name")
    if is_secretariat(user):
        return qs
    ids = [org_id for org_id in user_roles(user) if has_role(user, org_id, "editor")]
    return qs.filter(pk__in=ids)


def active_criteria() -> QuerySet[LabelCriterion]:
    return LabelCriterion.objects.filter(active=True).order_by("order", "pk")


def labelled_cities() -> QuerySet[Label]:
    """Public: the labels valid today, by city name."""
    return (
        Label.objects.filter(status=LabelStatus.ACTIVE, valid_until__gte=timezone.localdate())
        .select_related("organisation", "organisation__territory", "evaluation")
        .order_by("organisation__name")
    )


def label_by_reference(reference: str) -> Label:
    label = (
        Label.objects.filter(reference=reference)
        .select_related("organisation", "organisation__territory", "evaluation")
        .first()
    )
    if label is None:
        raise NotFound(_("Label introuvable."))
    return label


def latest_label(organisation: Organisation) -> Label | None:
    """Public: the city's most recent label (valid, expired or renewed), or None."""
    return (
        Label.objects.filter(organisation=organisation)
        .select_related("organisation", "evaluation")
        .order_by("-valid_until", "-pk")
        .first()
    )


def city_by_slug(slug: str) -> Organisation:
    city = Organisation.objects.filter(slug=slug).first()
    if city is None or not Label.objects.filter(organisation=city).exists():
        raise NotFound(_("Cette ville n'a pas de label."))
    return city


def is_valid_today(label: Label) -> bool:
    return label.status == LabelStatus.ACTIVE and label.valid_until >= timezone.localdate()


def member_labels(user: Any) -> QuerySet[Label]:
    """Labels of the user's organisations (for the evaluations page)."""
    if is_secretariat(user):
        return Label.objects.none()
    return Label.objects.filter(
        Q(organisation_id__in=list(user_roles(user))), status=LabelStatus.ACTIVE
    )
