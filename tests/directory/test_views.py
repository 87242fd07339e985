import io

import pytest
from django.urls import reverse
from PIL import Image

from mediane.directory import services
from mediane.directory.models import Organisation
from tests.directory.factories import (
    ExpertFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    member_of,
    org_input,
)

pytestmark = pytest.mark.django_db
LIST = reverse("directory:list")


def test_list_page_renders_cards_and_facets(client):
    OrganisationFactory(name="Inkub", kind="incubateur", summary="Incubateur de Nevers")
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Inkub" in html and "Incubateur de Nevers" in html
    assert 'name="kind"' in html and 'name="sector"' in html
    assert 'for="directory-q"' in html
    assert "1 organisation" in html


@pytest.mark.parametrize(
    "query",
    [
        "?kind=zzz&sector=999&page=abc",
        "?country=ZZ&territory=%00&medium_city=peut-etre",
        "?page=-3",
        "?q=la%00ine&sector=%00",
        "?page=99999999999999999999",
        "?q=%22laine&kind=" + "x" * 500,
        "?q=a+AND+(&sector=",
        "?q=<script>alert(1)</script>",
    ],
)
def test_bad_filters_never_500(client, query):
    OrganisationFactory(name="Inkub")
    response = client.get(LIST + query)
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


def test_unknown_filter_shows_a_message(client):
    response = client.get(LIST + "?kind=zzz")
    assert "Filtre ignoré" in response.content.decode()


def test_list_query_count_is_bounded(client, django_assert_max_num_queries):
    territory = TerritoryFactory()
    for i in range(30):
        OrganisationFactory(name=f"Org {i}", territory=territory)
    with django_assert_max_num_queries(14):
        response = client.get(LIST + "?kind=startup&sector=sport")
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert response.content.decode().count('class="card"') == 20


def test_htmx_request_gets_the_results_fragment(client):
    OrganisationFactory(name="Inkub")
    response = client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="directory-body"' in html
    assert "<html" not in html


def test_organisation_page(client):
    territory = TerritoryFactory(name="Lourdes")
    organisation = OrganisationFactory(
        name="Laines",
        territory=territory,
        siren="732829320",
        description="<p>Texte</p>",
        website="https://example.org",
    )
    ExpertFactory(name="Alice", organisation=organisation)
    response = client.get(organisation.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "732829320" in html and "Alice" in html and "Lourdes" in html
    assert 'id="organisation-map"' in html and 'data-lat="45.0"' in html
    assert "Modifier" not in html


def test_stored_script_is_not_rendered(client):
    organisation = OrganisationFactory(
        name="<b>Nom</b>", description="<script>alert(1)</script><p>ok</p>"
    )
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;Nom&lt;/b&gt;" in html


def test_private_organisation_is_404_for_outsiders(client):
    organisation = OrganisationFactory(visibility="private")
    assert client.get(organisation.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(organisation.get_absolute_url()).status_code == 404
    assert organisation.name.encode() not in client.get(LIST).content
    export = client.get(reverse("directory:export"))
    assert organisation.name.encode() not in b"".join(export.streaming_content)
    client.force_login(member_of(organisation))
    assert client.get(organisation.get_absolute_url()).status_code == 200


def test_create_form_flow(client):
    user = UserFactory()
    url = reverse("directory:organisation_create")
    assert client.get(url).status_code == 302  # login required
    client.force_login(user)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Tiers-lieu",
            "kind": "tiers-lieu",
            "country": "FR",
            "visibility": "public",
            "siret": "123",
        },
    )
    assert response.status_code == 200
    assert "Le SIRET doit comporter 14 chiffres." in response.content.decode()
    assert not Organisation.objects.exists()
    territory = TerritoryFactory(code="65286", name="Lourdes")
    response = client.post(
        url,
        {
            "name": "Tiers-lieu",
            "kind": "tiers-lieu",
            "country": "FR",
            "visibility": "public",
            "territory": "65286",
            "sectors": ["tourisme", "sport"],
            "description": "<p>Bienvenue<script>x()</script></p>",
        },
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    assert organisation.territory == territory
    assert organisation.description == "<p>Bienvenue</p>"


def test_unknown_territory_code_is_a_form_error(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("directory:organisation_create"),
        {
            "name": "X",
            "kind": "startup",
            "country": "FR",
            "visibility": "public",
            "territory": "00000",
        },
    )
    assert "Territoire introuvable" in response.content.decode()


def test_edit_logo_and_delete_permissions(client):
    admin = UserFactory()
    organisation = services.organisation_create(actor=admin, data=org_input())
    edit = reverse("directory:organisation_edit", args=[organisation.slug])
    logo = reverse("directory:organisation_logo", args=[organisation.slug])
    delete = reverse("directory:organisation_delete", args=[organisation.slug])
    client.force_login(member_of(organisation, "member"))
    assert client.get(edit).status_code == 403
    client.force_login(member_of(organisation, "editor"))
    assert client.get(edit).status_code == 200
    assert client.get(delete).status_code == 403
    response = client.post(
        edit, {"name": "Nouveau nom", "kind": "pme", "country": "FR", "visibility": "public"}
    )
    assert response.status_code == 302
    fake = io.BytesIO(b"pas une image")
    fake.name = "logo.png"
    response = client.post(logo, {"logo": fake})
    assert response.status_code == 200
    assert "image lisible" in response.content.decode()
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, format="PNG")
    buffer.name = "logo.png"
    buffer.seek(0)
    assert client.post(logo, {"logo": buffer}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo
    client.force_login(admin)
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not Organisation.objects.exists()


def test_export_csv_follows_filters(client):
    OrganisationFactory(name="Inkub", kind="incubateur")
    OrganisationFactory(name="=HYPERLINK()", kind="startup")
    response = client.get(reverse("directory:export") + "?kind=startup")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Inkub" not in body
    assert "'=HYPERLINK()" in body


def test_expert_pages(client):
    expert = ExpertFactory(name="Alice", headline="Données ouvertes")
    hidden = ExpertFactory(name="Bob", visibility="network")
    response = client.get(reverse("directory:expert_list"))
    assert response.status_code == 200
    assert "Alice" in response.content.decode() and "Bob" not in response.content.decode()
    assert client.get(expert.get_absolute_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("directory:expert_list") + "?kind=zzz&page=x").status_code == 200
