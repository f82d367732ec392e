"""The tunables of volunteer inspections, from settings (nashgorod/settings.py
reads them from the environment) with the defaults below."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

# A photo whose original GPS lies further than this from the report is flagged.
FAR_METRES = 200
# How many tasks one volunteer may hold at once.
MAX_TAKEN_AT_ONCE = 3


def sample_percent() -> int:
    """The share of «done» answers drawn for an inspection, in percent."""
    return int(getattr(settings, "INSPECTION_SAMPLE_PERCENT", 5))


def sample_days() -> int:
    """How many days back the sample looks for «done» answers."""
    return int(getattr(settings, "INSPECTION_SAMPLE_DAYS", 3))


def take_duration() -> dt.timedelta:
    """How long a taken task stays the volunteer's alone."""
    return dt.timedelta(hours=int(getattr(settings, "INSPECTION_TAKE_HOURS", 48)))
