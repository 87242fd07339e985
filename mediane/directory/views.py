"""Pages of the directory: search with facets, organisation pages and forms, experts, export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, require
from mediane.directory import selectors, services
from mediane.directory.forms import LogoForm, OrganisationForm
from mediane.directory.models import Organisation


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The directory: search box, facets, cards, pagination; htmx gets the results only."""
    query = request.GET.get("q", "")
    filters = selectors.DirectoryFilters.from_params(request.GET)
    page = selectors.organisations_search(user=request.user, query=query, filters=filters)
    context = {"page": page, "can_create": can(request.user, "create", Organisation)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "directory/_results.html", context)
    return render(request, "directory/list.html", context)


@require_GET
def organisation_export(request: HttpRequest) -> StreamingHttpResponse:
    """The current selection as CSV (same selector, same visibility as the page)."""
    query = request.GET.get("q", "")
    filters = selectors.DirectoryFilters.from_params(request.GET)
    rows = selectors.organisations_export(user=request.user, query=query, filters=filters)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="annuaire-mediane.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "name",
    "kind",
    "country",
    "siren",
    "siret",
    "neq",
    "territory_code",
    "territory",
    "website",
    "email",
    "sectors",
    "summary",
    "visibility",
    "latitude",
    "longitude",
    "url",
]


def _csv_lines(rows: Iterator[Organisation]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for o in rows:
        t = o.territory
        yield writer.writerow(
            [
                _cell(o.name),
                o.kind,
                o.country,
                o.siren,
                o.siret,
                o.neq,
                t.code if t else "",
                _cell(t.name) if t else "",
                o.website,
                o.contact_email,
                ";".join(s.slug for s in o.sectors.all()),
                _cell(o.summary),
                o.visibility,
                o.latitude if o.latitude is not None else "",
                o.longitude if o.longitude is not None else "",
                o.get_absolute_url(),
            ]
        )


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for(user=request.user, slug=slug)
    context = {
        "organisation": organisation,
        "experts": selectors.organisation_experts(user=request.user, organisation=organisation),
        "can_change": can(request.user, "change", organisation),
        "can_delete": can(request.user, "delete", organisation),
        "can_manage_members": can(request.user, "manage_members", organisation),
    }
    return render(request, "directory/organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", Organisation)
    form = OrganisationForm(request.POST or None, initial={"visibility": "public", "country": "FR"})
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, data=form.to_input())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("L'organisation a été créée."))
            return redirect(organisation)
    return render(request, "directory/organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for(user=request.user, slug=slug)
    require(request.user, "change", organisation)
    initial = OrganisationForm.initial_from(organisation)
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, data=form.to_input()
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Les modifications ont été enregistrées."))
            return redirect(organisation)
    context = {"form": form, "organisation": organisation}
    return render(request, "directory/organisation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_logo(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for(user=request.user, slug=slug)
    require(request.user, "change", organisation)
    form = LogoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "remove" in request.POST:
        services.organisation_set_logo(actor=request.user, organisation=organisation, file=None)
        messages.success(request, _("Le logo a été retiré."))
        return redirect(organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_set_logo(
                actor=request.user, organisation=organisation, file=form.cleaned_data["logo"]
            )
        except MedianeError as error:
            form.add_error("logo", error.message)
        else:
            messages.success(request, _("Le logo a été mis à jour."))
            return redirect(organisation)
    context = {"form": form, "organisation": organisation}
    return render(request, "directory/organisation_logo.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for(user=request.user, slug=slug)
    require(request.user, "delete", organisation)
    if request.method == "POST":
        services.organisation_delete(actor=request.user, organisation=organisation)
        messages.success(
            request, _("L'organisation « %(name)s » a été supprimée.") % {"name": organisation.name}
        )
        return redirect("directory:list")
    return render(request, "directory/organisation_delete.html", {"organisation": organisation})


@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    filters = selectors.ExpertFilters.from_params(request.GET)
    page = selectors.experts_search(user=request.user, query=query, filters=filters)
    return render(request, "directory/expert_list.html", {"page": page})


@require_GET
def expert_detail(request: HttpRequest, slug: str) -> HttpResponse:
    expert = selectors.expert_get_for(user=request.user, slug=slug)
    context = {"expert": expert, "can_change": can(request.user, "change", expert)}
    return render(request, "directory/expert.html", context)
