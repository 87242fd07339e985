"""Pages of the diagnostic: the list and start form, the questionnaire with autosave (htmx),
the results (radar, peers, progress, history, recommendations), the review, the PDF report and
the network's anonymous figures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, require
from mediane.diagnostic import charts, recommendations, scoring, selectors, services
from mediane.diagnostic.models import Diagnostic, ReviewEvent
from mediane.directory.models import Organisation

BAND_LABELS = {
    "lt20k": gettext_lazy("moins de 20 000 habitants"),
    "20k-50k": gettext_lazy("20 000 à 50 000 habitants"),
    "50k-100k": gettext_lazy("50 000 à 100 000 habitants"),
    "gt100k": gettext_lazy("plus de 100 000 habitants"),
}


@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    """The smart-territory section: diagnostic, strategic plans and the label, for everyone."""
    return render(request, "diagnostic/hub.html", {"version": selectors.current_version()})


@login_required
@require_GET
def diagnostic_list(request: HttpRequest) -> HttpResponse:
    diagnostics = list(selectors.diagnostics_mine(request.user))
    for diagnostic in diagnostics:
        diagnostic.result = selectors.result_of(diagnostic)  # type: ignore[attr-defined]
    return render(
        request,
        "diagnostic/list.html",
        {
            "diagnostics": diagnostics,
            "cities": selectors.cities_to_start(request.user),
            "this_year": timezone.now().year,
            "version": selectors.current_version(),
        },
    )


@login_required
@require_POST
def diagnostic_start(request: HttpRequest) -> HttpResponse:
    try:
        organisation = Organisation.objects.get(pk=int(request.POST.get("organisation", "")))
        year = int(request.POST.get("year", ""))
    except (ValueError, Organisation.DoesNotExist):
        messages.error(request, _("Choisissez une ville et une année valides."))
        return redirect("diagnostic:list")
    try:
        diagnostic = services.diagnostic_start(
            actor=request.user,
            organisation=organisation,
            year=year,
            share_name=request.POST.get("share_name") == "on",
        )
    except PermissionDenied:
        messages.error(
            request, _("Vous ne pouvez pas ouvrir de diagnostic pour cette organisation.")
        )
        return redirect("diagnostic:list")
    except MedianeError as error:
        messages.error(request, error.message)
        return redirect("diagnostic:list")
    messages.success(
        request,
        _(
            "Diagnostic %(year)d ouvert : répondez en plusieurs fois, chaque réponse est "
            "enregistrée."
        )
        % {"year": year},
    )
    return redirect("diagnostic:answer", pk=diagnostic.pk)


def _question_rows(diagnostic: Diagnostic, result: scoring.Result) -> list[dict[str, Any]]:
    answers = selectors.answers_by_code(diagnostic)
    rows = []
    for dimension in selectors.dimensions_of(diagnostic.version):
        done, total = result.progress.get(dimension.code, (0, 0))
        rows.append(
            {
                "dimension": dimension,
                "done": done,
                "total": total,
                "score": result.dimensions.get(dimension.code),
                "questions": [
                    {
                        "question": q,
                        "answer": answers.get(q.code),
                        "na": q.code in result.not_applicable,
                        "level": result.question_levels.get(q.code),
                        "anchors": list(enumerate(q.anchors or [], start=1)),
                    }
                    for q in dimension.questions.all()
                ],
            }
        )
    return rows


@login_required
@require_GET
def diagnostic_answer(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = selectors.diagnostic_get_for(request.user, pk=pk)
    result = selectors.result_of(diagnostic)
    done = sum(d for d, _t in result.progress.values())
    total = sum(t for _d, t in result.progress.values())
    return render(
        request,
        "diagnostic/answer.html",
        {
            "diagnostic": diagnostic,
            "rows": _question_rows(diagnostic, result),
            "can_answer": can(request.user, "answer", diagnostic),
            "can_submit": can(request.user, "submit", diagnostic),
            "result": result,
            "done": done,
            "total": total,
            "band_label": BAND_LABELS[selectors.band_of(diagnostic)],
            "last_event": ReviewEvent.objects.filter(diagnostic=diagnostic).last(),
        },
    )


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Autosave of one question (htmx); without htmx, back to the questionnaire."""
    diagnostic = selectors.diagnostic_get_for(request.user, pk=pk)
    error = ""
    try:
        services.answer_save(
            actor=request.user,
            diagnostic=diagnostic,
            question_code=code,
            level=request.POST.get("level"),
            value=request.POST.get("value"),
            choice=request.POST.get("choice", ""),
            comment=request.POST.get("comment", ""),
        )
    except PermissionDenied:
        error = _("Ce diagnostic n'est plus modifiable ou vous ne pouvez pas y répondre.")
    except MedianeError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        result = selectors.result_of(diagnostic)
        response = render(
            request,
            "diagnostic/_saved.html",
            {
                "error": error,
                "code": code,
                "level": result.question_levels.get(code),
                "result": result,
                "saved_at": timezone.now(),
            },
            status=200,
        )
        question = diagnostic.version.questions.filter(code=code).first()
        if not error and question is not None and question.kind == "personalisation":
            response["HX-Refresh"] = "true"  # other questions became (not) applicable
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Réponse à la question %(code)s enregistrée.") % {"code": code})
    return redirect(f"{diagnostic.get_absolute_url()}questionnaire/#q-{code.replace('.', '')}")


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    diagnostic = selectors.diagnostic_get_for(request.user, pk=pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.diagnostic_submit(actor=request.user, diagnostic=diagnostic, comment=comment)
            messages.success(request, _("Diagnostic soumis : ses valideurs sont prévenus."))
        elif action == "validate":
            services.diagnostic_validate(actor=request.user, diagnostic=diagnostic, comment=comment)
            messages.success(
                request, _("Diagnostic validé : il compte désormais dans les chiffres du réseau.")
            )
        elif action == "send_back":
            services.diagnostic_send_back(
                actor=request.user, diagnostic=diagnostic, comment=comment
            )
            messages.success(request, _("Diagnostic renvoyé à la ville avec votre commentaire."))
        else:
            services.diagnostic_set_sharing(
                actor=request.user,
                diagnostic=diagnostic,
                share_name=request.POST.get("share_name") == "on",
            )
            messages.success(request, _("Choix de partage enregistré."))
    except PermissionDenied:
        messages.error(request, _("Cette action ne vous est pas permise à ce stade du diagnostic."))
    except MedianeError as error:
        messages.error(request, error.message)
        if action == "submit":
            return redirect("diagnostic:answer", pk=pk)
    return redirect(diagnostic.get_absolute_url())


@login_required
@require_POST
def diagnostic_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "submit")


