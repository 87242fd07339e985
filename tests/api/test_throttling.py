"""Rate limits: anonymous calls per IP address, token calls per user."""

import pytest

from mediane.api.throttling import client_ip, parse_rate

from .conftest import make_user, token_headers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    """Counters are per fixed window: keep every call of a test in the same one (a test that
    crossed a minute boundary saw its budget renewed)."""
    import types

    import mediane.api.throttling as throttling

    monkeypatch.setattr(throttling, "time", types.SimpleNamespace(time=lambda: 1_800_000_030.0))


def test_anonymous_calls_are_limited_per_address(client, settings):
    settings.API_RATE_ANON = "3/min"
    for _ in range(3):
        assert client.get("/api/v1/sectors").status_code == 200
    response = client.get("/api/v1/sectors")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # Another address still gets through.
    assert client.get("/api/v1/sectors", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_token_calls_have_their_own_budget_per_user(client, settings):
    settings.API_RATE_ANON = "1/min"
    settings.API_RATE_TOKEN = "4/min"
    alice = token_headers(make_user("alice@example.org"))
    bob = token_headers(make_user("bob@example.org"))
    assert client.get("/api/v1/sectors").status_code == 200
    assert client.get("/api/v1/sectors").status_code == 429  # anonymous budget spent
    for _ in range(4):
        assert client.get("/api/v1/sectors", **alice).status_code == 200
    assert client.get("/api/v1/me", **alice).status_code == 429
    assert client.get("/api/v1/sectors", **bob).status_code == 200


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7")
    settings.AXES_IPWARE_PROXY_COUNT = None
    assert client_ip(request) == "10.0.0.1"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request) == "7.7.7.7"


@pytest.mark.parametrize(
    "rate, expected",
    [("60/min", (60, 60)), ("600/m", (600, 60)), ("10/s", (10, 1)), ("1000/2h", (1000, 7200))],
)
def test_parse_rate(rate, expected):
    assert parse_rate(rate) == expected


def test_parse_rate_refuses_nonsense():
    with pytest.raises(ValueError):
        parse_rate("lots")
