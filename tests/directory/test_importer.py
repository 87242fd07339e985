import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from mediane.core.models import AuditEntry
from mediane.directory.importer import ImportFileError, import_organisations
from mediane.directory.models import Organisation
from mediane.search.models import SearchEntry
from tests.directory.factories import OrganisationFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "name;kind;country;siret;neq;territory_code;website;email;sectors;description;visibility\n"


@pytest.fixture
def places():
    return {
        "lourdes": TerritoryFactory(code="65286", name="Lourdes"),
        "nevers": TerritoryFactory(code="58194", name="Nevers"),
        "shawinigan": TerritoryFactory(code="36033", name="Shawinigan", country="QC"),
    }


def write(tmp_path, text, name="orgs.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


GOOD = (
    HEADER + "Laines des Pyrénées;startup;FR;73282932000074;;65286;example.org;contact@example.org;"
    "laine-textile;<p>Laine<script>x</script></p>;public\n"
    + 'Inkub;Incubateur;France;;;58194;;;"Numérique; Santé";;\n'
    + "Centre Kemitek;recherche;QC;;1143563412;36033;;;environnement;;network\n"
)


def test_valid_file_writes_every_row_with_audit_and_search(tmp_path, places):
    report = import_organisations(write(tmp_path, GOOD))
    assert report.errors == []
    assert report.written == 3
    laines = Organisation.objects.get(siret="73282932000074")
    assert laines.territory == places["lourdes"] and laines.website == "https://example.org"
    assert "script" not in laines.description
    inkub = Organisation.objects.get(name="Inkub")
    assert inkub.kind == "incubateur"
    assert sorted(s.slug for s in inkub.sectors.all()) == ["numerique", "sante"]
    assert Organisation.objects.get(neq="1143563412").visibility == "network"
    assert AuditEntry.objects.filter(action="organisation.import").count() == 3
    assert SearchEntry.objects.filter(kind="organisation").count() == 3


def test_invalid_row_blocks_the_whole_file_and_is_reported_by_row_and_column(tmp_path, places):
    text = GOOD + "Mauvais;startup;FR;73282932000075;;99999;;pas-un-mail;inconnu;;public\n"
    report = import_organisations(write(tmp_path, text))
    assert report.written == 0
    assert not Organisation.objects.exists()
    where = {(i.row, i.column) for i in report.errors}
    assert {(5, "siret"), (5, "territory_code"), (5, "email"), (5, "sectors")} <= where
    siret = next(i for i in report.errors if i.column == "siret")
    assert "clé de contrôle" in siret.message


def test_valid_only_writes_the_valid_rows(tmp_path, places):
    text = GOOD + "Mauvais;zzz;FR;;;;;;;;\n"
    report = import_organisations(write(tmp_path, text), valid_only=True)
    assert report.written == 3
    assert report.rejected_rows == 1
    assert [(i.row, i.column) for i in report.errors] == [(5, "kind")]


def test_coordinates_are_parsed_and_bad_ones_reported_in_french(tmp_path, places):
    text = (
        "name;kind;country;latitude;longitude\n"
        "Comma;pme;FR;43,09;-0,05\n"
        "Words;pme;FR;nord;3.16\n"
        "Beyond;pme;FR;95;3.16\n"
        "Half;pme;FR;46.99;\n"
    )
    report = import_organisations(write(tmp_path, text), valid_only=True)
    issues = [(i.row, i.column, i.message) for i in report.errors]
    assert issues[0] == (3, "latitude", "Nombre attendu.")
    assert [(row, column) for row, column, _m in issues] == [
        (3, "latitude"),  # reported once, not also as a missing half of the pair
        (4, "latitude"),
        (5, "latitude"),
    ]
    assert "hors limites" in issues[1][2]
    assert report.written == 1
    comma = Organisation.objects.get()
    assert (comma.latitude, comma.longitude) == (43.09, -0.05)


def test_dry_run_writes_nothing(tmp_path, places):
    report = import_organisations(write(tmp_path, GOOD), dry_run=True)
    assert report.valid == 3 and report.written == 0
    assert not Organisation.objects.exists()


def test_duplicates_within_the_file_and_against_the_directory(tmp_path, places):
    OrganisationFactory(name="Tissage", siret="35600000049837")
    OrganisationFactory(name="Écomusée  de la LAINE", territory=places["lourdes"])
    text = (
        HEADER
        + "Nouveau;pme;FR;35600000049837;;;;;;;\n"  # same SIRET as the directory
        + "ecomusee de la laine;association;FR;;;65286;;;;;\n"  # same name + territory
        + "A;pme;FR;73282932000074;;;;;;;\n"
        + "B;pme;FR;73282932000074;;;;;;;\n"  # same SIRET as row 4
        + "C;pme;QC;;1143563412;;;;;;\n"
        + "D;pme;QC;;1143563412;;;;;;\n"  # same NEQ as row 6
        + "Ecomusee de la laine;association;FR;;;58194;;;;;\n"  # other territory: fine
    )
    report = import_organisations(write(tmp_path, text), valid_only=True)
    duplicates = {(i.row, i.column) for i in report.issues if i.level == "duplicate"}
    assert duplicates == {(2, "siret"), (3, "name"), (5, "siret"), (7, "neq")}
    assert any("ligne 4" in i.message for i in report.issues if i.row == 5)
    assert report.written == 3
    assert Organisation.objects.count() == 5


def test_cp1252_file_with_bom_less_accents_is_decoded(tmp_path, places):
    text = "nom;type;pays;territoire\nCommunauté de Lourdes;Collectivité;FR;65286\n"
    report = import_organisations(write(tmp_path, text, encoding="cp1252"))
    assert report.errors == []
    assert Organisation.objects.get().name == "Communauté de Lourdes"


def test_utf8_bom_and_comma_delimiter(tmp_path, places):
    text = "\ufeffname,kind,country\nTiers-lieu de Lourdes,tiers-lieu,FR\n"
    report = import_organisations(write(tmp_path, text))
    assert report.written == 1


def test_ragged_rows_are_reported(tmp_path, places):
    text = "name;kind;country\nA;pme;FR;en trop\nB;pme\nC;pme;FR\n"
    report = import_organisations(write(tmp_path, text))
    assert [(i.row, "colonnes" in i.message) for i in report.errors] == [(2, True), (3, True)]
    assert report.written == 0


def test_xlsx_file(tmp_path, places):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Type", "Pays", "SIRET", "Territoire", "Latitude", "Longitude"])
    sheet.append(["Village by CA", "accelerateur", "FR", 73282932000074, 58194, 46.99, 3.16])
    sheet.append(["Sans type", None, "FR"])
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)
    report = import_organisations(path, valid_only=True)
    assert report.written == 1
    assert [(i.row, i.column) for i in report.errors] == [(3, "kind")]
    village = Organisation.objects.get()
    assert village.siret == "73282932000074" and village.latitude == 46.99
    assert village.territory == places["nevers"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.csv", b"", "vide"),
        ("blancs.csv", b"  \n\n", "vide"),
        ("entete.csv", b"name;kind;country\n", "aucune ligne"),
        ("orgs.json", b"[]", "CSV ou XLSX"),
        ("sans-colonnes.csv", b"nom;ville\nA;B\n", "Colonnes obligatoires"),
        ("faux.xlsx", b"ceci n'est pas un classeur", "XLSX"),
        ("binaire.csv", b"name;kind;country\n\x00\x01\x02;\xff\xfe;\x00\n", "CSV|UTF-8"),
    ],
)
def test_unreadable_files_raise_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        import_organisations(path)
    assert not Organisation.objects.exists()


