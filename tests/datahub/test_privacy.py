"""Personal-data scan and transforms of the data hub (`mediane.datahub.privacy`): plain pytest,
no database."""

from __future__ import annotations

import json
import random
import re
import time
from datetime import date

import pytest
from stdnum import iban as stdnum_iban
from stdnum.ca import sin as stdnum_sin
from stdnum.fr import nir as stdnum_nir

from mediane.datahub import privacy
from mediane.datahub.privacy import (
    ColumnScanner,
    Kind,
    PrivacyError,
    TableScanner,
    Verdict,
    drop_column,
    generalise_coordinates,
    generalise_dates,
    header_hint,
    pseudonymise_column,
    scan_table,
)

# ----------------------------------------------------------------------------- helpers


def column(header: str, values: list[str]) -> privacy.ColumnReport:
    """Report of a one-column table."""
    return scan_table([header], ([v] for v in values)).columns[0]


def found(report: privacy.ColumnReport, kind: Kind) -> privacy.Detection:
    detection = report.detection(kind)
    assert detection is not None, report
    return detection


def kinds(header: str, values: list[str]) -> set[str]:
    return {d.kind for d in column(header, values).detections}


def nir(body: str) -> str:
    """A NIR with its key, computed independently of the module (2A → 19, 2B → 18)."""
    compact = body.replace(" ", "")
    numeric = compact[:5] + {"2A": "19", "2B": "18"}.get(compact[5:7], compact[5:7]) + compact[7:]
    return f"{body} {97 - int(numeric) % 97:02d}"


def luhn_complete(first8: str) -> str:
    """`first8` followed by its Luhn check digit."""
    for d in "0123456789":
        candidate = first8 + d
        total = 0
        for i, c in enumerate(reversed(candidate)):
            n = int(c) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidate
    raise AssertionError


def sins(count: int, first: str = "2", seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        digits = luhn_complete(first + "".join(rng.choice("0123456789") for _ in range(7)))
        out.append(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    return out


TODAY = date.today()

# ----------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("header", "kind", "strong"),
    [
        ("Email", Kind.EMAIL, True),
        ("COURRIEL", Kind.EMAIL, True),
        ("adresse_électronique", Kind.EMAIL, True),
        ("Téléphone", Kind.PHONE, True),
        ("tel_portable", Kind.PHONE, True),
        ("Prénom", Kind.NAME, True),
        ("Nom de famille", Kind.NAME, True),
        ("NOM_USAGE", Kind.NAME, True),
        ("nom_prenom", Kind.NAME, True),
        ("Nom du titulaire", Kind.NAME, True),
        ("Date de naissance", Kind.BIRTH_DATE, True),
        ("date_naissance", Kind.BIRTH_DATE, True),
        ("NIR", Kind.NIR, True),
        ("Numéro de sécurité sociale", Kind.NIR, True),
        ("NAS", Kind.SIN, True),
        ("IBAN", Kind.IBAN, True),
        ("Adresse", Kind.ADDRESS, True),
        ("Nom", Kind.NAME, False),
        ("Latitude", Kind.COORDINATES, False),
        ("geo_point_2d", Kind.COORDINATES, False),
    ],
)
def test_header_hints_fold_accents_and_case(header: str, kind: Kind, strong: bool) -> None:
    hint = header_hint(header)
    assert hint is not None
    assert (hint.kind, hint.strong) == (kind, strong)


@pytest.mark.parametrize(
    "header", ["nom_commune", "Nom de l'équipement", "SIREN", "Nombre de naissances", "Montant"]
)
def test_headers_that_are_not_personal(header: str) -> None:
    assert header_hint(header) is None


# ----------------------------------------------------------------------------- e-mail


def test_emails_block_and_are_masked() -> None:
    values = ["jean.dupont@exemple.fr", "n.côté@courriel.ca", "j.tremblay@videotron.qc.ca"] * 10
    report = column("contact", values)
    assert report.verdict == Verdict.BLOCK
    assert report.kind == Kind.EMAIL
    detection = report.detection(Kind.EMAIL)
    assert detection is not None
    assert (detection.matches, detection.examined, detection.ratio) == (30, 30, 1.0)
    assert "j•••@e•••.fr" in detection.examples
    assert "Bloquant" in report.explanation


def test_role_emails_of_public_services_are_not_personal() -> None:
    values = ["contact@ville-nevers.fr", "mairie@saint-jean.fr", "ce.0860001x@ac-poitiers.fr"]
    report = column("courriel", values * 5)
    assert report.detection(Kind.ROLE_EMAIL) is not None
    assert report.detection(Kind.EMAIL) is None
    # The header alone still asks for a check.
    assert report.verdict == Verdict.WARN


def test_a_few_emails_in_free_text_warn() -> None:
    values = [f"Remarque numéro {i} sur la voirie" for i in range(99)]
    values.append("Écrire à paul.martin@gmail.com pour le suivi")
    report = column("commentaire", values)
    assert report.verdict == Verdict.WARN
    assert found(report, Kind.EMAIL).matches == 1


# ----------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "value",
    [
        "06 12 34 56 78",
        "0612345678",
        "01.23.45.67.89",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 1 23 45 67 89",
        "(819) 555-0199",
        "418-555-0123",
        "418 555 0123",
        "+1 514 555 0123",
        "+14185550123",
        "1-819-555-0199",
        "Appeler le 05 49 12 34 56 après 18 h",
        "06 92 12 34 56",  # Réunion, dialled like mainland France
        "0690 12 34 56",  # Guadeloupe
        "+262 692 12 34 56",
    ],
)
def test_phone_numbers_france_and_north_america(value: str) -> None:
    assert kinds("valeur", [value]) == {Kind.PHONE}


