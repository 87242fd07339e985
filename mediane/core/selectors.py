"""Reads for the home page and the network map: public data only, a bounded number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.territories.models import ACTIVE_STATUSES, NetworkMembership

# Map layers: the network's cities plus the organisation kinds that host or support companies.
LAYER_CITY = "city"
ORGANISATION_LAYERS = {
    OrganisationKind.INCUBATOR.value: "incubator",
    OrganisationKind.TIERS_LIEU.value: "tiers-lieu",
    OrganisationKind.ACCELERATOR.value: "accelerator",
}
LAYERS = (LAYER_CITY, "incubator", "tiers-lieu", "accelerator")


def layer_labels() -> dict[str, str]:
    """French labels of the map layers (translated at call time)."""
    return {
        LAYER_CITY: _("Villes du réseau"),
        "incubator": _("Incubateurs"),
        "tiers-lieu": _("Tiers-lieux"),
        "accelerator": _("Accélérateurs"),
    }


@dataclass(frozen=True)
class MapPoint:
    """One place of the map, as drawn by the GeoJSON endpoint and the no-JS list."""

    layer: str
    name: str
    url: str
    latitude: float
    longitude: float
    detail: str = ""
    country: str = ""

    @property
    def layer_label(self) -> str:
        return layer_labels()[self.layer]

    def as_feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [self.longitude, self.latitude]},
            "properties": {
                "layer": self.layer,
                "name": self.name,
                "url": self.url,
                "detail": self.detail,
                "layer_label": self.layer_label,
                "country": self.country,
            },
        }


@dataclass
class HomeData:
    figures: dict[str, int]
    latest_members: list[NetworkMembership]
    latest_organisations: list[Organisation]


def parse_layers(values: list[str]) -> tuple[str, ...]:
    """The known layers among `values` (unknown ones are ignored); all layers when none is known."""
    chosen = tuple(layer for layer in LAYERS if layer in values)
    return chosen or LAYERS


def _member_cities() -> list[Any]:
    """Active network members (territories), through the territories app's selector."""
    from mediane.territories.selectors import network_members

    return list(network_members())


def _member_since(territory: Any) -> datetime.date | None:
    value = getattr(territory, "member_since", None)
    if value is None:
        membership = getattr(territory, "network_membership", None)
        value = getattr(membership, "member_since", None)
    return value


def map_points(*, layers: tuple[str, ...] = LAYERS) -> list[MapPoint]:
    """Public places of the network with coordinates: member cities and support organisations.

    Two queries at most; organisations without coordinates of their own use their territory's.
    """
    points: list[MapPoint] = []
    if LAYER_CITY in layers:
        for territory in _member_cities():
            if territory.latitude is None or territory.longitude is None:
                continue
            since = _member_since(territory)
            detail = _("membre depuis %(year)s") % {"year": since.year} if since else ""
            points.append(
                MapPoint(
                    layer=LAYER_CITY,
                    name=territory.name,
                    url=territory.get_absolute_url(),
                    latitude=territory.latitude,
                    longitude=territory.longitude,
                    detail=detail,
                    country=territory.country,
                )
            )
    kinds = [kind for kind, layer in ORGANISATION_LAYERS.items() if layer in layers]
    if kinds:
        organisations = (
            Organisation.objects.filter(visibility="public", kind__in=kinds)
            .filter(
                Q(latitude__isnull=False, longitude__isnull=False)
                | Q(territory__latitude__isnull=False, territory__longitude__isnull=False)
            )
            .select_related("territory")
            .only(
                "name",
                "slug",
                "kind",
                "country",
                "latitude",
                "longitude",
                "territory__name",
                "territory__latitude",
                "territory__longitude",
            )
            .order_by("name")
        )
        for organisation in organisations:
            coordinates = organisation.coordinates
            if coordinates is None:
                continue
            points.append(
                MapPoint(
                    layer=ORGANISATION_LAYERS[organisation.kind],
                    name=organisation.name,
                    url=organisation.get_absolute_url(),
                    latitude=coordinates[0],
                    longitude=coordinates[1],
                    detail=organisation.territory.name if organisation.territory else "",
                    country=organisation.country,
                )
            )
    order = {layer: index for index, layer in enumerate(LAYERS)}
    # Cities keep the selector's order (membership date); organisations by layer, then name.
    points.sort(
        key=lambda point: (order[point.layer], "" if point.layer == LAYER_CITY else point.name)
    )
    return points


def home_data() -> HomeData:
    """Key figures, latest network members and latest public organisations (five queries)."""
    members = NetworkMembership.objects.filter(status__in=ACTIVE_STATUSES)
    member_stats = members.aggregate(
        cities=Count("pk"),
        countries=Count("territory__country", distinct=True),
    )
    organisation_stats = Organisation.objects.filter(visibility="public").aggregate(
        organisations=Count("pk"),
        organisation_countries=Count("country", distinct=True),
    )
    figures = {
        "cities": member_stats["cities"],
        "organisations": organisation_stats["organisations"],
        "countries": max(member_stats["countries"], organisation_stats["organisation_countries"]),
        "sectors": Sector.objects.count(),
    }
    latest_members = list(members.select_related("territory").order_by("-member_since", "-pk")[:6])
    latest_organisations = list(
        Organisation.objects.filter(visibility="public")
        .select_related("territory")
        .order_by("-created_at", "-pk")[:6]
    )
    return HomeData(
        figures=figures,
        latest_members=latest_members,
        latest_organisations=latest_organisations,
    )
