"""Background work of the data hub: processing an uploaded or transformed version."""

from __future__ import annotations

from django_tasks import task


@task()
def process_version(version_id: int) -> dict[str, object]:
    """Read, validate, scan and store one version; its row shows the progress."""
    from mediane.datahub.processing import process_version as run

    version = run(version_id)
    return {"status": version.status, "rows": version.row_count, "error": version.error_code}
