"""Writes of labels: request an evaluation (automatic, stored as a snapshot), confirm or refuse
it, and the periodic expiry (reminder 30 days before, then expiry)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation, OrganisationKind
from mediane.labels import selectors
from mediane.labels.evaluation import CriterionSpec, add_months, evaluate, french_date
from mediane.labels.facts import facts_for
from mediane.labels.models import (
    EvaluationStatus,
    Label,
    LabelEvaluation,
    LabelStatus,
)
from mediane.notifications.services import notify

#: A valid label may be renewed (a new evaluation requested) this many days before it ends.
RENEWAL_WINDOW_DAYS = 90
#: The city is reminded once this many days before its label ends.
REMINDER_DAYS = 30
#: A label is valid this many months.
VALIDITY_MONTHS = 12
REASON_MAX_LENGTH = 2000


def _city_people(organisation: Organisation) -> list[Any]:
    from mediane.accounts.models import User

    return list(User.objects.filter(memberships__organisation=organisation, is_active=True))


def _secretariat() -> list[Any]:
    from mediane.accounts.models import User

    return list(User.objects.filter(is_secretariat=True, is_active=True))


def evaluation_request(
    *, actor: Any, organisation: Organisation, today: date | None = None, is_demo: bool = False
) -> LabelEvaluation:
    """Evaluate `organisation` on every active criterion now and store the snapshot, waiting for
    the secretariat's decision (`is_demo`: made by the demo loader)."""
    evaluation = LabelEvaluation(organisation=organisation)
    require(actor, "create", evaluation)
    if organisation.kind != OrganisationKind.COLLECTIVITE:
        raise ValidationFailed(_("Seules les villes (collectivités) peuvent demander le label."))
    day = today or timezone.localdate()
    criteria = [
        CriterionSpec(code=c.code, title=c.title_fr, kind=c.kind, parameters=c.parameters or {})
        for c in selectors.active_criteria()
    ]
    if not criteria:
        raise ValidationFailed(_("Aucun critère du label n'est actif : rien à évaluer."))
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if LabelEvaluation.objects.filter(
            organisation=organisation, status=EvaluationStatus.PENDING
        ).exists():
            raise Conflict(
                _("Une évaluation de %(city)s attend déjà la décision du secrétariat.")
                % {"city": organisation.name}
            )
        current = Label.objects.filter(organisation=organisation, status=LabelStatus.ACTIVE).first()
        if current is not None and current.valid_until > day + timedelta(days=RENEWAL_WINDOW_DAYS):
            raise Conflict(
                _(
                    "Le label de %(city)s est valide jusqu'au %(until)s ; le renouvellement "
                    "s'ouvre %(days)s jours avant l'échéance."
                )
                % {
                    "city": organisation.name,
                    "until": french_date(current.valid_until),
                    "days": RENEWAL_WINDOW_DAYS,
                }
            )
        results = evaluate(facts_for(organisation, today=day), criteria)
        evaluation.requested_by = actor if getattr(actor, "is_authenticated", False) else None
        evaluation.evaluated_at = timezone.now()
        evaluation.results = [r.as_dict() for r in results]
        evaluation.criteria_count = len(results)
        evaluation.passed_count = sum(1 for r in results if r.passed)
        evaluation.is_demo = is_demo or organisation.is_demo
        try:
            with transaction.atomic():
                evaluation.save()
        except IntegrityError as error:  # a parallel request won the race
            raise Conflict(
                _("Une évaluation de %(city)s attend déjà la décision du secrétariat.")
                % {"city": organisation.name}
            ) from error
        audit_record(
            actor=actor,
            action="label.evaluation_request",
            obj=evaluation,
            organisation=organisation,
            changes={"passed": evaluation.passed_count, "criteria": evaluation.criteria_count},
        )
        notify(
            recipients=_secretariat(),
            topic="label",
            verb="evaluation_requested",
            title=_("Label : %(city)s demande une évaluation (%(passed)s critères sur %(total)s)")
            % {
                "city": organisation.name,
                "passed": evaluation.passed_count,
                "total": evaluation.criteria_count,
            },
            url=evaluation.get_absolute_url(),
            actor=actor,
            target=evaluation,
        )
    return evaluation


def _pending(evaluation: LabelEvaluation) -> LabelEvaluation:
    locked = LabelEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != EvaluationStatus.PENDING:
        raise Conflict(_("Cette évaluation a déjà été tranchée."))
    return locked


