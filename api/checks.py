"""Start-up checks: a throttle rate from the environment that DRF cannot
read must stop the start, not fail the first request that meets it."""

from django.conf import settings
from django.core.checks import Error, register
from rest_framework.throttling import SimpleRateThrottle


@register()
def throttle_rates(app_configs, **kwargs):
    errors = []
    for scope, rate in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).items():
        if rate is None:
            continue  # no limit
        try:
            count, seconds = SimpleRateThrottle.parse_rate(None, rate)
            valid = count > 0 and seconds > 0
        except (ValueError, KeyError, IndexError, AttributeError):
            valid = False
        if not valid:
            errors.append(
                Error(
                    f"Throttle rate {rate!r} for {scope!r} is not «N/second|minute|hour|day».",
                    hint="Check API_REPORTS_RATE, API_LOGIN_RATE and API_LOGIN_EMAIL_RATE.",
                    id="api.E001",
                )
            )
    return errors
