"""Throttles on the writes that cost the most or invite guessing. Rates are
settings (API_THROTTLE_RATES, from the environment); the counts live in the
shared cache (Redis in production, files under var/ otherwise), so every web
worker counts together."""

from __future__ import annotations

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from issues.models import Report


class ReportCreateThrottle(SimpleRateThrottle):
    """New reports per user per hour. A retry with the key of a report the
    user already filed is never refused: the view returns the report made
    the first time. Only a request over the limit is looked up as a retry,
    so a filing under it costs no query here (a retry under the limit is
    counted like any request)."""

    scope = "reports"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None  # the view refuses them anyway
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}

    def allow_request(self, request, view):
        if super().allow_request(request, view):
            return True
        key = view.submission_key(request)
        return bool(key) and Report.objects.filter(submission_key=key, author_id=request.user.pk).exists()


class LoginAddressThrottle(SimpleRateThrottle):
    """Login attempts per client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailThrottle(SimpleRateThrottle):
    """Login attempts per e-mail, from any address: guessing one account's
    password from many machines is slowed down too."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        # Hashed: an e-mail is not a safe cache key (length, spaces).
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
