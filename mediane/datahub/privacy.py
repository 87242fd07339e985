"""Personal-data scan of the data hub's tables, and the transforms that remove what it finds.

Every version is scanned column by column before it may become public or members-only. No
Django import here: the app layer (`processing`) feeds the rows, stores `ScanReport.to_dict()`
and turns `ScanReport.verdict` into the version's privacy status.

Scanning, streaming and bounded
-------------------------------
`TableScanner.feed(row)` (or `ColumnScanner.feed(value)`) is called once per row while the
caller reads and validates the file; `finish()` runs the detectors and returns the report.
Each column keeps a **uniform random sample of at most N non-empty values** (N =
`max_values_per_column`, 20,000 by default) by reservoir sampling (Vitter's "Algorithm L"):
the first N values are kept, then each later value replaces a random kept one with
probability N/n. The gaps between replacements are drawn geometrically, so the per-value cost
is one counter increment and one comparison; the random generator is seeded, so the same file
always gives the same report. Memory is therefore N values per column (each cut to
`MAX_VALUE_CHARS` characters) whatever the file size, and the detectors run N times per column
at most. Every column report says how many non-empty values the column had (`values`) and how
many the detectors examined (`examined`); `ratio` is always matches / examined.

Detectors (cheap prefilters first, checksums where they exist)
--------------------------------------------------------------
- ``email``: an e-mail address anywhere in the cell. Role addresses (contact@, mairie@,
  accueil@, ce.0860001x@… of schools) are reported as ``role_email`` and never raise the
  verdict: they are not personal data.
- ``phone``: French numbers (0X XX XX XX XX, +33, 0033, separators space . -; overseas
  departments 0692…/+262… too) and North American ones ((819) 555-0199, 418-555-0123, +1 …),
  checked with `phonenumbers` (results cached by prefix). Ten plain digits without separator
  count as a North American number only under a telephone header or with +1. Amounts,
  SIRET/SIREN, postal codes and years do not match.
- ``nir``: French social security number, 15 characters with its key (97 − n mod 97, Corsica
  2A/2B), spaces allowed; 13 characters without key only under a NIR header.
- ``sin``: Canadian social insurance number, 9 digits with the Luhn key (`stdnum.ca.sin`).
  A SIREN is also 9 digits with a Luhn key: under a SIREN/SIRET/company header the detector is
  off; without a NAS header the detection is only a warning ("NAS ou SIREN ?"), and it is
  dropped when fewer than half the 9-digit values of the column pass the key (random numbers).
- ``iban``: IBAN, mod-97 key and national format (`stdnum.iban`).
- ``birth_date``: only under a birth-date header (date de naissance, né le, DDN…): full dates
  whose age is between 0 and 110 years. Dates in a column without that header (events,
  openings…) are not birth dates.
- ``address``: a number followed by a French street type (rue, avenue, boulevard, chemin,
  impasse, allée, place, route, rang, quai, montée…), or a postal code with a city (75001 Paris,
  G9A 5H7 Trois-Rivières). A postal code alone is not an address. Street names without number
  ("Rue des Lilas") are reported as ``street`` and become addresses when another column of the
  table is a house number (numero, n° de voie, numéro civique…): the address is split.
- ``name``: the whole cell is a person's name: "Prénom NOM", "NOM Prénom", "Prénom Nom",
  "M./Mme Prénom Nom", "NOM, Prénom" or a lone first name, the first names coming from
  gender-guesser's list (French, Belgian, Swiss, Luxembourg, English, North American, Italian,
  Spanish, Portuguese, German, Turkish and Arabic names, accents folded) plus a few Québec names.
  A cell containing a street type or a company/organisation word (rue, collège, SARL, Inc…)
  is not a name.
- ``coordinates``: latitude/longitude under a coordinate header, or a "lat,lon" pair / WKT
  POINT in one cell, with 4 decimals or more (about 10 m: a house). Coarser ones are reported
  as ``coarse_coordinates`` and never raise the verdict.

Verdicts ("block" > "warn" > "ok") and thresholds
-------------------------------------------------
- Direct identifiers (email, phone, NIR, NAS under a NAS header, IBAN, birth date): **block**
  when at least `BLOCK_RATIO` (30 %) of the examined values match; **warn** from one match.
- NAS-looking numbers without a NAS header: **warn** at most (they may be SIRENs).
- Postal addresses: **warn** from one match (an equipment's address is still an address: a
  person must check it is not a home); **block** when they reach 30 % and another column of
  the table holds names of persons.
- Precise coordinates: **warn** from one match; **block** when they reach 30 % and another
  column holds names of persons.
- Names of persons: **warn** when at least `NAME_RATIO` (30 %) of the examined values are names
  (below, the heuristic is not trusted and the column stays "ok"); **block** when another column
  of the table holds a direct identifier, an address or precise coordinates (table-level rule:
  together they identify people directly).
- A header that names personal data (courriel, téléphone, NIR, NAS, IBAN, date de naissance,
  adresse, prénom, nom de famille…) **warns** even when no value matches (empty sample,
  unusual format). A bare "nom" / "name" header is a weak hint (equipment names are common):
  it is reported but does not change the verdict, unless the table also has a "prénom" column
  (the "nom" column then holds surnames and counts as a names column).

Transforms
----------
`drop_column`, `pseudonymise_column` (HMAC-SHA256 with the dataset's key, 16 hex characters),
`generalise_dates` (to the year) and `generalise_coordinates` (to the commune given by a
lookup) are streaming: each checks its columns at once (`PrivacyError`, French message and a
stable `code`) and returns the new header and a lazy `TransformedRows` iterator.
"""

from __future__ import annotations

import hmac
import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import phonenumbers
from stdnum import iban as stdnum_iban

__all__ = [
    "BLOCK_RATIO",
    "DEFAULT_MAX_VALUES",
    "NAME_RATIO",
    "ColumnReport",
    "ColumnScanner",
    "Detection",
    "HeaderHint",
    "Kind",
    "PrivacyError",
    "ScanReport",
    "TableScanner",
    "TransformedRows",
    "Verdict",
    "drop_column",
    "generalise_coordinates",
    "generalise_dates",
    "header_hint",
    "pseudonymise_column",
    "scan_table",
]

DEFAULT_MAX_VALUES = 20_000
BLOCK_RATIO = 0.30
NAME_RATIO = 0.30
MAX_VALUE_CHARS = 500  # kept per sampled value; longer cells are cut (memory bound)
MAX_EXAMPLES = 3
PRECISE_DECIMALS = 4  # 4 decimals of a degree ~ 11 m
MAX_AGE_YEARS = 110
MIN_KEY_BYTES = 16
PSEUDONYM_HEX_CHARS = 16


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    BLOCK = "block"


_RANK = {Verdict.OK: 0, Verdict.WARN: 1, Verdict.BLOCK: 2}


class Kind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NIR = "nir"
    SIN = "sin"
    IBAN = "iban"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"
    NAME = "name"
    COORDINATES = "coordinates"
    # Informational: reported, never raise the verdict.
    ROLE_EMAIL = "role_email"
    COARSE_COORDINATES = "coarse_coordinates"
    STREET = "street"  # a street name without number ("Rue des Lilas")


LABELS: dict[Kind, str] = {
    Kind.EMAIL: "adresse électronique",
    Kind.PHONE: "numéro de téléphone",
    Kind.NIR: "numéro de sécurité sociale (NIR)",
    Kind.SIN: "numéro d’assurance sociale (NAS)",
    Kind.IBAN: "IBAN",
    Kind.BIRTH_DATE: "date de naissance",
    Kind.ADDRESS: "adresse postale",
    Kind.NAME: "nom de personne",
    Kind.COORDINATES: "coordonnées géographiques précises",
    Kind.ROLE_EMAIL: "adresse électronique fonctionnelle",
    Kind.COARSE_COORDINATES: "coordonnées géographiques arrondies",
    Kind.STREET: "nom de voie",
}

