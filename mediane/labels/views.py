"""Label pages: the public list of labelled cities and the criteria, a city's public label page
and verification page, the badge (SVG) and the certificate (PDF); the evaluations page (request
one for a city), an evaluation with its evidence, and the secretariat's decision.

Reads go through `selectors`, writes through one service each; domain errors become French
messages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError, NotFound
from mediane.core.permissions import can, require
from mediane.directory.models import Organisation
from mediane.labels import selectors, services
from mediane.labels.documents import certificate_pdf, criteria_met
from mediane.labels.evaluation import french_date
from mediane.labels.models import EvaluationStatus, Label, LabelEvaluation

BADGE_MAX_AGE = 3600  # seconds a badge may be cached (the status changes at most daily)


def badge_url(organisation: Organisation) -> str:
    return settings.SITE_URL + reverse("labels:badge", args=[organisation.slug])


def city_url(organisation: Organisation) -> str:
    return settings.SITE_URL + reverse("labels:city", args=[organisation.slug])


def verify_url(label: Label) -> str:
    return settings.SITE_URL + reverse("labels:verify", args=[label.reference])


def badge_snippet(organisation: Organisation) -> str:
    """The HTML a city copies into its website: the badge linked to its public label page."""
    alt = _("Label « ville numérique engagée » de %(city)s") % {"city": organisation.name}
    return (
        f'<a href="{city_url(organisation)}"><img src="{badge_url(organisation)}" '
        f'alt="{alt}" width="220" height="64"></a>'
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Public: labelled cities and the criteria."""
    return render(
        request,
        "labels/index.html",
        {
            "labels": list(selectors.labelled_cities()),
            "criteria": list(selectors.active_criteria()),
            "can_request": request.user.is_authenticated
            and selectors.requestable_cities(request.user).exists(),
        },
    )


def _label_page(request: HttpRequest, label: Label, *, verification: bool) -> HttpResponse:
    require(request.user, "view", label)
    return render(
        request,
        "labels/label.html",
        {
            "label": label,
            "city": label.organisation,
            "valid": selectors.is_valid_today(label),
            "criteria_met": criteria_met(label),
            "verification": verification,
            "can_certificate": can(request.user, "certificate", label),
            "snippet": badge_snippet(label.organisation),
            "badge_src": reverse("labels:badge", args=[label.organisation.slug]),
        },
    )


@require_GET
def verify(request: HttpRequest, reference: str) -> HttpResponse:
    """Public: the page the certificate's QR code opens."""
    try:
        label = selectors.label_by_reference(reference)
    except NotFound as error:
        raise Http404(error.message) from error
    return _label_page(request, label, verification=True)


@require_GET
def city(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the city's latest label (the page the badge links to)."""
    try:
        organisation = selectors.city_by_slug(slug)
    except NotFound as error:
        raise Http404(error.message) from error
    label = selectors.latest_label(organisation)
    assert label is not None  # city_by_slug checked it
    return _label_page(request, label, verification=False)


@require_GET
def badge(request: HttpRequest, slug: str) -> HttpResponse:
    """Public, cacheable: the city's badge as SVG, « expiré » once its label has expired."""
    try:
        organisation = selectors.city_by_slug(slug)
    except NotFound as error:
        raise Http404(error.message) from error
    label = selectors.latest_label(organisation)
    assert label is not None
    valid = selectors.is_valid_today(label)
    response = render(
        request,
        "labels/badge.svg",
        {
            "city": organisation.name,
            "valid": valid,
            "year": label.valid_from.year,
            "until": label.valid_until,
            "until_text": french_date(label.valid_until),
        },
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = f"public, max-age={BADGE_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@login_required
@require_GET
def certificate(request: HttpRequest, reference: str) -> HttpResponse:
    """The certificate PDF, for the city's members and the secretariat."""
    try:
        label = selectors.label_by_reference(reference)
    except NotFound as error:
        raise Http404(error.message) from error
    if not can(request.user, "certificate", label):
        raise PermissionDenied
    content = certificate_pdf(label, verify_url=verify_url(label))
    response = HttpResponse(content, content_type="application/pdf")
    name = f"label-ville-numerique-engagee-{label.organisation.slug}-{label.valid_from.year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def evaluations(request: HttpRequest) -> HttpResponse:
    """The evaluations the user may read (pending first) and the form to request one."""
    qs = selectors.evaluations_visible(request.user)
    city_slug = request.GET.get("ville", "")
    if city_slug:
        qs = qs.filter(organisation__slug=city_slug)
    rows = selectors.pending_first(qs)
    cities = list(selectors.requestable_cities(request.user))
    return render(
        request,
        "labels/evaluations.html",
        {
            "evaluations": rows,
            "cities": cities,
            "city_slug": city_slug,
            "is_staff": can(request.user, "confirm", LabelEvaluation()),
        },
    )


@login_required
@require_POST
def request_evaluation(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("city", "")
    organisation = selectors.requestable_cities(request.user).filter(slug=slug).first()
    if organisation is None:
        messages.error(
            request, _("Choisissez une ville pour laquelle vous pouvez demander le label.")
        )
        return redirect("labels:evaluations")
    try:
        evaluation = services.evaluation_request(actor=request.user, organisation=organisation)
    except MedianeError as error:
        messages.error(request, error.message)
        return redirect("labels:evaluations")
    messages.success(
        request,
        _(
            "Évaluation faite : %(passed)s critères remplis sur %(total)s. "
            "Le secrétariat va la confirmer."
        )
        % {"passed": evaluation.passed_count, "total": evaluation.criteria_count},
    )
    return redirect(evaluation.get_absolute_url())


def _evaluation_or_404(request: HttpRequest, pk: int) -> LabelEvaluation:
    try:
        return selectors.evaluation_get_for(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    item = _evaluation_or_404(request, pk)
    label = Label.objects.filter(evaluation=item).first()
    return render(
        request,
        "labels/evaluation.html",
        {
            "item": item,
            "label": label,
            "pending": item.status == EvaluationStatus.PENDING,
            "can_decide": item.status == EvaluationStatus.PENDING
            and can(request.user, "confirm", item),
            "can_certificate": label is not None and can(request.user, "certificate", label),
            "snippet": badge_snippet(item.organisation) if label is not None else "",
            "badge_src": reverse("labels:badge", args=[item.organisation.slug]),
            "reason": "",
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = _evaluation_or_404(request, pk)
    try:
        label = services.evaluation_confirm(actor=request.user, evaluation=item)
    except PermissionDenied:
        raise
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Label attribué à %(city)s jusqu’au %(until)s.")
            % {"city": item.organisation.name, "until": french_date(label.valid_until)},
        )
    return redirect(item.get_absolute_url())


@login_required
@require_http_methods(["POST"])
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    item = _evaluation_or_404(request, pk)
    reason = request.POST.get("reason", "")
    try:
        services.evaluation_refuse(actor=request.user, evaluation=item, reason=reason)
    except MedianeError as error:
        messages.error(request, error.message)
        label = None
        return render(
            request,
            "labels/evaluation.html",
            {
                "item": item,
                "label": label,
                "pending": True,
                "can_decide": True,
                "reason": reason,
                "reason_error": error.field_errors.get("reason", [error.message])[0],
                "badge_src": reverse("labels:badge", args=[item.organisation.slug]),
            },
            status=422,
        )
    messages.success(request, _("La demande est refusée ; la ville est prévenue."))
    return redirect(item.get_absolute_url())