def test_file_too_large(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="volumineux"):
        import_organisations(write(tmp_path, GOOD))


def test_file_object_with_filename(places):
    report = import_organisations(io.BytesIO(GOOD.encode()), filename="envoi.csv")
    assert report.written == 3


def test_command_success_and_report(tmp_path, places):
    out, err = io.StringIO(), io.StringIO()
    report_path = tmp_path / "rapport.csv"
    text = GOOD + "Mauvais;zzz;FR;;;;;;;;\n"
    with pytest.raises(CommandError, match="aucune organisation"):
        call_command(
            "import_organisations",
            str(write(tmp_path, text)),
            "--report",
            str(report_path),
            stdout=out,
            stderr=err,
            verbosity=0,
        )
    assert "ligne 5, colonne kind" in err.getvalue()
    assert "ligne,colonne,niveau,message" in report_path.read_text()
    assert not Organisation.objects.exists()
    with pytest.raises(CommandError, match="1 lignes en erreur"):
        call_command(
            "import_organisations",
            str(tmp_path / "orgs.csv"),
            "--valid-only",
            stdout=out,
            stderr=err,
            verbosity=0,
        )
    assert Organisation.objects.count() == 3


def test_command_bad_file(tmp_path):
    with pytest.raises(CommandError, match="CSV ou XLSX"):
        call_command("import_organisations", str(write(tmp_path, "x", name="a.pdf")), verbosity=0)


def test_shipped_examples(places):
    good = import_organisations(EXAMPLES / "organisations-valid.csv", dry_run=True)
    assert good.errors == [] and good.valid >= 5
    bad = import_organisations(EXAMPLES / "organisations-invalid.csv", dry_run=True)
    assert bad.errors
