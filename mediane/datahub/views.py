"""Pages of the data hub: catalogue, dataset, upload with progress, version (validation report,
personal-data findings, transforms, legal bases, changes), preview, downloads."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediane.core.errors import MedianeError
from mediane.core.models import Visibility, choice_label
from mediane.core.permissions import can, require
from mediane.datahub import selectors, services
from mediane.datahub.forms import (
    DatasetForm,
    DeleteForm,
    LegalBasisForm,
    SchemaUploadForm,
    UploadForm,
    VisibilityForm,
)
from mediane.datahub.models import Theme, VersionStatus


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    get = request.GET
    organisation = get.get("organisation", "")
    filters = selectors.CatalogueFilters(
        query=get.get("q", "")[:200],
        themes=tuple(t for t in get.getlist("theme") if t in Theme.values),
        organisation=int(organisation) if organisation.isdigit() else None,
        licence=get.get("licence", "")[:20],
        schema=get.get("schema", "")[:160],
        visibility=get.get("access", "")[:16],
        mine=get.get("mine") == "1" and request.user.is_authenticated,
    )
    result = selectors.catalogue_for(request.user, filters)
    page = Paginator(result.datasets, 20).get_page(get.get("page"))
    return render(
        request,
        "datahub/catalogue.html",
        {
            "page": page,
            "total": result.total,
            "facets": result.facets,
            "filters": filters,
            "selected_themes": set(filters.themes),
            "query_string": _query_without_page(request),
            "can_create": bool(selectors.organisations_editable(request.user))
            if request.user.is_authenticated
            else False,
            "visibilities": Visibility.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_editable(request.user)
    if not organisations:
        raise PermissionDenied("create_dataset")
    form = DatasetForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_create(
                actor=request.user,
                organisation=form.organisations[form.cleaned_data["organisation"]],
                **form.metadata(),
            )
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Le jeu de données a été créé (privé). Déposez maintenant un fichier."),
            )
            return redirect("datahub:upload", slug=dataset.slug)
    return render(request, "datahub/dataset_form.html", {"form": form})


@require_GET
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    version = selectors.readable_version(request.user, dataset)
    internal = can(request.user, "view_internal", dataset)
    versions = selectors.versions_for(request.user, dataset)
    preview = None
    charts: dict[str, Any] = {}
    if version is not None and version.is_ready:
        preview = _preview(version, request)
        charts = _charts(version)
    return render(
        request,
        "datahub/dataset_detail.html",
        {
            "dataset": dataset,
            "version": version,
            "versions": versions[:20],
            "quality": selectors.dataset_quality(dataset),
            "can_edit": can(request.user, "change", dataset),
            "internal": internal,
            "preview": preview,
            "charts": charts,
            "pending": [v for v in versions if v.status in ("pending", "processing")],
            "visibility_form": VisibilityForm(initial={"visibility": dataset.visibility}),
            "themes_display": [choice_label(Theme, theme) for theme in dataset.themes],
        },
    )


def _preview(version: Any, request: HttpRequest) -> dict[str, Any] | None:
    from mediane.datahub import store

    directory = services.version_directory(version)
    sort_column = request.GET.get("sort", "")
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    names = [c.get("name") for c in version.columns]
    text = request.GET.get("filter", "")[:100].strip()
    filter_column = request.GET.get("column", "")
    filters = []
    if text and filter_column in names:
        filters.append(store.Filter(filter_column, "contains", text))
    sort = [(sort_column, direction)] if sort_column in names else []
    try:
        result = store.query(directory, filters=filters, sort=sort, limit=20, offset=0)
    except store.QueryError as error:
        return {"error": error.message, "columns": version.columns, "rows": [], "total": 0}
    except store.StoreError:  # the stored copy is missing (see docs/datahub.md)
        return None
    return {
        "columns": version.columns,
        "rows": result.rows,
        "total": result.total,
        "sort": sort_column,
        "dir": direction,
        "filter": text,
        "filter_column": filter_column,
    }


def _charts(version: Any) -> dict[str, Any]:
    """Quick charts: a measure summed by a category, and rows per year of a date column.

    The category is a text column with 2–30 distinct values that repeat (not an identifier);
    the measure is the first numeric column that is neither a coordinate nor an identifier
    (rows are counted when there is none)."""
    from mediane.datahub import store

    directory = services.version_directory(version)
    columns = version.columns
    try:
        profiles = {p.name: p for p in store.profile(directory)}
        coordinates = {name for pair in store.coordinate_columns(directory) for name in pair}
    except Exception:
        return {}
    rows = max(1, version.row_count)

    def distinct(name: str) -> int:
        found = profiles.get(name)
        return found.distinct if found is not None else 0

    def kind(column: dict[str, Any]) -> str:
        return str(column.get("type", "")).lower()

    numeric = [
        c
        for c in columns
        if kind(c) in ("integer", "number", "bigint", "double", "decimal")
        and c["name"] not in coordinates
        and not (kind(c) == "integer" and distinct(c["name"]) == rows and rows > 30)
    ]
    dates = [c for c in columns if kind(c) in ("date", "datetime", "timestamp")]
    categories = [
        c
        for c in columns
        if kind(c) in ("string", "varchar", "text")
        and 1 < distinct(c["name"]) <= 30
        and distinct(c["name"]) < rows
    ]
    charts: dict[str, Any] = {}
    try:
        if categories:
            by = categories[0]
            measure = numeric[0] if numeric else None
            bars = store.aggregate(
                directory,
                measure=measure["name"] if measure else None,
                fn="sum" if measure else "count",
                by=by["name"],
                limit=12,
            )
            charts["bars"] = _bars(bars)
            charts["bars_title"] = (
                _("%(m)s par %(c)s") % {"m": measure["label"], "c": by["label"]}
                if measure
                else _("Nombre de lignes par %(c)s") % {"c": by["label"]}
            )
        if dates:
            series = store.aggregate(
                directory,
                measure=None,
                fn="count",
                by=dates[0]["name"],
                time_bucket="year",
                limit=40,
            )
            charts["time"] = _bars(series)
            charts["time_title"] = _("Nombre de lignes par année (%(c)s)") % {
                "c": dates[0]["label"]
            }
        charts["points"] = bool(store.coordinate_columns(directory))
    except Exception:  # a chart is a convenience: never break the page for it
        return charts
    return charts


def _bars(pairs: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    values = [float(v or 0) for _g, v in pairs]
    top = max(values, default=0) or 1
    return [
        {"label": "—" if g is None else str(g), "value": v, "percent": round(100 * v / top, 1)}
        for (g, _v), v in zip(pairs, values, strict=True)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    require(request.user, "change", dataset)
    form = DatasetForm(request.POST or None, initial=DatasetForm.initial_from(dataset))
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_update(actor=request.user, dataset=dataset, **form.metadata())
        except MedianeError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Les modifications ont été enregistrées."))
            return redirect("datahub:dataset", slug=dataset.slug)
    return render(request, "datahub/dataset_form.html", {"form": form, "dataset": dataset})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    require(request.user, "upload", dataset)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            version = services.version_upload(
                actor=request.user,
                dataset=dataset,
                file=file,
                filename=file.name,
                note=form.cleaned_data["note"],
            )
        except MedianeError as error:
            form.add_error("file", error.message)
        else:
            return redirect("datahub:version", slug=dataset.slug, number=version.number)
    return render(
        request,
        "datahub/upload.html",
        {"dataset": dataset, "form": form, "max_mb": services.max_upload_bytes() // 1_000_000},
    )


def _version_context(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    version = selectors.version_get_for(request.user, dataset, number)
    internal = can(request.user, "view_internal", dataset)
    return {
        "dataset": dataset,
        "version": version,
        "internal": internal,
        "can_edit": can(request.user, "transform", dataset),
        "can_legal": can(request.user, "record_legal_basis", dataset),
        "legal_bases": {b.column: b for b in dataset.legal_bases.all()}  # type: ignore[attr-defined]
        if internal
        else {},
        "standing": selectors.standing_blocks(version) if version.is_ready else [],
        "is_current": dataset.current_version_id == version.pk,  # type: ignore[attr-defined]
    }


@require_GET
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    context = _version_context(request, slug, number)
    version = context["version"]
    context["errors_by_kind"] = _errors_by_kind(version.validation)
    context["legal_form"] = LegalBasisForm()
    return render(request, "datahub/version_detail.html", context)


def _errors_by_kind(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The validation errors grouped by kind, then by column, with the rows (for the page)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for error in (report or {}).get("errors", []):
        key = (str(error.get("code", "")), str(error.get("field") or error.get("column") or ""))
        group = groups.setdefault(
            key,
            {
                "code": key[0],
                "field": key[1],
                "message": error.get("message", ""),
                "rows": [],
                "count": 0,
            },
        )
        group["count"] += 1
        if error.get("row") and len(group["rows"]) < 12:
            group["rows"].append(error.get("row"))
    return sorted(groups.values(), key=lambda g: (-g["count"], g["code"], g["field"]))


@require_GET
def version_progress(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """htmx fragment polled while a version is processed; tells the page to reload at the end."""
    context = _version_context(request, slug, number)
    response = render(request, "datahub/_version_progress.html", context)
    if context["version"].status in (VersionStatus.READY, VersionStatus.FAILED):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def set_visibility(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    form = VisibilityForm(request.POST)
    if form.is_valid():
        try:
            services.dataset_set_visibility(
                actor=request.user, dataset=dataset, visibility=form.cleaned_data["visibility"]
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Le niveau d'accès a été enregistré."))
    else:
        messages.error(request, _("Choisissez un niveau d'accès."))
    return redirect("datahub:dataset", slug=dataset.slug)


@login_required
@require_POST
def legal_basis(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    context = _version_context(request, slug, number)
    form = LegalBasisForm(request.POST)
    if form.is_valid():
        try:
            services.legal_basis_record(
                actor=request.user,
                dataset=context["dataset"],
                column=form.cleaned_data["column"],
                basis=form.cleaned_data["basis"],
            )
        except MedianeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("La base légale a été enregistrée (journal d'audit)."))
    else:
        messages.error(request, _("Indiquez la colonne et la base légale."))
    return redirect("datahub:version", slug=slug, number=number)


@login_required
@require_POST
def transform(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    context = _version_context(request, slug, number)
    try:
        new = services.version_transform(
            actor=request.user,
            version=context["version"],
            operation=request.POST.get("operation", ""),
            column=request.POST.get("column", ""),
            column2=request.POST.get("column2", ""),
        )
    except MedianeError as error:
        messages.error(request, error.message)
        return redirect("datahub:version", slug=slug, number=number)
    messages.success(request, _("Une nouvelle version est en préparation."))
    return redirect("datahub:version", slug=slug, number=new.number)


@login_required
@require_POST
def make_current(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    context = _version_context(request, slug, number)
    try:
        services.version_make_current(actor=request.user, version=context["version"])
    except MedianeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Cette version est désormais la version courante."))
    return redirect("datahub:dataset", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_get_for(request.user, slug=slug)
    require(request.user, "change", dataset)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_delete(
                actor=request.user, dataset=dataset, confirm_slug=form.cleaned_data["confirm"]
            )
        except MedianeError as error:
            form.add_error("confirm", error.message)
        else:
            messages.success(request, _("Le jeu de données a été supprimé."))
            return redirect("datahub:catalogue")
    return render(request, "datahub/dataset_delete.html", {"dataset": dataset, "form": form})


@require_GET
def download_original(request: HttpRequest, slug: str, number: int) -> FileResponse:
    context = _version_context(request, slug, number)
    version = context["version"]
    if not version.original:
        raise Http404(_("Cette version n'a pas de fichier déposé (elle est transformée)."))
    handle = storages["private"].open(version.original.name, "rb")
    return FileResponse(handle, as_attachment=True, filename=version.original_name or "donnees")


@require_GET
def download(request: HttpRequest, slug: str, number: int, fmt: str) -> StreamingHttpResponse:
    """The stored version as CSV (formulas neutralised) or JSON, streamed."""
    from mediane.datahub import exports

    context = _version_context(request, slug, number)
    version = context["version"]
    if not version.is_ready:
        raise Http404(_("Cette version n'est pas prête."))
    return exports.stream_version(version, fmt, filename=f"{context['dataset'].slug}-v{number}")


@require_GET
def validation_report(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
    context = _version_context(request, slug, number)
    report = context["version"].validation or {}
    name = f"validation-{context['dataset'].slug}-v{number}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(report, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    from mediane.datahub import exports

    response = HttpResponse(exports.report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def schema_add(request: HttpRequest) -> HttpResponse:
    form = SchemaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            if upload_file.size > 1_000_000:
                raise ValueError
            definition = json.loads(upload_file.read().decode("utf-8"))
            if not isinstance(definition, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            form.add_error("file", _("Ce fichier n'est pas un JSON lisible (1 Mo au plus)."))
        else:
            try:
                services.schema_add(
                    actor=request.user,
                    definition=definition,
                    identifier=form.cleaned_data["identifier"],
                    version=form.cleaned_data["version"],
                )
            except MedianeError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Le schéma a été ajouté."))
                return redirect("datahub:schemas")
    return render(
        request,
        "datahub/schemas.html",
        {"schemas": selectors.schemas_for(request.user), "form": form},
    )


@require_GET
def schemas(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "datahub/schemas.html",
        {
            "schemas": selectors.schemas_for(request.user),
            "form": SchemaUploadForm() if request.user.is_authenticated else None,
        },
    )


@require_GET
def points(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """GeoJSON of the version's first pair of coordinate columns (at most 5,000 points)."""
    from mediane.datahub import store

    context = _version_context(request, slug, number)
    version, dataset = context["version"], context["dataset"]
    features: list[dict[str, Any]] = []
    if version.is_ready:
        directory = services.version_directory(version)
        pairs = store.coordinate_columns(directory)
        if pairs:
            lat, lon = pairs[0]
            url = reverse("datahub:dataset", args=[dataset.slug])
            for point in store.points(directory, lat, lon, limit=5000).points:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
                        "properties": {
                            "layer": "data",
                            "name": _("Ligne %(n)d") % {"n": point.row_number},
                            "url": url,
                            "detail": dataset.title,
                        },
                    }
                )
    return HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}),
        content_type="application/geo+json",
    )


DCAT_FORMATS = {"ttl", "jsonld", "rdf"}


@require_GET
def catalogue_dcat(request: HttpRequest, fmt: str) -> HttpResponse:
    """The public catalogue in DCAT-AP 3.0 (Turtle, JSON-LD, RDF/XML)."""
    from mediane.datahub import catalog, dcat

    if fmt not in DCAT_FORMATS:
        raise Http404(fmt)
    body, content_type = dcat.serialize(dcat.build_graph(catalog.catalog()), fmt)
    return HttpResponse(body, content_type=content_type)


@require_GET
def dataset_dcat(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """One public dataset in DCAT-AP; 404 for anything not public."""
    from mediane.datahub import catalog, dcat
    from mediane.datahub.models import Dataset

    if fmt not in DCAT_FORMATS:
        raise Http404(fmt)
    dataset = (
        Dataset.objects.select_related("organisation", "territory", "schema", "current_version")
        .filter(slug=slug, visibility="public")
        .first()
    )
    if dataset is None or catalog.dataset_node(dataset) is None:
        raise Http404(_("Jeu de données introuvable."))
    body, content_type = dcat.serialize(dcat.build_graph(catalog.catalog([dataset])), fmt)
    return HttpResponse(body, content_type=content_type)
