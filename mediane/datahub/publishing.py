"""Publication of public datasets to the national portals: data.gouv.fr (udata) and Données
Québec (CKAN). The only writers of `PortalAccount` and `PortalPublication`.

The HTTP exchanges are made by the pure clients of `portals.py`; this module turns a dataset
into a `PortalDataset`, keeps the remote id so that the next publication updates the same
remote dataset (never a duplicate), and records what happened.

- **Accounts**: one per organisation, kind of portal and portal address, holding the API key
  of a member of the organisation on the portal and the organisation's id there (udata
  organisation id, CKAN `owner_org`). The organisation's administrators and the secretariat
  add, replace and delete them. The key is sent to the portal only: pages show its last four
  characters, the audit log never holds it. Portal addresses must be http(s); addresses of
  this machine or of a private network are refused unless `DATAHUB_PORTALS_ALLOW_PRIVATE` is
  set (local test portals).
- **Publication** (rule "publish" on the dataset: its editors, administrators, the
  secretariat): only what the DCAT-AP catalogue shows, i.e. a public dataset whose current
  version is ready and cleared by the personal-data scan (`catalog.dataset_node`), under an
  open licence the portals know. The resources are links to Médiane (CSV download and
  tabular API of the current version), never uploads.
- **Dry run**: only GET requests reach the portal and nothing is written in the database
  (no audit either); the result lists the requests that would be sent.
- **Withdrawal**: `dataset_unpublish` by hand; `unpublish_all` after commit when a dataset
  stops being public or is deleted (called from `services`). Failures after commit are logged
  and stored as `failed` (or, for a deleted dataset, written to the audit log), never raised.

Network calls are made outside database transactions, so a slow portal never holds a lock;
the result is then written (with its audit entry) in one transaction. A failed exchange is
stored as `failed` with the portal's French message and raised as `PortalFailed` (code
`portal_<code>` where `<code>` is the `PortalError` code: auth, validation, network…).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, MedianeError, NotFound, ValidationFailed
from mediane.core.models import Visibility
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.datahub import catalog
from mediane.datahub.models import (
    Dataset,
    Frequency,
    PortalAccount,
    PortalKind,
    PortalPublication,
    PublicationStatus,
    VersionStatus,
)
from mediane.datahub.portals import (
    CkanClient,
    PortalDataset,
    PortalError,
    PortalResource,
    PublishResult,
    UdataClient,
)
from mediane.datahub.selectors import version_is_clear

log = logging.getLogger(__name__)

#: The model's EU frequency codes → the portal clients' codes.
FREQUENCIES: dict[str, str] = {
    Frequency.CONTINUOUS: "continuous",
    Frequency.DAILY: "daily",
    Frequency.WEEKLY: "weekly",
    Frequency.MONTHLY: "monthly",
    Frequency.QUARTERLY: "quarterly",
    Frequency.ANNUAL: "annual",
    Frequency.IRREGULAR: "irregular",
    Frequency.NEVER: "punctual",
}

#: Addresses offered on the accounts page.
KNOWN_PORTALS: dict[str, tuple[str, ...]] = {
    PortalKind.UDATA: ("https://www.data.gouv.fr", "https://demo.data.gouv.fr"),
    PortalKind.CKAN: ("https://www.donneesquebec.ca/recherche",),
}


class PortalFailed(MedianeError):
    """A portal refused or failed; `code` is `portal_<PortalError code>`."""

    code = "portal_error"


def _failed(exc: PortalError) -> PortalFailed:
    return PortalFailed(exc.message_fr, code=f"portal_{exc.code}")


def _resolves_to_private(host: str) -> bool:
    """True when a name resolves to an address of this machine or of a private network (a
    public-looking name pointing inside); a name that does not resolve is left to the client,
    which reports the network error."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return any(_private_host(str(info[4][0]).split("%")[0]) for info in infos)


