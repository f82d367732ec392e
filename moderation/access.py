"""The one access rule of the editorial desk: every view needs the moderate
capability. Anonymous users are sent to log in; everyone else without the
capability gets 403 (accounts.access.require)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from accounts.access import require
from accounts.roles import Capability


def moderator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require(request.user, Capability.MODERATE)
        return view(request, *args, **kwargs)

    return wrapped
