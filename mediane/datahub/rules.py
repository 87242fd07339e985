"""Permission rules of the data hub (registered with core.permissions.rule).

- Reading a dataset follows its access level: public, network members, or private (members of
  the owning organisation and the secretariat).
- A version is read by the dataset's readers only when nothing blocks it (no standing blocking
  personal-data finding); otherwise only by the organisation's members and the secretariat.
- The organisation's editors and administrators edit the dataset, upload versions, transform
  them, change the access level (the services check the personal-data gate) and publish to
  portals; recording a legal basis for personal data is for its administrators and the
  secretariat.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import (
    can_see_visibility,
    has_role,
    is_authenticated,
    is_secretariat,
    role_in,
    rule,
)
from mediane.datahub.models import Dataset, DatasetVersion, TableSchema
from mediane.directory.models import Organisation


@rule(Dataset, "view")
def dataset_view(user: Any, dataset: Dataset) -> bool:
    return can_see_visibility(user, dataset.visibility, dataset.organisation_id)  # type: ignore[attr-defined]


@rule(Dataset, "change", "upload", "transform", "set_visibility", "publish")
def dataset_edit(user: Any, dataset: Dataset) -> bool:
    return is_secretariat(user) or has_role(user, dataset.organisation_id, "editor")  # type: ignore[attr-defined]


@rule(Dataset, "record_legal_basis")
def dataset_legal_basis(user: Any, dataset: Dataset) -> bool:
    return is_secretariat(user) or has_role(user, dataset.organisation_id, "admin")  # type: ignore[attr-defined]


@rule(Dataset, "view_internal")
def dataset_internal(user: Any, dataset: Dataset) -> bool:
    """Processing details, held versions, full scan findings: the organisation's people."""
    return is_secretariat(user) or role_in(user, dataset.organisation_id) is not None  # type: ignore[attr-defined]


@rule(Organisation, "create_dataset")
def organisation_create_dataset(user: Any, organisation: Organisation) -> bool:
    return is_secretariat(user) or has_role(user, organisation.pk, "editor")


@rule(DatasetVersion, "view")
def version_view(user: Any, version: DatasetVersion) -> bool:
    dataset = version.dataset
    if dataset_internal(user, dataset):
        return True
    from mediane.datahub.selectors import version_is_clear

    return (
        version.is_ready
        and version_is_clear(version)
        and can_see_visibility(user, dataset.visibility, dataset.organisation_id)  # type: ignore[attr-defined]
    )


@rule(TableSchema, "view")
def schema_view(user: Any, schema: TableSchema) -> bool:
    return True


@rule(TableSchema, "add")
def schema_add(user: Any, schema: TableSchema) -> bool:
    """Any member of an organisation may add a schema (they describe columns, not data)."""
    from mediane.core.permissions import user_roles

    return is_authenticated(user) and (is_secretariat(user) or bool(user_roles(user)))


# --- Portal accounts (publication to the national portals) ---------------------------------------

from mediane.datahub.models import PortalAccount  # noqa: E402


@rule(PortalAccount, "view", "change")
def portal_account_manage(user: Any, account: PortalAccount) -> bool:
    """An organisation's portal accounts (and their API keys) are for its administrators and
    the secretariat; its editors publish with them (rule "publish" on the dataset)."""
    return is_secretariat(user) or has_role(user, account.organisation_id, "admin")  # type: ignore[attr-defined]