def client_for(account: PortalAccount, *, dry_run: bool = False) -> UdataClient | CkanClient:
    """A new client for the account (a client is not shared across threads).

    The portal's name is resolved first: unless private addresses are allowed, a name that
    leads to this machine or a private network is refused (the address was checked as text
    when saved; this catches a public name that resolves inside)."""
    host = urlsplit(account.base_url).hostname or ""
    if not settings.DATAHUB_PORTALS_ALLOW_PRIVATE and _resolves_to_private(host):
        raise PortalError(
            "private_address",
            _("L'adresse du portail mène à cette machine ou à un réseau privé : refusée."),
        )
    cls = UdataClient if account.kind == PortalKind.UDATA else CkanClient
    return cls(account.base_url, account.api_key, dry_run=dry_run)


# --- Accounts ------------------------------------------------------------------------------------


def _private_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_multicast
    )


def clean_base_url(value: str) -> str:
    """The portal address without its trailing slash; a French `ValidationFailed` otherwise."""
    url = (value or "").strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        message = _("L'adresse du portail doit commencer par http:// ou https://.")
    elif parts.query or parts.fragment or parts.username or parts.password:
        message = _("L'adresse du portail ne doit contenir ni paramètres, ni identifiants.")
    elif len(url) > 300:
        message = _("L'adresse du portail est trop longue (300 caractères au plus).")
    elif _private_host(parts.hostname) and not settings.DATAHUB_PORTALS_ALLOW_PRIVATE:
        message = _("Cette adresse désigne cette machine ou un réseau privé : elle est refusée.")
    elif parts.scheme != "https" and not settings.DATAHUB_PORTALS_ALLOW_PRIVATE:
        message = _(
            "L'adresse du portail doit commencer par https:// : la clé d'API ne circule pas "
            "en clair."
        )
    else:
        return url
    raise ValidationFailed(message, code="bad_url", field_errors={"base_url": [message]})