@pytest.mark.parametrize(
    "value",
    [
        "1234567.89",  # amount
        "1 234 567,89",
        "12 345 678",
        "80295478500028",  # SIRET
        "802 954 785 00028",
        "802954785",  # SIREN
        "75001",  # postal code
        "2024",  # year
        "2023-05-12",
        "4185550123",  # ten plain digits without a telephone header
        "123-456-7890",  # no such area code
        "07 12 34 56 78",  # 07 1x is not allocated
    ],
)
def test_phone_false_positives(value: str) -> None:
    assert Kind.PHONE not in kinds("valeur", [value])


def test_plain_ten_digits_under_a_phone_header() -> None:
    report = column("Téléphone", ["4185550123", "8195550199"])
    assert found(report, Kind.PHONE).matches == 2
    assert report.verdict == Verdict.BLOCK


def test_phone_masking_keeps_two_digits_each_side() -> None:
    report = column("tel", ["06 12 34 56 12"])
    assert found(report, Kind.PHONE).examples == ("06 •• •• •• 12",)


# ----------------------------------------------------------------------------- NIR


@pytest.mark.parametrize(
    "body", ["1 85 05 78 006 084", "2 91 12 75 115 023", "1 85 05 2A 006 084", "2 70 01 2B 123 456"]
)
def test_nir_with_key_spaces_and_corsica(body: str) -> None:
    value = nir(body)
    assert stdnum_nir.is_valid(value)  # the independent key agrees with python-stdnum
    assert kinds("numero", [value]) == {Kind.NIR}
    assert kinds("numero", [value.replace(" ", "")]) == {Kind.NIR}


def test_nir_with_a_wrong_key_is_not_a_nir() -> None:
    value = nir("1 85 05 78 006 084")
    wrong = value[:-2] + f"{(int(value[-2:]) + 1) % 97:02d}"
    assert Kind.NIR not in kinds("numero", [wrong])


def test_nir_without_key_only_under_a_nir_header() -> None:
    assert Kind.NIR not in kinds("numero", ["1850578006084"])
    report = column("N° de sécurité sociale", ["1850578006084", "2911275115023"])
    assert found(report, Kind.NIR).matches == 2
    assert report.verdict == Verdict.BLOCK


