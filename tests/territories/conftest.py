"""Fixtures of the territory tests: small reference files and imported territories."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediane.territories.importer import import_territories
from tests.accounts.factories import UserFactory

FILES = {
    "fr-regions.csv": "code,nom\n76,Occitanie\n27,Bourgogne-Franche-Comté\n",
    "fr-departements.csv": "code,nom,region\n65,Hautes-Pyrénées,76\n58,Nièvre,27\n",
    "fr-communes.csv": (
        "code_insee,nom,departement,region,siren,codes_postaux,population\n"
        "65286,Lourdes,65,76,216502864,65100,13266\n"
        "65440,Tarbes,65,76,216504407,65000,42000\n"
        "65001,Adé,65,76,216500017,65100,800\n"
        "58194,Nevers,58,27,215801945,58000,33085\n"
    ),
    "fr-epci.csv": (
        "siren_epci,nom,type,population\n"
        "200069300,CA Tarbes-Lourdes-Pyrénées,CA,\n"
        "245804406,CA de Nevers,CA,66000\n"
    ),
    "fr-epci-membres.csv": (
        "siren_epci,code_insee\n200069300,65286\n200069300,65440\n200069300,65001\n"
        "245804406,58194\n"
    ),
    "fr-action-coeur-de-ville.csv": (
        "code_insee,nom,id_acv,population,departement,region,siren_epci,longitude,latitude\n"
        "65440,Tarbes,acv-1,42000,65,76,200069300,0.0781,43.2328\n"
    ),
    "qc-municipalites.csv": (
        "code_geographique,nom,designation,region_administrative,division_recensement,mrc,"
        "superficie_km2,population,code_postal,site_web\n"
        "36033,Shawinigan,Ville,Mauricie (04),Shawinigan (36),,802.79,51820,G9N6V3,"
        "www.shawinigan.ca\n"
        "48028,Acton Vale,Ville,Montérégie (16),Acton (48),MRC Acton (480),91.09,7996,J0H1A0,"
        "www.ville.actonvale.qc.ca\n"
        "48020,Béthanie,Municipalité,Montérégie (16),Acton (48),MRC Acton (480),47,330,,\n"
        "69802,Akwesasne,Réserve indienne,Montérégie (16),Le Haut-Saint-Laurent (69),,11.18,"
        "2569,,\n"
        "99883,Akulivik,Terre de la catégorie I,Nord-du-Québec (10),Nord-du-Québec (99),,468.96,"
        "0,,\n"
    ),
    "coordinates-network.csv": (
        "country,code,nom,latitude,longitude\n"
        "FR,65286,Lourdes,43.0981,-0.0583\nQC,36033,Shawinigan,46.5667,-72.7500\n"
    ),
}


def write_reference_files(directory: Path, overrides: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, **(overrides or {})}.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_reference_files(tmp_path / "reference")


@pytest.fixture
def imported(db, data_dir: Path):
    """The small reference set, imported."""
    return import_territories(data_dir=data_dir)


@pytest.fixture
def secretariat(db):
    return UserFactory(is_secretariat=True)


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def shipped_data_dir() -> Path:
    from django.conf import settings

    return Path(settings.REFERENCE_DATA_DIR)
