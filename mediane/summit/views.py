"""Summit pages for everyone and for participants: editions, programme, registration,
availability, badge, participants and suggestions, wishes and requests, agenda (page, PDF,
iCalendar feed), outcomes. Reads through the summit selectors, writes through one service each.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, user_roles
from mediane.directory.models import Organisation
from mediane.summit import selectors, services
from mediane.summit.forms import AvailabilityForm, OutcomeForm, RegistrationForm, RequestForm
from mediane.summit.models import (
    Edition,
    MeetingOutcome,
    MeetingRequest,
    ParticipantType,
    Registration,
    RegistrationStatus,
    WishLevel,
)
from mediane.summit.rules import is_organiser


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _zone(edition: Edition) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(edition.time_zone)


def _by_day(
    items: list[Any], edition: Edition, when: Callable[[Any], datetime]
) -> dict[Any, list[Any]]:
    """Items (already in time order) grouped by their local day in the edition's time zone."""
    zone = _zone(edition)
    return {
        day: list(group)
        for day, group in groupby(items, key=lambda item: when(item).astimezone(zone).date())
    }


def _my_registration(request: HttpRequest, edition: Edition) -> Registration:
    registration = selectors.my_registration(request.user, edition)
    if registration is None:
        raise Http404(_("Vous n'êtes pas inscrit à cette édition."))
    return registration


# --- public --------------------------------------------------------------------------------------


@require_GET
def edition_list(request: HttpRequest) -> HttpResponse:
    editions = selectors.editions_for(request.user)
    from django.utils import timezone

    today = timezone.localdate()
    upcoming = [e for e in editions if e.ends_on >= today]
    past = [e for e in editions if e.ends_on < today]
    return render(
        request,
        "summit/edition_list.html",
        {"upcoming": sorted(upcoming, key=lambda e: e.starts_on), "past": past},
    )


@require_GET
def edition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    from django.utils import timezone

    edition = selectors.edition_get_for(request.user, slug=slug)
    sessions = selectors.programme(edition)
    registration = selectors.my_registration(request.user, edition)
    context = {
        "edition": edition,
        "programme": _by_day(sessions, edition, lambda s: s.starts_at),
        "exhibitors": list(edition.exhibitors.select_related("organisation")),  # type: ignore[attr-defined]
        "registration": registration,
        "is_past": edition.ends_on < timezone.localdate(),
        "can_manage": is_organiser(request.user, edition),
        "can_browse": can(request.user, "browse_participants", edition),
        "counts": selectors.registration_counts(edition) if edition.registration_open else None,
    }
    return render(request, "summit/edition_detail.html", context)


# --- registration --------------------------------------------------------------------------------


