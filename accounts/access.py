"""Access helpers shared by the HTML views and the API.

Each returns quietly or raises PermissionDenied; objects that a user may not
see are reported as missing (Http404) by the object helpers of each app.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.roles import Capability, can


def require(user, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied(f"Недостаточно прав: {capability}")


def acts_for(user, organization) -> bool:
    """True when the user answers for this organization."""
    return (
        can(user, Capability.ANSWER) and organization is not None and user.organization_id == organization.pk
    )


def supervises(user, organization) -> bool:
    """True when the user's organization supervises this one, directly or
    higher up the chain (a prefecture over a district council, say)."""
    if not can(user, Capability.SUPERVISE) or organization is None:
        return False
    seen = set()
    current = organization.supervisor
    while current is not None and current.pk not in seen:
        if current.pk == user.organization_id:
            return True
        seen.add(current.pk)
        current = current.supervisor
    return False