def test_lists_of_postal_codes_are_not_nirs_or_phones() -> None:
    rng = random.Random(7)
    cells = [
        " ".join(f"{rng.randrange(1000, 95999):05d}" for _ in range(rng.randrange(2, 6)))
        for _ in range(3000)
    ]
    report = column("codes_postaux", cells)
    assert report.detections == ()


def test_nir_column_blocks_and_masks() -> None:
    values = [nir("1 85 05 78 006 084"), nir("2 91 12 75 115 023")]
    report = column("NIR", values)
    assert report.verdict == Verdict.BLOCK
    example = found(report, Kind.NIR).examples[0]
    assert example == "1 85 •• •• ••• ••• " + values[0][-2:]


# ----------------------------------------------------------------------------- NAS (SIN)


def test_sin_under_a_nas_header_blocks() -> None:
    values = sins(50)
    assert all(stdnum_sin.is_valid(v) for v in values)
    report = column("NAS", values)
    assert report.verdict == Verdict.BLOCK
    assert found(report, Kind.SIN).ratio == 1.0
    for example in found(report, Kind.SIN).examples:
        assert example.startswith("••• ••• •")


def test_sin_without_header_is_only_a_warning_because_of_sirens() -> None:
    report = column("identifiant", sins(50))
    assert report.verdict == Verdict.WARN
    assert "SIREN" in report.explanation


def test_siren_column_is_not_a_sin() -> None:
    # Public bodies' SIRENs start with 2, like Québec's NAS, and pass the same Luhn key.
    sirens = [v.replace(" ", "") for v in sins(50, first="2")]
    report = column("SIREN", sirens)
    assert report.verdict == Verdict.OK
    assert report.detections == ()
    assert column("siret_etablissement", sirens).verdict == Verdict.OK


def test_values_valid_as_siren_but_not_as_sin() -> None:
    # SINs never start with 0 or 8; such SIRENs are not flagged whatever the header.
    sirens = [v.replace(" ", "") for v in sins(50, first="8")]
    assert not any(stdnum_sin.is_valid(v) for v in sirens)
    assert column("identifiant", sirens).verdict == Verdict.OK


def test_random_nine_digit_numbers_are_not_sins() -> None:
    rng = random.Random(3)
    numbers = [str(rng.randrange(100_000_000, 999_999_999)) for _ in range(500)]
    report = column("numero_dossier", numbers)
    assert report.detection(Kind.SIN) is None
    assert report.verdict == Verdict.OK


# ----------------------------------------------------------------------------- IBAN


def test_iban_detected_with_its_key() -> None:
    values = ["FR76 3000 6000 0112 3456 7890 189", "DE89370400440532013000"]
    assert all(stdnum_iban.is_valid(v) for v in values)
    report = column("coordonnées", values)
    assert report.verdict == Verdict.BLOCK
    assert found(report, Kind.IBAN).examples[0] == "FR76 •••• •••• •••• •••• •••• 189"


def test_iban_with_a_wrong_key_is_not_an_iban() -> None:
    assert Kind.IBAN not in kinds("ref", ["FR76 3000 6000 0112 3456 7890 188", "AB12 CDEF 1234"])


# ----------------------------------------------------------------------------- birth dates


def test_birth_dates_under_a_birth_header_block() -> None:
    values = ["1985-03-12", "12/03/1985", "1 janvier 1950", "2019-07-01T00:00:00", "03.11.1990"]
    report = column("Date de naissance", values)
    assert found(report, Kind.BIRTH_DATE).matches == 5
    assert report.verdict == Verdict.BLOCK
    assert "1985-••-••" in found(report, Kind.BIRTH_DATE).examples


def test_event_dates_without_birth_header_are_not_birth_dates() -> None:
    values = ["1985-03-12", "2023-05-01", "12/03/1985"] * 10
    report = column("date_evenement", values)
    assert report.detections == ()
    assert report.verdict == Verdict.OK


def test_implausible_ages_are_not_birth_dates() -> None:
    values = [f"{TODAY.year + 5}-01-01", "1850-06-01"]
    report = column("date_naissance", values)
    assert report.detection(Kind.BIRTH_DATE) is None
    assert report.verdict == Verdict.WARN  # the header alone


