"""Datasets for the data hub's tests: an organisation with its people, and helpers that upload
a file and run the processing as the worker would."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediane.accounts.models import User
from mediane.datahub import processing, services
from mediane.datahub.models import Dataset, DatasetVersion
from mediane.directory.models import Organisation
from tests.directory.factories import OrganisationFactory, UserFactory, member_of

SCDL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "scdl"


@dataclass
class Hub:
    city: Organisation
    admin: User
    editor: User
    member: User
    outsider: User  # member of another organisation (a network member)
    stranger: User  # an account with no organisation
    secretariat: User


def make_hub() -> Hub:
    city = OrganisationFactory(name="Ville de Lourdes", kind="collectivite")
    other = OrganisationFactory(name="Ville de Thetford Mines", kind="collectivite")
    return Hub(
        city=city,
        admin=member_of(city, "admin"),
        editor=member_of(city, "editor"),
        member=member_of(city, "member"),
        outsider=member_of(other, "editor"),
        stranger=UserFactory(),
        secretariat=UserFactory(is_secretariat=True),
    )


def dataset(hub: Hub, title: str = "Subventions 2025", **metadata: Any) -> Dataset:
    return services.dataset_create(actor=hub.editor, organisation=hub.city, title=title, **metadata)


def upload(
    hub: Hub, ds: Dataset, content: bytes | str, name: str = "donnees.csv"
) -> DatasetVersion:
    """Upload and process (as the worker does) one file; returns the processed version."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    version = services.version_upload(
        actor=hub.editor, dataset=ds, file=io.BytesIO(data), filename=name
    )
    return processing.process_version(version.pk)


def process(version: DatasetVersion) -> DatasetVersion:
    return processing.process_version(version.pk)


PEOPLE_CSV = (
    "nom,prenom,courriel,telephone,montant\n"
    "Martin,Julie,julie.martin@example.fr,06 12 34 56 78,120\n"
    "Bernard,Louis,louis.bernard@example.org,+33 5 62 42 00 11,80\n"
    "Tremblay,Chloé,chloe.tremblay@example.ca,(819) 555-0199,45\n"
    "Dubois,Marc,marc.dubois@example.com,07 98 76 54 32,300\n"
)

PLAIN_CSV = (
    "annee;equipement;visites\n"
    "2023;Médiathèque;41000\n"
    "2023;Piscine;52000\n"
    "2024;Médiathèque;43500\n"
    "2024;Piscine;50100\n"
)
