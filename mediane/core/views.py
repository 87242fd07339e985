"""Home page, network map and its GeoJSON points."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from mediane.core import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Presents the network: key figures, small map, latest members and organisations."""
    data = selectors.home_data()
    return render(request, "core/home.html", {"data": data})


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The map, with layer filters and the same places as a list (usable without JavaScript)."""
    layers = selectors.parse_layers(request.GET.getlist("layer"))
    labels = selectors.layer_labels()
    query = "" if layers == selectors.LAYERS else "?" + urlencode({"layer": layers}, doseq=True)
    context = {
        "points": selectors.map_points(layers=layers),
        "layers": [(layer, labels[layer], layer in layers) for layer in selectors.LAYERS],
        "layers_query": query,
    }
    return render(request, "core/map.html", context)


@require_GET
@cache_control(public=True, max_age=300)
def map_points(request: HttpRequest) -> JsonResponse:
    """Public places of the map as a GeoJSON FeatureCollection (`?layer=` filters)."""
    layers = selectors.parse_layers(request.GET.getlist("layer"))
    features = [point.as_feature() for point in selectors.map_points(layers=layers)]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
