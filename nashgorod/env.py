"""Typed reads of the environment that fail loudly, naming the variable.

django-environ parses the values; these helpers turn its silent fallbacks
(an unknown boolean word reads as False, an unknown database scheme raises a
bare KeyError) into an ImproperlyConfigured that says which variable is wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

env = environ.Env()


def _bad(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _bad(name, raw, "one of 1/0, true/false, yes/no, on/off")


def get_str(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else raw


def get_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(name, raw, "an integer") from None
    if minimum is not None and value < minimum:
        raise _bad(name, raw, f"an integer of at least {minimum}")
    return value


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


GIS_ENGINES = {
    "django.contrib.gis.db.backends.postgis",
    "django.contrib.gis.db.backends.spatialite",
}


def get_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in ("postgis", "spatialite"):
        raise _bad(name, raw, "a postgis://… or spatialite:///… URL")
    try:
        config = env.db_url_config(raw)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise _bad(name, raw, f"a database URL ({exc})") from None
    if config["ENGINE"] not in GIS_ENGINES:
        raise _bad(name, raw, "a postgis://… or spatialite:///… URL")
    if scheme == "spatialite" and not config.get("NAME"):
        raise _bad(name, raw, "spatialite:///path/to/file.sqlite3")
    return config


def get_url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name) or default
    if raw is None:
        return None
    if urlparse(raw).scheme not in schemes:
        raise _bad(name, raw, "a URL with scheme " + " or ".join(f"{s}://" for s in schemes))
    return raw


def get_email(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        return env.email_url_config(raw)
    except Exception:
        raise _bad(name, raw, "smtp://, smtp+tls://, consolemail:// or similar") from None


def get_dir(name: str, default: Path, must_exist: bool = False) -> Path:
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw else default
    path = path.resolve()
    if must_exist and not path.is_dir():
        raise _bad(name, str(path), "an existing folder")
    return path
