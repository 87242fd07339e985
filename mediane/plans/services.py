"""Every write of plans: plans, axes, actions (with their funding, indicators and links), the
suggested actions added from the diagnostic, notifications to pilots. Each function checks the
actor's permission first, runs in one transaction and records an audit entry."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.core.errors import ValidationFailed
from mediane.core.models import Visibility
from mediane.core.permissions import require, role_in
from mediane.core.services import audit_record
from mediane.directory.models import Organisation
from mediane.notifications.services import notify
from mediane.plans.models import (
    Action,
    ActionIndicator,
    ActionQuestion,
    ActionStatus,
    Axis,
    Currency,
    FundingSource,
    IndicatorValue,
    Plan,
    PlanStatus,
    Priority,
)

SUGGESTED_AXIS_TITLE = "Actions issues du diagnostic"
MAX_MONEY = Decimal("999999999999.99")
QUESTION_CODE_MAX = 16


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def _text(value: Any, field: str, label: str, max_length: int, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _fail(field, _("Indiquez %(label)s.") % {"label": label})
    if len(text) > max_length:
        raise _fail(
            field,
            _("%(label)s : %(max)d caractères au plus.") % {"label": label, "max": max_length},
        )
    return text


def _decimal(value: Any, field: str, label: str, *, maximum: Decimal = MAX_MONEY) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _fail(field, _("%(label)s : nombre attendu.") % {"label": label}) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise _fail(field, _("%(label)s : nombre positif ou nul attendu.") % {"label": label})
    return number.quantize(Decimal("0.01"))


def _choice(value: str, choices: type, field: str, label: str) -> str:
    if value not in choices.values:  # type: ignore[attr-defined]
        raise _fail(field, _("%(label)s : valeur inconnue.") % {"label": label})
    return value


def _number(
    model: type[Axis] | type[Action],
    plan: Plan,
    value: Any,
    *,
    instance: Axis | Action | None,
    maximum: int,
    missing: str,
    out_of_range: str,
    taken: str,
) -> int:
    """The number of an axis or an action: a whole number from 1 to `maximum` that no other
    `model` of the plan has (`instance`, being edited, excepted)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail("number", missing) from None
    if not 1 <= number <= maximum:
        raise _fail("number", out_of_range)
    clash = model.objects.filter(plan=plan, number=number)  # type: ignore[attr-defined]
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise _fail("number", taken % {"n": number})
    return number


def _next_number(model: type[Axis] | type[Action], plan: Plan) -> int:
    """The number after the plan's highest axis or action number (1 for the first)."""
    highest = model.objects.filter(plan=plan).aggregate(m=Max("number"))["m"]  # type: ignore[attr-defined]
    return (highest or 0) + 1


def _reject_unknown(fields: Iterable[str], known: Iterable[str]) -> None:
    unknown = set(fields) - set(known)
    if unknown:
        raise ValidationFailed(_("Champ inconnu : %(f)s.") % {"f": ", ".join(sorted(unknown))})


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _slug(title: str, start_year: int) -> str:
    base = (slugify(f"{title}-{start_year}")[:200] or "plan").strip("-") or "plan"
    slug = base
    n = 2
    while Plan.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def clean_question_codes(codes: Iterable[str] | str) -> list[str]:
    """Codes of questionnaire items ("3.2"), from a list or a text separated by commas/spaces."""
    if isinstance(codes, str):
        codes = codes.replace(";", ",").replace(" ", ",").split(",")
    result: list[str] = []
    for code in codes:
        code = str(code).strip()
        if not code:
            continue
        if len(code) > QUESTION_CODE_MAX or not all(c.isalnum() or c in ".-_" for c in code):
            raise _fail(
                "question_codes",
                _("Code de question invalide : « %(code)s » (exemple : 3.2).")
                % {"code": code[:20]},
            )
        if code not in result:
            result.append(code)
    return result


# --- Plans ------------------------------------------------------------------------------------


