"""`mediane demo`, data hub part: datasets of Lourdes and Thetford Mines at every access level,
processed through the real services (SCDL validation, personal-data scan, two versions with what
changed), and a second load that changes nothing."""

from __future__ import annotations

import pytest

from mediane.datahub.models import Dataset, PrivacyStatus, ValidationStatus, VersionStatus
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db


def test_datasets_at_every_access_level_all_processed(demo_loaded):
    datasets = {d.title: d for d in Dataset.objects.select_related("current_version")}
    assert len(datasets) == 5
    assert {d.visibility for d in datasets.values()} == {"public", "network", "private"}
    for dataset in datasets.values():
        version = dataset.current_version
        assert version is not None and version.status == VersionStatus.READY, dataset.title
    subsidies = datasets["Subventions aux associations 2025"]
    assert subsidies.schema.ref == "scdl/subventions@2.1.1"
    assert subsidies.current_version.validation_status == ValidationStatus.VALID, (
        subsidies.current_version.validation.get("summary")
    )
    private = datasets["Inscriptions aux ateliers numériques"]
    assert private.visibility == "private"
    assert private.current_version.privacy_status == PrivacyStatus.BLOCK
    attendance = datasets["Fréquentation des équipements municipaux"]
    assert attendance.current_version.number == 2
    assert attendance.current_version.changes["rows_added"] == 48
    for title in ("Fréquentation des équipements municipaux", "Subventions aux associations 2025"):
        assert datasets[title].current_version.privacy_status != PrivacyStatus.BLOCK


def test_second_load_changes_nothing(demo_loaded):
    before = Dataset.objects.count(), sum(d.versions.count() for d in Dataset.objects.all())
    run_demo()
    after = Dataset.objects.count(), sum(d.versions.count() for d in Dataset.objects.all())
    assert before == after
