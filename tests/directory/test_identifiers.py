import pytest

from mediane.directory.identifiers import validate_neq, validate_siren, validate_siret


@pytest.mark.parametrize("value", ["732829320", "732 829 320", " 732-829-320 "])
def test_valid_siren_is_normalised(value):
    assert validate_siren(value) == "732829320"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("732829321", "clé de contrôle"),
        ("73282932", "9 chiffres"),
        ("73282932A", "chiffres"),
        ("", "9 chiffres"),
    ],
)
def test_invalid_siren(value, message):
    with pytest.raises(ValueError, match=message):
        validate_siren(value)


def test_valid_siret_and_spreadsheet_float():
    assert validate_siret("732 829 320 00074") == "73282932000074"
    assert validate_siret("73282932000074.0") == "73282932000074"


@pytest.mark.parametrize("value", ["73282932000075", "7328293200007", "ABCDEFGHIJKLMN"])
def test_invalid_siret(value):
    with pytest.raises(ValueError, match="SIRET"):
        validate_siret(value)


def test_siret_whose_siren_is_invalid_is_refused():
    # Luhn-valid 14 digits but the first 9 do not form a valid SIREN.
    with pytest.raises(ValueError):
        validate_siret("00000000100008")


def test_la_poste_siret_uses_its_own_rule():
    # La Poste establishments: sum of digits multiple of 5 instead of Luhn.
    assert validate_siret("35600000000048") == "35600000000048"  # head office (Luhn)
    assert validate_siret("35600000049837") == "35600000049837"
    with pytest.raises(ValueError):
        validate_siret("35600000049838")


@pytest.mark.parametrize("value", ["1143563412", "2264 567 890", "3312345678", "8800123456"])
def test_valid_neq(value):
    assert validate_neq(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [("114356341", "10 chiffres"), ("5512345678", "11, 22, 33 ou 88"), ("11435634AB", "chiffres")],
)
def test_invalid_neq(value, message):
    with pytest.raises(ValueError, match=message):
        validate_neq(value)
