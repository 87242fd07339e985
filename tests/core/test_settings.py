"""Settings read from the environment have safe defaults.

Each case imports `mediane.settings` in a fresh interpreter with a controlled environment (the
settings module is evaluated once per process) and reads back the resolved values as JSON.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Variables that the host environment (CI, a developer shell) may set and that would change the
# outcome: the subprocess never inherits them.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")

_DUMP = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
from django.conf import settings as s
names = json.loads(os.environ["_DUMP_NAMES"])
print(json.dumps({n: getattr(s, n, None) for n in names}, default=str))
"""


def _run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in _INHERITED}
    base["MEDIANE_VAR_DIR"] = str(tmp_path / "var")
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=base,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def resolve(tmp_path: Path, *names: str, **env: str) -> dict:
    """The values of settings `names` when the given environment variables are set."""
    env["_DUMP_NAMES"] = json.dumps(names)
    result = _run(_DUMP, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_safe(tmp_path):
    values = resolve(
        tmp_path,
        "DEBUG",
        "ALLOWED_HOSTS",
        "SESSION_COOKIE_SECURE",
        "EMAIL_BACKEND",
        "TIME_ZONE",
        "USE_TZ",
        "CACHES",
        "STORAGES",
    )
    assert values["DEBUG"] is False
    assert set(values["ALLOWED_HOSTS"]) == {"127.0.0.1", "localhost", "[::1]"}
    assert values["SESSION_COOKIE_SECURE"] is False  # plain HTTP on localhost until MEDIANE_HTTPS
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["TIME_ZONE"] == "Europe/Paris"
    assert values["USE_TZ"] is True
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert values["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", False), ("0", False), ("false", False), ("1", True), ("true", True), ("oui", True)],
)
def test_debug_only_when_asked(tmp_path, raw, expected):
    assert resolve(tmp_path, "DEBUG", DEBUG=raw)["DEBUG"] is expected


def test_default_database_is_sqlite_under_var_in_wal_mode_with_busy_timeout(tmp_path):
    code = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "mediane.settings"
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
    cursor.execute("PRAGMA foreign_keys")
    fks = cursor.fetchone()[0]
print(json.dumps({"name": str(settings.DATABASES["default"]["NAME"]), "mode": mode,
                  "busy": busy, "fks": fks}))
"""
    result = _run(code, {}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(values["name"]) == (tmp_path / "var" / "mediane.sqlite3").resolve()
    assert values["mode"] == "wal"
    assert values["busy"] >= 5000  # milliseconds: writers wait instead of failing at once
    assert values["fks"] == 1
    assert (tmp_path / "var" / "mediane.sqlite3").exists()


def test_busy_timeout_is_configurable(tmp_path):
    values = resolve(tmp_path, "DATABASES", SQLITE_BUSY_TIMEOUT="7")
    assert values["DATABASES"]["default"]["OPTIONS"]["timeout"] == 7


def test_database_url_selects_postgresql_without_sqlite_options(tmp_path):
    values = resolve(
        tmp_path,
        "DATABASES",
        DATABASE_URL="postgres://mediane:s3cret@db.example.org:5433/mediane",
        DB_CONN_MAX_AGE="60",
    )
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.example.org",
        5433,
        "mediane",
        "mediane",
    )
    assert db["CONN_MAX_AGE"] == 60
    assert "init_command" not in db.get("OPTIONS", {})


def test_secret_key_generated_once_with_private_mode_and_stable(tmp_path):
    first = resolve(tmp_path, "SECRET_KEY")["SECRET_KEY"]
    path = tmp_path / "var" / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 50
    assert path.read_text().strip() == first
    second = resolve(tmp_path, "SECRET_KEY")["SECRET_KEY"]
    assert second == first  # sessions and signed tokens survive a restart


def test_secret_key_from_environment_is_not_written(tmp_path):
    values = resolve(tmp_path, "SECRET_KEY", SECRET_KEY="from-the-environment")
    assert values["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_two_var_dirs_get_different_keys(tmp_path):
    one = resolve(tmp_path / "a", "SECRET_KEY")["SECRET_KEY"]
    two = resolve(tmp_path / "b", "SECRET_KEY")["SECRET_KEY"]
    assert one != two


def test_email_url_is_parsed(tmp_path):
    values = resolve(
        tmp_path,
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        EMAIL_URL="submission://postmaster%40example.org:p%40ss@smtp.example.org:587",
        DEFAULT_FROM_EMAIL="Réseau <reseau@example.org>",
    )
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.example.org"
    assert values["EMAIL_PORT"] == 587
    assert values["EMAIL_HOST_USER"] == "postmaster@example.org"
    assert values["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert values["EMAIL_USE_TLS"] is True
    assert values["DEFAULT_FROM_EMAIL"] == "Réseau <reseau@example.org>"


def test_s3_storage_selected_when_bucket_is_set(tmp_path):
    values = resolve(
        tmp_path,
        "STORAGES",
        MEDIANE_S3_BUCKET="mediane-media",
        MEDIANE_S3_ENDPOINT_URL="https://s3.fr-par.example.org",
        MEDIANE_S3_REGION="fr-par",
        MEDIANE_S3_ACCESS_KEY="AKIAEXAMPLE",
        MEDIANE_S3_SECRET_KEY="example-secret",
    )
    default = values["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "mediane-media"
    assert options["endpoint_url"] == "https://s3.fr-par.example.org"
    assert options["region_name"] == "fr-par"
    assert options["access_key"] == "AKIAEXAMPLE"
    assert options["querystring_auth"] is True  # private URLs are signed
    assert options["file_overwrite"] is False


def test_https_behind_proxy_turns_on_secure_cookies_and_hsts(tmp_path):
    values = resolve(
        tmp_path,
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        MEDIANE_HTTPS="1",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_hosts_cache_and_time_zone_from_environment(tmp_path):
    values = resolve(
        tmp_path,
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "CACHES",
        "TIME_ZONE",
        ALLOWED_HOSTS="mediane.example.org, www.mediane.example.org",
        CSRF_TRUSTED_ORIGINS="https://mediane.example.org",
        CACHE_URL="redis://127.0.0.1:6379/1",
        TIME_ZONE="America/Toronto",
    )
    assert values["ALLOWED_HOSTS"] == ["mediane.example.org", "www.mediane.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://mediane.example.org"]
    assert values["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert values["TIME_ZONE"] == "America/Toronto"


def test_invalid_integer_gives_a_clear_error(tmp_path):
    env = {"MEDIANE_PAGE_SIZE": "vingt", "_DUMP_NAMES": json.dumps(["PAGE_SIZE"])}
    result = _run(_DUMP, env, tmp_path)
    assert result.returncode != 0
    assert "MEDIANE_PAGE_SIZE must be an integer" in result.stderr


def test_site_url_follows_the_local_port_unless_given(tmp_path):
    assert resolve(tmp_path, "SITE_URL")["SITE_URL"] == "http://127.0.0.1:8000"
    assert resolve(tmp_path, "SITE_URL", PORT="8123")["SITE_URL"] == "http://127.0.0.1:8123"
    assert resolve(tmp_path, "SITE_URL", PORT="abc")["SITE_URL"] == "http://127.0.0.1:8000"
    given = resolve(tmp_path, "SITE_URL", PORT="8123", MEDIANE_SITE_URL="https://m.example.org/")
    assert given["SITE_URL"] == "https://m.example.org"
