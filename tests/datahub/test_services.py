"""Data hub services and processing: versions, validation with the shipped SCDL examples, the
personal-data gate, legal bases, transforms, what changed, failures that leave nothing behind."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.datahub import services
from mediane.datahub.models import (
    LegalBasis,
    PrivacyStatus,
    TableSchema,
    ValidationStatus,
    VersionStatus,
)
from tests.datahub.factories import PEOPLE_CSV, PLAIN_CSV, SCDL, dataset, make_hub, process, upload

pytestmark = pytest.mark.django_db

needs_scdl = pytest.mark.skipif(not SCDL.exists(), reason=f"SCDL examples not found in {SCDL}")


@pytest.fixture
def hub():
    return make_hub()


def test_shipped_schemas_are_in_the_database():
    refs = {s.ref for s in TableSchema.objects.all()}
    assert "scdl/subventions@2.1.1" in refs
    assert "scdl/deliberations@2.1.5" in refs


def test_a_new_dataset_is_private_and_only_editors_create_one(hub):
    ds = dataset(hub)
    assert ds.visibility == "private" and ds.slug == "subventions-2025"
    assert dataset(hub).slug == "subventions-2025-2"
    with pytest.raises(PermissionDenied):
        services.dataset_create(actor=hub.member, organisation=hub.city, title="X")
    with pytest.raises(PermissionDenied):
        services.dataset_create(actor=hub.outsider, organisation=hub.city, title="X")
    with pytest.raises(ValidationFailed):
        services.dataset_create(actor=hub.editor, organisation=hub.city, title="  ")
    with pytest.raises(ValidationFailed):
        services.dataset_create(actor=hub.editor, organisation=hub.city, title="X", themes=["NOPE"])


def test_upload_creates_a_ready_version_that_becomes_current(hub):
    ds = dataset(hub)
    version = upload(hub, ds, PLAIN_CSV)
    assert version.status == VersionStatus.READY, version.error
    assert version.row_count == 4 and len(version.columns) == 3
    assert version.delimiter == ";"
    assert version.privacy_status == PrivacyStatus.OK
    assert version.validation_status == ValidationStatus.NONE
    ds.refresh_from_db()
    assert ds.current_version_id == version.pk
    assert AuditEntry.objects.filter(action="datahub.version.upload").count() == 1


def test_a_second_version_says_what_changed(hub):
    ds = dataset(hub)
    upload(hub, ds, PLAIN_CSV)
    second = upload(
        hub,
        ds,
        "annee;equipement;visites;ouverture\n"
        "2023;Médiathèque;41000;oui\n"
        "2024;Médiathèque;43500;oui\n"
        "2025;Médiathèque;44000;oui\n"
        "2025;Piscine;49000;non\n",
    )
    assert second.number == 2 and second.status == VersionStatus.READY
    changes = second.changes
    assert changes["from"] == 1
    assert changes["columns_added"] == ["ouverture"]
    assert changes["rows_added"] == 2
    assert changes["rows_removed"] == 2  # the 2023 and 2024 swimming pool rows


def test_a_file_that_cannot_be_read_fails_and_leaves_the_current_version(hub):
    ds = dataset(hub)
    good = upload(hub, ds, PLAIN_CSV)
    bad = upload(hub, ds, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, name="faux.csv")
    assert bad.status == VersionStatus.FAILED
    assert bad.error_code == "binary" and bad.error
    ds.refresh_from_db()
    assert ds.current_version_id == good.pk
    with pytest.raises(ValidationFailed):
        services.version_upload(
            actor=hub.editor, dataset=ds, file=io.BytesIO(b""), filename="vide.csv"
        )


def test_upload_size_limit(hub, settings):
    settings.DATAHUB_MAX_UPLOAD_BYTES = 100
    ds = dataset(hub)
    with pytest.raises(ValidationFailed) as error:
        services.version_upload(
            actor=hub.editor, dataset=ds, file=io.BytesIO(b"a,b\n" * 100), filename="big.csv"
        )
    assert error.value.code == "too_large"
    assert not ds.versions.exists()


@needs_scdl
def test_shipped_examples_validate_as_documented(hub):
    schema = TableSchema.objects.get(identifier="scdl/subventions", version="2.1.1")
    ds = dataset(hub, schema=schema)
    valid = upload(hub, ds, (SCDL / "subventions-2.1.1/exemples/exemple_valide.csv").read_bytes())
    assert valid.status == VersionStatus.READY, valid.error
    assert valid.validation_status == ValidationStatus.VALID, valid.validation
    assert valid.row_count == 29
    invalid = upload(
        hub,
        ds,
        (SCDL / "subventions-2.1.1/exemples/exemple_invalide_erreurs_cellules.csv").read_bytes(),
    )
    assert invalid.validation_status == ValidationStatus.INVALID
    assert len(invalid.validation["errors"]) >= 16
    deliberations = TableSchema.objects.get(identifier="scdl/deliberations")
    ds2 = dataset(hub, title="Délibérations", schema=deliberations)
    example = upload(
        hub,
        ds2,
        (SCDL / "deliberations-2.1.5/exemples/exemple_synthetique_valide.csv").read_bytes(),
    )
    assert example.validation_status == ValidationStatus.VALID, example.validation


def test_personal_data_blocks_opening_until_treated(hub):
    ds = dataset(hub)
    version = upload(hub, ds, PEOPLE_CSV)
    assert version.privacy_status == PrivacyStatus.BLOCK
    blocked = set(version.blocking_columns())
    assert "courriel" in blocked
    for visibility in ("public", "network"):
        with pytest.raises(Conflict) as error:
            services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility=visibility)
        assert error.value.code == "privacy_blocked"
    ds.refresh_from_db()
    assert ds.visibility == "private"
    # One click per column: drop the e-mail, pseudonymise the phone, then names need a basis.
    dropped = process(
        services.version_transform(
            actor=hub.editor, version=version, operation="drop", column="courriel"
        )
    )
    assert dropped.status == VersionStatus.READY, dropped.error
    assert "courriel" not in [c["label"] for c in dropped.columns]
    assert dropped.derived_from_id == version.pk
    pseudo = process(
        services.version_transform(
            actor=hub.editor, version=dropped, operation="pseudonymise", column="telephone"
        )
    )
    assert pseudo.status == VersionStatus.READY, pseudo.error
    remaining = set(pseudo.blocking_columns())
    assert "telephone" not in remaining and "courriel" not in remaining
    if remaining:
        with pytest.raises(PermissionDenied):  # editors cannot record a legal basis
            services.legal_basis_record(
                actor=hub.editor, dataset=ds, column=sorted(remaining)[0], basis="x" * 20
            )
        with pytest.raises(ValidationFailed):
            services.legal_basis_record(
                actor=hub.admin, dataset=ds, column=sorted(remaining)[0], basis="trop"
            )
        for column in remaining:
            services.legal_basis_record(
                actor=hub.admin,
                dataset=ds,
                column=column,
                basis="Noms des élus publiables, décret n° 2018-1117.",
            )
        assert AuditEntry.objects.filter(action="datahub.legal_basis.record").exists()
    ds.refresh_from_db()
    assert ds.current_version_id == pseudo.pk
    services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")
    ds.refresh_from_db()
    assert ds.visibility == "public"
    # Withdrawing a basis that was needed closes the dataset again.
    if remaining:
        services.legal_basis_remove(actor=hub.admin, dataset=ds, column=sorted(remaining)[0])
        ds.refresh_from_db()
        assert ds.visibility == "private"
        assert not LegalBasis.objects.filter(dataset=ds, column=sorted(remaining)[0]).exists()


def test_a_new_version_with_personal_data_is_held_when_the_dataset_is_open(hub):
    ds = dataset(hub)
    first = upload(hub, ds, PLAIN_CSV)
    services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")
    held = upload(hub, ds, PEOPLE_CSV)
    assert held.status == VersionStatus.READY
    ds.refresh_from_db()
    assert ds.current_version_id == first.pk  # readers keep seeing the clean version
    with pytest.raises(Conflict):
        services.version_make_current(actor=hub.editor, version=held)


def test_pseudonyms_are_stable_within_a_dataset(hub):
    from mediane.datahub import store

    ds = dataset(hub)
    version = upload(hub, ds, PEOPLE_CSV)
    a = process(
        services.version_transform(
            actor=hub.editor, version=version, operation="pseudonymise", column="courriel"
        )
    )
    b = process(
        services.version_transform(
            actor=hub.editor, version=version, operation="pseudonymise", column="courriel"
        )
    )
    name = next(c["name"] for c in a.columns if c["label"] == "courriel")
    rows_a = store.query(services.version_directory(a), columns=[name]).rows
    rows_b = store.query(services.version_directory(b), columns=[name]).rows
    assert rows_a == rows_b
    assert all("@" not in str(row[0]) for row in rows_a)


def test_transform_refuses_unknown_columns_and_operations(hub):
    ds = dataset(hub)
    version = upload(hub, ds, PEOPLE_CSV)
    with pytest.raises(ValidationFailed):
        services.version_transform(
            actor=hub.editor, version=version, operation="drop", column="inconnue"
        )
    with pytest.raises(ValidationFailed):
        services.version_transform(
            actor=hub.editor, version=version, operation="rm -rf", column="nom"
        )
    with pytest.raises(PermissionDenied):
        services.version_transform(
            actor=hub.member, version=version, operation="drop", column="nom"
        )


def test_delete_needs_the_slug_typed(hub):
    ds = dataset(hub)
    upload(hub, ds, PLAIN_CSV)
    with pytest.raises(ValidationFailed):
        services.dataset_delete(actor=hub.editor, dataset=ds, confirm_slug="non")
    services.dataset_delete(actor=hub.editor, dataset=ds, confirm_slug=ds.slug)
    assert not type(ds).objects.filter(pk=ds.pk).exists()


def test_schema_add_checks_the_definition(hub):
    definition = {"fields": [{"name": "code", "type": "string"}], "title": "Mon schéma"}
    schema = services.schema_add(
        actor=hub.editor, definition=definition, identifier="lourdes/equipements", version="1.0"
    )
    assert schema.ref == "lourdes/equipements@1.0"
    with pytest.raises(Conflict):
        services.schema_add(
            actor=hub.editor, definition=definition, identifier="lourdes/equipements", version="1.0"
        )
    with pytest.raises(ValidationFailed):
        services.schema_add(
            actor=hub.editor,
            definition={"fields": "pas une liste"},
            identifier="x/y",
            version="1",
        )
    with pytest.raises(PermissionDenied):
        services.schema_add(
            actor=hub.stranger, definition=definition, identifier="a/b", version="1"
        )


BAD_FILES = {
    "empty": b"",
    "whitespace": b"   \n\n  \n",
    "binary": bytes(range(256)) * 64,
    "zip-not-a-spreadsheet": b"PK\x03\x04" + b"\x00" * 200,
    "huge-line": b"a,b\n" + b"x" * 1_200_000 + b",1\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_fail_clearly_and_lose_nothing(hub, name):
    ds = dataset(hub)
    good = upload(hub, ds, PLAIN_CSV)
    services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")
    content = BAD_FILES[name]
    if not content:
        with pytest.raises(ValidationFailed):
            services.version_upload(
                actor=hub.editor, dataset=ds, file=io.BytesIO(content), filename="x.csv"
            )
        return
    bad = upload(hub, ds, content, name="x.csv")
    assert bad.status == VersionStatus.FAILED
    assert bad.error and bad.error_code
    ds.refresh_from_db()
    assert ds.current_version_id == good.pk and ds.visibility == "public"
    assert not services.version_directory(bad).exists()


def test_awkward_but_readable_files_are_kept_with_a_report(hub):
    """Windows-1252, ragged rows, formulas, a schema that does not match: a version with a
    clear report, never a crash."""
    schema = TableSchema.objects.get(identifier="scdl/subventions", version="2.1.1")
    ds = dataset(hub, schema=schema)
    content = "commune;montant;commentaire\nLourdes;12;=1+1\nTarbes;é;\nPau\n".encode("cp1252")
    version = upload(hub, ds, content)
    assert version.status == VersionStatus.READY, version.error
    assert version.encoding.lower() in ("cp1252", "windows-1252")
    assert version.validation_status == ValidationStatus.INVALID
    codes = {e["code"] for e in version.validation["errors"]}
    assert "missing-label" in codes or "incorrect-label" in codes
    assert version.row_count == 3


def test_coordinates_generalised_to_the_nearest_commune(hub):
    from mediane.datahub import store
    from tests.territories.factories import TerritoryFactory

    TerritoryFactory(name="Lourdes", code="65286", latitude=43.0947, longitude=-0.0459)
    TerritoryFactory(name="Tarbes", code="65440", latitude=43.2328, longitude=0.0781)
    ds = dataset(hub)
    version = upload(
        hub,
        ds,
        "nom,latitude,longitude\nMartin Julie,43.09512,-0.04733\nDubois Marc,43.23101,0.07702\n"
        "Bernard Louis,48.85661,2.35222\n",
    )
    generalised = process(
        services.version_transform(
            actor=hub.editor,
            version=version,
            operation="commune",
            column="latitude",
            column2="longitude",
        )
    )
    assert generalised.status == VersionStatus.READY, generalised.error
    labels = [c["label"] for c in generalised.columns]
    assert "latitude" not in labels and "longitude" not in labels and "commune" in labels
    name = next(c["name"] for c in generalised.columns if c["label"] == "commune")
    rows = store.query(services.version_directory(generalised), columns=[name]).rows
    assert [r[0] for r in rows] == ["Lourdes (65286)", "Tarbes (65440)", None]


def test_xlsx_and_ods_uploads_become_versions(hub, tmp_path):
    from openpyxl import Workbook

    from tests.datahub.test_tabular import write_ods

    book = Workbook()
    sheet = book.active
    for row in [
        ["annee", "equipement", "visites"],
        [2024, "Médiathèque", 43500],
        [2024, "Piscine", 50100],
    ]:
        sheet.append(row)
    xlsx = tmp_path / "frequentation.xlsx"
    book.save(xlsx)
    ds = dataset(hub)
    version = upload(hub, ds, xlsx.read_bytes(), name="frequentation.xlsx")
    assert version.status == VersionStatus.READY, version.error
    assert version.file_format == "xlsx" and version.row_count == 2
    ods = tmp_path / "frequentation.ods"
    write_ods(ods, [["annee", "equipement", "visites"], ["2025", "Piscine", "49000"]])
    second = upload(hub, ds, ods.read_bytes(), name="frequentation.ods")
    assert second.status == VersionStatus.READY, second.error
    assert second.file_format == "ods" and second.row_count == 1
    assert second.changes["rows_added"] == 1 and second.changes["rows_removed"] == 2


def test_rows_changed_are_counted_with_a_key(hub):
    ds = dataset(hub, title="Équipements")
    upload(hub, ds, "code,nom,places\nE1,Médiathèque,120\nE2,Piscine,300\nE3,Stade,5000\n")
    second = upload(
        hub, ds, "code,nom,places\nE1,Médiathèque,140\nE2,Piscine,300\nE4,Tiers-lieu,60\n"
    )
    changes = second.changes
    assert changes["key"] and changes["rows_changed"] == 1  # E1's places
    assert changes["rows_added"] == 1 and changes["rows_removed"] == 1  # E4 in, E3 out