def _clean_plan(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": _text(values.get("title"), "title", _("le titre"), 200, required=True),
        "description": _text(
            values.get("description"), "description", _("la description"), 20000, required=False
        ),
    }
    years = {}
    for name, label in (("start_year", _("l'année de début")), ("end_year", _("l'année de fin"))):
        try:
            year = int(values.get(name))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _fail(name, _("Indiquez %(label)s.") % {"label": label}) from None
        if not 1990 <= year <= 2100:
            raise _fail(name, _("Année entre 1990 et 2100."))
        years[name] = year
    if years["end_year"] < years["start_year"]:
        raise _fail("end_year", _("L'année de fin précède l'année de début."))
    out.update(years)
    out["status"] = _choice(values.get("status", PlanStatus.DRAFT), PlanStatus, "status", _("État"))
    out["visibility"] = _choice(
        values.get("visibility", Visibility.PUBLIC), Visibility, "visibility", _("Visibilité")
    )
    out["currency"] = _choice(
        values.get("currency", Currency.EUR), Currency, "currency", _("Devise")
    )
    return out


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    start_year: int,
    end_year: int,
    description: str = "",
    status: str = PlanStatus.DRAFT,
    visibility: str = Visibility.PUBLIC,
    currency: str = Currency.EUR,
    is_demo: bool = False,
) -> Plan:
    """Create a plan of `organisation` (the actor edits it)."""
    require(actor, "create", Plan(organisation=organisation))
    values = _clean_plan(
        {
            "title": title,
            "start_year": start_year,
            "end_year": end_year,
            "description": description,
            "status": status,
            "visibility": visibility,
            "currency": currency,
        }
    )
    plan = Plan.objects.create(
        organisation=organisation,
        slug=_slug(values["title"], values["start_year"]),
        is_demo=is_demo,
        created_by=_actor(actor),
        **values,
    )
    audit_record(
        actor=actor,
        action="plan.create",
        obj=plan,
        organisation=organisation,
        changes={"title": plan.title},
    )
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, **fields: Any) -> Plan:
    """Edit title, period, description, status, visibility, currency."""
    require(actor, "change", plan)
    current = {
        name: getattr(plan, name)
        for name in (
            "title",
            "start_year",
            "end_year",
            "description",
            "status",
            "visibility",
            "currency",
        )
    }
    _reject_unknown(fields, current)
    values = _clean_plan({**current, **fields})
    changes = {k: str(v) for k, v in values.items() if current[k] != v}
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    audit_record(
        actor=actor,
        action="plan.update",
        obj=plan,
        organisation=plan.organisation,
        changes=changes,
    )
    return plan


# --- Axes -------------------------------------------------------------------------------------


def _clean_axis(plan: Plan, values: dict[str, Any], *, axis: Axis | None = None) -> dict[str, Any]:
    return {
        "number": _number(
            Axis,
            plan,
            values.get("number"),
            instance=axis,
            maximum=999,
            missing=_("Indiquez le numéro de l'axe."),
            out_of_range=_("Numéro d'axe entre 1 et 999."),
            taken=_("Le plan a déjà un axe n° %(n)d."),
        ),
        "title": _text(values.get("title"), "title", _("l'intitulé"), 200, required=True),
        "description": _text(
            values.get("description"), "description", _("la description"), 5000, required=False
        ),
        "weight": _decimal(values.get("weight"), "weight", _("Poids"), maximum=Decimal("99999")),
    }


@transaction.atomic
def axis_create(
    *,
    actor: Any,
    plan: Plan,
    number: int | None = None,
    title: str,
    description: str = "",
    weight: Any = None,
    is_example: bool = False,
) -> Axis:
    require(actor, "change", plan)
    if number is None:
        number = _next_number(Axis, plan)
    values = _clean_axis(
        plan, {"number": number, "title": title, "description": description, "weight": weight}
    )
    axis = Axis.objects.create(plan=plan, is_example=is_example, **values)
    audit_record(
        actor=actor,
        action="plan.axis_create",
        obj=axis,
        organisation=plan.organisation,
        changes={"number": axis.number, "title": axis.title},
    )
    return axis


