"""Points to a volunteer for each accepted inspection, once, under the same
daily cap; the amount is set in the admin's programme settings."""

import pytest

from accounts.models import Role
from loyalty import selectors, services
from loyalty.models import Entry, ProgrammeSettings, Reason
from tests.factories import UserFactory
from volunteers.models import Inspection
from volunteers.signals import announce_accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer():
    return UserFactory(role=Role.VOLUNTEER, full_name="Волонтёров Пётр")


def inspection(town, resident, volunteer, status=Inspection.Status.ACCEPTED) -> Inspection:
    """Test setup: an inspection in the given state (volunteers' services decide it for real)."""
    return Inspection.objects.create(
        report=town.in_work(resident), volunteer=volunteer, status=status, verdict=Inspection.Verdict.FIXED
    )


def awards_of(user):
    return list(Entry.objects.filter(user=user, reason=Reason.INSPECTION_ACCEPTED))


def test_an_accepted_inspection_pays_the_volunteer_once_per_replay(
    town, resident, volunteer, programme, django_capture_on_commit_callbacks
):
    task = inspection(town, resident, volunteer)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            announce_accepted(task.pk, volunteer.pk)
    [entry] = awards_of(volunteer)
    assert (entry.amount, entry.inspection_id, entry.report_id) == (20, task.pk, task.report_id)
    assert selectors.balance(volunteer) == 20
    assert selectors.balance(resident) == 0


def test_the_amount_comes_from_the_admin_settings(town, resident, volunteer, programme):
    ProgrammeSettings.objects.filter(pk=1).update(inspection_points=35)
    assert services.award_for_inspection(inspection(town, resident, volunteer).pk).amount == 35


def test_each_accepted_inspection_pays(town, resident, volunteer, programme):
    first = inspection(town, resident, volunteer)
    first.status = Inspection.Status.CANCELLED  # frees the report for another inspection
    first.save(update_fields=["status"])
    second = inspection(town, resident, volunteer)
    Inspection.objects.filter(pk=first.pk).update(status=Inspection.Status.ACCEPTED)
    assert services.award_for_inspection(first.pk) and services.award_for_inspection(second.pk)
    assert selectors.balance(volunteer) == 40


@pytest.mark.parametrize("status", [Inspection.Status.SUBMITTED, Inspection.Status.DECLINED])
def test_an_inspection_not_accepted_pays_nothing(town, resident, volunteer, programme, status):
    assert services.award_for_inspection(inspection(town, resident, volunteer, status).pk) is None
    assert not awards_of(volunteer)


def test_inspection_awards_count_towards_the_daily_cap(town, resident, volunteer, programme):
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=30)
    services.award_for_answer(town.answered(volunteer).pk)  # a volunteer reports too: 10
    entry = services.award_for_inspection(inspection(town, resident, volunteer).pk)
    assert (entry.amount, entry.nominal) == (20, None)
    assert selectors.earned_today(volunteer) == 30


def test_the_database_refuses_a_second_award_for_one_inspection(town, resident, volunteer, programme):
    from django.db import IntegrityError, transaction

    task = inspection(town, resident, volunteer)
    services.award_for_inspection(task.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(user=volunteer, amount=20, reason=Reason.INSPECTION_ACCEPTED, inspection=task)
