"""Organisers' pages of an edition: dashboard, registrations to approve, welcome desk
(check-in by badge or by name), all badges, meeting slots and tables, the scheduler (run with
progress, review, manual moves, publication) and the return on investment."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import require
from mediane.summit import scheduling, selectors, services
from mediane.summit.forms import MoveForm, RunForm, SlotsForm, TablesForm
from mediane.summit.models import (
    Edition,
    Meeting,
    MeetingPriority,
    MeetingSlot,
    MeetingTable,
    OutcomeResult,
    Registration,
    RegistrationStatus,
    RunStatus,
)


def _edition(request: HttpRequest, slug: str) -> Edition:
    edition = selectors.edition_get_for(request.user, slug=slug)
    require(request.user, "manage", edition)
    return edition


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request, slug)
    run = selectors.latest_run(request.user, edition)
    context = {
        "edition": edition,
        "counts": selectors.registration_counts(edition),
        "run": run,
        "slots": edition.slots.count(),  # type: ignore[attr-defined]
        "tables": edition.tables.count(),  # type: ignore[attr-defined]
    }
    return render(request, "summit/org_dashboard.html", context)


@login_required
@require_GET
def registrations(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request, slug)
    status = request.GET.get("status", "")
    qs = selectors.registrations_for_organisers(
        request.user,
        edition,
        status=status,
        query=request.GET.get("q", "")[:100],
        checked_in=request.GET.get("checked_in", ""),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "summit/org_registrations.html",
        {
            "edition": edition,
            "page": page,
            "statuses": RegistrationStatus.choices,
            "counts": selectors.registration_counts(edition),
            "filters": request.GET,
            "query_string": params.urlencode(),
        },
    )


@login_required
@require_POST
def registration_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = _edition(request, slug)
    registration = selectors.registration_get_for(request.user, edition=edition, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.registration_decide(
            actor=request.user,
            registration=registration,
            approve=approve,
            note=request.POST.get("note", "")[:300],
        )
    except MedianeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (
                _("Inscription de %(name)s validée.")
                if approve
                else _("Inscription de %(name)s refusée.")
            )
            % {"name": registration.display_name},
        )
    return redirect(request.POST.get("next") or reverse("summit:registrations", args=[slug]))


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, slug: str) -> HttpResponse:
    """The welcome desk: search a name, confirm the arrival; the badge's QR code leads to
    `checkin_badge`."""
    edition = _edition(request, slug)
    if request.method == "POST":
        registration = selectors.registration_get_for(
            request.user, edition=edition, pk=int(request.POST.get("registration") or 0)
        )
        _check_in(request, registration)
        return redirect(reverse("summit:checkin", args=[slug]) + "?q=" + request.POST.get("q", ""))
    query = request.GET.get("q", "")[:100]
    results = (
        list(
            selectors.registrations_for_organisers(
                request.user, edition, query=query, status=RegistrationStatus.APPROVED
            )[:30]
        )
        if query
        else []
    )
    return render(
        request,
        "summit/org_checkin.html",
        {
            "edition": edition,
            "query": query,
            "results": results,
            "counts": selectors.registration_counts(edition),
        },
    )


def _check_in(request: HttpRequest, registration: Registration) -> None:
    try:
        services.registration_check_in(actor=request.user, registration=registration)
    except MedianeError as exc:
        messages.warning(request, f"{registration.display_name} : {exc.message}")
    else:
        messages.success(
            request,
            _("Bienvenue à %(name)s : arrivée enregistrée.") % {"name": registration.display_name},
        )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_badge(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The page a badge's QR code opens on an organiser's phone: who it is, and one button."""
    edition = _edition(request, slug)
    registration = selectors.registration_by_badge(request.user, edition=edition, token=token)
    if request.method == "POST":
        _check_in(request, registration)
        return redirect("summit:checkin", slug)
    return render(
        request,
        "summit/org_checkin_badge.html",
        {"edition": edition, "registration": registration},
    )