@transaction.atomic
def portal_account_save(
    *,
    actor: Any,
    organisation: Any,
    kind: str,
    base_url: str,
    api_key: str,
    remote_organisation: str,
) -> PortalAccount:
    """Add the organisation's account on a portal, or replace it (same kind and address).
    An empty `api_key` keeps the stored key of an existing account."""
    require(actor, "change", PortalAccount(organisation=organisation))
    errors: dict[str, list[str]] = {}
    if kind not in PortalKind.values:
        errors["kind"] = [_("Type de portail inconnu.")]
    url = ""
    try:
        url = clean_base_url(base_url)
    except ValidationFailed as error:
        errors["base_url"] = [error.message]
    key = (api_key or "").strip()
    if any(c.isspace() for c in key) or len(key) > 500:
        errors["api_key"] = [_("La clé d'API ne contient pas d'espace (500 caractères au plus).")]
    remote = (remote_organisation or "").strip()
    if not remote or len(remote) > 200:
        errors["remote_organisation"] = [
            _("Indiquez l'identifiant de l'organisation sur le portail (200 caractères au plus).")
        ]
    existing = (
        PortalAccount.objects.select_for_update()
        .filter(organisation=organisation, kind=kind, base_url=url)
        .first()
    )
    if existing is None and not key and "api_key" not in errors:
        errors["api_key"] = [_("Saisissez la clé d'API.")]
    if errors:
        raise ValidationFailed(_("Certains champs sont à corriger."), field_errors=errors)
    account = existing or PortalAccount(
        organisation=organisation,
        kind=kind,
        base_url=url,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    changes: dict[str, Any] = {"kind": kind, "base_url": url, "key_changed": bool(key)}
    if existing is None or existing.remote_organisation != remote:
        changes["remote_organisation"] = {
            "from": existing.remote_organisation if existing else None,
            "to": remote,
        }
    account.remote_organisation = remote
    if key:
        account.api_key = key
    account.save()
    audit_record(
        actor=actor,
        action="datahub.portal_account." + ("create" if existing is None else "update"),
        obj=account,
        organisation=organisation,
        changes=changes,
    )
    return account


@transaction.atomic
def portal_account_delete(*, actor: Any, account: PortalAccount) -> None:
    """Forget an account and its publications. Datasets published with it stay online on the
    portal (the page says so): withdraw them first when they should go."""
    require(actor, "change", account)
    online = list(
        account.publications.exclude(status=PublicationStatus.DELETED)  # type: ignore[attr-defined]
        .exclude(remote_id="")
        .values_list("dataset__slug", "remote_id")
    )
    audit_record(
        actor=actor,
        action="datahub.portal_account.delete",
        obj=account,
        organisation=account.organisation,
        changes={
            "kind": account.kind,
            "base_url": account.base_url,
            "left_online": [f"{slug} ({rid})" for slug, rid in online],
        },
    )
    account.delete()


# --- Reads ---------------------------------------------------------------------------------------


def accounts_for(user: Any, organisation: Any) -> list[PortalAccount]:
    """The organisation's accounts with `online` (datasets published with each)."""
    require(user, "view", PortalAccount(organisation=organisation))
    return list(
        PortalAccount.objects.filter(organisation=organisation).annotate(
            online=Count(
                "publications",
                filter=Q(publications__status=PublicationStatus.PUBLISHED),
            )
        )
    )


def account_get_for(user: Any, organisation: Any, account_id: int) -> PortalAccount:
    account = PortalAccount.objects.filter(organisation=organisation, pk=account_id).first()
    if account is None:
        raise NotFound(_("Compte de portail introuvable."))
    require(user, "view", account)
    return account


@dataclass
class PublicationRow:
    account: PortalAccount
    publication: PortalPublication | None


def publications_for(user: Any, dataset: Dataset) -> list[PublicationRow]:
    """Each account of the dataset's organisation with the dataset's publication there."""
    require(user, "publish", dataset)
    found = {p.account_id: p for p in dataset.publications.all()}  # type: ignore[attr-defined]
    accounts = PortalAccount.objects.filter(organisation_id=dataset.organisation_id)  # type: ignore[attr-defined]
    return [PublicationRow(account, found.get(account.pk)) for account in accounts]


def publish_refusal(dataset: Dataset) -> tuple[str, str] | None:
    """Why `dataset` may not be published, as (code, French message); None when it may."""
    version = dataset.current_version
    if dataset.visibility != Visibility.PUBLIC:
        return "not_public", _(
            "Seul un jeu de données public peut être publié sur un portail national : "
            "ouvrez-le d'abord au public."
        )
    if version is None or version.status != VersionStatus.READY:
        return "not_ready", _("Le jeu de données n'a pas encore de version prête à publier.")
    version.dataset = dataset
    if not version_is_clear(version):
        return "privacy_blocked", _(
            "La version courante contient des données personnelles bloquantes : elle ne peut "
            "pas être publiée."
        )
    if dataset.licence not in catalog.LICENCE_CODES or catalog.dataset_node(dataset) is None:
        return "licence", _(
            "Les portails nationaux n'acceptent que la Licence Ouverte 2.0, l'ODbL ou CC-BY 4.0 : "
            "choisissez l'une d'elles dans la fiche du jeu de données."
        )
    return None


def portal_dataset_for(dataset: Dataset, account: PortalAccount) -> PortalDataset:
    """The dataset as the portal receives it (the DCAT-AP node's fields and links)."""
    node = catalog.dataset_node(dataset)
    version = dataset.current_version
    if node is None or version is None or dataset.licence not in catalog.LICENCE_CODES:
        raise Conflict(_("Ce jeu de données ne peut pas être publié."), code="not_publishable")
    csv = next(d for d in node.distributions if d.format == "CSV")
    api = next(d for d in node.distributions if d.format == "JSON")
    territory = dataset.territory
    zones: list[str] = []
    if territory is not None and territory.country == "FR" and territory.kind == "municipality":
        zones.append(f"fr:commune:{territory.code}")
    rows = f"{version.row_count} ligne{'s' if version.row_count > 1 else ''}"
    return PortalDataset(
        local_id=dataset.slug,
        title=dataset.title,
        description=f"{node.description}\n\nFiche, versions et API sur Médiane : {node.uri}",
        licence=catalog.LICENCE_CODES[dataset.licence],  # type: ignore[index]
        organisation=account.remote_organisation,
        keywords=list(node.keywords),
        frequency=FREQUENCIES.get(dataset.frequency, "unknown"),
        temporal=node.temporal,
        spatial_label=territory.name if territory is not None else None,
        spatial_zones=zones,
        resources=[
            PortalResource(
                "Données (CSV)",
                str(csv.download_url),
                "csv",
                f"Version {version.number}, {rows}. CSV en UTF-8, séparateur virgule.",
            ),
            PortalResource(
                "API tabulaire (JSON)",
                api.access_url,
                "json",
                f"Lignes de la version {version.number} avec filtres, tri et pagination.",
            ),
        ],
    )


# --- Publication ---------------------------------------------------------------------------------


def _check_account(dataset: Dataset, account: PortalAccount) -> None:
    if account.organisation_id != dataset.organisation_id:  # type: ignore[attr-defined]
        raise NotFound(_("Compte de portail introuvable pour l'organisation de ce jeu."))


def _record(
    *,
    actor: Any,
    dataset: Dataset,
    account: PortalAccount,
    status: str,
    action: str,
    result: PublishResult | None = None,
    error: str = "",
    remote_id: str | None = None,
) -> PortalPublication:
    """Store the outcome of an exchange and audit it (one transaction)."""
    with transaction.atomic():
        publication, _created = PortalPublication.objects.select_for_update().get_or_create(
            dataset=dataset, account=account, defaults={"status": status}
        )
        publication.status = status
        publication.last_action = action[:16]
        publication.last_error = error
        if result is not None and result.remote_id:
            publication.remote_id = result.remote_id[:200]
        elif remote_id:
            publication.remote_id = remote_id[:200]
        if result is not None and (result.url or "").startswith(("https://", "http://")):
            publication.remote_url = result.url[:500]  # type: ignore[index]  # a link: http(s)
        if status == PublicationStatus.PUBLISHED:
            publication.last_published_at = timezone.now()
            publication.last_version = dataset.current_version
        publication.save()
        audit_record(
            actor=actor,
            action="datahub.dataset.portal_" + ("failed" if error else action)[:40],
            obj=dataset,
            organisation=dataset.organisation,
            changes={
                "portal": str(account),
                "remote_id": publication.remote_id,
                "status": status,
                **({"error": error} if error else {}),
            },
        )
    return publication


def dataset_publish(
    *, actor: Any, dataset: Dataset, account: PortalAccount, dry_run: bool = False
) -> PublishResult:
    """Publish (create or update) `dataset` on the account's portal; in dry run, send only
    GET requests, write nothing and return the planned requests."""
    require(actor, "publish", dataset)
    _check_account(dataset, account)
    refusal = publish_refusal(dataset)
    if refusal is not None:
        raise Conflict(refusal[1], code=refusal[0])
    wanted = portal_dataset_for(dataset, account)
    # One publication at a time per dataset and portal (two clicks at once would otherwise
    # create two copies on udata): a lock in the cache, shared by every process when
    # CACHE_URL is (Redis, database); the portal call runs outside any transaction.
    lock = f"datahub:publish:{dataset.pk}:{account.pk}"
    if not dry_run and not cache.add(lock, 1, timeout=PUBLISH_LOCK_SECONDS):
        raise Conflict(
            _(
                "Une publication de ce jeu sur ce portail est déjà en cours : réessayez dans "
                "un instant."
            ),
            code="publish_in_progress",
        )
    try:
        return _publish(
            actor=actor, dataset=dataset, account=account, wanted=wanted, dry_run=dry_run
        )
    finally:
        if not dry_run:
            cache.delete(lock)


#: How long a publication lock lasts at most (a portal call times out well before).
PUBLISH_LOCK_SECONDS = 120


def _publish(
    *, actor: Any, dataset: Dataset, account: PortalAccount, wanted: Any, dry_run: bool
) -> PublishResult:
    publication = PortalPublication.objects.filter(dataset=dataset, account=account).first()
    remote_id = publication.remote_id if publication is not None else ""
    try:
        with client_for(account, dry_run=dry_run) as client:
            result = client.publish(wanted, remote_id or None)
    except PortalError as exc:
        if not dry_run:
            _record(
                actor=actor,
                dataset=dataset,
                account=account,
                status=PublicationStatus.FAILED,
                action="publish",
                error=exc.message_fr,
                remote_id=exc.remote_id,
            )
        raise _failed(exc) from exc
    if not dry_run:
        _record(
            actor=actor,
            dataset=dataset,
            account=account,
            status=PublicationStatus.PUBLISHED,
            action=result.action,
            result=result,
        )
    return result


def dataset_unpublish(*, actor: Any, dataset: Dataset, account: PortalAccount) -> PublishResult:
    """Withdraw `dataset` from the account's portal (a soft delete there)."""
    require(actor, "publish", dataset)
    _check_account(dataset, account)
    publication = PortalPublication.objects.filter(dataset=dataset, account=account).first()
    if publication is None or not publication.remote_id:
        raise NotFound(
            _("Ce jeu de données n'est pas publié sur ce portail."), code="not_published"
        )
    try:
        with client_for(account) as client:
            result = client.unpublish(publication.remote_id)
    except PortalError as exc:
        _record(
            actor=actor,
            dataset=dataset,
            account=account,
            status=PublicationStatus.FAILED,
            action="unpublish",
            error=exc.message_fr,
        )
        raise _failed(exc) from exc
    _record(
        actor=actor,
        dataset=dataset,
        account=account,
        status=PublicationStatus.DELETED,
        action=result.action,
    )
    return result


def online_publications(dataset: Dataset) -> list[PortalPublication]:
    """Publications of `dataset` that may be online (with their accounts loaded)."""
    return list(
        PortalPublication.objects.filter(dataset=dataset)
        .exclude(status=PublicationStatus.DELETED)
        .exclude(remote_id="")
        .select_related("account", "account__organisation")
    )


def unpublish_all(
    dataset: Dataset, actor: Any, publications: Sequence[PortalPublication] | None = None
) -> int:
    """Withdraw `dataset` from every portal it is on; returns how many were withdrawn.

    Called after commit when the dataset stops being public (`publications` None: read now)
    or is deleted (`publications` read before the deletion). Never raises: a failure is
    logged and stored as `failed` (written to the audit log when the dataset is gone)."""
    withdrawn = 0
    try:
        if publications is None:
            publications = online_publications(dataset)
        for publication in publications:
            withdrawn += _withdraw(dataset, actor, publication)
    except Exception:  # after commit: never turn a portal problem into a 500
        log.exception("Retrait des portails impossible pour le jeu %s", dataset.slug)
    return withdrawn


def _withdraw(dataset: Dataset, actor: Any, publication: PortalPublication) -> int:
    account = publication.account
    error = ""
    action = "unpublish"
    try:
        with client_for(account) as client:
            action = client.unpublish(publication.remote_id).action
    except PortalError as exc:
        error = exc.message_fr
    except Exception as exc:  # an unexpected failure is stored like a portal failure
        log.exception("Retrait de %s sur %s", dataset.slug, account.base_url)
        error = _("Erreur inattendue pendant le retrait (%(e)s).") % {"e": type(exc).__name__}
    if error:
        log.warning("Retrait de %s sur %s en échec : %s", dataset.slug, account.base_url, error)
    status = PublicationStatus.FAILED if error else PublicationStatus.DELETED
    with transaction.atomic():
        PortalPublication.objects.filter(pk=publication.pk).update(
            status=status, last_action=action[:16], last_error=error, updated_at=timezone.now()
        )
        exists = dataset.pk is not None and Dataset.objects.filter(pk=dataset.pk).exists()
        audit_record(
            actor=actor,
            action="datahub.dataset.portal_" + ("failed" if error else "withdrawn"),
            obj=dataset if exists else account,
            organisation=account.organisation,
            changes={
                "dataset": dataset.slug,
                "portal": str(account),
                "remote_id": publication.remote_id,
                "reason": "deleted" if not exists else "not_public",
                **({"error": error} if error else {}),
            },
        )
    return 0 if error else 1