def _organisations_of(user: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=list(user_roles(user))).order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    if selectors.my_registration(request.user, edition) is not None:
        return redirect("summit:my_registration", edition.slug)
    organisations = _organisations_of(request.user)
    form = RegistrationForm(
        _data(request),
        organisations=organisations,
        organiser=is_organiser(request.user, edition),
        initial={"organisation": organisations[0].pk if len(organisations) == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next((o for o in organisations if o.pk == data["organisation"]), None)
        try:
            registration = services.registration_create(
                actor=request.user,
                edition=edition,
                participant_type=data["participant_type"],
                organisation=organisation,
                job_title=data["job_title"],
                offers=data["offers"],
                seeks=data["seeks"],
                wants_meetings=data["wants_meetings"],
            )
        except MedianeError as exc:
            form.add_service_errors(exc)
        else:
            if registration.status == RegistrationStatus.APPROVED:
                messages.success(
                    request, _("Vous êtes inscrit. Indiquez maintenant vos disponibilités.")
                )
                return redirect("summit:availability", edition.slug)
            messages.success(
                request, _("Inscription enregistrée : les organisateurs vont la valider.")
            )
            return redirect("summit:my_registration", edition.slug)
    return render(request, "summit/register.html", {"edition": edition, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def my_registration(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    form = RegistrationForm(
        _data(request),
        organisations=[],
        update=True,
        initial={
            "job_title": registration.job_title,
            "offers": registration.offers,
            "seeks": registration.seeks,
            "wants_meetings": registration.wants_meetings,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_update(
                actor=request.user, registration=registration, **form.cleaned_data
            )
        except MedianeError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Profil enregistré."))
            return redirect("summit:my_registration", edition.slug)
    context = {
        "edition": edition,
        "registration": registration,
        "form": form,
        "zone": edition.time_zone,
        "sessions": list(registration.attended_sessions.order_by("starts_at")),
        "unavailable": list(registration.unavailable_slots.order_by("starts_at")),
    }
    return render(request, "summit/my_registration.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel_registration(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    error = ""
    if request.method == "POST":
        try:
            services.registration_cancel(actor=request.user, registration=registration)
        except MedianeError as exc:
            error = exc.message
        else:
            messages.success(request, _("Votre inscription est annulée."))
            return redirect(edition.get_absolute_url())
    return render(
        request,
        "summit/cancel_registration.html",
        {"edition": edition, "registration": registration, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    zone = _zone(edition)
    form = AvailabilityForm(
        _data(request),
        edition=edition,
        initial={
            "arrives_at": registration.arrives_at.astimezone(zone).replace(tzinfo=None)
            if registration.arrives_at
            else None,
            "departs_at": registration.departs_at.astimezone(zone).replace(tzinfo=None)
            if registration.departs_at
            else None,
            "half_day": registration.half_day,
            "attended_sessions": list(registration.attended_sessions.values_list("pk", flat=True)),
            "unavailable_slots": list(registration.unavailable_slots.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.availability_update(
                actor=request.user,
                registration=registration,
                arrives_at=data["arrives_at"],
                departs_at=data["departs_at"],
                half_day=data["half_day"] or "",
                unavailable_slots=edition.slots.filter(pk__in=data["unavailable_slots"]),  # type: ignore[attr-defined]
                attended_sessions=edition.sessions.filter(pk__in=data["attended_sessions"]),  # type: ignore[attr-defined]
            )
        except MedianeError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Disponibilités enregistrées."))
            return redirect("summit:my_registration", edition.slug)
    return render(
        request,
        "summit/availability.html",
        {"edition": edition, "registration": registration, "form": form},
    )


def _checkin_url(request: HttpRequest, registration: Registration) -> str:
    return request.build_absolute_uri(
        reverse("summit:checkin_badge", args=[registration.edition.slug, registration.badge_token])
    )


@login_required
@require_GET
def badge_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    from mediane.summit.documents import badge_pdf as make_badges

    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    if registration.status != RegistrationStatus.APPROVED:
        raise Http404(_("Le badge est disponible une fois l'inscription validée."))
    pdf = make_badges([registration], checkin_url=lambda r: _checkin_url(request, r))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{edition.slug}.pdf"'
    return response


# --- participants, wishes, requests --------------------------------------------------------------


@login_required
@require_GET
def participants(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    if not can(request.user, "browse_participants", edition):
        raise PermissionDenied("browse_participants")
    rows = selectors.participants_for(
        request.user,
        edition,
        query=request.GET.get("q", "")[:100],
        participant_type=request.GET.get("type", ""),
        wish=request.GET.get("wish", ""),
    )
    me = selectors.my_registration(request.user, edition)
    filtered = any(request.GET.get(k) for k in ("q", "type", "wish", "page"))
    from django.core.paginator import Paginator

    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "edition": edition,
        "rows": page,
        "total": len(rows),
        "query_string": params.urlencode(),
        "me": me,
        "suggestions": []
        if filtered
        else selectors.suggestions_for(request.user, edition, limit=5, participants=rows),
        "types": ParticipantType.choices,
        "levels": WishLevel.choices,
        "meetings_open": edition.meetings_open,
        "filters": request.GET,
    }
    return render(request, "summit/participants.html", context)


@login_required
@require_POST
def wish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    me = _my_registration(request, edition)
    target = (
        Registration.objects.select_related("user", "organisation")
        .filter(edition=edition, pk=pk)
        .first()
    )
    if target is None or not can(request.user, "browse_participants", edition):
        raise Http404(_("Participant introuvable."))
    level = request.POST.get("level", "")
    error = ""
    try:
        services.wish_set(actor=request.user, author=me, target=target, level=level or None)
    except MedianeError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        row = selectors.ParticipantRow(target, "" if error else level)
        return render(
            request,
            "summit/_wish.html",
            {
                "edition": edition,
                "row": row,
                "levels": WishLevel.choices,
                "error": error,
                "prefix": "s" if request.POST.get("prefix") == "s" else "p",
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Souhait enregistré pour %(name)s.") % {"name": target.display_name}
        )
    return redirect(request.POST.get("next") or reverse("summit:participants", args=[edition.slug]))


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    me = _my_registration(request, edition)
    target = (
        Registration.objects.select_related("user", "organisation")
        .filter(edition=edition, pk=pk)
        .first()
    )
    if target is None or not can(request.user, "browse_participants", edition):
        raise Http404(_("Participant introuvable."))
    form = RequestForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_send(
                actor=request.user,
                sender=me,
                recipient=target,
                message=form.cleaned_data["message"],
            )
        except MedianeError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Demande envoyée à %(name)s : réponse attendue sous %(days)s jours.")
                % {"name": target.display_name, "days": edition.request_days},
            )
            return redirect("summit:requests", edition.slug)
    return render(
        request, "summit/request_form.html", {"edition": edition, "target": target, "form": form}
    )


@login_required
@require_GET
def requests_page(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    _my_registration(request, edition)
    received, sent = selectors.requests_for(request.user, edition)
    return render(
        request,
        "summit/requests.html",
        {"edition": edition, "received": received, "sent": sent},
    )


def _request_for(request: HttpRequest, edition: Edition, pk: int) -> MeetingRequest:
    meeting_request = (
        MeetingRequest.objects.select_related("sender__user", "recipient__user", "edition")
        .filter(edition=edition, pk=pk)
        .first()
    )
    if meeting_request is None or not can(request.user, "view", meeting_request):
        raise Http404(_("Demande introuvable."))
    return meeting_request


@login_required
@require_POST
def request_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    meeting_request = _request_for(request, edition, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        services.request_answer(
            actor=request.user,
            request=meeting_request,
            accept=accept,
            note=request.POST.get("note", "")[:300],
        )
    except MedianeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Demande acceptée : le rendez-vous sera placé dans le planning.")
            if accept
            else _("Demande déclinée."),
        )
    return redirect("summit:requests", edition.slug)


@login_required
@require_POST
def request_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    meeting_request = _request_for(request, edition, pk)
    try:
        services.request_cancel(actor=request.user, request=meeting_request)
    except MedianeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Demande annulée."))
    return redirect("summit:requests", edition.slug)


# --- agenda --------------------------------------------------------------------------------------


@login_required
@require_GET
def agenda(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    meetings = selectors.agenda_for(registration)
    outcomes = {
        o.meeting_id: o  # type: ignore[attr-defined]
        for o in MeetingOutcome.objects.filter(registration=registration, meeting__in=meetings)
    }
    rows = [
        {"meeting": m, "other": m.other(registration.pk), "outcome": outcomes.get(m.pk)}
        for m in meetings
    ]
    from django.utils import timezone

    context = {
        "edition": edition,
        "registration": registration,
        "days": _by_day(rows, edition, lambda row: row["meeting"].slot.starts_at) if rows else {},
        "count": len(rows),
        "published": edition.published_run_id is not None,  # type: ignore[attr-defined]
        "feed_url": request.build_absolute_uri(
            reverse("summit:agenda_ics", args=[edition.slug, registration.feed_token])
        ),
        "now": timezone.now(),
    }
    return render(request, "summit/agenda.html", context)


@login_required
@require_GET
def agenda_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    from mediane.summit.documents import agenda_pdf as make_pdf

    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    pdf = make_pdf(registration, selectors.agenda_for(registration))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="agenda-{edition.slug}.pdf"'
    return response


@require_GET
def agenda_ics(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The personal iCalendar feed; its secret address is the credential (calendar apps do
    not log in). Unknown tokens and cancelled registrations give 404."""
    registration = (
        Registration.objects.select_related("edition", "user", "organisation")
        .filter(edition__slug=slug, feed_token=token, status=RegistrationStatus.APPROVED)
        .first()
    )
    if registration is None or len(token) < 20:
        raise Http404(_("Agenda introuvable."))
    from mediane.summit.documents import agenda_ics as make_ics

    ics = make_ics(
        registration,
        selectors.agenda_for(registration),
        url=request.build_absolute_uri(reverse("summit:agenda", args=[slug])),
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="sommet-{slug}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    registration = _my_registration(request, edition)
    meeting = selectors.meeting_get_for(
        request.user, edition=edition, pk=pk, action="record_outcome"
    )
    existing = MeetingOutcome.objects.filter(meeting=meeting, registration=registration).first()
    initial = (
        {
            "took_place": "1" if existing.took_place else "0",
            "result": existing.result,
            "amount": existing.amount,
            "note": existing.note,
        }
        if existing
        else {"took_place": "1"}
    )
    form = OutcomeForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.outcome_record(
                actor=request.user,
                meeting=meeting,
                took_place=data["took_place"],
                result=data["result"],
                amount=data["amount"],
                note=data["note"],
            )
        except MedianeError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Merci : la suite de ce rendez-vous est enregistrée."))
            return redirect("summit:agenda", edition.slug)
    return render(
        request,
        "summit/outcome_form.html",
        {
            "edition": edition,
            "meeting": meeting,
            "other": meeting.other(registration.pk),
            "form": form,
        },
    )
