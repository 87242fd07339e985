"""Publication of datasets to data.gouv.fr (udata) and Données Québec (CKAN) through the Django
layer (`datahub.publishing` and its pages), against the local test portals of fake_portals.py:
stable remote ids, dry run, deletions propagated, refusals, errors stored, access to pages."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mediane.accounts.models import Membership
from mediane.core.errors import Conflict, NotFound, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.datahub import publishing, services
from mediane.datahub.models import Dataset, PortalAccount, PortalPublication
from mediane.datahub.publishing import PortalFailed
from tests.directory.factories import TerritoryFactory

from .factories import PEOPLE_CSV, PLAIN_CSV, dataset, make_hub, upload
from .fake_portals import FakeCkan, FakeUdata, running

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_portals(settings):
    """The test portals listen on 127.0.0.1, which production refuses."""
    settings.DATAHUB_PORTALS_ALLOW_PRIVATE = True


@pytest.fixture
def hub():
    return make_hub()


@pytest.fixture
def udata():
    with running(FakeUdata(api_key="udata-cle-1234")) as portal:
        yield portal


@pytest.fixture
def ckan():
    with running(FakeCkan(api_key="ckan-jeton-5678")) as portal:
        yield portal


def open_dataset(hub, title="Fréquentation des équipements", **metadata):
    metadata = {
        "description": "Visites annuelles de la médiathèque et de la piscine.",
        "keywords": ["équipements", "sport et loisirs"],
        "frequency": "ANNUAL",
        "licence": "lov2",
        "temporal_start": date(2023, 1, 1),
        "temporal_end": date(2024, 12, 31),
        **metadata,
    }
    ds = dataset(hub, title=title, **metadata)
    upload(hub, ds, PLAIN_CSV)
    services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")
    return Dataset.objects.get(pk=ds.pk)


@pytest.fixture
def public(hub):
    lourdes = TerritoryFactory(name="Lourdes", code="65286", slug="lourdes-65286")
    return open_dataset(hub, territory=lourdes)


def udata_account(hub, portal, api_key=None) -> PortalAccount:
    return publishing.portal_account_save(
        actor=hub.admin,
        organisation=hub.city,
        kind="udata",
        base_url=portal.url + "/",
        api_key=api_key or portal.api_key,
        remote_organisation="org-1",
    )


def ckan_account(hub, portal) -> PortalAccount:
    return publishing.portal_account_save(
        actor=hub.admin,
        organisation=hub.city,
        kind="ckan",
        base_url=portal.url,
        api_key=portal.api_key,
        remote_organisation="ville-1",
    )


def publication(ds, account) -> PortalPublication:
    return PortalPublication.objects.get(dataset=ds, account=account)


# --- Publication, stable ids ---------------------------------------------------------------------


def test_udata_publish_then_republish_updates_the_same_remote_dataset(hub, public, udata):
    account = udata_account(hub, udata)
    assert account.base_url == udata.url  # trailing slash removed

    result = publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert result.action == "created"
    [remote] = udata.live()
    assert result.remote_id == remote["id"]
    assert remote["title"] == "Fréquentation des équipements"
    assert remote["license"] == "lov2" and remote["frequency"] == "annual"
    assert remote["organization"]["id"] == "org-1"
    assert sorted(remote["tags"]) == ["equipements", "sport-et-loisirs"]
    assert remote["temporal_coverage"] == {"start": "2023-01-01", "end": "2024-12-31"}
    assert remote["spatial"] == {"zones": ["fr:commune:65286"]}
    assert "/donnees/" + public.slug in remote["description"]
    assert sorted(r["url"] for r in remote["resources"]) == [
        settings.SITE_URL + f"/api/v1/datasets/{public.slug}/versions/1/rows",
        settings.SITE_URL + reverse("datahub:download", args=[public.slug, 1, "csv"]),
    ]
    stored = publication(public, account)
    assert stored.status == "published" and stored.remote_id == remote["id"]
    assert stored.remote_url == remote["page"]
    assert stored.last_version == public.current_version and stored.last_published_at

    # Same metadata: nothing written.
    writes = len(udata.writes())
    again = publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert again.action == "unchanged" and len(udata.writes()) == writes

    # New title, new version: the same remote dataset is updated, its resources replaced.
    services.dataset_update(actor=hub.editor, dataset=public, title="Visites des équipements")
    upload(hub, public, PLAIN_CSV + "2025;Piscine;49000\n")
    public = Dataset.objects.get(pk=public.pk)
    updated = publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert updated.action == "updated" and updated.remote_id == remote["id"]
    assert len(udata.datasets) == 1
    [remote] = udata.live()
    assert remote["title"] == "Visites des équipements"
    assert len(remote["resources"]) == 2
    assert all("/versions/2/" in r["url"] or "/v2/" in r["url"] for r in remote["resources"])
    assert publication(public, account).last_version.number == 2

    actions = list(
        AuditEntry.objects.filter(action__startswith="datahub.dataset.portal_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "datahub.dataset.portal_created",
        "datahub.dataset.portal_unchanged",
        "datahub.dataset.portal_updated",
    ]


def test_ckan_publish_is_stable_and_maps_licence_and_frequency(hub, public, ckan):
    account = ckan_account(hub, ckan)
    first = publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert first.action == "created"
    [package] = ckan.live()
    assert package["name"] == public.slug
    assert package["license_id"] == "other-open"  # Licence Ouverte 2.0
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["frequency"] == "annual" and extras["spatial_text"] == "Lourdes"
    assert publication(public, account).remote_url == f"{ckan.url}/dataset/{public.slug}"

    services.dataset_update(actor=hub.editor, dataset=public, frequency="MONTHLY")
    second = publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert second.action == "updated" and second.remote_id == first.remote_id
    assert len(ckan.packages) == 1
    extras = {e["key"]: e["value"] for e in ckan.live()[0]["extras"]}
    assert extras["frequency"] == "monthly"


def test_frequencies_all_map_to_portal_codes():
    from mediane.datahub.models import Frequency
    from mediane.datahub.portals import FREQUENCY_CODES

    assert set(publishing.FREQUENCIES) == set(Frequency.values)
    assert set(publishing.FREQUENCIES.values()) <= set(FREQUENCY_CODES)


# --- Dry run -------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_on_the_portal_nor_in_the_database(hub, public, udata):
    account = udata_account(hub, udata)
    audit_before = AuditEntry.objects.count()

    plan = publishing.dataset_publish(
        actor=hub.editor, dataset=public, account=account, dry_run=True
    )
    assert plan.action == "planned"
    assert plan.requests[0] == "POST /api/1/datasets/ (simulation, non envoyée)"
    assert len(plan.requests) == 3  # the dataset and its two resources
    assert udata.requests == [] and udata.datasets == {}
    assert not PortalPublication.objects.exists()
    assert AuditEntry.objects.count() == audit_before

    publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    stored = publication(public, account)
    services.dataset_update(actor=hub.editor, dataset=public, title="Nouveau titre")
    writes, audit_before = len(udata.writes()), AuditEntry.objects.count()
    plan = publishing.dataset_publish(
        actor=hub.editor, dataset=public, account=account, dry_run=True
    )
    assert plan.action == "planned" and plan.remote_id == stored.remote_id
    assert any(line.startswith("PUT /api/1/datasets/") for line in plan.requests)
    assert len(udata.writes()) == writes
    assert udata.live()[0]["title"] == "Fréquentation des équipements"
    after = publication(public, account)
    assert (after.last_action, after.updated_at) == (stored.last_action, stored.updated_at)
    assert AuditEntry.objects.count() == audit_before


# --- Deletions propagated ------------------------------------------------------------------------


def test_back_to_private_withdraws_from_every_portal(
    hub, public, udata, ckan, django_capture_on_commit_callbacks
):
    on_udata, on_ckan = udata_account(hub, udata), ckan_account(hub, ckan)
    for account in (on_udata, on_ckan):
        publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert len(udata.live()) == len(ckan.live()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.dataset_set_visibility(actor=hub.editor, dataset=public, visibility="private")
    assert udata.live() == [] and ckan.live() == []
    assert publication(public, on_udata).status == "deleted"
    assert publication(public, on_ckan).status == "deleted"
    assert AuditEntry.objects.filter(action="datahub.dataset.portal_withdrawn").count() == 2

    # Opened and published again: CKAN reactivates the same package, udata creates a new one
    # (its deletion is final); never two live copies.
    services.dataset_set_visibility(actor=hub.editor, dataset=public, visibility="public")
    public = Dataset.objects.get(pk=public.pk)
    before = publication(public, on_ckan).remote_id
    again = publishing.dataset_publish(actor=hub.editor, dataset=public, account=on_ckan)
    assert again.action == "created"  # reactivated
    assert publication(public, on_ckan).remote_id == before and len(ckan.packages) == 1
    publishing.dataset_publish(actor=hub.editor, dataset=public, account=on_udata)
    assert len(udata.live()) == 1


def test_network_failure_after_commit_is_stored_as_failed_never_raised(
    hub, public, udata, django_capture_on_commit_callbacks
):
    account = udata_account(hub, udata)
    publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    udata.fail_next = [503]
    with django_capture_on_commit_callbacks(execute=True):
        services.dataset_set_visibility(actor=hub.editor, dataset=public, visibility="network")
    stored = publication(public, account)
    assert stored.status == "failed" and "en erreur (HTTP 503)" in stored.last_error
    assert stored.remote_id  # kept: withdrawing by hand later still works
    assert len(udata.live()) == 1
    public = Dataset.objects.get(pk=public.pk)
    withdrawn = publishing.dataset_unpublish(actor=hub.editor, dataset=public, account=account)
    assert withdrawn.action == "deleted"
    assert udata.live() == [] and publication(public, account).status == "deleted"


def test_deleting_a_dataset_withdraws_it(hub, public, ckan, django_capture_on_commit_callbacks):
    account = ckan_account(hub, ckan)
    publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    with django_capture_on_commit_callbacks(execute=True):
        services.dataset_delete(actor=hub.editor, dataset=public, confirm_slug=public.slug)
    assert ckan.live() == [] and len(ckan.packages) == 1
    assert not PortalPublication.objects.exists()
    entry = AuditEntry.objects.get(action="datahub.dataset.portal_withdrawn")
    assert entry.object_type == "datahub.portalaccount" and entry.changes["reason"] == "deleted"


# --- Refusals and errors -------------------------------------------------------------------------


def test_publication_refused_for_a_private_dataset(hub, udata):
    ds = dataset(hub, title="Données internes")
    upload(hub, ds, PLAIN_CSV)
    account = udata_account(hub, udata)
    with pytest.raises(Conflict) as error:
        publishing.dataset_publish(actor=hub.editor, dataset=ds, account=account, dry_run=True)
    assert error.value.code == "not_public" and "public" in error.value.message
    assert udata.requests == []


def test_publication_refused_when_the_current_version_has_a_blocking_finding(hub, udata):
    ds = dataset(hub, title="Bénévoles")
    upload(hub, ds, PEOPLE_CSV)
    Dataset.objects.filter(pk=ds.pk).update(visibility="public")  # as if opened before the scan
    ds = Dataset.objects.get(pk=ds.pk)
    account = udata_account(hub, udata)
    with pytest.raises(Conflict) as error:
        publishing.dataset_publish(actor=hub.editor, dataset=ds, account=account)
    assert error.value.code == "privacy_blocked"
    assert "données personnelles" in error.value.message
    assert udata.requests == [] and not PortalPublication.objects.exists()


def test_publication_refused_for_a_licence_the_portals_do_not_know(hub, udata):
    ds = open_dataset(hub, licence="other", licence_other="Licence maison")
    with pytest.raises(Conflict) as error:
        publishing.dataset_publish(actor=hub.editor, dataset=ds, account=udata_account(hub, udata))
    assert error.value.code == "licence" and "Licence Ouverte" in error.value.message


def test_wrong_api_key_gives_a_clear_error_stored_as_failed(hub, public, udata):
    account = udata_account(hub, udata, api_key="mauvaise-cle")
    with pytest.raises(PortalFailed) as error:
        publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert error.value.code == "portal_auth"
    assert "a refusé la clé d'API" in error.value.message
    stored = publication(public, account)
    assert stored.status == "failed" and stored.last_error == error.value.message
    assert stored.remote_id == "" and udata.datasets == {}
    assert AuditEntry.objects.filter(action="datahub.dataset.portal_failed").exists()


def test_who_may_publish_and_manage_accounts(hub, public, udata):
    account = udata_account(hub, udata)
    for user in (hub.member, hub.outsider, hub.stranger):
        with pytest.raises(PermissionDenied):
            publishing.dataset_publish(actor=user, dataset=public, account=account)
    for user in (hub.editor, hub.member, hub.outsider):
        with pytest.raises(PermissionDenied):
            publishing.portal_account_save(
                actor=user,
                organisation=hub.city,
                kind="udata",
                base_url=udata.url,
                api_key="x",
                remote_organisation="org-1",
            )
        with pytest.raises(PermissionDenied):
            publishing.portal_account_delete(actor=user, account=account)
    # An account of another organisation cannot publish this one's datasets.
    other = PortalAccount.objects.create(
        organisation=Membership.objects.get(user=hub.outsider).organisation,
        kind="udata",
        base_url=udata.url,
        api_key="k",
        remote_organisation="org-1",
    )
    with pytest.raises(NotFound):
        publishing.dataset_publish(actor=hub.secretariat, dataset=public, account=other)
    publishing.dataset_publish(actor=hub.secretariat, dataset=public, account=account)


def test_account_save_checks_its_fields_and_never_audits_the_key(hub, settings):  # noqa: F811
    def save(**fields):
        values = {
            "actor": hub.admin,
            "organisation": hub.city,
            "kind": "udata",
            "base_url": "https://demo.data.gouv.fr/",
            "api_key": "cle-tres-secrete-9876",
            "remote_organisation": "5f3a",
            **fields,
        }
        return publishing.portal_account_save(**values)

    for fields, field in [
        ({"base_url": "ftp://data.gouv.fr"}, "base_url"),
        ({"base_url": "data.gouv.fr"}, "base_url"),
        ({"base_url": "https://data.gouv.fr/?token=1"}, "base_url"),
        ({"kind": "socrata"}, "kind"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": "deux mots"}, "api_key"),
        ({"remote_organisation": " "}, "remote_organisation"),
    ]:
        with pytest.raises(ValidationFailed) as error:
            save(**fields)
        assert field in error.value.field_errors, fields
    settings.DATAHUB_PORTALS_ALLOW_PRIVATE = False
    for address in ("http://127.0.0.1:8000", "http://localhost", "http://169.254.169.254"):
        with pytest.raises(ValidationFailed) as error:
            save(base_url=address)
        assert "réseau privé" in error.value.field_errors["base_url"][0]

    account = save()
    assert account.base_url == "https://demo.data.gouv.fr" and account.key_hint == "…9876"
    # Saving the same portal again replaces it; an empty key keeps the stored one.
    again = save(api_key="", remote_organisation="6b7c")
    assert again.pk == account.pk and again.api_key == "cle-tres-secrete-9876"
    assert again.remote_organisation == "6b7c"
    assert PortalAccount.objects.count() == 1
    entries = AuditEntry.objects.filter(action__startswith="datahub.portal_account")
    assert entries.count() == 2
    assert all("secrete" not in str(e.changes) + e.object_repr for e in entries)


# --- Pages ---------------------------------------------------------------------------------------


def test_accounts_page_access_and_the_key_is_never_shown(client, hub, udata):
    url = reverse("datahub:portals", args=[hub.city.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (hub.editor, hub.member, hub.outsider, hub.stranger):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"kind": "udata"}).status_code == 403
    client.force_login(hub.secretariat)
    assert client.get(url).status_code == 200
    assert client.get(reverse("datahub:portals", args=[999999])).status_code == 404

    client.force_login(hub.admin)
    page = client.get(url)
    assert page.status_code == 200 and "Ajouter ou remplacer un compte" in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "udata",
            "base_url": udata.url,
            "remote_organisation": "org-1",
            "api_key": udata.api_key,
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert udata.api_key not in html and "…1234" in html and udata.url in html

    # A form error does not echo the key either.
    response = client.post(
        url,
        {"kind": "udata", "base_url": "ftp://x", "remote_organisation": "o", "api_key": "zz-1"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "zz-1" not in body
    assert "http:// ou https://" in body

    account = PortalAccount.objects.get()
    delete_url = reverse("datahub:portal_delete", args=[hub.city.pk, account.pk])
    client.force_login(hub.editor)
    assert client.post(delete_url).status_code == 403
    client.force_login(hub.admin)
    confirm = client.get(delete_url).content.decode()
    assert "Supprimer le compte" in confirm and udata.api_key not in confirm
    assert client.post(delete_url).status_code == 302
    assert not PortalAccount.objects.exists()
    assert client.get(delete_url).status_code == 404


def test_publish_page_dry_run_publish_and_withdraw(client, hub, public, udata):
    account = udata_account(hub, udata)
    page_url = reverse("datahub:publish", args=[public.slug])
    action_url = reverse("datahub:publish_action", args=[public.slug, account.pk])
    withdraw_url = reverse("datahub:unpublish", args=[public.slug, account.pk])

    client.force_login(hub.editor)
    detail = client.get(reverse("datahub:dataset", args=[public.slug])).content.decode()
    assert page_url in detail and "Publier sur un portail national" in detail
    page = client.get(page_url).content.decode()
    assert "Simuler (dry run)" in page and "Jamais publié" in page
    assert udata.api_key not in page

    plan = client.post(action_url, {"dry_run": "1"})
    body = plan.content.decode()
    assert plan.status_code == 200 and "Rien n’a été écrit" in body
    assert "POST /api/1/datasets/ (simulation, non envoyée)" in body
    assert udata.datasets == {} and not PortalPublication.objects.exists()

    assert client.post(action_url).status_code == 302
    assert len(udata.live()) == 1
    page = client.get(page_url).content.decode()
    assert "Publié" in page and udata.live()[0]["page"] in page and "Retirer du portail" in page

    assert "Le jeu de données sera supprimé du portail" in client.get(withdraw_url).content.decode()
    assert client.post(withdraw_url).status_code == 302
    assert udata.live() == [] and publication(public, account).status == "deleted"


def test_publish_page_errors_are_shown_in_french(client, hub, udata):
    ds = dataset(hub, title="Données internes")
    upload(hub, ds, PLAIN_CSV)
    account = udata_account(hub, udata, api_key="mauvaise")
    client.force_login(hub.editor)
    page = client.get(reverse("datahub:publish", args=[ds.slug])).content.decode()
    assert "Seul un jeu de données public peut être publié" in page
    response = client.post(
        reverse("datahub:publish_action", args=[ds.slug, account.pk]), follow=True
    )
    assert "Seul un jeu de données public" in response.content.decode()
    assert not PortalPublication.objects.exists()


def test_publish_pages_refuse_others(client, hub, public, udata):
    private = dataset(hub, title="Données internes")
    account = udata_account(hub, udata)
    urls = [
        reverse("datahub:publish", args=[public.slug]),
        reverse("datahub:unpublish", args=[public.slug, account.pk]),
    ]
    post = reverse("datahub:publish_action", args=[public.slug, account.pk])
    for user in (hub.member, hub.outsider, hub.stranger):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(post).status_code == 403
        assert client.get(reverse("datahub:publish", args=[private.slug])).status_code in (
            403,
            404,
        )
    client.force_login(hub.outsider)
    assert client.get(reverse("datahub:publish", args=[private.slug])).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302
    assert udata.writes() == []
    client.force_login(hub.editor)
    assert client.get(reverse("datahub:publish", args=["inconnu"])).status_code == 404
    assert client.get(reverse("datahub:unpublish", args=[public.slug, 999999])).status_code == 404


def test_withdrawing_a_needed_legal_basis_withdraws_from_the_portals(
    hub, udata, django_capture_on_commit_callbacks
):
    ds = dataset(hub, title="Élus municipaux", licence="lov2")
    version = upload(hub, ds, PEOPLE_CSV)
    for column in version.blocking_columns():
        services.legal_basis_record(
            actor=hub.admin, dataset=ds, column=column, basis="Décret n° 2018-1117, élus."
        )
    services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")
    ds = Dataset.objects.get(pk=ds.pk)
    account = udata_account(hub, udata)
    publishing.dataset_publish(actor=hub.editor, dataset=ds, account=account)
    assert len(udata.live()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.legal_basis_remove(
            actor=hub.admin, dataset=ds, column=version.blocking_columns()[0]
        )
    assert Dataset.objects.get(pk=ds.pk).visibility == "private"
    assert udata.live() == []
    assert publication(ds, account).status == "deleted"


def test_a_publication_in_progress_refuses_a_second_one(hub, public, udata):
    from django.core.cache import cache

    account = udata_account(hub, udata)
    cache.add(f"datahub:publish:{public.pk}:{account.pk}", 1, timeout=60)
    try:
        with pytest.raises(Conflict) as error:
            publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
        assert error.value.code == "publish_in_progress"
        assert udata.live() == []
        # A dry run is never refused: it writes nothing.
        publishing.dataset_publish(actor=hub.editor, dataset=public, account=account, dry_run=True)
    finally:
        cache.delete(f"datahub:publish:{public.pk}:{account.pk}")
    publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert len(udata.live()) == 1
    # The lock is released after a publication, successful or not.
    publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert len(udata.live()) == 1


# --- Addresses that lead inside, keys in clear ---------------------------------------------------


def test_plain_http_portal_address_is_refused_in_production(hub, settings):
    settings.DATAHUB_PORTALS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationFailed) as error:
        publishing.portal_account_save(
            actor=hub.admin,
            organisation=hub.city,
            kind="udata",
            base_url="http://www.data.gouv.fr",
            api_key="cle-1234",
            remote_organisation="org-1",
        )
    assert "https://" in error.value.field_errors["base_url"][0]
    assert not PortalAccount.objects.exists()


def test_public_name_resolving_to_a_private_address_is_refused(hub, public, monkeypatch, settings):
    settings.DATAHUB_PORTALS_ALLOW_PRIVATE = False
    account = publishing.portal_account_save(
        actor=hub.admin,
        organisation=hub.city,
        kind="udata",
        base_url="https://portail.example.org",
        api_key="cle-1234",
        remote_organisation="org-1",
    )
    calls = []

    def inside(host, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", inside)
    with pytest.raises(PortalFailed) as error:
        publishing.dataset_publish(actor=hub.editor, dataset=public, account=account)
    assert error.value.code == "portal_private_address"
    assert calls == ["portail.example.org"]
    row = PortalPublication.objects.get(dataset=public, account=account)
    assert row.status == "failed" and "réseau privé" in row.last_error