_PLURALS: dict[Kind, str] = {
    Kind.EMAIL: "des adresses électroniques",
    Kind.PHONE: "des numéros de téléphone",
    Kind.NIR: "des numéros de sécurité sociale (NIR, clé vérifiée)",
    Kind.SIN: "des numéros d’assurance sociale (NAS, clé de Luhn vérifiée)",
    Kind.IBAN: "des IBAN (clé vérifiée)",
    Kind.BIRTH_DATE: "des dates de naissance",
    Kind.ADDRESS: "des adresses postales",
    Kind.NAME: "des noms de personnes",
    Kind.COORDINATES: "des coordonnées précises (4 décimales ou plus, environ 10 m)",
    Kind.ROLE_EMAIL: "des adresses électroniques fonctionnelles",
    Kind.COARSE_COORDINATES: "des coordonnées arrondies",
    Kind.STREET: "des noms de voie",
}

_REMEDIES: dict[Kind, str] = {
    Kind.EMAIL: "Supprimez la colonne, ou pseudonymisez-la si un identifiant stable est utile.",
    Kind.PHONE: "Supprimez la colonne, ou pseudonymisez-la si un identifiant stable est utile. "
    "S’il s’agit des standards d’équipements publics, une base légale peut être enregistrée.",
    Kind.NIR: "Supprimez la colonne : le NIR ne doit jamais être publié.",
    Kind.SIN: "Supprimez la colonne : le NAS ne doit jamais être publié.",
    Kind.IBAN: "Supprimez la colonne : les coordonnées bancaires ne doivent pas être publiées.",
    Kind.BIRTH_DATE: "Généralisez-la à l’année, ou supprimez-la.",
    Kind.ADDRESS: "Vérifiez qu’il s’agit d’adresses d’équipements ou de services publics et non "
    "de domiciles ; sinon supprimez la colonne ou remplacez-la par la commune.",
    Kind.NAME: "Vérifiez que ces personnes peuvent être nommées (élus, agents dans l’exercice "
    "de leurs fonctions) ; sinon supprimez ou pseudonymisez la colonne.",
    Kind.COORDINATES: "S’il peut s’agir de domiciles, remplacez les coordonnées par la commune.",
}

# Kinds that identify a person directly: block from BLOCK_RATIO.
_DIRECT = frozenset({Kind.EMAIL, Kind.PHONE, Kind.NIR, Kind.SIN, Kind.IBAN, Kind.BIRTH_DATE})
# Kinds that, in another column, raise a names column to block (table-level rule).
_IDENTIFIERS_WITH_NAMES = _DIRECT | {Kind.ADDRESS, Kind.COORDINATES}
_INFORMATIONAL = frozenset({Kind.ROLE_EMAIL, Kind.COARSE_COORDINATES, Kind.STREET})
_KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}


class PrivacyError(ValueError):
    """A transform cannot run; `code` is stable, the message is for people (French)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, slots=True)
class Detection:
    """What one detector found in the examined values of a column."""

    kind: Kind
    matches: int
    examined: int
    examples: tuple[str, ...]  # masked, at most MAX_EXAMPLES

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def ratio(self) -> float:
        return self.matches / self.examined if self.examined else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "label": self.label,
            "matches": self.matches,
            "examined": self.examined,
            "ratio": round(self.ratio, 4),
            "examples": list(self.examples),
        }


@dataclass(frozen=True, slots=True)
class HeaderHint:
    """What the column header says. `strong` hints warn on their own; weak ones ("nom")
    are only reported."""

    kind: Kind
    strong: bool = True

    @property
    def label(self) -> str:
        return LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class ColumnReport:
    index: int
    name: str
    hint: HeaderHint | None
    values: int  # non-empty values fed
    examined: int  # values the detectors looked at (a uniform sample when < values)
    detections: tuple[Detection, ...]
    verdict: Verdict
    kind: Kind | None  # the finding that decided the verdict (None when "ok")
    explanation: str

    @property
    def sampled(self) -> bool:
        return self.examined < self.values

    def detection(self, kind: Kind | str) -> Detection | None:
        for d in self.detections:
            if d.kind == kind:
                return d
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "column": self.name,
            "hint": str(self.hint.kind) if self.hint else None,
            "hint_strong": self.hint.strong if self.hint else None,
            "values": self.values,
            "examined": self.examined,
            "verdict": str(self.verdict),
            "kind": str(self.kind) if self.kind else None,
            "explanation": self.explanation,
            "detections": [d.to_dict() for d in self.detections],
        }


@dataclass(frozen=True, slots=True)
class ScanReport:
    columns: tuple[ColumnReport, ...]
    rows: int
    max_values_per_column: int

    @property
    def verdict(self) -> Verdict:
        return max((c.verdict for c in self.columns), key=_RANK.__getitem__, default=Verdict.OK)

    @property
    def blocking(self) -> tuple[ColumnReport, ...]:
        return tuple(c for c in self.columns if c.verdict == Verdict.BLOCK)

    @property
    def warnings(self) -> tuple[ColumnReport, ...]:
        return tuple(c for c in self.columns if c.verdict == Verdict.WARN)

    @property
    def examined(self) -> int:
        return sum(c.examined for c in self.columns)

    def column(self, name: str) -> ColumnReport:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict),
            "rows": self.rows,
            "max_values_per_column": self.max_values_per_column,
            "sampling": "reservoir",
            "examined": self.examined,
            "columns": [c.to_dict() for c in self.columns],
        }


# --------------------------------------------------------------------------- text helpers


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "’": "'", "ʼ": "'"})


def _fold(text: str) -> str:
    """Lower case, accents removed (é → e, œ → oe)."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    return _fold(word)


def _normalise_header(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _fold(header)).split())


# --------------------------------------------------------------------------- header hints

_SIREN_HEADER = re.compile(
    r"\b(siren|siret|entreprises?|etablissements?|raison sociale|neq|tva|fournisseurs?|"
    r"numero d entreprise|societes?)\b"
)
_HINTS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind.EMAIL,
        re.compile(
            r"\b(e ?mails?|courriels?|mel|mail|adresse (electronique|mail|courriel|e ?mail))\b"
        ),
    ),
    (
        Kind.PHONE,
        re.compile(
            r"\b(tel|tels|telephones?|phones?|portables?|mobiles?|cellulaires?|cell|gsm|fax|"
            r"telecopies?|telecopieur)\b"
        ),
    ),
    (
        Kind.NIR,
        re.compile(r"\b(nir|securite sociale|secu|numero ss|n ss|no ss|num ss|nss)\b"),
    ),
    (
        Kind.SIN,
        re.compile(r"\b(nas|assurance sociale|sin|social insurance)\b"),
    ),
    (Kind.IBAN, re.compile(r"\b(iban|rib|coordonnees bancaires|bank account)\b")),
    (
        Kind.BIRTH_DATE,
        re.compile(
            r"(^naissance$|\b(date|dt|jour|annee|an|mois) (de )?naiss|\bnee? le\b|\bddn\b|"
            r"\bdob\b|\bbirth ?(date|day)?\b|\bdate of birth\b|^date naissance)"
        ),
    ),
    (
        Kind.ADDRESS,
        re.compile(
            r"\b(adresses?|address(es)?|domicile|adresse postale|lieu de residence|"
            r"residence principale)\b(?! (ip|web|url|internet|site))"
        ),
    ),
    (
        Kind.NAME,
        re.compile(
            r"\b(prenoms?|patronymes?|nom de famille|nom (d )?usage|nom (de )?naissance|"
            r"nom marital|nom de jeune fille|"
            r"nom prenom|nom et prenoms?|noms et prenoms|nom complet|civilite|first ?names?|"
            r"last ?names?|surnames?|given names?|full ?names?|"
            r"noms? (du|de la|de l|des|d) (titulaire|beneficiaire|demandeur|declarant|locataire|"
            r"proprietaire|contact|representant|responsable|agent|elu|patient|eleve|adherent|"
            r"usager|habitant|defunt|personne|enfant|parent|conjoint|gerant|president|"
            r"signataire|auteur|candidat|benevole|salarie|employe|client|acquereur|vendeur|"
            r"petitionnaire)e?s?)\b"
        ),
    ),
)
_WEAK_NAME_HEADER = re.compile(r"^(nom|noms|name|names|nom usuel)$")
_LAT_HEADER = re.compile(r"^(lat|latitude|y|y lat|lat y|wgs84 lat|lat wgs84)$|\blatitude\b")
_LON_HEADER = re.compile(
    r"^(lon|lng|long|longitude|x|x lon|lon x|wgs84 lon|lon wgs84)$|\blongitude\b"
)
_PAIR_HEADER = re.compile(
    r"\b(geo ?point|geopoint|geo point 2d|coordonnees|coords?|coordinates|geolocalisation|"
    r"localisation|position|wkt|geom|geometry|point|lat ?lon|lat ?lng)\b"
)


