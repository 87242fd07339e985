"""Pages of the tiers-lieux resources: list, resource with its week calendar (htmx between
weeks), booking form with the price before confirming, my bookings, the tiers-lieu's bookings
(with exports) and trainings for its editors, iCalendar feeds. Reads through the selectors,
writes through one service each."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can
from mediane.core.spreadsheet import export_response
from mediane.directory.models import Organisation
from mediane.tierslieux import exports, feeds, selectors, services
from mediane.tierslieux.forms import (
    BookingForm,
    ClosureForm,
    HoursForm,
    ResourceForm,
    TrainingForm,
)
from mediane.tierslieux.models import BookingStatus, Closure, ResourceKind, Training, WhoMayBook


def _parse_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _monday(request: HttpRequest, resource: Any) -> datetime.date:
    day = _parse_day(request.GET.get("semaine"))
    if day is None:
        day = timezone.now().astimezone(resource.zone).date()
    return selectors.week_start(day)


@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("type", "")
    if kind not in ResourceKind.values:
        kind = ""
    resources = list(selectors.resources_for(request.user, kind=kind))
    groups: dict[Any, list[Any]] = {}
    for resource in resources:
        groups.setdefault(resource.organisation, []).append(resource)
    return render(
        request,
        "tierslieux/resource_list.html",
        {
            "groups": groups,
            "count": len(resources),
            "kinds": ResourceKind.choices,
            "kind": kind,
            "managed": selectors.organisations_managed(request.user)
            if request.user.is_authenticated
            else [],
        },
    )


def _grid_context(request: HttpRequest, resource: Any) -> dict[str, Any]:
    grid = selectors.week_grid(request.user, resource, _monday(request, resource))
    return {"resource": resource, "grid": grid}


@require_GET
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = selectors.resource_get_for(request.user, slug=slug)
    refusal = services.refusal(request.user, resource)
    trained = (
        request.user.is_authenticated
        and resource.training_required
        and services.has_training(request.user, resource)
    )
    context = {
        **_grid_context(request, resource),
        "refusal": refusal,
        "can_book": refusal is None,
        "can_manage": can(request.user, "manage", resource),
        "trained": trained,
        "tariff": services.tariff_for(request.user, resource)
        if request.user.is_authenticated
        else None,
        "feed_url": request.build_absolute_uri(reverse("tierslieux:resource_ics", args=[slug])),
        "weekdays": WEEKDAYS,
        "partners_rule": resource.who_may_book == WhoMayBook.PARTNERS,
    }
    return render(request, "tierslieux/resource_detail.html", context)


WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]


@require_GET
def week(request: HttpRequest, slug: str) -> HttpResponse:
    """The week calendar alone (htmx), or the whole page without htmx."""
    resource = selectors.resource_get_for(request.user, slug=slug)
    if not request.headers.get("HX-Request"):
        query = request.GET.urlencode()
        return redirect(
            reverse("tierslieux:resource", args=[slug]) + (f"?{query}" if query else "")
        )
    context = {
        **_grid_context(request, resource),
        "can_book": services.refusal(request.user, resource) is None,
    }
    return render(request, "tierslieux/_week.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    """GET (from a free cell of the calendar) or POST "preview": the price and the checks;
    POST "confirm": the booking."""
    resource = selectors.resource_get_for(request.user, slug=slug)
    refusal = services.refusal(request.user, resource)
    data = request.POST if request.method == "POST" else None
    initial = {}
    if data is None:
        initial = {
            "date": _parse_day(request.GET.get("date")),
            "start": request.GET.get("debut", ""),
            "end": request.GET.get("fin", ""),
        }
    form = BookingForm(data, initial=initial, resource=resource)
    quote = None
    if data is None and all(initial.values()):
        # Coming from the calendar: check the slot and show the price at once.
        form = BookingForm(
            {"date": initial["date"], "start": initial["start"], "end": initial["end"]},
            resource=resource,
        )
    if refusal is None and form.is_bound and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            if request.method == "POST" and request.POST.get("action") == "confirm":
                booking = services.booking_create(
                    actor=request.user,
                    resource=resource,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request,
                    _("C'est réservé : « %(r)s », unité %(u)s.")
                    % {"r": resource.name, "u": booking.unit},
                )
                return redirect("tierslieux:mine")
            quote = services.booking_quote(
                user=request.user, resource=resource, starts_at=starts_at, ends_at=ends_at
            )
        except MedianeError as error:
            form.add_service_errors(error)
    status = 200 if not form.errors else 422 if request.method == "POST" else 200
    return render(
        request,
        "tierslieux/book.html",
        {"resource": resource, "form": form, "quote": quote, "refusal": refusal},
        status=status,
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    feed = services.feed_for(user=request.user)
    return render(
        request,
        "tierslieux/mine.html",
        {
            "upcoming": list(selectors.bookings_mine(request.user)),
            "past": list(selectors.bookings_mine(request.user, upcoming=False)[:50]),
            "feed_url": request.build_absolute_uri(
                reverse("tierslieux:person_ics", args=[feed.token])
            ),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    services.feed_reset(user=request.user)
    messages.success(
        request, _("Nouvelle adresse de calendrier créée ; l'ancienne ne marche plus.")
    )
    return redirect("tierslieux:mine")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get_for(request.user, pk=pk)
    back = request.POST.get("next", "")
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except MedianeError as error:
        messages.error(request, error.message)
    except PermissionDenied:
        messages.error(request, _("Vous ne pouvez pas annuler cette réservation."))
    else:
        messages.success(request, _("La réservation a été annulée."))
    if back == "organisation":
        return redirect("tierslieux:organisation_bookings", booking.resource.organisation_id)  # type: ignore[attr-defined]
    return redirect("tierslieux:mine")


# --- the tiers-lieu's editors --------------------------------------------------------------------


def _managed_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can(request.user, "manage_resources", organisation):
        raise Http404(_("Page introuvable."))
    return organisation


def _filters(request: HttpRequest) -> selectors.BookingFilters:
    get = request.GET
    return selectors.BookingFilters(
        resource=get.get("ressource", "")[:180],
        start=_parse_day(get.get("du")),
        end=_parse_day(get.get("au")),
        status=get.get("statut", "") if get.get("statut", "") in BookingStatus.values else "",
    )


@login_required
@require_GET
def organisation_bookings(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _managed_organisation(request, organisation_id)
    filters = _filters(request)
    if filters.start is None and not request.GET:
        filters = selectors.BookingFilters(start=timezone.localdate())
    bookings = list(selectors.organisation_bookings(request.user, organisation, filters)[:500])
    return render(
        request,
        "tierslieux/organisation_bookings.html",
        {
            "organisation": organisation,
            "bookings": bookings,
            "filters": filters,
            "resources": selectors.resources_for(request.user, organisation_id=organisation.pk),
            "statuses": BookingStatus.choices,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def organisation_export(request: HttpRequest, organisation_id: int, fmt: str) -> HttpResponse:
    organisation = _managed_organisation(request, organisation_id)
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Format inconnu."))
    rows = exports.booking_rows(
        selectors.organisation_bookings(request.user, organisation, _filters(request))[
            : exports.EXPORT_MAX_ROWS
        ]
    )
    content = exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows)
    stamp = timezone.localdate().isoformat()
    return export_response(
        content, fmt, f"reservations-{organisation.slug}-{stamp}.{fmt}", private=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainings(request: HttpRequest, slug: str) -> HttpResponse:
    resource = selectors.resource_get_for(request.user, slug=slug)
    if not can(request.user, "manage", resource):
        raise Http404(_("Page introuvable."))
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"], is_active=True)
            .first()
        )
        if person is None:
            form.add_error("email", _("Aucun compte actif avec cette adresse."))
        else:
            try:
                services.training_grant(
                    actor=request.user,
                    resource=resource,
                    user=person,
                    granted_on=form.cleaned_data["granted_on"],
                )
            except MedianeError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Formation enregistrée pour %(p)s.") % {"p": person.get_full_name()}
                )
                return redirect("tierslieux:trainings", slug=slug)
    return render(
        request,
        "tierslieux/trainings.html",
        {
            "resource": resource,
            "form": form,
            "trainings": resource.trainings.select_related("user", "granted_by").order_by(  # type: ignore[attr-defined]
                "user__full_name"
            ),
        },
    )


@login_required
@require_POST
def training_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for(request.user, slug=slug)
    training = get_object_or_404(Training, pk=pk, resource=resource)
    try:
        services.training_revoke(actor=request.user, training=training)
    except PermissionDenied as exc:
        raise Http404(_("Page introuvable.")) from exc
    messages.success(request, _("Formation retirée."))
    return redirect("tierslieux:trainings", slug=slug)


# --- iCalendar -----------------------------------------------------------------------------------


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def resource_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The resource's busy times, for whoever sees the resource."""
    resource = selectors.resource_get_for(request.user, slug=slug)
    body = feeds.resource_ics(
        resource,
        selectors.resource_feed_bookings(resource),
        url=request.build_absolute_uri(resource.get_absolute_url()),
    )
    return _ics(body, resource.slug)