@login_required
@require_GET
def badges_all(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request, slug)
    from mediane.summit.documents import badge_pdf

    people = list(
        selectors.registrations_for_organisers(
            request.user, edition, status=RegistrationStatus.APPROVED
        )
    )
    if not people:
        messages.warning(request, _("Aucune inscription validée : pas de badge à imprimer."))
        return redirect("summit:dashboard", slug)

    def url(r: Registration) -> str:
        return request.build_absolute_uri(
            reverse("summit:checkin_badge", args=[slug, r.badge_token])
        )

    response = HttpResponse(badge_pdf(people, checkin_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="badges-{slug}.pdf"'
    return response


# --- scheduler -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def planning(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request, slug)
    run_form = RunForm(
        request.POST if request.POST.get("form") == "run" else None,
        initial={"fairness": edition.fairness, "time_limit": 60},
    )
    slots_form = SlotsForm(
        request.POST if request.POST.get("form") == "slots" else None,
        initial={"day": edition.starts_on, "minutes": 20},
    )
    tables_form = TablesForm(
        request.POST if request.POST.get("form") == "tables" else None,
        initial={"count": edition.tables.count() or 20},  # type: ignore[attr-defined]
    )
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "run" and run_form.is_valid():
                scheduling.schedule_run_start(
                    actor=request.user,
                    edition=edition,
                    time_limit=run_form.cleaned_data["time_limit"],
                    fairness=run_form.cleaned_data["fairness"],
                )
                messages.success(request, _("Calcul lancé : l'avancement s'affiche ci-dessous."))
                return redirect("summit:planning", slug)
            if which == "slots" and slots_form.is_valid():
                data = slots_form.cleaned_data
                created = services.slots_generate(actor=request.user, edition=edition, **data)
                messages.success(request, _("%(n)s créneaux ajoutés.") % {"n": len(created)})
                return redirect("summit:planning", slug)
            if which == "tables" and tables_form.is_valid():
                services.tables_set(
                    actor=request.user, edition=edition, count=tables_form.cleaned_data["count"]
                )
                messages.success(request, _("Tables enregistrées."))
                return redirect("summit:planning", slug)
        except MedianeError as exc:
            forms: dict[str, Any] = {"run": run_form, "slots": slots_form, "tables": tables_form}
            form = forms.get(which or "")
            if form is not None:
                form.add_service_errors(exc)
            else:
                messages.error(request, exc.message)
    run = selectors.latest_run(request.user, edition)
    context: dict[str, Any] = {
        "edition": edition,
        "run": run,
        "run_form": run_form,
        "slots_form": slots_form,
        "tables_form": tables_form,
        "slots": list(edition.slots.order_by("starts_at")),  # type: ignore[attr-defined]
        "tables_count": edition.tables.count(),  # type: ignore[attr-defined]
        "wanted": _wanted_counts(edition),
    }
    if run is not None and run.status == RunStatus.DONE:
        context.update(_review(edition, run))
    return render(request, "summit/org_planning.html", context)


def _wanted_counts(edition: Edition) -> dict[str, int]:
    ids = set(selectors.meetable(edition).values_list("pk", flat=True))
    counts: dict[str, int] = defaultdict(int)
    for w in scheduling.wanted_meetings(edition, ids):
        counts[w.priority] += 1
    counts["total"] = sum(counts.values())
    return counts


def _review(edition: Edition, run: Any) -> dict[str, Any]:
    """The draft (or published) schedule as a grid slot × table, the unscheduled meetings."""
    zone = zoneinfo.ZoneInfo(edition.time_zone)
    meetings = list(
        Meeting.objects.filter(run=run).select_related(
            "slot",
            "table",
            "first__user",
            "first__organisation",
            "second__user",
            "second__organisation",
        )
    )
    placed = [m for m in meetings if m.slot_id is not None]  # type: ignore[attr-defined]
    unscheduled = [m for m in meetings if m.slot_id is None]  # type: ignore[attr-defined]
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for m in placed:
        by_slot[m.slot_id].append(m)  # type: ignore[attr-defined,index]
    slots = list(MeetingSlot.objects.filter(edition=edition).order_by("starts_at"))
    tables = MeetingTable.objects.filter(edition=edition).count()
    grid = [
        {
            "slot": slot,
            "local": slot.starts_at.astimezone(zone),
            "meetings": sorted(
                by_slot.get(slot.pk, []), key=lambda m: m.table.number if m.table else 0
            ),
            "load": round(100 * len(by_slot.get(slot.pk, [])) / tables) if tables else 0,
        }
        for slot in slots
    ]
    per_priority: dict[str, list[int]] = {p: [0, 0] for p in MeetingPriority.values}
    for m in meetings:
        per_priority[m.priority][1] += 1
        if m.slot_id is not None:  # type: ignore[attr-defined]
            per_priority[m.priority][0] += 1
    return {
        "grid": grid,
        "unscheduled": unscheduled[:200],
        "unscheduled_count": len(unscheduled),
        "per_priority": [
            (label, per_priority[value][0], per_priority[value][1])
            for value, label in MeetingPriority.choices
        ],
        "is_published": edition.published_run_id == run.pk,  # type: ignore[attr-defined]
    }


@login_required
@require_GET
def run_progress(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The run's progress as an htmx fragment, polled every second until the run ends (then
    the fragment asks the page to reload, to show the review)."""
    edition = _edition(request, slug)
    run = selectors.run_get_for(request.user, edition=edition, pk=pk)
    response = render(request, "summit/_run_progress.html", {"edition": edition, "run": run})
    if run.status in (RunStatus.DONE, RunStatus.FAILED) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = _edition(request, slug)
    run = selectors.run_get_for(request.user, edition=edition, pk=pk)
    try:
        scheduling.schedule_publish(actor=request.user, run=run)
    except MedianeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Planning publié : chaque participant voit son agenda."))
    return redirect("summit:planning", slug)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    edition = _edition(request, slug)
    meeting = selectors.meeting_get_for(request.user, edition=edition, pk=pk, action="move")
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        edition=edition,
        initial={"slot": meeting.slot_id, "table": meeting.table_id},  # type: ignore[attr-defined]
    )
    if request.method == "POST" and form.is_valid():
        slot = MeetingSlot.objects.filter(edition=edition, pk=form.cleaned_data["slot"]).first()
        table_id = form.cleaned_data["table"]
        table = (
            MeetingTable.objects.filter(edition=edition, pk=table_id).first() if table_id else None
        )
        if slot is None:
            raise Http404(_("Créneau introuvable."))
        try:
            scheduling.meeting_move(actor=request.user, meeting=meeting, slot=slot, table=table)
        except MedianeError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Rendez-vous déplacé."))
            return redirect("summit:planning", slug)
    return render(
        request,
        "summit/org_move.html",
        {"edition": edition, "meeting": meeting, "form": form},
    )


# --- return on investment ------------------------------------------------------------------------


@login_required
@require_GET
def roi(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_get_for(request.user, slug=slug)
    organisation_id = request.GET.get("organisation")
    org_pk = int(organisation_id) if organisation_id and organisation_id.isdigit() else None
    result = selectors.roi(request.user, edition, organisation_id=org_pk)
    labels = dict(OutcomeResult.choices)
    return render(
        request,
        "summit/roi.html",
        {
            "edition": edition,
            "roi": result,
            "results": [(labels[k], v) for k, v in result.results.items()],
            "organisation_id": org_pk,
            "result_keys": list(OutcomeResult.values),
            "can_manage": selectors.can_manage(request.user, edition),
        },
    )
