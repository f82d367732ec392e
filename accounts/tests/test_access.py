import pytest
from django.core.exceptions import PermissionDenied

from accounts.access import acts_for, require, supervises
from accounts.models import Role
from accounts.roles import Capability
from organizations.models import Kind, Organization
from tests.factories import UserFactory, council_of, housing_of, staff_of, supervisor_of

pytestmark = pytest.mark.django_db


def prefecture_of(district_name: str) -> Organization:
    return Organization.objects.get(kind=Kind.PREFECTURE, districts__name=district_name)


@pytest.fixture
def tverskoy_housing():
    return housing_of("Тверской")


def test_staff_acts_for_own_organization(tverskoy_housing):
    assert acts_for(staff_of(tverskoy_housing), tverskoy_housing)


def test_staff_does_not_act_for_another_organization(tverskoy_housing):
    staff = staff_of(tverskoy_housing)

    assert not acts_for(staff, housing_of("Аэропорт"))
    assert not acts_for(staff, council_of("Тверской"))
    assert not acts_for(staff, None)


def test_moderator_acts_for_no_organization(tverskoy_housing):
    moderator = UserFactory(role=Role.MODERATOR)
    # Even with an organization set, the role gives no right to answer.
    administrator = UserFactory(role=Role.ADMINISTRATOR, organization=tverskoy_housing)

    assert not acts_for(moderator, tverskoy_housing)
    assert not acts_for(administrator, tverskoy_housing)


def test_inactive_staff_acts_for_nothing(tverskoy_housing):
    assert not acts_for(staff_of(tverskoy_housing, is_active=False), tverskoy_housing)


def test_prefecture_supervises_council_and_housing_two_levels_down():
    prefecture = prefecture_of("Тверской")
    council = council_of("Тверской")
    housing = housing_of("Тверской")
    # The chain the assertion walks: housing -> council -> prefecture.
    assert housing.supervisor == council and council.supervisor == prefecture
    supervisor = supervisor_of(prefecture)

    assert supervises(supervisor, council)
    assert supervises(supervisor, housing)


def test_prefecture_does_not_supervise_another_okrug():
    supervisor = supervisor_of(prefecture_of("Тверской"))
    other = housing_of("Аэропорт")
    assert other.okrug != housing_of("Тверской").okrug

    assert not supervises(supervisor, other)
    assert not supervises(supervisor, council_of("Аэропорт"))


def test_nobody_supervises_own_organization_or_none():
    prefecture = prefecture_of("Тверской")
    supervisor = supervisor_of(prefecture)

    assert not supervises(supervisor, prefecture)
    assert not supervises(supervisor, None)


def test_staff_of_the_council_does_not_supervise_its_housing_service():
    staff = staff_of(council_of("Тверской"))

    assert not supervises(staff, housing_of("Тверской"))


def test_supervision_chain_with_a_cycle_ends():
    council = council_of("Тверской")
    housing = housing_of("Тверской")
    council.supervisor = housing
    council.save(update_fields=["supervisor"])
    supervisor = supervisor_of(prefecture_of("Тверской"))

    assert not supervises(supervisor, housing)


def test_require_raises_permission_denied():
    resident = UserFactory()

    require(resident, Capability.REPORT)
    with pytest.raises(PermissionDenied):
        require(resident, Capability.MODERATE)