def evaluation_confirm(
    *, actor: Any, evaluation: LabelEvaluation, today: date | None = None
) -> Label:
    """Award the label for one year from the evaluation (every criterion must be met). A renewal
    keeps the days left on the current label: the new one ends 12 months after the later of
    today and the current label's end."""
    require(actor, "confirm", evaluation)
    day = today or timezone.localdate()
    with transaction.atomic():
        evaluation = _pending(evaluation)
        if not evaluation.all_passed:
            failed = [r["title"] for r in evaluation.results if not r.get("passed")]
            raise ValidationFailed(
                _("Le label ne peut être attribué : critères non remplis — %(list)s.")
                % {"list": " ; ".join(failed)}
            )
        previous = (
            Label.objects.select_for_update()
            .filter(organisation_id=evaluation.organisation_id, status=LabelStatus.ACTIVE)
            .first()
        )
        start_of_year = day
        if previous is not None:
            if previous.valid_until >= day:
                start_of_year = previous.valid_until
            previous.status = LabelStatus.SUPERSEDED
            previous.save(update_fields=["status"])
        now = timezone.now()
        label = Label.objects.create(
            organisation_id=evaluation.organisation_id,
            evaluation=evaluation,
            valid_from=day,
            valid_until=add_months(start_of_year, VALIDITY_MONTHS),
            awarded_at=now,
            awarded_by=actor,
        )
        evaluation.status = EvaluationStatus.CONFIRMED
        evaluation.decided_by = actor
        evaluation.decided_at = now
        evaluation.save(update_fields=["status", "decided_by", "decided_at"])
        organisation = evaluation.organisation
        audit_record(
            actor=actor,
            action="label.award",
            obj=label,
            organisation=organisation,
            changes={"valid_until": label.valid_until.isoformat()},
        )
        notify(
            recipients=_city_people(organisation),
            topic="label",
            verb="label_awarded",
            title=_("%(city)s obtient le label « ville numérique engagée » jusqu'au %(until)s")
            % {"city": organisation.name, "until": french_date(label.valid_until)},
            url=evaluation.get_absolute_url(),
            actor=actor,
            target=evaluation,
        )
    return label


def evaluation_refuse(*, actor: Any, evaluation: LabelEvaluation, reason: str) -> LabelEvaluation:
    require(actor, "refuse", evaluation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Le motif du refus est obligatoire."),
            field_errors={"reason": [_("Indiquez le motif du refus.")]},
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            _("Le motif du refus est trop long."),
            field_errors={
                "reason": [_("%(max)s caractères au plus.") % {"max": REASON_MAX_LENGTH}]
            },
        )
    with transaction.atomic():
        evaluation = _pending(evaluation)
        evaluation.status = EvaluationStatus.REFUSED
        evaluation.refusal_reason = reason
        evaluation.decided_by = actor
        evaluation.decided_at = timezone.now()
        evaluation.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
        organisation = evaluation.organisation
        audit_record(actor=actor, action="label.refuse", obj=evaluation, organisation=organisation)
        notify(
            recipients=_city_people(organisation),
            topic="label",
            verb="evaluation_refused",
            title=_("Label : la demande de %(city)s n'est pas retenue")
            % {"city": organisation.name},
            url=evaluation.get_absolute_url(),
            actor=actor,
            target=evaluation,
        )
    return evaluation


def _evaluations_url(organisation: Organisation) -> str:
    return reverse("labels:evaluations") + f"?ville={organisation.slug}"


def labels_remind_expiring(*, now: datetime | None = None) -> int:
    """Notify each city, once, when its valid label ends within REMINDER_DAYS days."""
    at = now or timezone.now()
    day = timezone.localdate(at)
    due = Label.objects.filter(
        status=LabelStatus.ACTIVE,
        reminder_sent_at__isnull=True,
        valid_until__gte=day,
        valid_until__lte=day + timedelta(days=REMINDER_DAYS),
    ).select_related("organisation")
    count = 0
    for label in due:
        with transaction.atomic():
            claimed = Label.objects.filter(pk=label.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=at
            )
            if not claimed:
                continue
            notify(
                recipients=_city_people(label.organisation),
                topic="label",
                verb="label_expiring",
                title=_(
                    "Le label « ville numérique engagée » de %(city)s expire le %(until)s : "
                    "demandez une nouvelle évaluation"
                )
                % {"city": label.organisation.name, "until": french_date(label.valid_until)},
                url=_evaluations_url(label.organisation),
                target=label,
            )
            count += 1
    return count


def labels_expire(*, now: datetime | None = None) -> int:
    """Mark expired the labels whose last valid day has passed, and tell the cities."""
    at = now or timezone.now()
    day = timezone.localdate(at)
    due = Label.objects.filter(status=LabelStatus.ACTIVE, valid_until__lt=day).select_related(
        "organisation"
    )
    count = 0
    for label in due:
        with transaction.atomic():
            claimed = Label.objects.filter(pk=label.pk, status=LabelStatus.ACTIVE).update(
                status=LabelStatus.EXPIRED, expired_at=at
            )
            if not claimed:
                continue
            audit_record(
                actor=None, action="label.expire", obj=label, organisation=label.organisation
            )
            notify(
                recipients=_city_people(label.organisation),
                topic="label",
                verb="label_expired",
                title=_("Le label « ville numérique engagée » de %(city)s a expiré")
                % {"city": label.organisation.name},
                url=_evaluations_url(label.organisation),
                target=label,
            )
            count += 1
    return count