@login_required
@require_POST
def diagnostic_validate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "validate")


@login_required
@require_POST
def diagnostic_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "send_back")


@login_required
@require_POST
def diagnostic_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "sharing")


def results_context(user: Any, diagnostic: Diagnostic) -> dict[str, Any]:
    """Everything the results page and the PDF show."""
    result = selectors.result_of(diagnostic)
    dimensions = selectors.dimensions_of(diagnostic.version)
    band = selectors.band_of(diagnostic)
    band_stats = selectors.network_stats(band=band)
    network = selectors.network_stats()
    previous = selectors.previous_validated(diagnostic)
    previous_scores = selectors.result_of(previous).dimensions if previous else {}
    rows = []
    for dim in dimensions:
        rows.append(
            {
                "dimension": dim,
                "score": result.dimensions.get(dim.code),
                "previous": previous_scores.get(dim.code),
                "change": (
                    round(result.dimensions[dim.code] - previous_scores[dim.code], 2)
                    if dim.code in result.dimensions and dim.code in previous_scores
                    else None
                ),
                "band": band_stats.dimensions.get(dim.code),
                "network": network.dimensions.get(dim.code),
            }
        )
    labels = {d.code: d.short for d in dimensions}
    series = [
        ("radar-city", f"{diagnostic.organisation.name} {diagnostic.year}", result.dimensions)
    ]
    if previous_scores:
        series.append(("radar-previous", f"{previous.year}", previous_scores))  # type: ignore[union-attr]
    band_medians = {
        code: s.median for code, s in band_stats.dimensions.items() if s.median is not None
    }
    if band_medians:
        series.append(("radar-band", _("Médiane de la tranche"), band_medians))
    history = []
    for item in selectors.history_of(user, diagnostic):
        history.append({"diagnostic": item, "overall": selectors.result_of(item).overall})
    return {
        "diagnostic": diagnostic,
        "result": result,
        "rows": rows,
        "radar": charts.radar(labels, series),
        "band": band,
        "band_label": BAND_LABELS[band],
        "band_stats": band_stats,
        "network": network,
        "min_peers": scoring.MIN_PEERS,
        "previous": previous,
        "history": history,
        "shared": selectors.shared_cities(user, exclude_id=diagnostic.organisation_id),  # type: ignore[attr-defined]
        "recommendations": recommendations.for_diagnostic(user, diagnostic, result),
    }


