"""The role matrix: what each role may do, written out in full on purpose.

The table is not derived from accounts.roles.ROLE_CAPABILITIES: a change
there must be made here too, by someone who meant it.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, User
from accounts.roles import Capability, can, capabilities

C = Capability
COLUMNS = (C.REPORT, C.EARN_POINTS, C.ANSWER, C.MODERATE, C.INSPECT, C.SUPERVISE, C.ADMINISTER)

# fmt: off
MATRIX = {
    #                    REPORT EARN ANSWER MODERATE INSPECT SUPERVISE ADMINISTER
    Role.RESIDENT:      (True,  True,  False, False,   False,  False,    False),
    Role.STAFF:         (False, False, True,  False,   False,  False,    False),
    Role.MODERATOR:     (False, False, False, True,    False,  False,    False),
    Role.VOLUNTEER:     (True,  True,  False, False,   True,   False,    False),
    Role.SUPERVISOR:    (False, False, False, False,   False,  True,     False),
    Role.ADMINISTRATOR: (False, False, False, True,    False,  False,    True),
}
# fmt: on

CASES = [
    pytest.param(role, capability, allowed, id=f"{role.value}-{capability.value}")
    for role, row in MATRIX.items()
    for capability, allowed in zip(COLUMNS, row, strict=True)
]


def test_matrix_covers_every_role_and_capability():
    assert set(MATRIX) == set(Role)
    assert set(COLUMNS) == set(Capability)
    assert len(COLUMNS) == len(set(COLUMNS))


@pytest.mark.parametrize(("role", "capability", "allowed"), CASES)
def test_role_capability(role, capability, allowed):
    user = User(email="x@example.test", role=role, is_active=True)

    assert can(user, capability) is allowed


@pytest.mark.parametrize("role", list(Role))
def test_inactive_user_has_no_capability(role):
    user = User(email="x@example.test", role=role, is_active=False)

    assert capabilities(user) == frozenset()
    assert not any(can(user, c) for c in Capability)


@pytest.mark.parametrize("user", [AnonymousUser(), None], ids=["anonymous", "none"])
def test_anonymous_has_no_capability(user):
    assert capabilities(user) == frozenset()
    assert not any(can(user, c) for c in Capability)


def test_unknown_role_has_no_capability():
    user = User(email="x@example.test", role="mayor", is_active=True)

    assert capabilities(user) == frozenset()
