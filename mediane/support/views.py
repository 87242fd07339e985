"""Support pages: file a request, my requests, the expert's inbox, a request (timeline, news,
actions by role), the secretariat's follow-up page and list with its exports.

Reads go through `selectors`, writes through one service each; domain errors become French
messages next to the form or at the top of the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, require
from mediane.core.spreadsheet import export_response
from mediane.directory.models import Expert
from mediane.support import exports, selectors, services
from mediane.support.forms import CloseForm, MessageForm, ReasonForm, RouteForm, SupportRequestForm
from mediane.support.models import OfferStatus, SupportLanguage, SupportRequest, SupportStatus
from mediane.support.rules import agent_q, offer_statuses_for


def _data(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _nav(request: HttpRequest) -> dict[str, Any]:
    """Which tabs of the support section the user sees."""
    user = request.user
    return {
        "section": "support",
        "show_inbox": selectors.is_expert_agent(user),
        "show_staff": can(user, "manage", SupportRequest),
        "can_file": bool(services.requester_organisations(user)),
    }


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Requests of the user's organisations."""
    requests = selectors.requests_mine(request.user).prefetch_related("offers")
    page = Paginator(requests, 25).get_page(request.GET.get("page"))
    return render(request, "support/mine.html", {"page": page, **_nav(request)})


