"""The reference import: parsing, hierarchy, populations, idempotency, speed on the real files."""

from __future__ import annotations

import time

import pytest

from mediane.territories.importer import (
    ImportFileError,
    import_territories,
    normalise_website,
    split_name_code,
)
from mediane.territories.models import Kind, Territory
from tests.territories.conftest import write_reference_files

pytestmark = pytest.mark.django_db


def test_split_name_code():
    assert split_name_code("MRC Acton (480)") == ("MRC Acton", "480")
    assert split_name_code("Saguenay--Lac-Saint-Jean (02)") == ("Saguenay--Lac-Saint-Jean", "02")
    with pytest.raises(ValueError):
        split_name_code("Montérégie")


def test_normalise_website():
    assert normalise_website("www.abercorn.ca") == "https://www.abercorn.ca"
    assert normalise_website("http://x.qc.ca/") == "http://x.qc.ca/"
    assert normalise_website("") == ""


def test_import_builds_both_countries_with_hierarchy(imported):
    lourdes = Territory.objects.get(slug="lourdes-65286")
    assert lourdes.kind == Kind.MUNICIPALITY and lourdes.country == "FR"
    assert lourdes.parent.slug == "dept-65"
    assert lourdes.parent.parent.slug == "region-76"
    assert lourdes.parent.parent.parent.slug == "france"
    assert lourdes.grouping.slug == "epci-200069300"
    assert lourdes.grouping.subtype == "CA"
    assert lourdes.grouping.parent.slug == "dept-65"
    assert (lourdes.latitude, lourdes.longitude) == (43.0981, -0.0583)
    assert lourdes.siren == "216502864" and lourdes.population == 13266

    acton = Territory.objects.get(slug="acton-vale-48028")
    assert acton.country == "QC" and acton.designation == "Ville"
    assert acton.grouping.slug == "mrc-480" and acton.grouping.name == "MRC Acton"
    assert acton.grouping.parent.slug == "region-qc-16"
    assert acton.parent.name == "Montérégie" and acton.parent.parent.slug == "quebec"
    assert acton.website == "https://www.ville.actonvale.qc.ca"
    shawinigan = Territory.objects.get(slug="shawinigan-36033")
    assert shawinigan.grouping is None  # a city outside any MRC
    assert shawinigan.latitude == 46.5667


def test_non_municipal_quebec_rows_are_skipped(imported):
    assert not Territory.objects.filter(name__in=["Akwesasne", "Akulivik"]).exists()
    assert imported.skipped["Réserve indienne"] == 1
    assert imported.skipped["Terre de la catégorie I"] == 1
    assert not Territory.objects.filter(kind=Kind.REGION, code="10").exists()


def test_missing_populations_are_sums_of_members(imported):
    epci = Territory.objects.get(slug="epci-200069300")
    assert epci.population == 13266 + 42000 + 800  # absent from the file: summed
    assert Territory.objects.get(slug="epci-245804406").population == 66000  # from the file
    assert Territory.objects.get(slug="mrc-480").population == 7996 + 330
    assert Territory.objects.get(slug="dept-65").population == 13266 + 42000 + 800
    assert Territory.objects.get(slug="region-76").population == 13266 + 42000 + 800
    assert Territory.objects.get(slug="region-qc-16").population == 7996 + 330
    assert Territory.objects.get(slug="quebec").population == 51820 + 7996 + 330


def test_counts_per_kind(imported):
    assert imported.created[("FR", "municipality")] == 4
    assert imported.created[("FR", "grouping")] == 2
    assert imported.created[("QC", "municipality")] == 3
    assert imported.created[("QC", "grouping")] == 1
    assert imported.created[("QC", "region")] == 2
    assert Territory.objects.count() == sum(imported.created.values()) == 18


def test_second_run_is_idempotent(imported, data_dir):
    ids_before = dict(Territory.objects.values_list("slug", "pk"))
    stats = import_territories(data_dir=data_dir)
    assert sum(stats.created.values()) == 0
    assert sum(stats.updated.values()) == 0
    assert sum(stats.unchanged.values()) == len(ids_before)
    assert dict(Territory.objects.values_list("slug", "pk")) == ids_before