def header_hint(header: str) -> HeaderHint | None:
    """What a column header says about personal data (accents and case folded)."""
    h = _normalise_header(header)
    if not h:
        return None
    for kind, pattern in _HINTS:
        if pattern.search(h):
            return HeaderHint(kind)
    if _WEAK_NAME_HEADER.match(h):
        return HeaderHint(Kind.NAME, strong=False)
    if _LAT_HEADER.search(h) or _LON_HEADER.search(h) or _PAIR_HEADER.search(h):
        return HeaderHint(Kind.COORDINATES, strong=False)
    return None


@dataclass(frozen=True, slots=True)
class _Options:
    """Per-column switches of the detectors, decided from the header."""

    birth: bool
    phone_hint: bool
    nir_hint: bool
    sin: int  # 0 off (SIREN header), 1 ambiguous, 2 NAS header
    lat: bool
    lon: bool
    pair_hint: bool


def _options(header: str, hint: HeaderHint | None) -> _Options:
    h = _normalise_header(header)
    kind = hint.kind if hint else None
    siren = bool(_SIREN_HEADER.search(h)) and kind != Kind.SIN
    return _Options(
        birth=kind == Kind.BIRTH_DATE,
        phone_hint=kind == Kind.PHONE,
        nir_hint=kind == Kind.NIR,
        sin=0 if siren else (2 if kind == Kind.SIN else 1),
        lat=bool(_LAT_HEADER.search(h)),
        lon=bool(_LON_HEADER.search(h)),
        pair_hint=bool(_PAIR_HEADER.search(h)),
    )


# --------------------------------------------------------------------------- detectors

_ASCII_DIGITS = b"0123456789"
_HAS_DIGIT = re.compile(r"\d").search
_HAS_LETTER = re.compile(r"[^\W\d_]").search

_EMAIL = re.compile(
    r"(?<![\w.+'-])([^\W_][\w.%+'-]{0,63})@"  # accents allowed: people type "n.côté@…"
    r"((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24})(?![\w-])"
)
_ROLE_LOCALS = _words(
    """contact contacts info infos information informations accueil mairie secretariat
    direction dg dgs communication com service services webmaster admin administration noreply
    no-reply nepasrepondre ne-pas-repondre bonjour hello support reservation reservations
    commande commandes presse rh recrutement compta comptabilite facturation urbanisme
    etat-civil etatcivil culture sport sports jeunesse tourisme office ot mediatheque
    bibliotheque piscine ecole college lycee ce cabinet courrier postmaster abuse dpo rgpd
    standard reception inscription inscriptions billetterie association asso club bureau
    secretariat-general cnil ville commune cdc agglo prefecture pref ars dsden ien
    technique travaux environnement dechets social ccas cias enfance scolaire periscolaire
    cantine restauration"""
)
_ROLE_SPLIT = re.compile(r"[._+-]")


def _is_role_email(local: str) -> bool:
    local = local.lower()
    if local in _ROLE_LOCALS:
        return True
    first = _ROLE_SPLIT.split(local, 1)[0]
    return first in _ROLE_LOCALS


_FR_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)(?:33|262|590|594|596)[\s.-]?(?:\(0\)[\s.-]?)?|0)"
    r"([1-9](?:[\s.-]?\d{2}){4})(?![\d])"
)
# Overseas departments are dialled like mainland France (0692…, 0690…) but have their own
# country codes in `phonenumbers`: Réunion/Mayotte, Guadeloupe, Guyane, Martinique.
_FR_OVERSEAS_CODES = (262, 590, 594, 596)
_NA_PHONE = re.compile(
    r"(?<![\d+])(?:\+?1[\s.-]?)?(?:\((\d{3})\)[\s.-]?|(\d{3})[\s.-])(\d{3})[\s.-](\d{4})(?!\d)"
)
_NA_PLUS = re.compile(r"(?<![\d+])\+1[\s.-]?(\d{10})(?!\d)")
_NA_PLAIN = re.compile(r"^1?(\d{10})$")
_PHONE_CACHE: dict[tuple[int, str], bool] = {}


def _phone_valid(country: int, national: str) -> bool:
    """`phonenumbers` validity, cached by prefix: the numbering plans decide on the first
    digits of the national number (5 in France and overseas: 6 93 06…, 7 in North America:
    NPA-NXX-X), so a column of phones costs a few hundred `phonenumbers` calls at most."""
    key = (country, national[: 7 if country == 1 else 5])
    ok = _PHONE_CACHE.get(key)
    if ok is None:
        number = phonenumbers.PhoneNumber(country_code=country, national_number=int(national))
        ok = phonenumbers.is_valid_number(number)
        if len(_PHONE_CACHE) > 50_000:
            _PHONE_CACHE.clear()
        _PHONE_CACHE[key] = ok
    return ok


_NON_DIGIT = re.compile(r"\D")


def _is_phone(s: str, hint: bool) -> bool:
    for m in _FR_PHONE.finditer(s):
        national = _NON_DIGIT.sub("", m.group(1))
        if _phone_valid(33, national):
            return True
        for code in _FR_OVERSEAS_CODES:
            if _phone_valid(code, national):
                return True
    for m in _NA_PHONE.finditer(s):
        national = (m.group(1) or m.group(2)) + m.group(3) + m.group(4)
        if _phone_valid(1, national):
            return True
    m2 = _NA_PLUS.search(s)
    if m2 and _phone_valid(1, m2.group(1)):
        return True
    if hint:
        m3 = _NA_PLAIN.match(s)
        if m3 and _phone_valid(1, m3.group(1)):
            return True
    return False


# Compact, or the same separator between every group ("1 85 05 78 006 084 42"): a list of
# postal codes ("27160 27240 27250") must not read as a NIR.
_NIR = re.compile(
    r"(?<![\dA-Za-z])([1-478])([ .]?)(\d{2})\2(0[1-9]|1[0-2]|[2-9]\d)\2(\d{2}|2[ABab])\2"
    r"(\d{3})\2(\d{3})(?:[ .]?(\d{2}))?(?![\dA-Za-z])"
)


def _nir_key(body: str) -> int:
    """Key of the 13 first characters of a NIR (Corsica: 2A → 19, 2B → 18)."""
    department = body[5:7].upper()
    if department == "2A":
        body = body[:5] + "19" + body[7:]
    elif department == "2B":
        body = body[:5] + "18" + body[7:]
    return 97 - int(body) % 97


def _is_nir(s: str, hint: bool) -> bool:
    for m in _NIR.finditer(s):
        body = "".join(m.group(i) for i in (1, 3, 4, 5, 6, 7))
        key = m.group(8)
        if key is not None:
            if int(key) == _nir_key(body):
                return True
        elif hint:
            return True
    return False