@login_required
@require_GET
def diagnostic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = selectors.diagnostic_get_for(request.user, pk=pk)
    context = results_context(request.user, diagnostic)
    context.update(
        {
            "can_answer": can(request.user, "answer", diagnostic),
            "can_validate": can(request.user, "validate", diagnostic),
            "can_share": can(request.user, "set_sharing", diagnostic),
            "events": list(diagnostic.events.select_related("actor")),
            "contributors": selectors.contributors_of(diagnostic),
            "plans": recommendations.plans_for(request.user, diagnostic),
        }
    )
    return render(request, "diagnostic/detail.html", context)


@login_required
@require_POST
def plan_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a dimension's suggested action to one of the city's plans, in one click."""
    from mediane.plans.selectors import plans_of
    from mediane.plans.services import action_add_suggested

    diagnostic = selectors.diagnostic_get_for(request.user, pk=pk)
    dimension = diagnostic.version.dimensions.filter(code=request.POST.get("dimension", "")).first()
    plan = (
        plans_of(request.user, diagnostic.organisation)
        .filter(pk=request.POST.get("plan") or 0)
        .first()
    )
    if dimension is None or plan is None:
        messages.error(request, _("Choisissez une dimension et un plan de la ville."))
        return redirect(diagnostic.get_absolute_url())
    try:
        action = action_add_suggested(
            actor=request.user,
            plan=plan,
            title=dimension.suggested_action,
            description=_(
                "Action suggérée par le diagnostic %(year)d (dimension %(code)s, %(name)s)."
            )
            % {"year": diagnostic.year, "code": dimension.code, "name": dimension.name},
            source_question=request.POST.get("question", "")[:8],
        )
    except PermissionDenied:
        messages.error(request, _("Vous ne pouvez pas modifier ce plan."))
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Action « %(action)s » ajoutée au plan « %(plan)s ».")
            % {"action": action.title, "plan": plan.title},
        )
    return redirect(f"{diagnostic.get_absolute_url()}#recommandations")


@login_required
@require_GET
def diagnostic_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from mediane.diagnostic.pdf import render_report

    diagnostic = selectors.diagnostic_get_for(request.user, pk=pk)
    require(request.user, "export", diagnostic)
    content = render_report(results_context(request.user, diagnostic), user=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"diagnostic-{diagnostic.organisation.slug}-{diagnostic.year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def network_page(request: HttpRequest) -> HttpResponse:
    """The network's anonymous figures per size band (public)."""
    version = selectors.current_version()
    dimensions = selectors.dimensions_of(version) if version else []
    stats = [(_("Tout le réseau"), selectors.network_stats())] + [
        (BAND_LABELS[code], selectors.network_stats(band=code)) for code in scoring.SIZE_BAND_CODES
    ]
    groups = [(label, s, [s.dimensions.get(d.code) for d in dimensions]) for label, s in stats]
    return render(
        request,
        "diagnostic/network.html",
        {
            "groups": groups,
            "dimensions": dimensions,
            "min_peers": scoring.MIN_PEERS,
            "shared": selectors.shared_cities(request.user),
        },
    )


@require_GET
def questionnaire_page(request: HttpRequest) -> HttpResponse:
    """The current questionnaire with its anchors and sources (public)."""
    version = selectors.current_version()
    return render(
        request,
        "diagnostic/questionnaire.html",
        {
            "version": version,
            "dimensions": selectors.dimensions_of(version) if version else [],
        },
    )
