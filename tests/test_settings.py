"""Settings come from the environment and fail loudly at start-up, naming the
variable; with no environment at all they make a working development setup.

Each case starts a fresh Python with only the given variables (plus PATH and
HOME); the cases run side by side, so the file takes a couple of seconds.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
POSTGIS = "postgis://nashgorod:secret@db.invalid:5432/nashgorod"  # never connected to

SHOW_SETTINGS = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashgorod.settings")
import django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(s.DATABASES["default"]["NAME"]),
    "CONN_MAX_AGE": s.DATABASES["default"].get("CONN_MAX_AGE"),
    "BROKER": s.CELERY_BROKER_URL,
    "CACHE": s.CACHES["default"]["BACKEND"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "SECRET_KEY_IS_DEV": s.SECRET_KEY.startswith("dev-only"),
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
}))
"""

BAD = {
    "DEBUG": {"DEBUG": "maybe"},
    "DATABASE_URL": {"DATABASE_URL": "mysql://nashgorod:secret@localhost/nashgorod"},
    "DATABASE_URL/sqlite": {"DATABASE_URL": "sqlite:///var/plain.sqlite3"},
    "REDIS_URL": {"REDIS_URL": "http://x"},
    "EMAIL_URL": {"EMAIL_URL": "foo://x"},
    "CONN_MAX_AGE": {"DATABASE_URL": POSTGIS, "CONN_MAX_AGE": "forever"},
    "CONN_MAX_AGE/negative": {"DATABASE_URL": POSTGIS, "CONN_MAX_AGE": "-1"},
    "SECRET_KEY": {"DEBUG": "false"},
}
GOOD = {
    "empty": {},
    "production": {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": POSTGIS,
        "REDIS_URL": "redis://cache.invalid:6379/0",
        "CONN_MAX_AGE": "0",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.invalid:587",
    },
}


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    cases = {**BAD, **GOOD}
    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        futures = {name: pool.submit(start, env) for name, env in cases.items()}
        return {name: future.result() for name, future in futures.items()}


def error_line(run: subprocess.CompletedProcess) -> str:
    """The exception's own line: a traceback's source lines name every
    variable anyway, so only the message counts."""
    return [line for line in run.stderr.splitlines() if line.strip()][-1]


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_value_stops_the_start_naming_the_variable(runs, case):
    run = runs[case]
    variable = case.split("/")[0]

    assert run.returncode != 0, run.stdout
    assert "ImproperlyConfigured" in error_line(run)
    assert variable in error_line(run)


def test_a_bad_value_is_quoted_so_the_operator_sees_what_was_read(runs):
    assert "'maybe'" in error_line(runs["DEBUG"])
    assert "'http://x'" in error_line(runs["REDIS_URL"])


def test_with_no_environment_the_portal_runs_on_spatialite_and_the_file_broker(runs):
    run = runs["empty"]
    assert run.returncode == 0, run.stderr
    settings = json.loads(run.stdout)

    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY_IS_DEV"]
    assert settings["ENGINE"] == "django.contrib.gis.db.backends.spatialite"
    assert settings["DB_NAME"] == str(PROJECT / "var" / "nashgorod.sqlite3")
    assert settings["BROKER"] == "filesystem://"
    assert settings["CACHE"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_production_settings_load_with_postgis_and_redis(runs):
    run = runs["production"]
    assert run.returncode == 0, run.stderr
    settings = json.loads(run.stdout)

    assert settings["DEBUG"] is False
    assert not settings["SECRET_KEY_IS_DEV"]
    assert settings["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert settings["CONN_MAX_AGE"] == 0
    assert settings["BROKER"] == "redis://cache.invalid:6379/0"
    assert settings["CACHE"] == "nashgorod.cache.ForgivingRedisCache"
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["SESSION_COOKIE_SECURE"] is True
