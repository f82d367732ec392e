"""DRF permissions over the same access helpers as the web (accounts.access,
backoffice.access): the capability decides. An anonymous caller gets 401
(DRF turns a refusal into NotAuthenticated when nobody is logged in), a
logged-in one without the capability 403. Which object a user may see is
decided by the apps' object helpers in the views (get_report_for_view …)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from accounts.access import require
from accounts.roles import Capability
from backoffice.access import require_office
from volunteers.access import require_active_volunteer


def _permission(name: str, check: Callable, message: str) -> type[BasePermission]:
    def has_permission(self, request, view):
        try:
            check(request.user)
        except PermissionDenied:
            return False
        return True

    return type(name, (BasePermission,), {"has_permission": has_permission, "message": message})


CanReport = _permission(
    "CanReport", partial(require, capability=Capability.REPORT), "Доступно зарегистрированным жителям."
)
CanEarnPoints = _permission(
    "CanEarnPoints", partial(require, capability=Capability.EARN_POINTS), "Баллы начисляются жителям."
)
CanModerate = _permission(
    "CanModerate", partial(require, capability=Capability.MODERATE), "Доступно только редакции."
)
CanAnswer = _permission(
    "CanAnswer",
    partial(require, capability=Capability.ANSWER),
    "Доступно сотрудникам организаций-исполнителей.",
)
CanSupervise = _permission(
    "CanSupervise", partial(require, capability=Capability.SUPERVISE), "Доступно контролирующим органам."
)
CanInspect = _permission(
    "CanInspect", partial(require, capability=Capability.INSPECT), "Доступно волонтёрам."
)
IsOffice = _permission(
    "IsOffice", require_office, "Кабинет доступен сотрудникам организаций и контролирующим органам."
)
IsActiveVolunteer = _permission(
    "IsActiveVolunteer", require_active_volunteer, "Доступно действующим волонтёрам."
)