def test_years_of_birth_are_already_generalised() -> None:
    report = column("Année de naissance", ["1985", "1990", "1972"])
    assert report.detection(Kind.BIRTH_DATE) is None
    assert report.verdict == Verdict.WARN


# ----------------------------------------------------------------------------- addresses

ADDRESSES = [
    "12 rue des Lilas",
    "1234, rue Principale",
    "45 bis boulevard Saint-Michel, 75005 Paris",
    "3 impasse du Moulin",
    "8 allée des Tilleuls",
    "1 place de l'Hôtel de Ville",
    "2150 rang Saint-Joseph",
    "780 chemin du Lac",
    "12 av. Foch",
    "Mairie, 75001 Paris",
    "1325 boul. des Forges, Trois-Rivières (Québec) G9A 5H7",
    "123 Main Street",
]


def test_postal_addresses_warn() -> None:
    report = column("lieu", ADDRESSES)
    assert found(report, Kind.ADDRESS).matches == len(ADDRESSES)
    assert report.verdict == Verdict.WARN
    for example in found(report, Kind.ADDRESS).examples:
        assert not re.search(r"\d", example)


@pytest.mark.parametrize(
    "values",
    [
        ["75001", "86000", "58000"],  # French postal codes alone
        ["G9A 5H7", "H2X 1Y4"],  # Canadian postal codes alone
        ["Rue Victor Hugo", "Avenue Jean Jaurès", "Rang Saint-Joseph", "Chemin des Vignes"],
        ["1 250,00", "15000", "12 345"],
        ["Parc de la Roseraie", "Piscine municipale", "Médiathèque François-Mitterrand"],
        [
            "3 cours de yoga",
            "1 voie de circulation fermée",
            "2 places de parking",
            "3 ch. à coucher",
        ],
        ["10000 Personnes", "15000 Euros"],
    ],
)
def test_not_addresses(values: list[str]) -> None:
    report = column("valeur", values)
    assert report.detection(Kind.ADDRESS) is None
    assert report.verdict == Verdict.OK


def test_addresses_with_names_block_both_columns() -> None:
    header = ["nom", "adresse"]
    rows = [
        ["Marie DUPONT", "12 rue des Lilas"],
        ["Jean TREMBLAY", "1234, rue Principale"],
        ["Gaétan LAVOIE", "8 allée des Tilleuls"],
    ]
    report = scan_table(header, rows)
    assert report.column("adresse").verdict == Verdict.BLOCK
    assert report.column("nom").verdict == Verdict.BLOCK
    assert "« nom »" in report.column("adresse").explanation
    assert report.verdict == Verdict.BLOCK


def test_address_split_over_number_and_street_columns() -> None:
    header = ["nom du pétitionnaire", "numero", "voie", "code_postal", "commune"]
    rows = [
        ["Marie DUPONT", "12", "rue des Lilas", "58000", "Nevers"],
        ["Jean TREMBLAY", "1234", "Rang Saint-Joseph", "G9A 5H7", "Trois-Rivières"],
        ["Sophie LEFEBVRE", "8 bis", "Allée des Tilleuls", "58000", "Nevers"],
    ]
    report = scan_table(header, rows)
    assert report.column("voie").kind == Kind.ADDRESS
    assert report.column("voie").verdict == Verdict.BLOCK
    assert report.column("nom du pétitionnaire").verdict == Verdict.BLOCK
    # Without a number column, street names are only reported.
    streets = scan_table(["voie"], [[r[2]] for r in rows]).columns[0]
    assert streets.verdict == Verdict.OK
    assert found(streets, Kind.STREET).matches == 3


# ----------------------------------------------------------------------------- names

