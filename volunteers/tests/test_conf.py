"""The inspection settings come from the environment and fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from volunteers import conf

PROJECT = Path(__file__).resolve().parents[2]
SHOW = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashgorod.settings")
import django
django.setup()
from volunteers import conf
print(conf.sample_percent(), conf.sample_days(), conf.take_duration().total_seconds())
"""


def start(**env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    if "REFERENCE_DATA_DIR" in os.environ:
        clean["REFERENCE_DATA_DIR"] = os.environ["REFERENCE_DATA_DIR"]
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_environment_sets_the_share_the_window_and_the_time():
    run = start(INSPECTION_SAMPLE_PERCENT="12", INSPECTION_SAMPLE_DAYS="5", INSPECTION_TAKE_HOURS="24")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["12", "5", "86400.0"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INSPECTION_SAMPLE_PERCENT", "150"),
        ("INSPECTION_SAMPLE_PERCENT", "пять"),
        ("INSPECTION_TAKE_HOURS", "0"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(name, value):
    run = start(**{name: value})
    assert run.returncode != 0
    last = [line for line in run.stderr.splitlines() if line.strip()][-1]
    assert "ImproperlyConfigured" in last and name in last


def test_the_defaults():
    assert django_settings.INSPECTION_SAMPLE_PERCENT == conf.sample_percent() == 5
    assert conf.sample_days() == 3 and conf.take_duration().total_seconds() == 48 * 3600