@require_GET
def person_ics(request: HttpRequest, token: str) -> HttpResponse:
    """A person's bookings; the secret address is the credential (calendar apps do not log
    in). Unknown tokens give 404."""
    owner = selectors.feed_owner(token)
    if owner is None:
        raise Http404(_("Calendrier introuvable."))
    body = feeds.person_ics(
        selectors.person_feed_bookings(owner),
        url=request.build_absolute_uri(reverse("tierslieux:mine")),
        zone=owner.time_zone,
    )
    return _ics(body, "mes-reservations")


# --- resources, hours and closures (the tiers-lieu's editors) -----------------------------------


def _managed_resource(request: HttpRequest, slug: str) -> Any:
    resource = selectors.resource_get_for(request.user, slug=slug)
    if not can(request.user, "manage", resource):
        raise Http404(_("Page introuvable."))
    return resource


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _managed_organisation(request, organisation_id)
    form = ResourceForm(request.POST or None, initial={"currency": _currency(organisation)})
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("Ressource créée. Indiquez maintenant ses horaires d'ouverture.")
            )
            return redirect("tierslieux:hours", slug=resource.slug)
    return render(
        request,
        "tierslieux/resource_form.html",
        {"organisation": organisation, "form": form, "resource": None},
        status=422 if form.errors else 200,
    )


