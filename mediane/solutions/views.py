"""Pages of solutions: the list (filters, search, exports), a sheet, its form, "replicate in my
city", the replications' network page with its map data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.permissions import can, is_secretariat, user_roles
from mediane.core.spreadsheet import export_response
from mediane.directory.models import Organisation, OrganisationKind
from mediane.solutions import exports, selectors, services
from mediane.solutions.forms import OutcomeForm, ReplicateForm, SolutionForm
from mediane.solutions.models import Replication, SolutionStatus


def _filters(request: HttpRequest, *, published_only: bool = False) -> selectors.SolutionFilters:
    get = request.GET
    return selectors.SolutionFilters(
        query=get.get("q", "")[:200],
        sector=get.get("sector", "")[:60],
        country=get.get("country", "")[:2],
        city=get.get("city", "")[:220],
        supplier=get.get("supplier", "")[:220],
        mine=get.get("mine") == "1" and request.user.is_authenticated,
        published_only=published_only,
    )


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def editable_cities(user: Any) -> list[Organisation]:
    """Cities for which `user` may record a solution."""
    qs = Organisation.objects.filter(kind=OrganisationKind.COLLECTIVITE)
    if not is_secretariat(user):
        ids = [pk for pk, role in user_roles(user).items() if role in ("editor", "admin")]
        qs = qs.filter(pk__in=ids)
    return [o for o in qs.order_by("name") if can(user, "create_solution", o)]


@require_GET
def solution_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    result = selectors.solutions_search(request.user, filters)
    page = Paginator(result.solutions, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "solutions/solution_list.html",
        {
            "page": page,
            "total": result.total,
            "facets": result.facets,
            "filters": filters,
            "query_string": _query_without_page(request),
            "can_create": request.user.is_authenticated and bool(editable_cities(request.user)),
        },
    )


@require_GET
def solution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = selectors.solution_get_for(request.user, slug=slug)
    replications = list(selectors.replications_of(request.user, sheet))
    for replication in replications:
        target = replication.target
        replication.target_visible = target is not None and can(request.user, "view", target)  # type: ignore[attr-defined]
        replication.can_change = can(request.user, "change", replication)  # type: ignore[attr-defined]
        replication.outcome_form = OutcomeForm(  # type: ignore[attr-defined]
            initial={"outcome_note": replication.outcome_note}, prefix=f"r{replication.pk}"
        )
    return render(
        request,
        "solutions/solution_detail.html",
        {
            "sheet": sheet,
            "indicators": list(sheet.indicators.all()),  # type: ignore[attr-defined]
            "replications": replications,
            "can_change": can(request.user, "change", sheet),
            "can_replicate": can(request.user, "replicate", sheet)
            and bool(services.replication_cities(request.user, sheet)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def solution_create(request: HttpRequest) -> HttpResponse:
    cities = editable_cities(request.user)
    if not cities:
        raise PermissionDenied("create_solution")
    form = SolutionForm(
        request.POST or None,
        organisations=cities,
        initial={"visibility": "public", "status": SolutionStatus.DRAFT, "currency": "EUR"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.solution_create(
                actor=request.user,
                organisation=form.organisations[form.cleaned_data["organisation"]],
                data=form.to_input(),
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("La fiche solution a été enregistrée."))
            return redirect(sheet)
    return render(request, "solutions/solution_form.html", {"form": form, "sheet": None})


@login_required
@require_http_methods(["GET", "POST"])
def solution_edit(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = selectors.solution_get_for(request.user, slug=slug)
    if not can(request.user, "change", sheet):
        raise PermissionDenied("change")
    form = SolutionForm(
        request.POST or None,
        initial=SolutionForm.initial_from(services.SolutionInput.from_sheet(sheet)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.solution_update(actor=request.user, sheet=sheet, data=form.to_input())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("La fiche solution a été mise à jour."))
            return redirect(sheet)
    return render(request, "solutions/solution_form.html", {"form": form, "sheet": sheet})


@login_required
@require_http_methods(["GET", "POST"])
def solution_delete(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = selectors.solution_get_for(request.user, slug=slug)
    if not can(request.user, "delete", sheet):
        raise PermissionDenied("delete")
    error = ""
    if request.method == "POST":
        try:
            services.solution_delete(actor=request.user, sheet=sheet)
        except MedianeError as failure:
            error = failure.message
        else:
            messages.success(request, _("La fiche solution a été supprimée."))
            return redirect("solutions:list")
    return render(request, "solutions/solution_delete.html", {"sheet": sheet, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def solution_replicate(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = selectors.solution_get_for(request.user, slug=slug)
    cities = services.replication_cities(request.user, sheet)
    if not can(request.user, "replicate", sheet) or not cities:
        raise PermissionDenied("replicate")
    form = ReplicateForm(request.POST or None, organisations=cities)
    if request.method == "POST" and form.is_valid():
        try:
            replication = services.solution_replicate(
                actor=request.user,
                sheet=sheet,
                organisation=form.organisations[form.cleaned_data["organisation"]],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _(
                    "Brouillon créé à partir de la solution « %(title)s » de %(city)s : "
                    "complétez-le, puis soumettez-le."
                )
                % {"title": sheet.title, "city": sheet.organisation.name},
            )
            target = replication.target
            url = target.get_absolute_url() if target is not None else ""
            return redirect(url or sheet.get_absolute_url())
    return render(
        request,
        "solutions/replicate_form.html",
        {"sheet": sheet, "form": form, "cities": cities},
    )


@login_required
@require_POST
def replication_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    replication = get_object_or_404(
        selectors.replications_visible(request.user).select_related("solution"), pk=pk
    )
    if not can(request.user, "change", replication):
        raise PermissionDenied("change")
    form = OutcomeForm(request.POST, prefix=f"r{replication.pk}")
    if form.is_valid():
        try:
            services.replication_update(
                actor=request.user,
                replication=replication,
                outcome_note=form.cleaned_data["outcome_note"],
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Le bilan de la reproduction a été enregistré."))
    else:
        messages.error(request, _("Le bilan est trop long (20 000 caractères au maximum)."))
    return redirect(replication.solution)


def _network_rows(request: HttpRequest) -> list[Replication]:
    rows = list(selectors.replications_network(request.user))
    for replication in rows:
        target = replication.target
        replication.target_visible = target is not None and can(request.user, "view", target)  # type: ignore[attr-defined]
    return rows


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    rows = _network_rows(request)
    sources = {r.solution_id for r in rows}  # type: ignore[attr-defined]
    cities = {r.organisation_id for r in rows}  # type: ignore[attr-defined]
    return render(
        request,
        "solutions/network.html",
        {
            "replications": rows,
            "solution_count": len(sources),
            "city_count": len(cities),
            "missing_places": [
                r
                for r in rows
                if selectors.place_of(r.organisation) is None
                or selectors.place_of(r.solution.organisation) is None
            ],
        },
    )


@require_GET
def network_geojson(request: HttpRequest) -> HttpResponse:
    data = selectors.replication_geojson(list(selectors.replications_network(request.user)))
    return JsonResponse(data, content_type="application/geo+json")


@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            _("Format inconnu : choisissez csv ou xlsx."), status=404, content_type="text/plain"
        )
    result = selectors.solutions_search(request.user, _filters(request, published_only=True))
    sheets = list(result.solutions.prefetch_related("indicators")[: exports.EXPORT_MAX_ROWS])
    replicated_in: dict[int, list[str]] = {}
    for replication in (
        selectors.replications_visible(request.user)
        .filter(solution__in=[s.pk for s in sheets])
        .select_related("organisation")
        .order_by("created_at", "id")
    ):
        replicated_in.setdefault(replication.solution_id, []).append(  # type: ignore[attr-defined]
            replication.organisation.name
        )
    rows = exports.solution_rows(sheets, replicated_in)
    stamp = timezone.localdate().isoformat()
    content = exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows)
    return export_response(
        content, fmt, f"solutions-{stamp}.{fmt}", private=request.user.is_authenticated
    )