PEOPLE = [
    "Marie DUPONT",
    "DUPONT Marie",
    "M. Jean Tremblay",
    "Mme Durand",
    "Gaétan Lavoie",
    "Jean-Pierre MARTIN",
    "Réjean Gagnon",
    "LEFEBVRE, Sophie",
    "Marie-Ève Côté",
    "Mohamed BENALI",
    "Charles de Gaulle",
    "Nathalie",
]
COMPANIES = [
    "Boulangerie Martin",
    "Garage Dupont SARL",
    "Transports Leroy",
    "Martin Immobilier",
    "ACME Inc.",
    "SNCF Réseau",
    "Dupont & Fils",
    "Les Jardins de Marie",
    "Pharmacie du Centre",
    "Tremblay Construction Ltée",
    "Crédit Agricole",
    "Hydro-Québec",
]
STREETS = [
    "Rue Victor Hugo",
    "Avenue Jean Jaurès",
    "Place Charles de Gaulle",
    "Boulevard Saint-Michel",
    "Chemin des Vignes",
    "Rang Saint-Joseph",
    "Allée Marie Curie",
    "Rue Notre-Dame",
    "Impasse des Lilas",
    "Quai Jean Moulin",
    "SAINT MARTIN",
    "Sainte Marie",
]


def test_names_of_persons_warn_alone() -> None:
    report = column("titulaire", PEOPLE)
    assert found(report, Kind.NAME).matches == len(PEOPLE)
    assert report.verdict == Verdict.WARN
    assert "M••• D•••" in found(report, Kind.NAME).examples


@pytest.mark.parametrize("values", [COMPANIES, STREETS], ids=["companies", "streets"])
def test_company_and_street_names_are_not_persons(values: list[str]) -> None:
    report = column("nom", values)
    assert report.detection(Kind.NAME) is None
    assert report.verdict == Verdict.OK


def test_names_with_another_identifier_block() -> None:
    header = ["prenom_nom", "courriel", "montant"]
    rows = [
        ["Marie DUPONT", "m.dupont@exemple.fr", "12,50"],
        ["Jean TREMBLAY", "jtremblay@exemple.ca", "7,00"],
        ["Sophie LEFEBVRE", "sophie.l@exemple.fr", "3,20"],
    ]
    report = scan_table(header, rows)
    names = report.column("prenom_nom")
    assert names.verdict == Verdict.BLOCK
    assert names.kind == Kind.NAME
    assert "« courriel »" in names.explanation
    assert report.column("montant").verdict == Verdict.OK
    # Alone, the same names only warn.
    assert column("prenom_nom", [r[0] for r in rows]).verdict == Verdict.WARN


def test_names_header_alone_with_an_identifier_blocks() -> None:
    report = scan_table(["Prénom", "Téléphone"], [["marie", "06 12 34 56 78"]])
    assert report.column("Prénom").verdict == Verdict.BLOCK


def test_nom_next_to_prenom_holds_surnames() -> None:
    rows = [["DUPONT", "Marie", "a@exemple.fr"], ["TREMBLAY", "Jean", "b@exemple.fr"]]
    report = scan_table(["Nom", "Prénom", "Courriel"], rows)
    assert [c.verdict for c in report.columns] == [Verdict.BLOCK] * 3
    assert report.column("Nom").kind == Kind.NAME
    alone = scan_table(["Nom", "Commune"], [["DUPONT", "Nevers"], ["TREMBLAY", "Laval"]])
    assert alone.column("Nom").verdict == Verdict.OK


def test_weak_nom_header_with_equipment_names_is_ok() -> None:
    report = column("Nom", ["Piscine des Bords de Loire", "Gymnase Jean Moulin", "Stade municipal"])
    assert report.verdict == Verdict.OK
    assert report.hint is not None and not report.hint.strong


def test_first_name_list_is_parsed_once_and_folded() -> None:
    names = privacy._first_names()
    assert privacy._first_names() is names
    assert {"jerome", "gaetan", "helene", "francois", "mohamed", "rejean"} <= names
    assert "rue" not in names and "paris" not in names


# ----------------------------------------------------------------------------- coordinates


def test_precise_coordinates_warn_and_coarse_ones_are_ok() -> None:
    rows = [["46.341234", "-72.543210"], ["46.350012", "-72.551234"]]
    report = scan_table(["latitude", "longitude"], rows)
    assert [c.verdict for c in report.columns] == [Verdict.WARN, Verdict.WARN]
    assert found(report.columns[0], Kind.COORDINATES).examples[0] == "46.34••••"
    coarse = scan_table(["lat", "lon"], [["46.34", "-72.54"], ["46.35", "-72.55"]])
    assert coarse.verdict == Verdict.OK
    assert found(coarse.columns[0], Kind.COARSE_COORDINATES).matches == 2