@login_required
@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", SupportRequest)
    organisations = services.requester_organisations(request.user)
    if not organisations:
        return render(request, "support/no_organisation.html", _nav(request), status=403)
    form = SupportRequestForm(_data(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.support_request_file(
                actor=request.user,
                organisation=form.organisations[form.cleaned_data["organisation"]],
                data=form.to_input(),
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            if created.status == SupportStatus.ROUTED:
                messages.success(
                    request,
                    _(
                        "Votre demande est envoyée à %(count)s expert(s) ; vous serez prévenu·e "
                        "dès qu'un expert la prend en charge."
                    )
                    % {"count": created.offers.count()},  # type: ignore[attr-defined]
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Votre demande est enregistrée. Aucun expert ne correspond encore : "
                        "le secrétariat va l'orienter."
                    ),
                )
            return redirect("support:detail", pk=created.pk)
    return render(request, "support/request_form.html", {"form": form, **_nav(request)})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Offers made to the experts the user acts for."""
    offers = list(selectors.offers_inbox(request.user)[:200])
    pending = [o for o in offers if o.status == OfferStatus.OFFERED]
    taken = [o for o in offers if o.status == OfferStatus.TAKEN]
    past = [o for o in offers if o.status not in (OfferStatus.OFFERED, OfferStatus.TAKEN)]
    context = {"pending": pending, "taken": taken, "past": past, **_nav(request)}
    return render(request, "support/inbox.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get_for(request.user, pk=pk)
    user = request.user
    is_staff = can(user, "manage", item)
    own_offers = offer_statuses_for(user, item)
    offers = list(item.offers.select_related("expert").all())  # type: ignore[attr-defined]
    events = list(item.events.select_related("actor").all())  # type: ignore[attr-defined]
    if own_offers and not is_staff and not can(user, "close", item):
        # An expert does not learn which other experts were offered the request, nor why they
        # declined it.
        for event in events:
            if event.kind in ("routed", "declined"):
                event.note = ""
    context = {
        "item": item,
        "events": events,
        "news": list(item.messages.select_related("author").all()),  # type: ignore[attr-defined]
        "offers": offers if is_staff or not own_offers else [],
        "my_offers": (
            list(item.offers.filter(agent_q(user)).select_related("expert"))  # type: ignore[attr-defined]
            if own_offers and not is_staff
            else []
        ),
        "is_staff": is_staff,
        "can_answer": item.status in ("new", "routed") and can(user, "answer", item),
        "can_message": item.is_open and can(user, "message", item),
        "can_close": item.status == SupportStatus.TAKEN and can(user, "close", item),
        "can_cancel": item.is_open and can(user, "cancel", item),
        "can_route": item.status in ("new", "routed") and can(user, "route", item),
        "can_remind": item.is_open and bool(offers) and can(user, "remind", item),
        "message_form": MessageForm(),
        **_nav(request),
    }
    return render(request, "support/detail.html", context)


@login_required
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get_for(request.user, pk=pk)
    try:
        services.support_offer_take(actor=request.user, request=item)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Vous avez pris cette demande en charge. Présentez-vous au demandeur "
                "par un message."
            ),
        )
    return redirect("support:detail", pk=item.pk)


def _reason_page(
    request: HttpRequest, pk: int, *, action: str, template: str, success: str
) -> HttpResponse:
    item = selectors.request_get_for(request.user, pk=pk)
    require(request.user, action, item)
    form = ReasonForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            if action == "answer":
                services.support_offer_decline(
                    actor=request.user, request=item, reason=form.cleaned_data["reason"]
                )
            else:
                services.support_request_cancel(
                    actor=request.user, request=item, reason=form.cleaned_data["reason"]
                )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success)
            if action == "answer":
                return redirect("support:inbox")
            return redirect("support:detail", pk=item.pk)
    return render(request, template, {"item": item, "form": form, **_nav(request)})


@login_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(
        request,
        pk,
        action="answer",
        template="support/decline.html",
        success=_("Vous avez décliné la demande ; elle sera proposée à d'autres experts."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(
        request,
        pk,
        action="cancel",
        template="support/cancel.html",
        success=_("La demande est classée sans suite."),
    )


@login_required
@require_POST
def post_message(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get_for(request.user, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.support_message_post(
                actor=request.user, request=item, body=form.cleaned_data["body"]
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre message est envoyé."))
    else:
        messages.error(request, _("Le message est vide."))
    return redirect(item.get_absolute_url() + "#nouvelles")


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get_for(request.user, pk=pk)
    require(request.user, "close", item)
    form = CloseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.support_request_close(
                actor=request.user,
                request=item,
                outcome=form.cleaned_data["outcome"],
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("La demande est clôturée. Merci pour votre avis."))
            return redirect("support:detail", pk=item.pk)
    return render(request, "support/close.html", {"item": item, "form": form, **_nav(request)})


@login_required
@require_http_methods(["GET", "POST"])
def route(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat offers the request to more experts (chosen or the next best)."""
    item = selectors.request_get_for(request.user, pk=pk)
    require(request.user, "route", item)
    already = set(item.offers.values_list("expert_id", flat=True))  # type: ignore[attr-defined]
    candidates = {m.expert_id: m for m in services.route_candidates(item)}
    experts = Expert.objects.exclude(pk__in=already).order_by("name")
    form = RouteForm(_data(request), experts=experts)
    if request.method == "POST" and form.is_valid():
        try:
            offers = services.support_request_route(
                actor=request.user,
                request=item,
                expert_ids=[e.pk for e in form.cleaned_data["experts"]],
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Demande proposée à : %(names)s.")
                % {"names": ", ".join(o.expert.name for o in offers)},
            )
            return redirect("support:detail", pk=item.pk)
    suggestions = [
        {
            "expert": expert,
            "match": candidates[expert.pk],
            "why": services.reason_texts(candidates[expert.pk].reasons),
        }
        for expert in Expert.objects.filter(pk__in=list(candidates)[:10])
    ]
    suggestions.sort(key=lambda s: -candidates[s["expert"].pk].score)  # type: ignore[attr-defined]
    context = {"item": item, "form": form, "suggestions": suggestions, **_nav(request)}
    return render(request, "support/route.html", context)


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get_for(request.user, pk=pk)
    try:
        count = services.support_request_remind(actor=request.user, request=item)
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Relance envoyée à %(count)s personne(s).") % {"count": count})
    if request.POST.get("next") == "suivi":
        return redirect("support:follow_up")
    return redirect("support:detail", pk=item.pk)


@login_required
@require_GET
def follow_up(request: HttpRequest) -> HttpResponse:
    context = selectors.follow_up_for(request.user)
    return render(request, "support/follow_up.html", {**context, **_nav(request)})


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.RequestFilters.from_params(request.GET)
    requests = selectors.requests_list_for(request.user, filters)
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "statuses": SupportStatus.choices,
        "languages": SupportLanguage.choices,
        "territories": selectors.territories_with_requests(request.user),
        "query_string": params.urlencode(),
        **_nav(request),
    }
    return render(request, "support/staff_list.html", context)


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    if not can(request.user, "manage", SupportRequest):
        raise PermissionDenied("manage")
    filters = selectors.RequestFilters.from_params(request.GET)
    rows = exports.request_rows(selectors.requests_list_for(request.user, filters))
    content = exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows)
    stamp = timezone.localdate().isoformat()
    return export_response(content, fmt, f"demandes-accompagnement-{stamp}.{fmt}", private=True)


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
