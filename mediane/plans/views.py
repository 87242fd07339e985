"""Pages of plans: list, plan tree, actions and their forms, indicators, public accountability
page, exports and import.

Views parse input, call one selector or service, render. Hidden plans raise the selectors'
NotFound (404); refused actions PermissionDenied (403). Service errors become French messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.accounts.models import User
from mediane.cooperation.models import Project
from mediane.core.errors import MedianeError
from mediane.core.models import Visibility
from mediane.core.permissions import can, require, user_roles
from mediane.datahub.models import Dataset
from mediane.directory.models import Organisation
from mediane.market.models import Challenge
from mediane.plans import exports, imports, selectors, services
from mediane.plans.charts import line_chart
from mediane.plans.forms import (
    ActionForm,
    AxisForm,
    FundingForm,
    ImportForm,
    IndicatorForm,
    IndicatorValueForm,
    PlanForm,
)
from mediane.plans.models import Action, ActionIndicator, Axis, Plan, PlanStatus


def _form_errors(form: Any, error: MedianeError) -> None:
    placed = False
    for field, texts in error.field_errors.items():
        for text in texts:
            if field in form.fields:
                form.add_error(field, text)
                placed = True
    if not placed:
        form.add_error(None, error.message)


def _submit(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    *,
    then: Any = None,
) -> HttpResponse | None:
    """Save a valid bound form through its service: on success, flash `success` (or what it makes
    of the saved object) and redirect to `then`, else to the saved object. None when the form is
    to be shown again: unbound, invalid, or refused by the service (its errors put on the form)."""
    if not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except MedianeError as error:
        _form_errors(form, error)
        return None
    messages.success(request, success(saved) if callable(success) else success)
    return redirect(then if then is not None else saved)


def _choices(form: Any, name: str, choices: list[tuple[str, str]]) -> None:
    form.fields[name].choices = choices


def _pct(value: float | None) -> int | None:
    return None if value is None else round(value)


# --- List and plan ----------------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(
        selectors.plans_visible(request.user).order_by("organisation__name", "-start_year")
    )
    city = request.GET.get("ville", "")
    if city:
        plans = [p for p in plans if p.organisation.slug == city]
    editable = [
        org_id for org_id, role in user_roles(request.user).items() if role in ("editor", "admin")
    ]
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": plans,
            "city": city,
            "cities": selectors.organisations_with_plans(request.user),
            "can_create": bool(editable),
        },
    )


def _editable_cities(user: Any) -> list[Organisation]:
    ids = [org_id for org_id, role in user_roles(user).items() if role in ("editor", "admin")]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    cities = _editable_cities(request.user)
    if not cities:
        raise Http404(_("Aucune organisation que vous pouvez modifier."))
    form = PlanForm(
        request.POST or None,
        initial={"status": PlanStatus.DRAFT, "visibility": Visibility.PUBLIC, "currency": "EUR"},
    )
    _choices(form, "organisation", [(o.slug, o.name) for o in cities])
    form.fields["organisation"].required = True
    done = _submit(
        request,
        form,
        lambda data: services.plan_create(
            actor=request.user,
            organisation=next(o for o in cities if o.slug == data["organisation"]),
            title=data["title"],
            start_year=data["start_year"],
            end_year=data["end_year"],
            description=data["description"],
            status=data["status"],
            visibility=data["visibility"],
            currency=data["currency"],
        ),
        _("Le plan est créé : ajoutez ses axes et ses actions."),
    )
    if done:
        return done
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    fields = ("title", "start_year", "end_year", "description", "status", "visibility", "currency")
    form = PlanForm(request.POST or None, initial={f: getattr(plan, f) for f in fields})
    del form.fields["organisation"]
    done = _submit(
        request,
        form,
        lambda data: services.plan_update(
            actor=request.user, plan=plan, **{f: data[f] for f in fields}
        ),
        _("Le plan est enregistré."),
        then=plan,
    )
    if done:
        return done
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@require_GET
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    tree = selectors.plan_tree(plan)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tree": tree,
            "progress": _pct(tree.progress),
            "axes": [(node, _pct(node.progress)) for node in tree.axes],
            "can_change": can(request.user, "change", plan),
            "status_counts": _status_counts(tree),
        },
    )


def _status_counts(tree: selectors.PlanTree) -> list[tuple[str, Any, int]]:
    from mediane.plans.models import ActionStatus

    return [(value, label, tree.counts.get(value, 0)) for value, label in ActionStatus.choices]


@require_GET
def plan_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The public accountability page: progress, timeline of actions by dates, indicators."""
    plan = selectors.plan_get_for(request.user, slug)
    tree = selectors.plan_tree(plan)
    dated = sorted(
        (a for a in tree.actions if a.start_date or a.end_date),
        key=lambda a: (a.start_date or a.end_date, a.number),
    )
    by_year: dict[int, list[Action]] = {}
    for action in dated:
        when = action.start_date or action.end_date
        assert when is not None
        by_year.setdefault(when.year, []).append(action)
    indicators = [(ind, _chart(ind)) for ind in selectors.plan_indicators(plan) if ind.values.all()]
    return render(
        request,
        "plans/plan_public.html",
        {
            "plan": plan,
            "tree": tree,
            "progress": _pct(tree.progress),
            "axes": [(node, _pct(node.progress)) for node in tree.axes],
            "timeline": sorted(by_year.items()),
            "undated": len(tree.actions) - len(dated),
            "indicators": indicators,
            "status_counts": _status_counts(tree),
        },
    )