@transaction.atomic
def axis_update(*, actor: Any, axis: Axis, **fields: Any) -> Axis:
    require(actor, "change", axis.plan)
    current = {n: getattr(axis, n) for n in ("number", "title", "description", "weight")}
    values = _clean_axis(axis.plan, {**current, **fields}, axis=axis)
    for name, value in values.items():
        setattr(axis, name, value)
    axis.save()
    audit_record(
        actor=actor,
        action="plan.axis_update",
        obj=axis,
        organisation=axis.plan.organisation,
        changes={k: str(v) for k, v in values.items()},
    )
    return axis


# --- Actions ----------------------------------------------------------------------------------

ACTION_FIELDS = (
    "axis",
    "number",
    "title",
    "description",
    "status",
    "priority",
    "start_date",
    "end_date",
    "budget_planned",
    "budget_spent",
    "progress",
    "weight",
    "pilot_roles",
)
ACTION_RELATIONS = ("pilots", "partners", "projects", "challenges", "datasets", "question_codes")


def _date(value: Any, field: str, label: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _fail(
        field, _("%(label)s : date attendue (AAAA-MM-JJ ou JJ/MM/AAAA).") % {"label": label}
    )


def next_action_number(plan: Plan) -> int:
    return _next_number(Action, plan)


def clean_action(
    plan: Plan, values: dict[str, Any], *, action: Action | None = None
) -> dict[str, Any]:
    """Validate the scalar fields of an action (shared by the forms, the services, the import)."""
    axis = values.get("axis")
    if not isinstance(axis, Axis) or axis.plan_id != plan.pk:
        raise _fail("axis", _("Choisissez un axe du plan."))
    out: dict[str, Any] = {
        "axis": axis,
        "number": _number(
            Action,
            plan,
            values.get("number"),
            instance=action,
            maximum=99999,
            missing=_("Indiquez le numéro de l'action."),
            out_of_range=_("Numéro d'action entre 1 et 99 999."),
            taken=_("Le plan a déjà une action n° %(n)d."),
        ),
        "title": _text(values.get("title"), "title", _("l'intitulé"), 300, required=True),
        "description": _text(
            values.get("description"), "description", _("la description"), 20000, required=False
        ),
        "status": _choice(
            values.get("status") or ActionStatus.UPCOMING, ActionStatus, "status", _("État")
        ),
        "priority": _choice(
            values.get("priority") or Priority.NORMAL, Priority, "priority", _("Priorité")
        ),
        "start_date": _date(values.get("start_date"), "start_date", _("Début")),
        "end_date": _date(values.get("end_date"), "end_date", _("Fin")),
        "budget_planned": _decimal(
            values.get("budget_planned"), "budget_planned", _("Budget prévu")
        ),
        "budget_spent": _decimal(values.get("budget_spent"), "budget_spent", _("Budget dépensé")),
        "weight": _decimal(values.get("weight"), "weight", _("Poids"), maximum=Decimal("99999")),
        "pilot_roles": _text(
            values.get("pilot_roles"),
            "pilot_roles",
            _("les services pilotes"),
            300,
            required=False,
        ),
    }
    if out["start_date"] and out["end_date"] and out["end_date"] < out["start_date"]:
        raise _fail("end_date", _("La date de fin précède la date de début."))
    progress = values.get("progress")
    try:
        progress = 0 if progress in (None, "") else int(Decimal(str(progress).replace(",", ".")))
    except (InvalidOperation, ValueError):
        raise _fail("progress", _("Avancement : nombre de 0 à 100 attendu.")) from None
    if not 0 <= progress <= 100:
        raise _fail("progress", _("Avancement : nombre de 0 à 100 attendu."))
    if out["status"] == ActionStatus.DONE:
        progress = 100
    out["progress"] = progress
    return out


def _check_pilots(plan: Plan, pilots: Iterable[Any]) -> list[Any]:
    people = list(pilots)
    for person in people:
        if role_in(person, plan.organisation_id) is None:
            raise _fail(
                "pilots",
                _(
                    "%(name)s n'est pas membre de %(org)s : seul un membre de la ville "
                    "peut piloter une action."
                )
                % {"name": person, "org": plan.organisation.name},
            )
    return people


def _set_relations(action: Action, relations: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("partners", "projects", "challenges", "datasets"):
        if name in relations:
            items = list(relations[name])
            getattr(action, name).set(items)
            changes[name] = sorted(i.pk for i in items)
    if "question_codes" in relations:
        codes = clean_question_codes(relations["question_codes"])
        action.questions.exclude(code__in=codes).delete()
        existing = set(action.questions.values_list("code", flat=True))
        ActionQuestion.objects.bulk_create(
            [ActionQuestion(action=action, code=c) for c in codes if c not in existing]
        )
        changes["question_codes"] = codes
    return changes


def _notify_pilots(
    *, actor: Any, action: Action, recipients: Iterable[Any], verb: str, title: str
) -> None:
    notify(
        recipients=recipients,
        topic="plan",
        verb=verb,
        title=title,
        url=action.get_absolute_url(),
        actor=_actor(actor),
        target=action,
    )


def _notify_assigned(*, actor: Any, plan: Plan, action: Action, pilots: Iterable[Any]) -> None:
    """Tell `pilots` they pilot `action` of `plan`."""
    _notify_pilots(
        actor=actor,
        action=action,
        recipients=pilots,
        verb="plan.action_assigned",
        title=_("Vous pilotez l'action %(n)d « %(t)s » du plan %(p)s.")
        % {"n": action.number, "t": action.title, "p": plan.title},
    )


@transaction.atomic
def action_create(*, actor: Any, plan: Plan, is_example: bool = False, **fields: Any) -> Action:
    """Create an action; `number` defaults to the next free one. Notifies its pilots."""
    require(actor, "change", plan)
    _reject_unknown(fields, ACTION_FIELDS + ACTION_RELATIONS)
    if fields.get("number") in (None, ""):
        fields["number"] = next_action_number(plan)
    values = clean_action(plan, fields)
    pilots = _check_pilots(plan, fields.get("pilots", ()))
    action = Action.objects.create(plan=plan, is_example=is_example, **values)
    action.pilots.set(pilots)
    changes = _set_relations(action, fields)
    audit_record(
        actor=actor,
        action="plan.action_create",
        obj=action,
        organisation=plan.organisation,
        changes={"number": action.number, "title": action.title, **changes},
    )
    if pilots:
        _notify_assigned(actor=actor, plan=plan, action=action, pilots=pilots)
    return action


@transaction.atomic
def action_update(*, actor: Any, action: Action, **fields: Any) -> Action:
    """Edit an action. New pilots are told they were assigned; all pilots hear of a new status."""
    plan = action.plan
    require(actor, "change", plan)
    _reject_unknown(fields, ACTION_FIELDS + ACTION_RELATIONS)
    action = Action.objects.select_for_update().get(pk=action.pk)
    current = {name: getattr(action, name) for name in ACTION_FIELDS}
    values = clean_action(plan, {**current, **fields}, action=action)
    old_status = action.status
    old_pilots = set(action.pilots.values_list("pk", flat=True))
    changes: dict[str, Any] = {k: str(v) for k, v in values.items() if current[k] != v}
    for name, value in values.items():
        setattr(action, name, value)
    action.save()
    new_pilots: list[Any] = []
    if "pilots" in fields:
        pilots = _check_pilots(plan, fields["pilots"])
        action.pilots.set(pilots)
        new_pilots = [p for p in pilots if p.pk not in old_pilots]
        changes["pilots"] = sorted(p.pk for p in pilots)
    changes.update(_set_relations(action, fields))
    audit_record(
        actor=actor,
        action="plan.action_update",
        obj=action,
        organisation=plan.organisation,
        changes=changes,
    )
    if new_pilots:
        _notify_assigned(actor=actor, plan=plan, action=action, pilots=new_pilots)
    if action.status != old_status:
        new_ids = {p.pk for p in new_pilots}
        others = [p for p in action.pilots.all() if p.pk not in new_ids]
        if others:
            _notify_pilots(
                actor=actor,
                action=action,
                recipients=others,
                verb="plan.action_status",
                title=_("Action %(n)d « %(t)s » : %(s)s.")
                % {"n": action.number, "t": action.title, "s": action.get_status_display()},
            )
    return action


@transaction.atomic
def action_add_suggested(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    description: str = "",
    axis: Axis | None = None,
    source_question: str = "",
) -> Action:
    """Add a suggested action "à venir" (from the diagnostic's recommendations) in one click.

    It goes at the end of `axis`, or of the plan's "Actions issues du diagnostic" axis (created at
    the end of the plan if needed), with the plan's next free number, linked to the questionnaire
    item `source_question` (e.g. "3.2") when given.
    """
    require(actor, "change", plan)
    if axis is None:
        axis = Axis.objects.filter(plan=plan, title=SUGGESTED_AXIS_TITLE).first()
        if axis is None:
            axis = axis_create(
                actor=actor,
                plan=plan,
                title=SUGGESTED_AXIS_TITLE,
                description=_("Actions ajoutées depuis les recommandations de l'autodiagnostic."),
            )
    elif axis.plan_id != plan.pk:
        raise _fail("axis", _("Choisissez un axe du plan."))
    return action_create(
        actor=actor,
        plan=plan,
        axis=axis,
        title=title,
        description=description,
        status=ActionStatus.UPCOMING,
        question_codes=[source_question] if source_question else [],
    )


# --- Funding and indicators -------------------------------------------------------------------


@transaction.atomic
def funding_add(
    *, actor: Any, action: Action, funder: str, amount: Any, currency: str = Currency.EUR
) -> FundingSource:
    require(actor, "change", action.plan)
    value = _decimal(amount, "amount", _("Montant"))
    if value is None:
        raise _fail("amount", _("Indiquez le montant."))
    source = FundingSource.objects.create(
        action=action,
        funder=_text(funder, "funder", _("le financeur"), 200, required=True),
        amount=value,
        currency=_choice(currency, Currency, "currency", _("Devise")),
    )
    audit_record(
        actor=actor,
        action="plan.funding_add",
        obj=action,
        organisation=action.plan.organisation,
        changes={"funder": source.funder, "amount": str(source.amount), "currency": currency},
    )
    return source


@transaction.atomic
def funding_remove(*, actor: Any, source: FundingSource) -> None:
    action = source.action
    require(actor, "change", action.plan)
    audit_record(
        actor=actor,
        action="plan.funding_remove",
        obj=action,
        organisation=action.plan.organisation,
        changes={"funder": source.funder},
    )
    source.delete()


@transaction.atomic
def indicator_create(
    *, actor: Any, action: Action, name: str, unit: str = "", target: Any = None
) -> ActionIndicator:
    require(actor, "change", action.plan)
    indicator = ActionIndicator.objects.create(
        action=action,
        name=_text(name, "name", _("le nom"), 200, required=True),
        unit=_text(unit, "unit", _("l'unité"), 40, required=False),
        target=_decimal(target, "target", _("Cible")),
    )
    audit_record(
        actor=actor,
        action="plan.indicator_create",
        obj=action,
        organisation=action.plan.organisation,
        changes={"name": indicator.name},
    )
    return indicator


@transaction.atomic
def indicator_value_set(
    *, actor: Any, indicator: ActionIndicator, date: Any, value: Any
) -> IndicatorValue:
    """Record the indicator's value at `date` (replaces the value of the same date)."""
    action = indicator.action
    require(actor, "change", action.plan)
    when = _date(date, "date", _("Date"))
    if when is None:
        raise _fail("date", _("Indiquez la date."))
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise _fail("value", _("Valeur : nombre attendu.")) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise _fail("value", _("Valeur : nombre attendu."))
    row, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator, date=when, defaults={"value": number.quantize(Decimal("0.0001"))}
    )
    audit_record(
        actor=actor,
        action="plan.indicator_value",
        obj=action,
        organisation=action.plan.organisation,
        changes={"indicator": indicator.name, "date": when.isoformat(), "value": str(number)},
    )
    return row