def test_pairs_in_one_cell_without_header() -> None:
    report = column("emplacement", ["46.341234, -72.543210", "POINT(2.352222 48.856613)"])
    assert found(report, Kind.COORDINATES).matches == 2
    assert report.verdict == Verdict.WARN
    assert column("emplacement", ["46.3, -72.5", "48.86;2.35"]).verdict == Verdict.OK


def test_precise_decimals_without_coordinate_header_are_numbers() -> None:
    assert column("taux", ["46.341234", "12.123456"]).verdict == Verdict.OK


def test_coordinates_with_names_block() -> None:
    rows = [["Marie DUPONT", "46.341234", "-72.543210"], ["Jean TREMBLAY", "46.3500", "-72.5512"]]
    report = scan_table(["habitant", "lat", "lon"], rows)
    assert [c.verdict for c in report.columns] == [Verdict.BLOCK] * 3


# ----------------------------------------------------------------------------- verdicts


def test_clean_table_is_ok_with_a_french_explanation() -> None:
    rows = [["2023", "Nevers", "58000", "1 250,50", "Piscine"]] * 20
    report = scan_table(["annee", "commune", "code_postal", "montant", "equipement"], rows)
    assert report.verdict == Verdict.OK
    assert report.columns[0].explanation.startswith("Aucune donnée personnelle détectée")


def test_header_hint_alone_warns() -> None:
    report = column("Courriel", ["non communiqué", "—"])
    assert report.verdict == Verdict.WARN
    assert report.kind == Kind.EMAIL
    assert "en-tête" in report.explanation


def test_few_direct_identifiers_warn_many_block() -> None:
    few = ["RAS"] * 95 + ["06 12 34 56 78"] * 5
    assert column("observations", few).verdict == Verdict.WARN
    many = ["RAS"] * 60 + ["06 12 34 56 78"] * 40
    assert column("observations", many).verdict == Verdict.BLOCK


def test_report_serialises_to_json() -> None:
    report = scan_table(["courriel", "nom"], [["a.b@exemple.fr", "Marie DUPONT"]])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdict"] == "block"
    assert data["columns"][0]["column"] == "courriel"
    assert data["columns"][0]["detections"][0]["kind"] == "email"
    assert data["columns"][0]["detections"][0]["examples"] == ["a•••@e•••.fr"]


def test_streaming_api_matches_scan_table_and_accepts_ragged_rows() -> None:
    header = ["email", "note", "tel"]
    rows = [["a.b@exemple.fr", "x", "06 12 34 56 78"], ["c.d@exemple.fr"], ["", "y", "", "extra"]]
    scanner = TableScanner(header)
    for row in rows:
        scanner.feed(row)
    streamed = scanner.finish()
    assert streamed == scan_table(header, rows)
    assert streamed.rows == 3
    assert [c.values for c in streamed.columns] == [2, 2, 1]
    single = ColumnScanner("email")
    for row in rows:
        single.feed(row[0])
    assert single.finish().verdict == Verdict.BLOCK


# ----------------------------------------------------------------------------- masking

MASKED_CASES = [
    ("courriel", ["jean.dupont@exemple.fr", "al@x.io"]),
    ("tel", ["06 12 34 56 78", "(819) 555-0199", "+33612345678"]),
    ("nir", [nir("1 85 05 78 006 084"), nir("2 70 01 2B 123 456").replace(" ", "")]),
    ("NAS", sins(3)),
    ("iban", ["FR7630006000011234567890189"]),
    ("date de naissance", ["1985-03-12", "12 mars 1985"]),
    ("adresse", ["12 rue des Lilas", "75001 Paris", "G9A 5H7 Trois-Rivières"]),
    ("prenom", ["Marie DUPONT", "Jo", "M. Jean Tremblay"]),
    ("lat", ["46.341234", "46.34"]),
]


