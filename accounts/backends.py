"""The portal's authentication backend: Django's ModelBackend, with the
logged-in user read by SQL compiled once (nashgorod.compiled).

Every desk and back-office request loads its user. Through the ORM, building
and compiling that one query cost about as much CPU as the desk's queue
itself reading its rows; the SQL does not change from one request to the
next.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from nashgorod.compiled import CompiledLookup

_USERS = CompiledLookup(lambda: get_user_model()._default_manager.all())


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _USERS.get(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
