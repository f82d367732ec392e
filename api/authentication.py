"""The API's token authentication: DRF's, with the token's user read by SQL
compiled once (nashgorod.compiled), as the portal's session backend reads
the logged-in user (accounts.backends).

Every mobile call starts with this read; through the ORM (a select_related
get) its query building cost more than the query."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from nashgorod.compiled import CompiledLookup

_USERS_BY_TOKEN = CompiledLookup(
    lambda: get_user_model()._default_manager.all(), field="auth_token__key", kind=str
)


class PortalTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        # A NUL cannot be in a key, and PostgreSQL refuses it in a parameter.
        user = _USERS_BY_TOKEN.get(key) if "\x00" not in key else None
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # The token as read from the row: its key and user; `created` is
        # deferred (read if asked for).
        token = Token.from_db("default", ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token
