"""Territory pages: list, territory page, and the secretariat's forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mediane.core.errors import MedianeError
from mediane.core.permissions import can
from mediane.territories import selectors, services
from mediane.territories.forms import (
    MembershipForm,
    TerritoryEditForm,
    TwinningForm,
    add_service_errors,
)
from mediane.territories.models import Kind, NetworkMembership, Twinning
from mediane.territories.sections import sections_for


def territory_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.TerritoryFilters.from_params(request.GET)
    page = selectors.territories_list(filters=filters, page=request.GET.get("page"))
    context = {"filters": filters, "page_obj": page, "kinds": Kind.choices}
    return render(request, "territories/list.html", context)


def territory_detail(request: HttpRequest, slug: str) -> HttpResponse:
    territory = selectors.territory_get(slug=slug)
    children = None
    if territory.kind != Kind.MUNICIPALITY:
        children = selectors.territory_children(
            territory=territory, page=request.GET.get("membres")
        )
    context = {
        "territory": territory,
        "ancestors": selectors.territory_ancestors(territory),
        "membership": getattr(territory, "network_membership", None),
        "twinnings": selectors.twinnings_of(territory),
        "children": children,
        "organisations": selectors.territory_organisations(
            user=request.user, territory=territory, page=request.GET.get("organisations")
        ),
        "can_manage": can(request.user, "change", territory),
        "sections": sections_for(request, territory),
    }
    return render(request, "territories/detail.html", context)


def _guard(request: HttpRequest, action: str, obj: Any) -> HttpResponse | None:
    """Send anonymous visitors to the login page; refuse others without the permission."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can(request.user, action, obj):
        raise PermissionDenied
    return None


@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, slug: str) -> HttpResponse:
    territory = selectors.territory_get(slug=slug)
    membership = getattr(territory, "network_membership", None)
    if refused := _guard(
        request, "change" if membership else "create", membership or NetworkMembership
    ):
        return refused
    initial = (
        {
            "status": membership.status,
            "member_since": membership.member_since,
            "notes": membership.notes,
        }
        if membership
        else {}
    )
    form = MembershipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_membership_set(
                actor=request.user, territory=territory, **form.cleaned_data
            )
        except MedianeError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Adhésion au réseau enregistrée."))
            return redirect(territory)
    return render(
        request, "territories/membership_form.html", {"territory": territory, "form": form}
    )


@require_http_methods(["GET", "POST"])
def twinning_add(request: HttpRequest, slug: str) -> HttpResponse:
    territory = selectors.territory_get(slug=slug)
    if refused := _guard(request, "create", Twinning):
        return refused
    form = TwinningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.twinning_create(
                actor=request.user,
                a=territory,
                b=data["other"],
                kind=data["kind"],
                since=data["since"],
                description=data["description"],
            )
        except MedianeError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Jumelage ajouté."))
            return redirect(territory)
    return render(request, "territories/twinning_form.html", {"territory": territory, "form": form})


@require_http_methods(["GET", "POST"])
def twinning_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    territory = selectors.territory_get(slug=slug)
    twinning = selectors.twinning_get(territory=territory, pk=pk)
    if refused := _guard(request, "delete", twinning):
        return refused
    if request.method == "POST":
        services.twinning_delete(actor=request.user, twinning=twinning)
        messages.success(request, _("Jumelage supprimé."))
        return redirect(territory)
    context = {"territory": territory, "twinning": twinning}
    return render(request, "territories/twinning_confirm_delete.html", context)


@require_http_methods(["GET", "POST"])
def territory_edit(request: HttpRequest, slug: str) -> HttpResponse:
    territory = selectors.territory_get(slug=slug)
    if refused := _guard(request, "change", territory):
        return refused
    initial = {
        name: getattr(territory, name)
        for name in ("website", "description", "latitude", "longitude")
    }
    form = TerritoryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = services.TerritoryUpdate(**form.cleaned_data)
            services.territory_update(actor=request.user, territory=territory, data=data)
        except MedianeError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Territoire modifié."))
            return redirect(territory)
    return render(
        request, "territories/territory_form.html", {"territory": territory, "form": form}
    )
