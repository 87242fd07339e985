"""The main menu marks the entry of the current section, and only that one, with
aria-current="page"; the section comes from the exact URL namespace (never a substring)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mediane.core.context_processors import NAV_SECTIONS, nav_section

MENU = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
ENTRY = re.compile(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>')


def current_entries(html: str) -> list[str]:
    """The labels of the main menu's entries marked as the current page."""
    menu = MENU.search(html)
    assert menu is not None, "no main menu"
    entries = ENTRY.findall(menu.group(1))
    assert len(entries) == 10
    return [label for _href, attrs, label in entries if 'aria-current="page"' in attrs]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "kwargs", "expected"),
    [
        ("core:home", {}, []),
        ("directory:list", {}, ["Annuaire"]),
        ("market:challenge_list", {}, ["Défis"]),
        ("market:offer_list", {}, ["Offres"]),
        ("cooperation:hub", {}, ["Coopération"]),
        ("incubation:agreements", {}, ["Coopération"]),
        ("solutions:list", {}, ["Coopération"]),
        ("tierslieux:list", {}, ["Coopération"]),
        ("diagnostic:hub", {}, ["Territoire intelligent"]),
        ("plans:list", {}, ["Territoire intelligent"]),
        ("labels:index", {}, ["Territoire intelligent"]),
        ("datahub:catalogue", {}, ["Données"]),
        ("territories:list", {}, ["Territoires"]),
        ("core:map", {}, ["Carte"]),
        ("search:search", {}, ["Recherche"]),
        ("accounts:login", {}, []),
    ],
)
def test_only_the_current_section_is_marked(client, url_name, kwargs, expected):
    response = client.get(reverse(url_name, kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert current_entries(response.content.decode()) == expected


def test_the_section_is_the_exact_namespace():
    assert nav_section("plans", "list") == "smart"
    assert nav_section("incubation", "agreements") == "cooperation"
    assert nav_section("core", "map") == "map"
    assert nav_section("core", "home") == ""
    assert nav_section("market", "offer_detail") == "offers"
    assert nav_section("market", "ranking") == "challenges"  # a challenge's evaluation
    # Parts or extensions of a namespace of the menu light nothing (the old substring test
    # `namespace in "diagnostic plans labels"` took "plan", "lab" or "s l" for "plans labels").
    for near in ("plan", "lab", "s l", "operation", "cooperation2", "tiers", "", "accounts"):
        assert nav_section(near, "list") == "", near
    assert set(NAV_SECTIONS.values()) <= {
        "directory",
        "cooperation",
        "smart",
        "summit",
        "datahub",
        "territories",
        "search",
    }
