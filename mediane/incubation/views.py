"""Pages of incubation: agreements (list, page, propose, edit, sign, end), soft-landing requests
(form, the user's requests, the host's inbox, the request and stay page with its decisions,
journal and outcomes), the host's capacity and the exports of stays."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.accounts.models import Membership
from mediane.core.errors import MedianeError
from mediane.core.permissions import can, is_secretariat
from mediane.core.spreadsheet import export_response
from mediane.incubation import exports, selectors, services
from mediane.incubation.forms import (
    AgreementEditForm,
    AgreementForm,
    CapacityForm,
    DecisionForm,
    DeclineForm,
    EndForm,
    NoteForm,
    OutcomeForm,
    ProposeDatesForm,
    RequestForm,
)
from mediane.incubation.models import AgreementStatus, HostCapacity, RequestStatus


def _hub(request: HttpRequest) -> dict[str, Any]:
    """What the user may do from every page: ask, decide, manage capacity, export."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "my_startups": selectors.startups_edited(user),
        "my_incubators": selectors.incubators_edited(user),
        "my_admin_incubators": selectors.incubators_administered(user),
        "can_export": selectors.can_export(user),
    }


# --- agreements ------------------------------------------------------------------------------


@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat", "")
    agreements = list(selectors.agreements_list_for(request.user, status=status)[:200])
    return render(
        request,
        "incubation/agreement_list.html",
        {
            "agreements": agreements,
            "status": status,
            "statuses": AgreementStatus.choices,
            "today": timezone.localdate(),
            **_hub(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    firsts = selectors.incubators_administered(request.user)
    if is_secretariat(request.user):
        firsts = list(selectors.partner_candidates(request.user, exclude=[]))
    if not firsts:
        raise PermissionDenied("propose")
    seconds = selectors.partner_candidates(request.user, exclude=[])
    form = AgreementForm(request.POST or None, firsts=firsts, seconds=seconds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {o.pk: o for o in [*firsts, *seconds]}
        try:
            agreement = services.twinning_create(
                actor=request.user,
                first=by_pk[data["first"]],
                second=by_pk[data["second"]],
                title=data["title"],
                start=data["start"],
                end=data["end"],
                scope=data["scope"],
                programme=data["programme"],
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("L'accord est proposé : il entrera en vigueur quand %(name)s l'aura signé.")
                % {"name": agreement.second.name},
            )
            return redirect(agreement.get_absolute_url())
    return render(request, "incubation/agreement_form.html", {"form": form})


@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(user=request.user, pk=pk)
    user = request.user
    stays = list(selectors.stays_of_agreement(user, agreement))
    return render(
        request,
        "incubation/agreement_detail.html",
        {
            "agreement": agreement,
            "programme_lines": [line for line in agreement.programme.splitlines() if line.strip()],
            "city_twinning": selectors.city_twinning(agreement),
            "show_contacts": can(user, "view_contacts", agreement),
            "contacts": [
                (agreement.first, agreement.first_contact),
                (agreement.second, agreement.second_contact),
            ],
            "show_stays": can(user, "view_stays", agreement),
            "stays": stays,
            "can_sign": can(user, "sign", agreement),
            "can_end": can(user, "end", agreement),
            "can_change": can(user, "change", agreement),
            "in_force": agreement.in_force_on(timezone.localdate()),
            "end_form": EndForm(),
            **_hub(request),
        },
    )


def _members(organisation: Any) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(user=request.user, pk=pk)
    if not can(request.user, "change", agreement):
        raise PermissionDenied("change")
    contacts = {
        "first_contact": _members(agreement.first),
        "second_contact": _members(agreement.second),
    }
    initial = {
        "title": agreement.title,
        "start": agreement.start,
        "end": agreement.end,
        "scope": agreement.scope,
        "programme": agreement.programme,
        "first_contact": agreement.first_contact_id,  # type: ignore[attr-defined]
        "second_contact": agreement.second_contact_id,  # type: ignore[attr-defined]
    }
    form = AgreementEditForm(
        request.POST or None, initial=initial, agreement=agreement, contacts=contacts
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = {u.pk: u for users in contacts.values() for u in users}
        try:
            services.agreement_update(
                actor=request.user,
                agreement=agreement,
                title=data["title"],
                start=data["start"],
                end=data["end"],
                scope=data["scope"],
                programme=data["programme"],
                first_contact=people.get(data["first_contact"]),
                second_contact=people.get(data["second_contact"]),
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("L'accord a été modifié."))
            return redirect(agreement.get_absolute_url())
    return render(request, "incubation/agreement_form.html", {"form": form, "agreement": agreement})


@login_required
@require_POST
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(user=request.user, pk=pk)
    if not can(request.user, "sign", agreement):
        raise PermissionDenied("sign")
    try:
        services.agreement_sign(actor=request.user, agreement=agreement)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'accord est signé."))
    return redirect(agreement.get_absolute_url())


@login_required
@require_POST
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(user=request.user, pk=pk)
    if not can(request.user, "end", agreement):
        raise PermissionDenied("end")
    form = EndForm(request.POST)
    form.is_valid()
    try:
        services.agreement_end(
            actor=request.user, agreement=agreement, note=form.cleaned_data.get("note", "")
        )
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Il a été mis fin à l'accord."))
    return redirect(agreement.get_absolute_url())


# --- requests --------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incubation/request_list.html",
        {"mine": selectors.requests_mine(request.user), **_hub(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    startups = selectors.startups_edited(request.user)
    if not startups:
        raise PermissionDenied("create")
    options = selectors.agreement_options()
    initial = {}
    if request.GET.get("accord"):
        initial["option"] = next(
            (f"{a.pk}:{home.pk}" for a, home, _h in options if str(a.pk) == request.GET["accord"]),
            "",
        )
    form = RequestForm(request.POST or None, startups=startups, options=options, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agreement, home, _host = form.options[data["option"]]
        try:
            made = services.request_create(
                actor=request.user,
                startup=next(s for s in startups if s.pk == data["startup"]),
                agreement=agreement,
                home=home,
                start=data["start"],
                end=data["end"],
                needs=data["needs"],
                needs_other=data["needs_other"],
                message=data["message"],
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Votre demande est envoyée à %(host)s ; vous serez notifié de sa réponse.")
                % {"host": made.host.name},
            )
            return redirect(made.get_absolute_url())
    return render(
        request, "incubation/request_form.html", {"form": form, "has_options": bool(options)}
    )


def _chosen_host(request: HttpRequest, action: str) -> tuple[Any, list[Any]]:
    """The incubator the page is about (`?structure=`, else the first) among those the user
    edits; PermissionDenied(`action`) when they edit none."""
    hosts = selectors.incubators_edited(request.user)
    if not hosts:
        raise PermissionDenied(action)
    chosen = request.GET.get("structure", "")
    return next((h for h in hosts if str(h.pk) == chosen), hosts[0]), hosts


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    host, hosts = _chosen_host(request, "decide")
    return render(
        request,
        "incubation/inbox.html",
        {
            "host": host,
            "hosts": hosts,
            "box": selectors.host_inbox(request.user, host),
            **_hub(request),
        },
    )


def _request_context(request: HttpRequest, obj: Any, **forms: Any) -> dict[str, Any]:
    user = request.user
    mine_outcome = None
    outcomes = selectors.outcomes_for(user, obj)
    can_record = can(user, "record_outcome", obj)
    if can_record:
        side = services._side_of(user, obj)
        mine_outcome = next((o for o in outcomes if o.organisation_id == side.pk), None)  # type: ignore[attr-defined]
    initial = {"currency": "CAD" if obj.host.country == "QC" else "EUR"}
    if mine_outcome is not None:
        initial = {
            f: getattr(mine_outcome, f)
            for f in (
                "contacts_made",
                "contracts_signed",
                "contracts_amount",
                "currency",
                "jobs_created",
                "notes",
            )
        }
    context = {
        "obj": obj,
        "journal": selectors.journal_for(user, obj),
        "show_journal": can(user, "view_journal", obj),
        "outcomes": outcomes,
        "can_decide": can(user, "decide", obj),
        "can_respond": can(user, "respond", obj),
        "can_cancel": can(user, "cancel", obj),
        "can_follow": can(user, "follow", obj),
        "can_record": can_record,
        "can_start": can(user, "follow", obj)
        and obj.status == RequestStatus.ACCEPTED
        and obj.start <= timezone.localdate(),
        "can_complete": can(user, "follow", obj) and obj.status == RequestStatus.IN_PROGRESS,
        "accept_form": DecisionForm(prefix="accept"),
        "propose_form": ProposeDatesForm(prefix="propose"),
        "decline_form": DeclineForm(prefix="decline"),
        "note_form": NoteForm(),
        "outcome_form": OutcomeForm(initial=initial),
        "statuses": RequestStatus,
        "is_stay": obj.status
        in (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED),
    }
    context.update(forms)
    return context


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.request_get_for(user=request.user, pk=pk)
    return render(request, "incubation/request_detail.html", _request_context(request, obj))


def _rerender(request: HttpRequest, obj: Any, status: int = 400, **forms: Any) -> HttpResponse:
    return render(
        request,
        "incubation/request_detail.html",
        _request_context(request, obj, **forms),
        status=status,
    )


ACTIONS = {
    "accepter": "decide",
    "proposer": "decide",
    "refuser": "decide",
    "accepter-dates": "respond",
    "decliner-dates": "respond",
    "annuler": "cancel",
    "commencer": "follow",
    "terminer": "follow",
    "note": "follow",
    "resultats": "record_outcome",
}


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    obj = selectors.request_get_for(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise PermissionDenied(action)
    if not can(request.user, ACTIONS[action], obj):
        messages.error(
            request,
            _("Cette action n'est plus possible : la demande a changé d'état entre-temps."),
        )
        return redirect(obj.get_absolute_url())
    user = request.user
    try:
        if action == "accepter":
            form = DecisionForm(request.POST, prefix="accept")
            form.is_valid()
            services.request_accept(actor=user, request=obj, note=form.cleaned_data.get("note", ""))
            done = _("Séjour accepté : il est planifié et la start-up est prévenue.")
        elif action == "proposer":
            propose = ProposeDatesForm(request.POST, prefix="propose")
            if not propose.is_valid():
                return _rerender(request, obj, propose_form=propose)
            try:
                services.request_propose_dates(
                    actor=user,
                    request=obj,
                    start=propose.cleaned_data["proposed_start"],
                    end=propose.cleaned_data["proposed_end"],
                    note=propose.cleaned_data["note"],
                )
            except MedianeError as error:
                propose.add_service_errors(error)
                return _rerender(request, obj, propose_form=propose)
            done = _("Vos dates sont proposées à la start-up.")
        elif action == "refuser":
            decline = DeclineForm(request.POST, prefix="decline")
            if not decline.is_valid():
                return _rerender(request, obj, decline_form=decline)
            services.request_decline(actor=user, request=obj, reason=decline.cleaned_data["reason"])
            done = _("La demande est refusée ; la start-up est prévenue.")
        elif action == "accepter-dates":
            services.request_accept_dates(actor=user, request=obj)
            done = _("Vous avez accepté les dates proposées : le séjour est planifié.")
        elif action == "decliner-dates":
            services.request_cancel(actor=user, request=obj, declining_dates=True)
            done = _("Vous avez décliné les dates proposées.")
        elif action == "annuler":
            services.request_cancel(
                actor=user, request=obj, note=request.POST.get("note", "")[:500]
            )
            done = _("La demande est annulée.")
        elif action == "commencer":
            services.stay_start(actor=user, request=obj)
            done = _("Le séjour est commencé.")
        elif action == "terminer":
            services.stay_complete(actor=user, request=obj)
            done = _("Le séjour est terminé : enregistrez-en les résultats.")
        elif action == "note":
            note = NoteForm(request.POST)
            if not note.is_valid():
                return _rerender(request, obj, note_form=note)
            services.stay_note_add(actor=user, request=obj, body=note.cleaned_data["body"])
            done = _("La note est ajoutée au journal.")
        else:  # résultats
            outcome = OutcomeForm(request.POST)
            if not outcome.is_valid():
                return _rerender(request, obj, outcome_form=outcome)
            try:
                services.stay_outcome_record(actor=user, request=obj, **outcome.cleaned_data)
            except MedianeError as error:
                outcome.add_service_errors(error)
                return _rerender(request, obj, outcome_form=outcome)
            done = _("Les résultats sont enregistrés.")
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(obj.get_absolute_url())


# --- capacity --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def capacity(request: HttpRequest) -> HttpResponse:
    host, hosts = _chosen_host(request, "manage")
    form = CapacityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.capacity_set(actor=request.user, host=host, **form.cleaned_data)
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("La période d'accueil est enregistrée."))
            return redirect(f"{request.path}?structure={host.pk}")
    periods = selectors.capacities_for(request.user, host)
    return render(
        request,
        "incubation/capacity.html",
        {
            "host": host,
            "hosts": hosts,
            "periods": [(p, selectors.occupancy(host, p)) for p in periods],
            "form": form,
            **_hub(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def capacity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period = HostCapacity.objects.select_related("host").filter(pk=pk).first()
    if period is None or not can(request.user, "manage", period):
        raise PermissionDenied("manage")
    try:
        services.capacity_delete(actor=request.user, capacity=period)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("La période est supprimée."))
    return redirect(f"/incubateurs/capacite/?structure={period.host_id}")  # type: ignore[attr-defined]


# --- exports ---------------------------------------------------------------------------------


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if not selectors.can_export(request.user):
        raise PermissionDenied("export")
    rows = exports.stay_rows(selectors.stays_for_export(request.user)[: exports.EXPORT_MAX_ROWS])
    stamp = timezone.localdate().isoformat()
    return export_response(
        exports.FORMATS[fmt](rows), fmt, f"sejours-mediane-{stamp}.{fmt}", private=True
    )