def _chart(indicator: ActionIndicator) -> Any:
    values = [(v.date, v.value) for v in indicator.values.all()]
    return line_chart(values, target=indicator.target)


# --- Axes -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def axis_create(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    form = AxisForm(request.POST or None, initial={"number": plan.axes.count() + 1})
    done = _submit(
        request,
        form,
        lambda data: services.axis_create(actor=request.user, plan=plan, **data),
        _("L'axe est ajouté."),
        then=plan,
    )
    if done:
        return done
    return render(request, "plans/axis_form.html", {"form": form, "plan": plan, "axis": None})


@login_required
@require_http_methods(["GET", "POST"])
def axis_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    axis = Axis.objects.filter(plan=plan, number=number).first()
    if axis is None:
        raise Http404(_("Axe introuvable."))
    form = AxisForm(
        request.POST or None,
        initial={
            "number": axis.number,
            "title": axis.title,
            "description": axis.description,
            "weight": axis.weight if axis.weight is not None else "",
        },
    )
    done = _submit(
        request,
        form,
        lambda data: services.axis_update(actor=request.user, axis=axis, **data),
        _("L'axe est enregistré."),
        then=plan,
    )
    if done:
        return done
    return render(request, "plans/axis_form.html", {"form": form, "plan": plan, "axis": axis})


# --- Actions ----------------------------------------------------------------------------------


