"""What each role may do: the one place that decides.

Views, the API and the admin ask `can(user, capability)` or one of the
`require_*` helpers in accounts.access; no view checks a role by itself.
"""

from __future__ import annotations

from enum import StrEnum

from accounts.models import Role


class Capability(StrEnum):
    REPORT = "report"  # file a report, follow own reports, confirm or reject a fix
    EARN_POINTS = "earn_points"  # take part in the loyalty programme
    ANSWER = "answer"  # answer reports routed to one's own organization
    MODERATE = "moderate"  # the editorial desk: publish, reject, merge, settle
    INSPECT = "inspect"  # take volunteer inspection tasks
    SUPERVISE = "supervise"  # read escalations of organizations under one's own
    ADMINISTER = "administer"  # topics, organizations, districts, rewards


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.RESIDENT: frozenset({Capability.REPORT, Capability.EARN_POINTS}),
    Role.VOLUNTEER: frozenset({Capability.REPORT, Capability.EARN_POINTS, Capability.INSPECT}),
    Role.STAFF: frozenset({Capability.ANSWER}),
    Role.MODERATOR: frozenset({Capability.MODERATE}),
    Role.SUPERVISOR: frozenset({Capability.SUPERVISE}),
    Role.ADMINISTRATOR: frozenset({Capability.ADMINISTER, Capability.MODERATE}),
}


def capabilities(user) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user, capability: Capability) -> bool:
    return capability in capabilities(user)
