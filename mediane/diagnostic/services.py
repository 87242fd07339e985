"""Every write of the diagnostic: the shipped questionnaire's sync, starting a diagnostic,
autosaved answers, submission, validation or send-back, and the sharing choice."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.diagnostic.models import (
    Answer,
    Diagnostic,
    DiagnosticStatus,
    Dimension,
    Question,
    QuestionKind,
    QuestionnaireVersion,
    ReviewDecision,
    ReviewEvent,
)
from mediane.directory.models import Organisation

DATA_DIR = Path(__file__).resolve().parent / "data"


# --- questionnaire ---------------------------------------------------------------------------


def shipped_files() -> list[Path]:
    return sorted(DATA_DIR.glob("questionnaire-*.json"))


@transaction.atomic
def questionnaire_load(data: dict[str, Any], *, shipped: bool = False) -> QuestionnaireVersion:
    """Create a published questionnaire version from its data (see data/*.json)."""
    version = QuestionnaireVersion.objects.create(
        code=data["code"],
        title=data["title"],
        notes=data.get("notes", ""),
        is_published=True,
        is_shipped=shipped,
    )
    for d_order, dim in enumerate(data["dimensions"], start=1):
        dimension = Dimension.objects.create(
            version=version,
            code=dim["code"],
            order=d_order,
            name_fr=dim["name"][0],
            name_en=dim["name"][1],
            short_fr=dim["short"][0],
            short_en=dim["short"][1],
            sectors=dim.get("sectors", []),
            keywords=dim.get("keywords", []),
            suggested_action_fr=dim["action"][0],
            suggested_action_en=dim["action"][1],
        )
        for q_order, q in enumerate(dim["questions"], start=1):
            indicator = q.get("indicator") or {}
            Question.objects.create(
                version=version,
                dimension=dimension,
                code=q["code"],
                order=q_order,
                kind=q.get("kind", QuestionKind.LEVEL),
                text_fr=q["text"][0],
                text_en=q["text"][1],
                source=q.get("source", ""),
                anchors=[{"fr": fr, "en": en} for fr, en in q.get("anchors", [])],
                indicator_unit=indicator.get("unit", ""),
                indicator_label_fr=(indicator.get("label") or ["", ""])[0],
                indicator_label_en=(indicator.get("label") or ["", ""])[1],
                indicator_bands=(
                    {
                        "higher_is_better": indicator.get("higher_is_better", True),
                        "bands": indicator.get("bands", {}),
                    }
                    if indicator
                    else {}
                ),
                personalisation=q.get("personalisation", {}),
            )
    return version


def questionnaire_sync_shipped() -> int:
    """Load the shipped versions missing from the database (after every `migrate`).

    A version already present is never touched: it is frozen once published, and the
    secretariat's changes live in new versions.
    """
    created = 0
    for path in shipped_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        if not QuestionnaireVersion.objects.filter(code=data["code"]).exists():
            questionnaire_load(data, shipped=True)
            created += 1
    return created


# --- diagnostics -----------------------------------------------------------------------------


def _population(organisation: Organisation) -> int | None:
    territory = organisation.territory
    return territory.population if territory is not None else None


@transaction.atomic
def diagnostic_start(
    *, actor: Any, organisation: Organisation, year: int, share_name: bool = False
) -> Diagnostic:
    """Open the city's diagnostic of `year` on the current published questionnaire."""
    from mediane.diagnostic.selectors import current_version

    require(actor, "start_diagnostic", organisation)
    now_year = timezone.now().year
    if year < 2000 or year > now_year + 1:
        raise ValidationFailed(
            _("L'année doit être comprise entre 2000 et %(max)d.") % {"max": now_year + 1},
            field_errors={"year": [_("Année hors limites.")]},
        )
    version = current_version()
    if version is None:
        raise Conflict(_("Aucune version publiée du questionnaire : contactez le secrétariat."))
    if Diagnostic.objects.filter(organisation=organisation, year=year).exists():
        raise Conflict(
            _("%(city)s a déjà un diagnostic %(year)d.")
            % {"city": organisation.name, "year": year},
            code="diagnostic_exists",
            field_errors={"year": [_("Un diagnostic existe déjà pour cette année.")]},
        )
    try:
        with transaction.atomic():
            diagnostic = Diagnostic.objects.create(
                organisation=organisation,
                year=year,
                version=version,
                population=_population(organisation),
                share_name=share_name,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:  # a concurrent start of the same year
        raise Conflict(
            _("%(city)s a déjà un diagnostic %(year)d.") % {"city": organisation.name, "year": year}
        ) from exc
    audit_record(actor=actor, action="diagnostic.start", obj=diagnostic, organisation=organisation)
    return diagnostic


def _parse_value(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except InvalidOperation as exc:
        raise ValidationFailed(
            _("La valeur de l'indicateur doit être un nombre (par exemple 87,5)."),
            field_errors={"value": [_("Nombre attendu.")]},
        ) from exc
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValidationFailed(
            _("La valeur de l'indicateur est hors limites."),
            field_errors={"value": [_("Hors limites.")]},
        )
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def answer_save(
    *,
    actor: Any,
    diagnostic: Diagnostic,
    question_code: str,
    level: int | str | None = None,
    value: Any = None,
    choice: str = "",
    comment: str = "",
) -> Answer | None:
    """Save (or clear) one answer at once; returns None when the answer was cleared."""
    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    require(actor, "answer", diagnostic)
    question = Question.objects.filter(version=diagnostic.version, code=question_code).first()
    if question is None:
        raise ValidationFailed(
            _("La question %(code)s n'existe pas dans ce questionnaire.") % {"code": question_code}
        )
    parsed_level: int | None = None
    parsed_value: Decimal | None = None
    choice = (choice or "").strip()
    if question.kind == QuestionKind.PERSONALISATION:
        allowed = {c["value"] for c in (question.personalisation or {}).get("choices", [])}
        if choice and choice not in allowed:
            raise ValidationFailed(_("Ce choix n'est pas proposé pour cette question."))
    else:
        choice = ""
        if level not in (None, ""):
            try:
                parsed_level = int(level)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                parsed_level = 0
            if not 1 <= parsed_level <= 5:
                raise ValidationFailed(
                    _("Le niveau doit être compris entre 1 et 5."),
                    field_errors={"level": [_("Niveau de 1 à 5.")]},
                )
        if question.kind == QuestionKind.INDICATOR:
            parsed_value = _parse_value(value)
    comment = (comment or "").strip()[:2000]
    if parsed_level is None and parsed_value is None and not choice and not comment:
        Answer.objects.filter(diagnostic=diagnostic, question=question).delete()
        audit_record(
            actor=actor,
            action="diagnostic.answer_clear",
            obj=diagnostic,
            organisation=diagnostic.organisation,
            changes={"question": question.code},
        )
        return None
    answer, _created = Answer.objects.update_or_create(
        diagnostic=diagnostic,
        question=question,
        defaults={
            "level": parsed_level,
            "value": parsed_value,
            "choice": choice,
            "comment": comment,
            "answered_by": actor if getattr(actor, "is_authenticated", False) else None,
            "answered_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action="diagnostic.answer",
        obj=diagnostic,
        organisation=diagnostic.organisation,
        changes={
            "question": question.code,
            "level": parsed_level,
            "value": str(parsed_value) if parsed_value is not None else None,
            "choice": choice,
        },
    )
    return answer


def _reviewers(diagnostic: Diagnostic) -> list[Any]:
    from mediane.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(
            organisation=diagnostic.organisation, role="admin"
        ).select_related("user")
    ]


def _city_editors(diagnostic: Diagnostic) -> list[Any]:
    from mediane.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(
            organisation=diagnostic.organisation, role__in=["editor", "admin"]
        ).select_related("user")
    ]


def _review_step(
    diagnostic: Diagnostic,
    *,
    actor: Any,
    decision: str,
    comment: str,
    at: Any,
    recipients: list[Any],
    action: str,
    title: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """One step of the review: its event in the diagnostic's history, the audit entry
    (`diagnostic.<action>`), and the notification (verb: the decision) of who acts next."""
    from mediane.notifications.services import notify

    ReviewEvent.objects.create(
        diagnostic=diagnostic, decision=decision, comment=comment[:2000], actor=actor, at=at
    )
    audit_record(
        actor=actor,
        action=f"diagnostic.{action}",
        obj=diagnostic,
        organisation=diagnostic.organisation,
        changes=changes,
    )
    notify(
        recipients=recipients,
        topic="diagnostic",
        verb=str(decision),
        title=title % {"year": diagnostic.year, "city": diagnostic.organisation.name},
        url=diagnostic.get_absolute_url(),
        actor=actor,
        target=diagnostic,
    )


@transaction.atomic
def diagnostic_submit(*, actor: Any, diagnostic: Diagnostic, comment: str = "") -> Diagnostic:
    """Send a complete diagnostic to its reviewers (the city's admins or the secretariat)."""
    from mediane.diagnostic.selectors import result_of

    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    require(actor, "submit", diagnostic)
    result = result_of(diagnostic)
    if not result.complete:
        shown = ", ".join(result.missing[:8]) + (" …" if len(result.missing) > 8 else "")
        raise ValidationFailed(
            _("Il reste %(count)d question(s) sans réponse : %(codes)s.")
            % {"count": len(result.missing), "codes": shown},
            code="incomplete",
        )
    now = timezone.now()
    diagnostic.status = DiagnosticStatus.SUBMITTED
    diagnostic.submitted_at = now
    diagnostic.submitted_by = actor
    diagnostic.population = _population(diagnostic.organisation) or diagnostic.population
    diagnostic.save()
    _review_step(
        diagnostic,
        actor=actor,
        decision=ReviewDecision.SUBMITTED,
        comment=(comment or "").strip(),
        at=now,
        recipients=_reviewers(diagnostic),
        action="submit",
        title=_("Diagnostic %(year)d de %(city)s à valider"),
    )
    return diagnostic


@transaction.atomic
def diagnostic_validate(*, actor: Any, diagnostic: Diagnostic, comment: str = "") -> Diagnostic:

    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    require(actor, "validate", diagnostic)
    now = timezone.now()
    diagnostic.status = DiagnosticStatus.VALIDATED
    diagnostic.validated_at = now
    diagnostic.validated_by = actor
    diagnostic.save()
    _review_step(
        diagnostic,
        actor=actor,
        decision=ReviewDecision.VALIDATED,
        comment=(comment or "").strip(),
        at=now,
        recipients=_city_editors(diagnostic),
        action="validate",
        title=_("Diagnostic %(year)d de %(city)s validé"),
    )
    return diagnostic


@transaction.atomic
def diagnostic_send_back(*, actor: Any, diagnostic: Diagnostic, comment: str) -> Diagnostic:
    """Return a submitted diagnostic to the city with a comment saying what to complete."""

    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    require(actor, "send_back", diagnostic)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(
            _("Dites à la ville ce qu'il faut revoir : le commentaire est obligatoire."),
            field_errors={"comment": [_("Commentaire obligatoire.")]},
        )
    diagnostic.status = DiagnosticStatus.DRAFT
    diagnostic.submitted_at = None
    diagnostic.save()
    _review_step(
        diagnostic,
        actor=actor,
        decision=ReviewDecision.SENT_BACK,
        comment=comment,
        at=timezone.now(),
        recipients=_city_editors(diagnostic),
        action="send_back",
        title=_("Diagnostic %(year)d de %(city)s à compléter"),
        changes={"comment": comment[:200]},
    )
    return diagnostic


@transaction.atomic
def diagnostic_set_sharing(*, actor: Any, diagnostic: Diagnostic, share_name: bool) -> Diagnostic:
    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    require(actor, "set_sharing", diagnostic)
    diagnostic.share_name = bool(share_name)
    diagnostic.save(update_fields=["share_name", "updated_at"])
    audit_record(
        actor=actor,
        action="diagnostic.set_sharing",
        obj=diagnostic,
        organisation=diagnostic.organisation,
        changes={"share_name": diagnostic.share_name},
    )
    return diagnostic