def test_rerun_updates_changes_but_keeps_slug_and_edits(imported, tmp_path):
    lourdes = Territory.objects.get(slug="lourdes-65286")
    lourdes.website = "https://www.lourdes.fr"
    lourdes.latitude, lourdes.longitude = 43.1, -0.05
    lourdes.save()
    from tests.territories.conftest import FILES

    communes = FILES["fr-communes.csv"].replace(
        "65286,Lourdes,65,76,216502864,65100,13266",
        "65286,Lourdes-Renamed,65,76,216502864,65100,14000",
    )
    moved = write_reference_files(tmp_path / "v2", {"fr-communes.csv": communes})
    stats = import_territories(data_dir=moved)
    assert stats.updated[("FR", "municipality")] == 1
    lourdes.refresh_from_db()
    assert lourdes.slug == "lourdes-65286"  # stable URL
    assert lourdes.name == "Lourdes-Renamed" and lourdes.population == 14000
    # Fields the secretariat edits are only filled while empty.
    assert lourdes.website == "https://www.lourdes.fr"
    assert (lourdes.latitude, lourdes.longitude) == (43.1, -0.05)
    assert Territory.objects.get(slug="epci-200069300").population == 14000 + 42000 + 800


def test_only_imports_selected_municipalities_and_their_groupings(db, data_dir):
    stats = import_territories(data_dir=data_dir, only={("FR", "65286"), ("QC", "36033")})
    assert set(Territory.objects.filter(kind=Kind.MUNICIPALITY).values_list("name", flat=True)) == {
        "Lourdes",
        "Shawinigan",
    }
    assert set(Territory.objects.filter(kind=Kind.GROUPING).values_list("slug", flat=True)) == {
        "epci-200069300"
    }
    assert stats.skipped["hors sélection"] == 3 + 2


def test_missing_file_is_a_clear_error(db, data_dir):
    (data_dir / "fr-epci.csv").unlink()
    with pytest.raises(ImportFileError, match="introuvable"):
        import_territories(data_dir=data_dir)
    assert Territory.objects.count() == 0


def test_missing_column_is_a_clear_error_and_writes_nothing(db, tmp_path):
    bad = write_reference_files(tmp_path / "bad", {"fr-regions.csv": "code,name\n76,Occitanie\n"})
    with pytest.raises(ImportFileError, match="Colonnes manquantes"):
        import_territories(data_dir=bad)
    assert Territory.objects.count() == 0


def test_slug_collision_between_countries_gets_a_suffix(db, tmp_path):
    from tests.territories.conftest import FILES

    qc = FILES["qc-municipalites.csv"] + (
        "65286,Lourdes,Municipalité,Montérégie (16),Acton (48),,10,100,,\n"
    )
    stats_dir = write_reference_files(tmp_path / "dup", {"qc-municipalites.csv": qc})
    import_territories(data_dir=stats_dir)
    assert Territory.objects.get(country="FR", code="65286").slug == "lourdes-65286"
    assert Territory.objects.get(country="QC", code="65286").slug == "lourdes-65286-qc"


def test_shipped_reference_files_import_fast_and_idempotently(shipped_data_dir):
    started = time.monotonic()
    stats = import_territories(data_dir=shipped_data_dir)
    first = time.monotonic() - started
    assert stats.created[("FR", "municipality")] == 34_969
    assert stats.created[("FR", "grouping")] == 1_255
    assert stats.created[("FR", "departement")] == 109
    assert stats.created[("FR", "region")] == 26
    assert stats.created[("QC", "municipality")] == 1_122
    assert stats.created[("QC", "grouping")] == 87
    assert stats.created[("QC", "region")] == 17
    assert first < 60, f"first import took {first:.1f} s"
    lourdes = Territory.objects.select_related("grouping").get(slug="lourdes-65286")
    assert lourdes.grouping.slug == "epci-200069300"
    assert Territory.objects.get(slug="shawinigan-36033").latitude == 46.5667
    assert Territory.objects.filter(kind=Kind.MUNICIPALITY, latitude__isnull=False).count() >= 245
    assert not Territory.objects.filter(kind=Kind.GROUPING, population__isnull=True).exists()

    total = Territory.objects.count()
    started = time.monotonic()
    again = import_territories(data_dir=shipped_data_dir)
    assert time.monotonic() - started < 60
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert Territory.objects.count() == total