@pytest.mark.parametrize(("header", "values"), MASKED_CASES)
def test_masking_never_shows_the_full_value(header: str, values: list[str]) -> None:
    for value in values:
        report = column(header, [value])
        examples = [e for d in report.detections for e in d.examples]
        assert len(examples) == 1, (value, report)
        assert "•" in examples[0]
        assert value not in examples[0]
        assert value.replace(" ", "") not in examples[0].replace(" ", "")


# ----------------------------------------------------------------------------- bounded scan


def test_bounded_examination_on_200000_rows() -> None:
    header = ["id", "courriel", "montant", "commentaire", "date", "ville"]
    half = 100_000

    def rows():  # generated lazily: the scan never holds the table
        for i in range(2 * half):
            yield [
                str(i),
                f"user{i}@exemple.fr",
                f"{i % 9973},{i % 100:02d}",
                "RAS" if i < half else f"rappeler le 06 12 34 {i % 100:02d} {i % 89:02d}",
                f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "Trois-Rivières",
            ]

    started = time.perf_counter()
    report = scan_table(header, rows(), max_values_per_column=20_000)
    elapsed = time.perf_counter() - started
    print(f"200,000 rows x 6 columns scanned in {elapsed:.2f} s")
    assert elapsed < 10
    assert report.rows == 200_000
    for c in report.columns:
        assert c.values == 200_000
        assert c.examined == 20_000
        assert c.sampled
    assert report.column("courriel").verdict == Verdict.BLOCK
    # The sample is spread over the whole file, not its first rows: phones only in the 2nd half.
    phones = report.column("commentaire").detection(Kind.PHONE)
    assert phones is not None
    assert 0.45 < phones.ratio < 0.55
    assert report.column("commentaire").verdict == Verdict.BLOCK
    assert report.column("date").verdict == Verdict.OK
    assert report.column("montant").verdict == Verdict.OK


def test_memory_is_bounded_while_feeding() -> None:
    scanner = ColumnScanner("valeur", max_values=100)
    for i in range(10_000):
        scanner.feed(f"valeur {i}")
        assert len(scanner._sample) <= 100
    report = scanner.finish()
    assert (report.values, report.examined) == (10_000, 100)


def test_scan_is_deterministic() -> None:
    rows = [[f"x{i}@exemple.fr" if i % 3 else "RAS"] for i in range(5_000)]
    first = scan_table(["note"], rows, max_values_per_column=500)
    assert first == scan_table(["note"], rows, max_values_per_column=500)


# ----------------------------------------------------------------------------- transforms

HEADER = ["id", "nom", "naissance", "lat", "lon"]
ROWS = [
    ["1", "Marie DUPONT", "1985-03-12", "46.341234", "-72.543210"],
    ["2", "Jean TREMBLAY", "12/03/1990 10:00", "48.8566", "2.3522"],
    ["3", "", "", "", ""],
    ["4", "Marie DUPONT", "pas de date", "abc", "2.35"],
]
KEY = b"0123456789abcdef-secret"


def test_drop_column() -> None:
    header, rows = drop_column(HEADER, iter(ROWS), "nom")
    assert header == ["id", "naissance", "lat", "lon"]
    assert [r[:2] for r in rows] == [
        ["1", "1985-03-12"],
        ["2", "12/03/1990 10:00"],
        ["3", ""],
        ["4", "pas de date"],
    ]


def test_pseudonymise_is_stable_and_keyed() -> None:
    header, rows = pseudonymise_column(HEADER, ROWS, "nom", KEY)
    assert header == HEADER
    values = [r[1] for r in rows]
    assert values[0] == values[3]  # same person, same pseudonym
    assert values[0] != values[1]
    assert values[2] == ""  # empty stays empty
    assert re.fullmatch(r"[0-9a-f]{16}", values[0])
    _h, again = pseudonymise_column(HEADER, ROWS, "nom", KEY)
    assert [r[1] for r in again] == values
    _h, other = pseudonymise_column(HEADER, ROWS, "nom", b"another-key-of-16-bytes")
    assert [r[1] for r in other][0] != values[0]
    assert ROWS[0][1] == "Marie DUPONT"  # the input rows are not modified