def _currency(organisation: Organisation) -> str:
    return "CAD" if organisation.country == "QC" else "EUR"


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _managed_resource(request, slug)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(actor=request.user, resource=resource, **form.cleaned_data)
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Ressource enregistrée."))
            return redirect("tierslieux:resource", slug=resource.slug)
    return render(
        request,
        "tierslieux/resource_form.html",
        {"organisation": resource.organisation, "form": form, "resource": resource},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _managed_resource(request, slug)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    hours_form = HoursForm(request.POST if action == "hours" else None, resource=resource)
    closure_form = ClosureForm(request.POST if action == "closure" else None)
    if action == "hours" and hours_form.is_valid():
        try:
            services.opening_hours_set(
                actor=request.user, resource=resource, hours=hours_form.hours()
            )
        except MedianeError as error:
            hours_form.add_error(None, error.message)
        else:
            messages.success(request, _("Horaires enregistrés."))
            return redirect("tierslieux:hours", slug=slug)
    if action == "closure" and closure_form.is_valid():
        try:
            services.closure_add(actor=request.user, resource=resource, **closure_form.cleaned_data)
        except MedianeError as error:
            closure_form.add_error(None, error.message)
        else:
            messages.success(request, _("Fermeture ajoutée."))
            return redirect("tierslieux:hours", slug=slug)
    invalid = bool(hours_form.errors or closure_form.errors)
    return render(
        request,
        "tierslieux/hours.html",
        {
            "resource": resource,
            "hours_form": hours_form,
            "closure_form": closure_form,
            "closures": resource.closures.order_by("starts_on"),  # type: ignore[attr-defined]
        },
        status=422 if invalid else 200,
    )


@login_required
@require_POST
def closure_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    resource = _managed_resource(request, slug)
    closure = get_object_or_404(Closure, pk=pk, resource=resource)
    services.closure_remove(actor=request.user, closure=closure)
    messages.success(request, _("Fermeture supprimée."))
    return redirect("tierslieux:hours", slug=slug)
