"""Facets of the searchable lists (challenges, projects): each option counted over the rows the
user may see, whatever is selected, and checked when selected."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from mediane.core.models import choice_label
from mediane.directory.models import Sector
from mediane.territories.models import Country


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]


def counted_facet(
    name: str, label: str, rows: Iterable[tuple[str, str, int]], selected: Collection[str]
) -> Facet:
    """A facet of (value, label, count) rows."""
    return Facet(name, label, [FacetOption(v, n, c, v in selected) for v, n, c in rows])


def status_facet(
    model: type[models.Model],
    visible: QuerySet[Any],
    statuses: type[models.Choices],
    selected: Collection[str],
) -> Facet:
    """The `status` of the `model` rows whose pk is in `visible`, in the order of `statuses`."""
    counts = dict(
        model._default_manager.filter(pk__in=visible)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [(v, choice_label(statuses, v), counts[v]) for v in statuses.values if v in counts]
    return counted_facet("status", _("État"), rows, selected)


def sector_facet(related_name: str, visible: QuerySet[Any], selected: Collection[str]) -> Facet:
    """The sectors of the rows in `visible`, reached from Sector by `related_name`."""
    rows = (
        Sector.objects.filter(**{f"{related_name}__in": visible})
        .annotate(n=Count(related_name, distinct=True))
        .order_by("name")
        .values_list("slug", "name", "n")
    )
    return counted_facet("sector", _("Secteur"), rows, selected)


def country_facet(
    links: QuerySet[Any], counted: str, label: str, selected: Collection[str]
) -> Facet:
    """The countries of the organisations of `links` (rows with an `organisation`), each counting
    the distinct `counted` (the row linked: "challenge_id", "project_id")."""
    counts = dict(
        links.values_list("organisation__country")
        .annotate(n=Count(counted, distinct=True))
        .order_by()
    )
    labels = dict(Country.choices)
    rows = [(c, str(labels.get(c, c)), n) for c, n in sorted(counts.items())]
    return counted_facet("country", label, rows, selected)
