"""Company identifiers of France (SIREN, SIRET) and Québec (NEQ): normalise and validate.

Pure Python (no Django import) so it can be reused by forms, services, the importer and the API,
and tested alone. Each `validate_*` returns the normalised value (digits only) or raises
`ValueError` with a French message fit for an end user.

- SIREN (9 digits) and SIRET (14 digits = SIREN + NIC) carry a Luhn check digit; SIRET numbers of
  La Poste's establishments (SIREN 356 000 000) use "sum of digits is a multiple of 5" instead.
  Both checks come from python-stdnum (`stdnum.fr.siren`, `stdnum.fr.siret`).
- NEQ (numéro d'entreprise du Québec, Registraire des entreprises) has 10 digits. Its check
  digit algorithm is not published, so only the format is checked: 10 digits whose first two
  digits are one of the families the Registraire assigns (11, 22, 33, 88; e.g. 11… for legal
  persons such as companies and non-profits, 22… for sole proprietorships, 33… for partnerships).
  Spaces, dashes and dots used as separators are accepted and removed.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siren as _siren
from stdnum.fr import siret as _siret

NEQ_PREFIXES = ("11", "22", "33", "88")
_SEPARATORS = re.compile(r"[\s.\-/]+")


def _compact(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets turn long numbers into floats ("73282932000074.0").
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return _SEPARATORS.sub("", text.strip())


def validate_siren(value: object) -> str:
    """Return the 9-digit SIREN, or raise ValueError (wrong length, non-digits, bad checksum)."""
    number = _compact(value)
    if not number:
        raise ValueError("Le SIREN doit comporter 9 chiffres.")
    try:
        return str(_siren.validate(number))
    except InvalidLength as exc:  # a subclass of InvalidFormat: test it first
        raise ValueError("Le SIREN doit comporter 9 chiffres.") from exc
    except InvalidFormat as exc:
        raise ValueError("Le SIREN ne doit contenir que des chiffres.") from exc
    except InvalidChecksum as exc:
        raise ValueError("Le SIREN est invalide (clé de contrôle incorrecte).") from exc


def validate_siret(value: object) -> str:
    """Return the 14-digit SIRET, or raise ValueError; handles La Poste's special rule."""
    number = _compact(value)
    if not number:
        raise ValueError("Le SIRET doit comporter 14 chiffres.")
    try:
        return str(_siret.validate(number))
    except InvalidLength as exc:  # a subclass of InvalidFormat: test it first
        raise ValueError("Le SIRET doit comporter 14 chiffres.") from exc
    except InvalidFormat as exc:
        raise ValueError("Le SIRET ne doit contenir que des chiffres.") from exc
    except InvalidChecksum as exc:
        raise ValueError("Le SIRET est invalide (clé de contrôle incorrecte).") from exc


def validate_neq(value: object) -> str:
    """Return the 10-digit NEQ, or raise ValueError (format check only, see module docstring)."""
    number = _compact(value)
    if not number.isdigit():
        raise ValueError("Le NEQ ne doit contenir que des chiffres.")
    if len(number) != 10:
        raise ValueError("Le NEQ doit comporter 10 chiffres.")
    if not number.startswith(NEQ_PREFIXES):
        raise ValueError("Le NEQ doit commencer par 11, 22, 33 ou 88.")
    return number


def siren_of_siret(siret: str) -> str:
    """The SIREN part (first 9 digits) of a valid SIRET."""
    return siret[:9]
