"""API of the label « ville numérique engagée »: the public list of labelled cities and one
evaluation with its criteria and evidence.

Read-only. An evaluation is read through `mediane.labels.selectors` (the same rows as the
pages): one the token's owner may not read — or any without a token — is a 404 exactly like a
missing one.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from ninja import Field, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.labels import selectors
from mediane.labels.documents import criteria_met
from mediane.labels.models import Label, LabelEvaluation

router = Router(tags=["Label"])


class CityOut(Schema):
    slug: str
    name: str
    country: str = Field(description="FR ou CA.")
    territory: str | None = Field(description="Nom du territoire de la ville.")


class LabelOut(Schema):
    reference: str = Field(description="Référence du label (imprimée sur le certificat).")
    city: CityOut
    valid_from: date
    valid_until: date = Field(description="Dernier jour de validité.")
    criteria_met: list[str] = Field(description="Intitulés des critères remplis (en français).")
    verify_url: str = Field(description="Page publique de vérification (code QR du certificat).")
    badge_url: str = Field(description="Badge SVG à intégrer (adresse stable par ville).")


def _city(organisation) -> CityOut:  # type: ignore[no-untyped-def]
    return CityOut(
        slug=organisation.slug,
        name=organisation.name,
        country=organisation.country,
        territory=organisation.territory.name if organisation.territory_id else None,
    )


def _label_out(label: Label) -> LabelOut:
    return LabelOut(
        reference=str(label.reference),
        city=_city(label.organisation),
        valid_from=label.valid_from,
        valid_until=label.valid_until,
        criteria_met=criteria_met(label),
        verify_url=settings.SITE_URL + reverse("labels:verify", args=[label.reference]),
        badge_url=settings.SITE_URL + reverse("labels:badge", args=[label.organisation.slug]),
    )


class EvidenceOut(Schema):
    text: str
    url: str = Field(description="Lien vers la preuve (chemin du site), vide s'il n'y en a pas.")


class CriterionResultOut(Schema):
    code: str
    title: str
    kind: str = Field(description="Type d'évaluation (registre fixe des évaluateurs).")
    passed: bool
    summary: str
    evidence: list[EvidenceOut]


class EvaluationOut(Schema):
    id: int
    city: CityOut
    status: str = Field(description="pending, confirmed, refused ou withdrawn.")
    status_label: str
    evaluated_at: datetime = Field(description="Date de l'évaluation automatique (UTC).")
    passed_count: int
    criteria_count: int
    results: list[CriterionResultOut] = Field(description="Résultats figés à cette date.")
    decided_at: datetime | None
    refusal_reason: str
    label: LabelOut | None = Field(description="Le label attribué sur cette évaluation.")
    url: str


@router.get(
    "/labels",
    response={200: list[LabelOut], **error_responses(*READ_ERRORS)},
    operation_id="labels_list",
    summary="Villes labellisées",
    description=(
        "Public : les villes dont le label « ville numérique engagée » est valide aujourd'hui, "
        "par nom, avec les dates de validité, les critères remplis, la page de vérification et "
        "le badge."
    ),
)
def labels_list(request):  # type: ignore[no-untyped-def]
    return [_label_out(label) for label in selectors.labelled_cities()]


@router.get(
    "/labels/evaluations/{evaluation_id}",
    response={200: EvaluationOut, **error_responses(401, 404, 422, 429)},
    operation_id="label_evaluation_get",
    summary="Une évaluation pour le label",
    description=(
        "Une évaluation avec ses critères et leurs preuves, lisible par les membres de la ville "
        "et le secrétariat ; 404 sinon (et sans jeton)."
    ),
)
def label_evaluation_get(request, evaluation_id: int):  # type: ignore[no-untyped-def]
    evaluation: LabelEvaluation = selectors.evaluation_get_for(request_user(request), evaluation_id)
    label = Label.objects.filter(evaluation=evaluation).select_related("organisation").first()
    return EvaluationOut(
        id=evaluation.pk,
        city=_city(evaluation.organisation),
        status=evaluation.status,
        status_label=str(evaluation.get_status_display()),  # type: ignore[attr-defined]
        evaluated_at=evaluation.evaluated_at,
        passed_count=evaluation.passed_count,
        criteria_count=evaluation.criteria_count,
        results=[CriterionResultOut(**r) for r in evaluation.results],
        decided_at=evaluation.decided_at,
        refusal_reason=evaluation.refusal_reason,
        label=_label_out(label) if label is not None else None,
        url=settings.SITE_URL + evaluation.get_absolute_url(),
    )