def _action_form(request: HttpRequest, plan: Plan, initial: dict[str, Any]) -> ActionForm:
    form = ActionForm(request.POST or None, initial=initial)
    _choices(form, "axis", [(str(a.number), str(a)) for a in plan.axes.all()])
    members = (
        User.objects.filter(memberships__organisation=plan.organisation, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )
    _choices(form, "pilots", [(str(u.pk), u.full_name or u.email) for u in members])
    _choices(
        form,
        "partners",
        [
            (str(o.pk), o.name)
            for o in Organisation.objects.exclude(pk=plan.organisation_id).order_by("name")[:500]
        ],
    )
    _choices(
        form,
        "projects",
        [
            (str(p.pk), p.title)
            for p in Project.objects.filter(partner_links__organisation=plan.organisation)
            .distinct()
            .order_by("title")
            if can(request.user, "view", p)
        ],
    )
    _choices(
        form,
        "challenges",
        [
            (str(c.pk), c.title)
            for c in Challenge.objects.filter(issuer_links__organisation=plan.organisation)
            .distinct()
            .order_by("title")
            if can(request.user, "view", c)
        ],
    )
    _choices(
        form,
        "datasets",
        [
            (str(d.pk), d.title)
            for d in Dataset.objects.filter(organisation=plan.organisation).order_by("title")
            if can(request.user, "view", d)
        ],
    )
    return form


def _action_values(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["axis"] = plan.axes.filter(number=int(data["axis"])).first()
    values["pilots"] = list(User.objects.filter(pk__in=data["pilots"]))
    values["partners"] = list(Organisation.objects.filter(pk__in=data["partners"]))
    values["projects"] = list(Project.objects.filter(pk__in=data["projects"]))
    values["challenges"] = list(Challenge.objects.filter(pk__in=data["challenges"]))
    values["datasets"] = list(Dataset.objects.filter(pk__in=data["datasets"]))
    return values


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    if not plan.axes.exists():
        messages.warning(request, _("Ajoutez d'abord un axe au plan."))
        return redirect("plans:axis_create", slug=plan.slug)
    initial = {
        "axis": request.GET.get("axe", ""),
        "number": services.next_action_number(plan),
        "status": "upcoming",
        "priority": "normal",
        "progress": 0,
    }
    form = _action_form(request, plan, initial)
    done = _submit(
        request,
        form,
        lambda data: services.action_create(
            actor=request.user, plan=plan, **_action_values(plan, data)
        ),
        lambda action: _("L'action n° %(n)d est ajoutée.") % {"n": action.number},
    )
    if done:
        return done
    return render(request, "plans/action_form.html", {"form": form, "plan": plan, "action": None})


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    action = selectors.action_get_for(request.user, plan, number)
    initial = {
        "axis": str(action.axis.number),
        "number": action.number,
        "title": action.title,
        "description": action.description,
        "status": action.status,
        "priority": action.priority,
        "progress": action.progress,
        "weight": action.weight if action.weight is not None else "",
        "start_date": action.start_date,
        "end_date": action.end_date,
        "budget_planned": action.budget_planned if action.budget_planned is not None else "",
        "budget_spent": action.budget_spent if action.budget_spent is not None else "",
        "pilots": [str(u.pk) for u in action.pilots.all()],
        "pilot_roles": action.pilot_roles,
        "partners": [str(o.pk) for o in action.partners.all()],
        "projects": [str(p.pk) for p in action.projects.all()],
        "challenges": [str(c.pk) for c in action.challenges.all()],
        "datasets": [str(d.pk) for d in action.datasets.all()],
        "question_codes": ", ".join(q.code for q in action.questions.all()),
    }
    form = _action_form(request, plan, initial)
    done = _submit(
        request,
        form,
        lambda data: services.action_update(
            actor=request.user, action=action, **_action_values(plan, data)
        ),
        _("L'action est enregistrée."),
    )
    if done:
        return done
    return render(request, "plans/action_form.html", {"form": form, "plan": plan, "action": action})


@require_GET
def action_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    action = selectors.action_get_for(request.user, plan, number)
    return render(request, "plans/action_detail.html", _action_context(request, plan, action))


def _action_context(request: HttpRequest, plan: Plan, action: Action, **forms: Any) -> dict:
    user = request.user
    return {
        "plan": plan,
        "action": action,
        "can_change": can(user, "change", plan),
        "indicators": [(ind, _chart(ind)) for ind in action.indicators.all()],
        "funding": list(action.funding.all()),
        "projects": [p for p in action.projects.all() if can(user, "view", p)],
        "challenges": [c for c in action.challenges.all() if can(user, "view", c)],
        "datasets": [d for d in action.datasets.all() if can(user, "view", d)],
        "pilots": list(action.pilots.all()),
        "funding_form": forms.get("funding_form")
        or FundingForm(initial={"currency": plan.currency}),
        "indicator_form": forms.get("indicator_form") or IndicatorForm(),
        "value_form": forms.get("value_form") or IndicatorValueForm(),
        "value_form_for": forms.get("value_form_for"),
    }


def _change_action(request: HttpRequest, slug: str, number: int) -> tuple[Plan, Action]:
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    return plan, selectors.action_get_for(request.user, plan, number)


def _action_form_post(
    request: HttpRequest,
    plan: Plan,
    action: Action,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    **forms: Any,
) -> HttpResponse:
    """A form of the action page: saved, back to the action; else the page again (400) with
    the form and its errors (`forms`: how `_action_context` names it)."""
    done = _submit(request, form, save, success, then=action)
    if done:
        return done
    context = _action_context(request, plan, action, **forms)
    return render(request, "plans/action_detail.html", context, status=400)


@login_required
@require_POST
def funding_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    plan, action = _change_action(request, slug, number)
    form = FundingForm(request.POST)
    return _action_form_post(
        request,
        plan,
        action,
        form,
        lambda data: services.funding_add(actor=request.user, action=action, **data),
        _("Le financement est ajouté."),
        funding_form=form,
    )


@login_required
@require_POST
def indicator_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    plan, action = _change_action(request, slug, number)
    form = IndicatorForm(request.POST)
    return _action_form_post(
        request,
        plan,
        action,
        form,
        lambda data: services.indicator_create(actor=request.user, action=action, **data),
        _("L'indicateur est ajouté."),
        indicator_form=form,
    )


@login_required
@require_POST
def indicator_value_add(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    plan, action = _change_action(request, slug, number)
    indicator = ActionIndicator.objects.filter(pk=pk, action=action).first()
    if indicator is None:
        raise Http404(_("Indicateur introuvable."))
    form = IndicatorValueForm(request.POST, prefix=f"ind{pk}")
    return _action_form_post(
        request,
        plan,
        action,
        form,
        lambda data: services.indicator_value_set(actor=request.user, indicator=indicator, **data),
        _("La valeur est enregistrée."),
        value_form=form,
        value_form_for=pk,
    )


# --- Export and import ------------------------------------------------------------------------


@require_GET
def plan_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Format inconnu."))
    tree = selectors.plan_tree(plan)
    rows = exports.plan_rows(tree)
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(rows, title=plan.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}.{fmt}"'
    return response


SESSION_KEY = "plans_import"


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload → preview (what will be created or updated, errors per row) → confirm."""
    plan = selectors.plan_get_for(request.user, slug)
    require(request.user, "change", plan)
    preview = None
    form = ImportForm()
    if request.method == "POST" and request.POST.get("confirm"):
        stored = request.session.get(SESSION_KEY) or {}
        if stored.get("plan") != plan.pk or stored.get("token") != request.POST.get("confirm"):
            messages.error(request, _("Aperçu expiré : déposez le fichier à nouveau."))
            return redirect("plans:import", slug=plan.slug)
        try:
            result = imports.apply(actor=request.user, plan=plan, rows=stored["rows"])
        except MedianeError as error:
            messages.error(request, error.message)
            return redirect("plans:import", slug=plan.slug)
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _(
                "Import terminé : %(c)d action(s) créée(s), %(u)d mise(s) à jour, "
                "%(a)d axe(s) créé(s)."
            )
            % {"c": result.created, "u": result.updated, "a": result.axes_created},
        )
        return redirect(plan)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                preview = imports.preview(plan, form.cleaned_data["file"])
            except MedianeError as error:
                form.add_error("file", error.message)
            else:
                if preview.ok:
                    token = imports.new_token()
                    request.session[SESSION_KEY] = {
                        "plan": plan.pk,
                        "token": token,
                        "rows": preview.payload(),
                    }
                    preview.token = token
    return render(
        request,
        "plans/plan_import.html",
        {"plan": plan, "form": form, "preview": preview, "columns": exports.COLUMNS},
    )