def test_pseudonymise_refuses_a_short_key() -> None:
    with pytest.raises(PrivacyError) as error:
        pseudonymise_column(HEADER, ROWS, "nom", b"short")
    assert error.value.code == "invalid_key"


def test_generalise_dates_to_year_and_count_unparsable() -> None:
    header, rows = generalise_dates(HEADER, ROWS, "naissance")
    assert header == HEADER
    assert [r[2] for r in rows] == ["1985", "1990", "", ""]
    assert rows.unparsable == 1


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2019-07-01T08:30:00+02:00", "2019"),
        ("01/07/2019", "2019"),
        ("07/31/2019", "2019"),
        ("1er juillet 2019", "2019"),
        ("20190701", "2019"),
        ("2019-07", "2019"),
        ("2019", "2019"),
        ("31/02/2019", ""),
        ("12/03/85", ""),
    ],
)
def test_generalise_dates_formats(value: str, year: str) -> None:
    _header, rows = generalise_dates(["d"], [[value]], "d")
    assert next(rows) == [year]


def test_generalise_coordinates_to_commune() -> None:
    calls = []

    def to_commune(lat: float, lon: float) -> str | None:
        calls.append((lat, lon))
        if lat > 48:
            return "Paris"
        if lat > 46:
            return "Trois-Rivières"
        return None

    header, rows = generalise_coordinates(HEADER, ROWS, "lat", "lon", to_commune)
    assert header == ["id", "nom", "naissance", "commune"]
    out = list(rows)
    assert [r[3] for r in out] == ["Trois-Rivières", "Paris", "", ""]
    assert [r[:3] for r in out] == [r[:3] for r in ROWS]
    assert rows.unparsable == 1  # "abc"
    assert calls == [(46.341234, -72.54321), (48.8566, 2.3522)]


def test_generalise_coordinates_from_one_pair_column() -> None:
    header, rows = generalise_coordinates(
        ["geo_point_2d", "nom"],
        [["46.341234, -72.543210", "a"], ["0, 0", "b"]],
        "geo_point_2d",
        "geo_point_2d",
        lambda lat, lon: "Trois-Rivières" if lat > 1 else None,
    )
    assert header == ["commune", "nom"]
    assert list(rows) == [["Trois-Rivières", "a"], ["", "b"]]
    assert rows.unparsable == 1
    # An empty second column means the same: the form of the web layer sends "".
    header, rows = generalise_coordinates(
        ["nom", "geo"], [["a", "POINT(2.352222 48.856613)"]], "geo", "", lambda lat, lon: "Paris"
    )
    assert (header, list(rows)) == (["nom", "commune"], [["a", "Paris"]])


def test_transforms_are_lazy_and_check_columns_first() -> None:
    consumed = []

    def source():
        for row in ROWS:
            consumed.append(row)
            yield row

    _header, rows = drop_column(HEADER, source(), 0)
    assert consumed == []
    next(rows)
    assert len(consumed) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: drop_column(HEADER, [], "courriel"),
        lambda: pseudonymise_column(HEADER, [], "courriel", KEY),
        lambda: generalise_dates(HEADER, [], 12),
        lambda: generalise_coordinates(HEADER, [], "lat", "longitude", lambda a, b: None),
    ],
)
def test_unknown_column_errors_are_clear(call) -> None:
    with pytest.raises(PrivacyError) as error:
        call()
    assert error.value.code == "unknown_column"
    assert "Colonne inconnue" in error.value.message
    assert "« id »" in error.value.message


def test_ambiguous_and_duplicate_columns() -> None:
    with pytest.raises(PrivacyError) as error:
        drop_column(["a", "a"], [], "a")
    assert error.value.code == "ambiguous_column"
    with pytest.raises(PrivacyError) as error:
        generalise_coordinates(["commune", "lat", "lon"], [], "lat", "lon", lambda a, b: None)
    assert error.value.code == "duplicate_column"