_SIN = re.compile(r"^(\d{3})[\s-]?(\d{3})[\s-]?(\d{3})$")


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _sin_candidate(s: str) -> str | None:
    m = _SIN.match(s)
    return m.group(1) + m.group(2) + m.group(3) if m else None


def _is_sin(digits: str) -> bool:
    """stdnum.ca.sin's rule: 9 digits, not starting with 0 or 8, Luhn key."""
    return digits[0] not in "08" and _luhn(digits)


_IBAN = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?)"
    r"(?![A-Za-z0-9])"
)


def _is_iban(s: str) -> bool:
    for m in _IBAN.finditer(s):
        compact = m.group(1).replace(" ", "").upper()
        rearranged = compact[4:] + compact[:4]
        number = "".join(str(int(c, 36)) for c in rearranged)
        if int(number) % 97 == 1 and stdnum_iban.is_valid(compact):
            return True
    return False


_MONTHS = {
    word: number
    for number, words in enumerate(
        (
            "janvier janv jan january",
            "fevrier fevr fev feb february",
            "mars mar march",
            "avril avr apr april",
            "mai may",
            "juin jun june",
            "juillet juil jul july",
            "aout aug august",
            "septembre sept sep september",
            "octobre oct october",
            "novembre nov november",
            "decembre dec december",
        ),
        start=1,
    )
    for word in words.split()
}
_DATE_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\S.*)?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T ,]\S.*)?$")
_DATE_TEXT = re.compile(r"^(?:[a-z]+\.?,?\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:[-/.](\d{1,2}))?$")


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _parse_date(s: str) -> date | None:
    """A full date: ISO (with or without a time), DD/MM/YYYY (or MM/DD/YYYY when the day
    cannot be a month), "12 mars 1985", YYYYMMDD."""
    m = _DATE_YMD.match(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DATE_DMY.match(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _make_date(y, b, a) or _make_date(y, a, b)
    m = _DATE_COMPACT.match(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _HAS_LETTER(s):
        m = _DATE_TEXT.match(_fold(s))
        if m and m.group(2) in _MONTHS:
            return _make_date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    return None


def _year_of(s: str) -> int | None:
    """The year of a date, a datetime, a year-month or a year; None when unparsable."""
    d = _parse_date(s)
    if d is not None:
        return d.year
    m = _YEAR_MONTH.match(s)
    if m:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else 1
        if 1000 <= year <= 2999 and 1 <= month <= 12:
            return year
    return None


# French order: number, street type, name. Types that are also common words after a number
# ("3 cours de yoga", "1 voie de circulation", "3 ch. à coucher", "2 lots") are left out.
_STREET_TYPES = (
    r"rue|avenue|av|boulevard|boul|bd|blvd|chemin|impasse|imp|all[ée]e|place|pl|route|rte|"
    r"rang|quai|square|sentier|mont[ée]e|c[ôo]te|promenade|esplanade|faubourg|fg|ruelle|"
    r"chauss[ée]e|lieu-dit|lotissement|r[ée]sidence|hameau|rond-point|croissant|parvis|"
    r"traverse|venelle|cit[ée]|carr[ée]|terrasse"
)
_ADDRESS = re.compile(
    r"(?<![\d])\d{1,5}(?:\s?(?:bis|ter|quater|[a-dA-D]))?,?\s+(?:" + _STREET_TYPES + r")\.?\s+"
    r"(?!(?:de|d'|d’)\s*(?:parking|stationnement|livraison|march[ée])\b)\w",
    re.IGNORECASE,
)
# A street without its number ("Rue des Lilas"): an address when another column of the
# table holds the numbers (numero, n° de voie, numéro civique…).
_STREET = re.compile(r"(?:" + _STREET_TYPES + r")\.?\s+\w", re.IGNORECASE)
_NUMBER_HEADER = re.compile(
    r"^(numero|num|no|n|nr|numeros|numero (de |dans la )?(voie|rue)|(num|no|n) (de )?(voie|rue)|"
    r"numero civique|no civique|civique|house number)$"
)
# English order (Québec): "123 Main Street", "45 Sherbrooke St. West".
_ADDRESS_EN = re.compile(
    r"(?<![\d])\d{1,5}\s+(?:[A-Z][\w'’.-]*\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Drive|Dr|Boulevard|Blvd|Lane|Crescent|Court)\b"
)
_FR_POSTAL_CITY = re.compile(
    r"(?<![\d])(?:0[1-9]|[1-8]\d|9[0-8])\d{3}\s+(?:cedex\s+)?[A-ZÀ-Ý][A-Za-zÀ-ÿ'’-]{1,}"
)
_CA_POSTAL = re.compile(
    r"(?<![A-Za-z0-9])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][\s-]?\d[ABCEGHJ-NPRSTV-Z]\d"
    r"(?![A-Za-z0-9])"
)
_WORD3 = re.compile(r"[^\W\d_]{3,}")
_NOT_CITY = _words(
    "euros eur dollars habitants hab tonnes litres places personnes visiteurs participants "
    "exemplaires pieces vehicules voitures passages logements emplois km kg ha"
)


def _is_address(s: str) -> bool:
    if _ADDRESS.search(s) or _ADDRESS_EN.search(s):
        return True
    m = _FR_POSTAL_CITY.search(s)
    if m and _fold(m.group().split()[-1]) not in _NOT_CITY:
        return True
    m = _CA_POSTAL.search(s)
    return bool(m and _WORD3.search(s[: m.start()] + " " + s[m.end() :]))


_COORD = re.compile(r"^[+-]?(\d{1,3})(?:[.,](\d+))?$")
_PAIR_DOT = re.compile(
    r"^[\[(]?\s*([+-]?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*([+-]?\d{1,3}(?:\.\d+)?)\s*[\])]?$"
)
_PAIR_COMMA = re.compile(
    r"^[\[(]?\s*([+-]?\d{1,3}(?:,\d+)?)\s*[;\s]\s*([+-]?\d{1,3}(?:,\d+)?)\s*[\])]?$"
)
_WKT_POINT = re.compile(
    r"^(?:SRID=4326;)?POINT\s*\(\s*([+-]?\d{1,3}(?:\.\d+)?)\s+([+-]?\d{1,3}(?:\.\d+)?)\s*\)$",
    re.IGNORECASE,
)


def _decimals(number: str) -> int:
    for sep in ".,":
        if sep in number:
            return len(number) - number.index(sep) - 1
    return 0


def _parse_pair(s: str) -> tuple[float, float, int] | None:
    """(latitude, longitude, fewest decimals) of "lat,lon", "lat;lon", "[lat, lon]" or a WKT
    POINT (longitude first); None when not a pair of coordinates."""
    m = _WKT_POINT.match(s)
    if m:
        lon_s, lat_s = m.group(1), m.group(2)
    else:
        m = _PAIR_DOT.match(s) or _PAIR_COMMA.match(s)
        if not m:
            return None
        lat_s, lon_s = m.group(1), m.group(2)
    lat, lon = float(lat_s.replace(",", ".")), float(lon_s.replace(",", "."))
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    return lat, lon, min(_decimals(lat_s), _decimals(lon_s))


def _coordinate_kind(s: str, o: _Options) -> Kind | None:
    if o.lat or o.lon:
        m = _COORD.match(s)
        if m:
            if int(m.group(1)) > (90 if o.lat else 180):
                return None
            decimals = len(m.group(2) or "")
            return Kind.COORDINATES if decimals >= PRECISE_DECIMALS else Kind.COARSE_COORDINATES
    pair = _parse_pair(s)
    if pair is None:
        return None
    decimals = pair[2]
    if decimals == 0 and not o.pair_hint:
        return None
    return Kind.COORDINATES if decimals >= PRECISE_DECIMALS else Kind.COARSE_COORDINATES


# Names ---------------------------------------------------------------------------------

# gender-guesser columns (0-based, from character 30 of a line): the countries kept.
_NAME_COUNTRIES = (0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 14, 46, 47)
_EXTRA_FIRST_NAMES = (
    "rejean real laurier emy pier gaetane jocelyne rosaire ghislaine maryse nancy yvan "
    "normand gilberte rejeanne jean-guy lucienne"
)
# Words that are first names in the list but mostly something else in a French cell.
_NOT_FIRST_NAMES = _words(
    """les des val bas beau belle france paris fleur mai reine prince victoire amour noel
    toussaint ascension trinite jesus king queen duke river stone royal gray bell sky summer
    saint sainte grand grande an le la de du di da van von el ben dom"""
)
_PARTICLES = _words(
    "de du des d la le l van von der den di da dos das del della ben bin ibn el al mc mac"
)
_NOT_NAME_WORDS = _words(
    """rue avenue av boulevard boul bd blvd chemin impasse allee place route rte rang quai
    cours square passage voie sentier montee promenade esplanade parvis hameau lieu-dit
    lotissement faubourg carrefour traverse ruelle villa cite clos mail chaussee terrasse
    croissant street road drive lane way saint sainte st ste
    sarl sas sasu sa eurl sci snc scop scic gie inc ltee ltd llc gmbh cie co corp compagnie
    fils freres associes associees groupe group societe entreprise entreprises ets
    etablissements etablissement immobilier immobiliere transports transport construction
    constructions batiment batiments services service conseil conseils consulting
    distribution industrie industries international france quebec canada holding agence
    cabinet garage auto autos automobiles boulangerie patisserie boucherie charcuterie
    restaurant cafe bar hotel pharmacie coiffure pizza pizzeria bistro brasserie traiteur
    fleuriste optique assurances assurance banque credit mutuelle association club comite
    federation fondation syndicat cooperative coop centre clinique laboratoire studio atelier
    design media communication technologies technologie solutions systemes energie
    environnement developpement gestion finance invest partners marche supermarche magasin
    boutique epicerie ferme domaine chateau camping gite auberge salon institut academie ecole
    college lycee universite mairie ville commune municipalite departement region prefecture
    ministere eglise paroisse chapelle cathedrale musee bibliotheque mediatheque piscine stade
    gymnase salle parc jardin jardins complexe residence ehpad hopital caserne gare aeroport
    port pont marina parking telecom electricite plomberie menuiserie maconnerie peinture
    nettoyage securite informatique logistique sport sports loisirs culture culturel
    maison foyer creche halte ludotheque conservatoire theatre cinema office tourisme
    camping plage lac riviere foret bois mont val vallee quartier secteur zone espace
    pole agence cabinet notaire avocat avocats architecte architectes medical dentaire
    veterinaire sante soins ambulances taxi taxis etudes the and of les"""
)
_CIVILITY = re.compile(
    r"^(?:m|mr|mme|mlle|mrs|ms|miss|dr|pr|me|monsieur|madame|mademoiselle|docteur|"
    r"professeur|ma[iî]tre)\.?\s+(?=\S)",
    re.IGNORECASE,
)
_TOKEN_SPLIT = re.compile(r"[\s,]+")


@cache
def _first_names() -> frozenset[str]:
    """First names of gender-guesser's `nam_dict.txt`, accents folded, parsed once."""
    names: set[str] = set(_EXTRA_FIRST_NAMES.split())
    path = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line[:1] in "#=" or len(line) < 31:
                continue
            frequencies = line[30:85]
            if not any(
                i < len(frequencies) and frequencies[i] not in " $\r\n" for i in _NAME_COUNTRIES
            ):
                continue
            name = _fold(line[3:29].strip())
            if "+" in name:
                continue  # compounds ("Maria+de+Lurdes") are checked word by word
            names.add(name)
    return frozenset(names - _NOT_FIRST_NAMES - _NOT_NAME_WORDS)


def _is_first_name(word: str) -> bool:
    names = _first_names()
    if word in names:
        return True
    if "-" in word:
        parts = word.split("-")
        return all(p in names for p in parts if p) and len(parts) <= 3
    return False


def _shape(token: str) -> str:
    """'U' NOM, 'T' Prénom, 'p' particle, 'x' anything else."""
    core = token.replace("-", "").replace("'", "").replace(".", "")
    if not core.isalpha():
        return "x"
    if _fold_word(token) in _PARTICLES:
        return "p"
    if token.isupper():
        return "U" if len(core) >= 2 else "x"
    if token[0].isupper() and not core[1:].isupper():
        return "T"
    return "x"


def _is_person_name(s: str) -> bool:
    if len(s) > 80 or s.count(" ") > 6:
        return False
    civility = _CIVILITY.match(s)
    rest = s[civility.end() :] if civility else s
    if "," in rest:
        parts = [p.strip() for p in rest.split(",")]
        if len(parts) != 2 or not parts[0] or not parts[1]:
            return False
        rest = parts[1] + " " + parts[0]  # "DUPONT, Marie" → "Marie DUPONT"
    tokens = [t.strip(".'") or t for t in _TOKEN_SPLIT.split(rest.replace("’", "'")) if t]
    n = len(tokens)
    if not 1 <= n <= 5:
        return False
    folded = [_fold_word(t) for t in tokens]
    if any(f in _NOT_NAME_WORDS for f in folded):
        return False
    shapes = "".join(_shape(t) for t in tokens)
    if "x" in shapes or shapes[0] == "p" or shapes[-1] == "p":
        return False
    if civility:
        return True
    if n == 1:
        return _is_first_name(folded[0])
    first = [_is_first_name(f) for f in folded]
    core = shapes.replace("p", "")
    # Prénom(s) NOM: leading first names in title case, then upper-case names.
    i = 0
    while i < n and shapes[i] == "T" and first[i]:
        i += 1
    if i >= 1 and i < n and all(c in "Up" for c in shapes[i:]) and "U" in shapes[i:]:
        return True
    # NOM Prénom(s): upper-case names, then first names in title case.
    j = n
    while j > 0 and shapes[j - 1] == "T" and first[j - 1]:
        j -= 1
    if 0 < j < n and all(c in "Up" for c in shapes[:j]) and "U" in shapes[:j]:
        return True
    # Prénom Nom (title case, 2 to 4 words) or PRENOM NOM (upper case).
    if 2 <= len(core) <= 4 and first[0] and len(set(core)) == 1:
        return True
    return bool(set(core) == {"U"} and first[-1] and 2 <= len(core) <= 4)


# Per value -----------------------------------------------------------------------------


def _kinds_of(s: str, o: _Options) -> tuple[Kind, ...]:
    """Kinds of personal data in one (stripped, non-empty) value."""
    found: list[Kind] = []
    if "@" in s:
        m = _EMAIL.search(s)
        if m:
            found.append(Kind.ROLE_EMAIL if _is_role_email(m.group(1)) else Kind.EMAIL)
    encoded = s.encode()  # bytes.translate is the fastest way to count digits (10× str's)
    digits = len(encoded) - len(encoded.translate(None, _ASCII_DIGITS))
    if digits == 0:
        if not found and _HAS_LETTER(s):
            if _is_person_name(s):
                found.append(Kind.NAME)
            elif _STREET.match(s):
                found.append(Kind.STREET)
        return tuple(found)
    letters = _HAS_LETTER(s) is not None
    if o.birth:
        d = _parse_date(s)
        if d is not None and _plausible_birth(d):
            found.append(Kind.BIRTH_DATE)
            return tuple(found)
    if digits >= 10 and _is_phone(s, o.phone_hint):
        found.append(Kind.PHONE)
    if digits >= 12 and _is_nir(s, o.nir_hint):
        found.append(Kind.NIR)
    if digits == 9 and o.sin and not letters:
        candidate = _sin_candidate(s)
        if candidate is not None:
            found.append(_SIN_CANDIDATE)
            if _is_sin(candidate):
                found.append(Kind.SIN)
    if letters:
        if digits >= 8 and _is_iban(s):
            found.append(Kind.IBAN)
        if " " in s:  # every address has a space; e-mails do not
            if _is_address(s):
                found.append(Kind.ADDRESS)
            elif _STREET.match(s):  # "Rue du 8 Mai 1945"
                found.append(Kind.STREET)
    if (o.lat or o.lon or o.pair_hint) or (  # a pair: "46.34, -72.54", "POINT(2.35 48.85)"
        digits >= 2 and len(s) <= 60 and ("," in s or ";" in s or ("." in s and " " in s))
    ):
        coordinate = _coordinate_kind(s, o)
        if coordinate is not None:
            found.append(coordinate)
    return tuple(found)


_SIN_CANDIDATE: Any = "_sin_candidate"  # internal counter: 9-digit values, valid or not


def _plausible_birth(d: date) -> bool:
    today = date.today()
    return date(today.year - MAX_AGE_YEARS, 1, 1) <= d <= today


# --------------------------------------------------------------------------- masking

_BULLETS = "•••"


def _mask_chars(value: str, keep_start: int, keep_end: int, alnum: bool = False) -> str:
    """Replace the digits (or letters and digits) of `value` by bullets, but the first
    `keep_start` and the last `keep_end`; at least one is always masked."""
    is_kept = str.isalnum if alnum else str.isdigit
    total = sum(1 for c in value if is_kept(c))
    if total <= keep_start + keep_end:
        keep_start, keep_end = min(keep_start, max(0, total - 1)), 0
    out, seen = [], 0
    for c in value:
        if is_kept(c):
            out.append(c if seen < keep_start or seen >= total - keep_end else "•")
            seen += 1
        else:
            out.append(c)
    return "".join(out)


_WORD = re.compile(r"[^\W\d_]{2,}")
_KEEP_WORDS = _PARTICLES | {
    t.replace("[ée]", "e").replace("[ôo]", "o") for t in _STREET_TYPES.split("|")
}


def _mask_words(value: str, keep: frozenset[str] | set[str] = frozenset()) -> str:
    def word(m: re.Match[str]) -> str:
        w = m.group()
        return w if _fold_word(w) in keep else w[0] + _BULLETS

    return _WORD.sub(word, value)


def _mask_decimals(m: re.Match[str]) -> str:
    whole, decimals = m.group(1), m.group(2)
    keep = min(2, max(0, len(decimals) - 1))
    return whole + decimals[:keep] + "•" * (len(decimals) - keep)


def _mask(kind: Kind, value: str) -> str:
    """A masked example: only the matching part of the cell, never all its characters."""
    value = value[:160]
    if kind in (Kind.EMAIL, Kind.ROLE_EMAIL):
        m = _EMAIL.search(value)
        if m:
            local, domain = m.group(1), m.group(2)
            name, _dot, tld = domain.rpartition(".")
            return f"{local[0]}{_BULLETS}@{name[0]}{_BULLETS}.{tld}"
    if kind == Kind.PHONE:
        m = _FR_PHONE.search(value) or _NA_PHONE.search(value) or _NA_PLUS.search(value)
        return _mask_chars(m.group() if m else value, 2, 2)
    if kind == Kind.NIR:
        m = _NIR.search(value)
        return _mask_chars(m.group() if m else value, 3, 2, alnum=True)
    if kind == Kind.SIN:
        return _mask_chars(value, 0, 2)
    if kind == Kind.IBAN:
        m = _IBAN.search(value)
        return _mask_chars(m.group() if m else value, 4, 3, alnum=True)
    if kind == Kind.BIRTH_DATE:
        return _mask_words(re.sub(r"(?<!\d)\d{1,2}(?!\d)", "••", value))
    if kind in (Kind.ADDRESS, Kind.STREET):
        return _mask_words(_mask_chars(value, 0, 0), _KEEP_WORDS)
    if kind == Kind.NAME:
        return _mask_words(value)
    if kind in (Kind.COORDINATES, Kind.COARSE_COORDINATES):
        return re.sub(r"(\d+[.,])(\d+)", _mask_decimals, value)
    return value[:1] + _BULLETS


# --------------------------------------------------------------------------- scanners


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text[:MAX_VALUE_CHARS] if len(text) > MAX_VALUE_CHARS else text


class ColumnScanner:
    """Streaming scan of one column: `feed` every value, then `finish`.

    `finish()` gives the column's verdict on its own; `TableScanner` then applies the
    table-level rule (names together with another identifier)."""

    __slots__ = (
        "name",
        "index",
        "hint",
        "_options",
        "_k",
        "_seen",
        "_next",
        "_w",
        "_inv_k",
        "_random",
        "_sample",
        "_findings",
    )

    def __init__(
        self,
        name: str,
        *,
        index: int = 0,
        max_values: int = DEFAULT_MAX_VALUES,
        seed: int = 0,
    ) -> None:
        if max_values < 1:
            raise ValueError("max_values must be at least 1")
        self.name = name
        self.index = index
        self.hint = header_hint(name)
        self._options = _options(name, self.hint)
        self._k = max_values
        self._inv_k = 1.0 / max_values
        self._seen = 0
        self._next = 1  # the position of the next value to keep
        self._w = 1.0
        self._random = random.Random(f"{seed}:{index}:{name}").random
        self._sample: list[str] = []
        self._findings: _Findings | None = None

    @property
    def values(self) -> int:
        return self._seen

    def feed(self, value: str) -> None:
        """Add one cell (empty cells are ignored). Constant time and memory."""
        if value:
            n = self._seen = self._seen + 1
            if n == self._next:
                self._keep(n, value)

    def _keep(self, n: int, value: Any) -> None:
        """Keep the n-th value (reservoir filling, or Algorithm L's draw), then draw the next
        position to keep: the gap is geometric, so skipped values cost one comparison."""
        text = value if type(value) is str and len(value) <= MAX_VALUE_CHARS else _cell(value)
        k = self._k
        if n <= k:
            self._sample.append(text)
            if n < k:
                self._next = n + 1
                return
        else:
            self._sample[int(self._random() * k)] = text
        random_ = self._random
        self._w = min(self._w * (random_() or 0.5) ** self._inv_k, 1.0 - 1e-12)
        self._next = n + int(math.log(random_() or 0.5) / math.log1p(-self._w)) + 1

    def findings(self) -> _Findings:
        if self._findings is None:
            self._findings = _analyse(self._sample, self._options, self._seen)
            self._sample = []  # the memory is no longer needed
        return self._findings

    def finish(self) -> ColumnReport:
        return _assess(self.index, self.name, self.hint, self.findings(), None)


@dataclass(frozen=True, slots=True)
class _Findings:
    values: int
    examined: int
    counts: dict[Kind, int]
    examples: dict[Kind, tuple[str, ...]]
    sin_candidates: int


def _analyse(sample: list[str], options: _Options, values: int) -> _Findings:
    counts: dict[Any, int] = {}
    examples: dict[Kind, list[str]] = {}
    memo: dict[str, tuple[Kind, ...]] = {}
    examined = 0
    for raw in sample:
        s = raw.strip()
        if not s:
            continue
        examined += 1
        kinds = memo.get(s)
        if kinds is None:
            kinds = _kinds_of(s, options)
            memo[s] = kinds
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
            if kind is _SIN_CANDIDATE:
                continue
            shown = examples.setdefault(kind, [])
            if len(shown) < MAX_EXAMPLES:
                masked = _mask(kind, s)
                if masked not in shown:
                    shown.append(masked)
    sin_candidates = counts.pop(_SIN_CANDIDATE, 0)
    # Random 9-digit numbers pass the Luhn key one time in ten: a column of them is no NAS.
    if options.sin == 1 and counts.get(Kind.SIN, 0) * 2 < sin_candidates:
        counts.pop(Kind.SIN, None)
    return _Findings(
        values=values,
        examined=examined,
        counts=counts,
        examples={k: tuple(v) for k, v in examples.items() if k in counts},
        sin_candidates=sin_candidates,
    )


@dataclass(frozen=True, slots=True)
class _TableContext:
    names: tuple[str, ...]  # other columns holding names of persons
    identifiers: tuple[tuple[str, Kind], ...]  # other columns holding identifiers


def _percent(ratio: float) -> str:
    if 0 < ratio < 0.01:
        return "moins de 1\u00a0%"
    return f"{round(ratio * 100)}\u00a0%"


def _quote(names: Sequence[str]) -> str:
    return ", ".join(f"« {n} »" for n in names)


def _assess(
    index: int,
    name: str,
    hint: HeaderHint | None,
    f: _Findings,
    context: _TableContext | None,
) -> ColumnReport:
    detections = tuple(
        sorted(
            (
                Detection(kind, count, f.examined, f.examples.get(kind, ()))
                for kind, count in f.counts.items()
                if count
            ),
            key=lambda d: _KIND_ORDER[d.kind],
        )
    )
    found: list[tuple[Verdict, float, Kind, str]] = []
    sin_hinted = hint is not None and hint.kind == Kind.SIN
    for d in detections:
        if d.kind in _INFORMATIONAL:
            continue
        share = f"{_percent(d.ratio)} des valeurs examinées ({d.matches} sur {d.examined})"
        plural = _PLURALS[d.kind]
        remedy = _REMEDIES[d.kind]
        if d.kind == Kind.SIN and not sin_hinted:
            message = (
                f"À vérifier : {share} sont des nombres à 9 chiffres dont la clé de Luhn est "
                "valide : des NAS canadiens ou des numéros SIREN ? S’il s’agit d’entreprises, "
                "nommez la colonne « siren » ; sinon supprimez-la."
            )
            found.append((Verdict.WARN, d.ratio, d.kind, message))
        elif d.kind in _DIRECT:
            if d.ratio >= BLOCK_RATIO:
                message = f"Bloquant : {share} ressemblent à {plural}. {remedy}"
                found.append((Verdict.BLOCK, d.ratio, d.kind, message))
            else:
                message = f"À vérifier : {share} ressemblent à {plural}. {remedy}"
                found.append((Verdict.WARN, d.ratio, d.kind, message))
        elif d.kind in (Kind.ADDRESS, Kind.COORDINATES):
            if d.ratio >= BLOCK_RATIO and context is not None and context.names:
                message = (
                    f"Bloquant : {share} sont {plural}, et la table contient aussi des noms "
                    f"de personnes (colonne {_quote(context.names)}) : ensemble, ils désignent "
                    f"des personnes. {remedy}"
                )
                found.append((Verdict.BLOCK, d.ratio, d.kind, message))
            else:
                message = f"À vérifier : {share} ressemblent à {plural}. {remedy}"
                found.append((Verdict.WARN, d.ratio, d.kind, message))
        elif d.kind == Kind.NAME and d.ratio >= NAME_RATIO:
            found.append(_names_finding(d.ratio, f"{share} ressemblent à {plural}", context))
    hinted = hint is not None and hint.strong and hint.kind not in _INFORMATIONAL
    if hint is not None and hinted and not any(k == hint.kind for _v, _r, k, _m in found):
        if hint.kind == Kind.NAME:
            what = f"l’en-tête « {name} » désigne {_PLURALS[Kind.NAME]}"
            found.append(_names_finding(0.0, what, context))
        else:
            message = (
                f"À vérifier : l’en-tête « {name} » évoque {_PLURALS[hint.kind]}, mais aucune "
                "valeur examinée n’y ressemble. Vérifiez le contenu de la colonne."
            )
            found.append((Verdict.WARN, 0.0, hint.kind, message))
    if not found:
        if f.examined:
            sample = (
                f"l’échantillon de {f.examined} valeurs (sur {f.values})"
                if f.examined < f.values
                else f"les {f.examined} valeurs"
            )
            explanation = f"Aucune donnée personnelle détectée dans {sample}."
        else:
            explanation = "Colonne vide : rien à analyser."
        if hint is not None and not hint.strong and hint.kind == Kind.NAME:
            explanation += (
                f" L’en-tête « {name} » peut désigner des personnes : vérifiez-le si c’est le cas."
            )
        return ColumnReport(
            index, name, hint, f.values, f.examined, detections, Verdict.OK, None, explanation
        )
    found.sort(key=lambda t: (_RANK[t[0]], t[1]), reverse=True)
    verdict, _ratio, kind, _message = found[0]
    explanation = " ".join(message for _v, _r, _k, message in found)
    return ColumnReport(
        index, name, hint, f.values, f.examined, detections, verdict, kind, explanation
    )


def _names_finding(
    ratio: float, what: str, context: _TableContext | None
) -> tuple[Verdict, float, Kind, str]:
    if context is not None and context.identifiers:
        others = ", ".join(f"« {n} » ({LABELS[k]})" for n, k in context.identifiers)
        message = (
            f"Bloquant : {what}, et la table contient aussi un identifiant direct (colonne "
            f"{others}) : ensemble, ils désignent des personnes. Supprimez ou pseudonymisez "
            "l’une des colonnes."
        )
        return (Verdict.BLOCK, ratio, Kind.NAME, message)
    return (Verdict.WARN, ratio, Kind.NAME, f"À vérifier : {what}. {_REMEDIES[Kind.NAME]}")


class TableScanner:
    """Streaming scan of a table: `feed(row)` for every data row, then `finish()`.

    Rows shorter than the header leave the missing cells empty; extra cells are ignored."""

    def __init__(
        self,
        header: Sequence[str],
        *,
        max_values_per_column: int = DEFAULT_MAX_VALUES,
        seed: int = 0,
    ) -> None:
        self.header = [str(h) for h in header]
        self.max_values_per_column = max_values_per_column
        self.columns = [
            ColumnScanner(h, index=i, max_values=max_values_per_column, seed=seed)
            for i, h in enumerate(self.header)
        ]
        self.rows = 0

    def feed(self, row: Sequence[str]) -> None:
        """One data row; the hot loop of the scan (about 0.2 µs per cell)."""
        self.rows += 1
        for column, value in zip(self.columns, row):  # noqa: B905 (ragged rows are fine)
            if value:
                n = column._seen = column._seen + 1
                if n == column._next:
                    column._keep(n, value)

    def finish(self) -> ScanReport:
        """Run the detectors, then the table-level rules: a bare "nom" header next to a
        "prénom" one holds surnames; names and another identifier block each other."""
        findings = [c.findings() for c in self.columns]
        if any(_NUMBER_HEADER.match(_normalise_header(c.name)) for c in self.columns):
            findings = [_streets_as_addresses(f) for f in findings]
        first_names = any(
            c.hint is not None
            and c.hint.kind == Kind.NAME
            and _normalise_header(c.name).startswith(("prenom", "first"))
            for c in self.columns
        )
        hints = [
            HeaderHint(Kind.NAME)
            if first_names and c.hint == HeaderHint(Kind.NAME, strong=False)
            else c.hint
            for c in self.columns
        ]
        alone = [
            _assess(c.index, c.name, hint, f, None)
            for c, hint, f in zip(self.columns, hints, findings, strict=True)
        ]
        names = [r for r in alone if r.kind == Kind.NAME and r.verdict != Verdict.OK]
        identifiers = [
            r for r in alone if r.kind in _IDENTIFIERS_WITH_NAMES and r.verdict != Verdict.OK
        ]
        reports = []
        for c, hint, f, report in zip(self.columns, hints, findings, alone, strict=True):
            context = _TableContext(
                names=tuple(r.name for r in names if r.index != c.index),
                identifiers=tuple(
                    (r.name, r.kind) for r in identifiers if r.index != c.index and r.kind
                ),
            )
            if context.names or context.identifiers:
                report = _assess(c.index, c.name, hint, f, context)
            reports.append(report)
        return ScanReport(tuple(reports), self.rows, self.max_values_per_column)


def _streets_as_addresses(f: _Findings) -> _Findings:
    """Street names next to a house-number column are addresses split over two columns."""
    streets = f.counts.get(Kind.STREET, 0)
    if not f.examined or streets / f.examined < BLOCK_RATIO:
        return f
    counts = dict(f.counts)
    counts[Kind.ADDRESS] = counts.get(Kind.ADDRESS, 0) + counts.pop(Kind.STREET)
    examples = dict(f.examples)
    merged = examples.get(Kind.ADDRESS, ()) + examples.pop(Kind.STREET, ())
    examples[Kind.ADDRESS] = merged[:MAX_EXAMPLES]
    return replace(f, counts=counts, examples=examples)


def scan_table(
    header: list[str],
    rows: Iterable[Sequence[str]],
    *,
    max_values_per_column: int = DEFAULT_MAX_VALUES,
) -> ScanReport:
    """Scan a whole table in one pass (see the module docstring for the rules)."""
    scanner = TableScanner(header, max_values_per_column=max_values_per_column)
    feed = scanner.feed
    for row in rows:
        feed(row)
    return scanner.finish()


# --------------------------------------------------------------------------- transforms


class TransformedRows(Iterator[list[str]]):
    """The rows of a transform, produced lazily. `unparsable` counts the non-empty values that
    could not be converted and were left empty (read it once the rows are consumed)."""

    def __init__(self) -> None:
        self.unparsable = 0
        self._rows: Iterator[list[str]] = iter(())

    def __iter__(self) -> TransformedRows:
        return self

    def __next__(self) -> list[str]:
        return next(self._rows)


def _column_index(header: Sequence[str], column: str | int) -> int:
    if isinstance(column, int) and not isinstance(column, bool):
        if 0 <= column < len(header):
            return column
    else:
        matches = [i for i, h in enumerate(header) if h == column]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise PrivacyError(
                "ambiguous_column",
                f"Plusieurs colonnes s’appellent « {column} » : désignez-la par sa position.",
            )
    available = ", ".join(f"« {h} »" for h in header) or "aucune"
    raise PrivacyError(
        "unknown_column",
        f"Colonne inconnue : « {column} ». Colonnes disponibles : {available}.",
    )


def drop_column(
    header: Sequence[str], rows: Iterable[Sequence[str]], column: str | int
) -> tuple[list[str], TransformedRows]:
    """Remove one column (by name or position)."""
    i = _column_index(header, column)
    out = TransformedRows()

    def produce() -> Iterator[list[str]]:
        for row in rows:
            yield [*row[:i], *row[i + 1 :]]

    out._rows = produce()
    return [*header[:i], *header[i + 1 :]], out


def pseudonymise_column(
    header: Sequence[str], rows: Iterable[Sequence[str]], column: str | int, key: bytes
) -> tuple[list[str], TransformedRows]:
    """Replace each value by HMAC-SHA256(key, value) cut to 16 hexadecimal characters.

    Stable: the same value and key always give the same pseudonym (so joins and counts keep
    working across versions), another key gives unrelated ones; surrounding spaces are ignored;
    an empty cell stays empty. The key must be kept secret (≥ 16 bytes)."""
    i = _column_index(header, column)
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise PrivacyError(
            "invalid_key",
            f"La clé de pseudonymisation doit compter au moins {MIN_KEY_BYTES} octets.",
        )
    secret = bytes(key)
    out = TransformedRows()
    cache: dict[str, str] = {}

    def produce() -> Iterator[list[str]]:
        for row in rows:
            new = list(row)
            if i < len(new):
                value = new[i].strip() if isinstance(new[i], str) else str(new[i] or "")
                if value:
                    pseudonym = cache.get(value)
                    if pseudonym is None:
                        digest = hmac.digest(secret, value.encode("utf-8"), "sha256")
                        pseudonym = digest.hex()[:PSEUDONYM_HEX_CHARS]
                        if len(cache) > 100_000:
                            cache.clear()
                        cache[value] = pseudonym
                    new[i] = pseudonym
                else:
                    new[i] = ""
            yield new

    out._rows = produce()
    return list(header), out


def generalise_dates(
    header: Sequence[str], rows: Iterable[Sequence[str]], column: str | int
) -> tuple[list[str], TransformedRows]:
    """Replace each date or datetime by its year ("1985-03-12" → "1985"). Values that are not
    dates become "" and are counted in `unparsable`."""
    i = _column_index(header, column)
    out = TransformedRows()

    def produce() -> Iterator[list[str]]:
        for row in rows:
            new = list(row)
            if i < len(new) and new[i]:
                value = str(new[i]).strip()
                year = _year_of(value) if value else None
                if year is None:
                    if value:
                        out.unparsable += 1
                    new[i] = ""
                else:
                    new[i] = str(year)
            yield new

    out._rows = produce()
    return list(header), out


def _parse_float(value: str) -> float | None:
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        return None


def generalise_coordinates(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    lat_column: str | int,
    lon_column: str | int | None,
    to_commune: Callable[[float, float], str | None],
    *,
    new_column: str = "commune",
) -> tuple[list[str], TransformedRows]:
    """Replace the latitude and longitude columns by one `new_column` column (at the place of
    the first of the two) holding `to_commune(latitude, longitude)`. When `lon_column` is the
    same column as `lat_column` (or empty / None), its cells hold "lat,lon" pairs (or WKT
    POINTs, longitude first). Unparsable or out-of-range coordinates, and points the lookup
    cannot place, give "" (counted in `unparsable`)."""
    i_lat = _column_index(header, lat_column)
    i_lon = i_lat if lon_column is None or lon_column == "" else _column_index(header, lon_column)
    if new_column in header and header.index(new_column) not in (i_lat, i_lon):
        raise PrivacyError(
            "duplicate_column",
            f"La table a déjà une colonne « {new_column} » : choisissez un autre nom.",
        )
    first, second = sorted((i_lat, i_lon))
    pair = i_lat == i_lon
    out = TransformedRows()
    cache: dict[tuple[float, float], str | None] = {}

    def locate(row: Sequence[str]) -> str:
        lat_s = str(row[i_lat]) if i_lat < len(row) and row[i_lat] else ""
        lon_s = str(row[i_lon]) if i_lon < len(row) and row[i_lon] else ""
        if not lat_s.strip() and not lon_s.strip():
            return ""
        lat: float | None
        lon: float | None
        if pair:
            parsed = _parse_pair(lat_s.strip())
            lat, lon = (parsed[0], parsed[1]) if parsed else (None, None)
        else:
            lat, lon = _parse_float(lat_s), _parse_float(lon_s)
        if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
            out.unparsable += 1
            return ""
        point = (lat, lon)
        if point not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[point] = to_commune(lat, lon)
        commune = cache[point]
        if not commune:
            out.unparsable += 1
            return ""
        return commune

    def produce() -> Iterator[list[str]]:
        for row in rows:
            commune = locate(row)
            if pair:
                yield [*row[:first], commune, *row[first + 1 :]]
            else:
                yield [
                    *row[:first],
                    commune,
                    *row[first + 1 : second],
                    *row[second + 1 :],
                ]

    out._rows = produce()
    if pair:
        new_header = [*header[:first], new_column, *header[first + 1 :]]
    else:
        new_header = [
            *header[:first],
            new_column,
            *header[first + 1 : second],
            *header[second + 1 :],
        ]
    return new_header, out
