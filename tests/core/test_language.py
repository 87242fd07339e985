"""French first: the browser's language does not switch the interface, the language switch does."""

import pytest


@pytest.mark.django_db
def test_french_by_default_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "fr"
    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.django_db
def test_the_switch_selects_english_then_french(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").headers["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "fr"


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_french(client):
    client.cookies["django_language"] = "xx"
    assert client.get("/").headers["Content-Language"] == "fr"
