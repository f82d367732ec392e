"""Points for a report whose answer confirms the defect: made once per report
however often the event is replayed, sized per topic, limited per day."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from issues.events import event_recorded
from issues.models import Outcome, ReportEvent
from loyalty import selectors, services
from loyalty.models import Entry, ProgrammeSettings, Reason, TopicPoints

pytestmark = pytest.mark.django_db


def awards_of(user):
    return list(Entry.objects.filter(user=user, reason=Reason.REPORT_CONFIRMED))


def test_publishing_a_done_answer_credits_the_author(
    town, resident, programme, django_capture_on_commit_callbacks
):
    report = town.in_work(resident)
    with django_capture_on_commit_callbacks(execute=True):
        event = town.answer(report, Outcome.DONE)
    [entry] = awards_of(resident)
    assert (entry.amount, entry.report_id, entry.event_id, entry.nominal) == (10, report.pk, event.pk, None)
    assert selectors.balance(resident) == 10


def test_a_planned_outcome_confirms_the_defect_too(town, resident, programme):
    event = town.answered(resident, Outcome.PLANNED)
    assert services.award_for_answer(event.pk).amount == 10


def test_no_violation_found_earns_nothing(town, resident, programme):
    event = town.answered(resident, Outcome.NO_VIOLATION)
    assert services.award_for_answer(event.pk) is None
    assert selectors.balance(resident) == 0


def test_other_events_earn_nothing(town, resident, programme):
    report = town.in_work(resident)
    published = report.events.get(kind="published")
    assert services.award_for_answer(published.pk) is None
    assert not awards_of(resident)


def test_the_topic_sets_the_amount(town, resident, topic, programme):
    TopicPoints.objects.create(topic=topic, points=25)
    event = town.answered(resident)
    assert services.award_for_answer(event.pk).amount == 25


def test_the_default_amount_comes_from_the_admin_settings(town, resident, programme):
    ProgrammeSettings.objects.filter(pk=1).update(report_points=7)
    event = town.answered(resident)
    assert services.award_for_answer(event.pk).amount == 7


def test_a_topic_worth_nothing_writes_nothing(town, resident, topic, programme):
    TopicPoints.objects.create(topic=topic, points=0)
    event = town.answered(resident)
    assert services.award_for_answer(event.pk) is None
    assert not awards_of(resident)


def test_replaying_the_event_awards_once(town, resident, programme, django_capture_on_commit_callbacks):
    event = town.answered(resident)
    for _ in range(3):
        # The hook itself, as a redelivery would call it, after commit.
        with django_capture_on_commit_callbacks(execute=True):
            event_recorded.send(
                sender=ReportEvent, event_id=event.pk, kind=event.kind, report_id=event.report_id
            )
    assert services.award_for_answer(event.pk) is None
    assert len(awards_of(resident)) == 1
    assert selectors.balance(resident) == 10


def test_the_database_refuses_a_second_award_for_one_report(town, resident, programme):
    """The guarantee is the unique constraint, not a check in Python."""
    from django.db import IntegrityError, transaction

    event = town.answered(resident)
    services.award_for_answer(event.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            user=resident, amount=10, reason=Reason.REPORT_CONFIRMED, report_id=event.report_id
        )


def test_a_second_published_answer_to_the_same_report_earns_nothing_more(
    town, resident, moderator, programme
):
    from issues import services as issues

    report = town.in_work(resident)
    first = town.answer(report)
    services.award_for_answer(first.pk)
    issues.reject_fix(resident, report.pk, "Мусор на месте.")
    issues.return_to_organization(moderator, report.pk)
    second = town.answer(report)
    assert services.award_for_answer(second.pk) is None
    assert len(awards_of(resident)) == 1


def test_the_daily_cap_cuts_the_award_that_crosses_it_and_records_the_rest_as_zero(town, resident, programme):
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=15)
    amounts = [services.award_for_answer(town.answered(resident).pk) for _ in range(3)]
    assert [(e.amount, e.nominal) for e in amounts] == [(10, None), (5, 10), (0, 10)]
    assert [e.capped for e in amounts] == [False, True, True]
    assert selectors.balance(resident) == 15
    assert selectors.earned_today(resident) == 15


def test_the_cap_starts_afresh_at_moscow_midnight(town, resident, programme):
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=10)
    late = timezone.make_aware(dt.datetime(2026, 3, 2, 23, 50))  # Moscow time
    with time_machine.travel(late, tick=False):
        capped_event = town.answered(resident)
        services.award_for_answer(town.answered(resident).pk)
        assert services.award_for_answer(capped_event.pk).amount == 0
    with time_machine.travel(late + dt.timedelta(minutes=20), tick=False):
        assert services.award_for_answer(town.answered(resident).pk).amount == 10
        # The award cut to zero yesterday is not paid again by a replay today.
        assert services.award_for_answer(capped_event.pk) is None
    assert selectors.balance(resident) == 20


def test_the_cap_is_per_user(town, resident, other_resident, programme):
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=10)
    services.award_for_answer(town.answered(resident).pk)
    assert services.award_for_answer(town.answered(other_resident).pk).amount == 10


def test_spending_does_not_free_room_under_the_cap(town, resident, programme):
    from loyalty.tests.helpers import reward_with_codes

    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=10)
    services.award_for_answer(town.answered(resident).pk)
    services.redeem(resident, reward_with_codes(price=10).pk)
    assert services.award_for_answer(town.answered(resident).pk).amount == 0


def test_a_cap_of_zero_means_no_limit(town, resident, programme):
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=0, report_points=500)
    services.award_for_answer(town.answered(resident).pk)
    assert services.award_for_answer(town.answered(resident).pk).amount == 500


def test_a_deactivated_author_earns_nothing(town, resident, programme):
    event = town.answered(resident)
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    assert services.award_for_answer(event.pk) is None


def test_a_failing_award_does_not_break_the_publishing(
    town, resident, programme, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(event_id):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(services, "award_for_answer", boom)
    report = town.in_work(resident)
    with django_capture_on_commit_callbacks(execute=True):
        event = town.answer(report)
    assert event is not None and not awards_of(resident)


def test_award_missed_points_replays_recent_answers_once(town, resident, programme):
    from django.core.management import call_command

    town.answered(resident)
    town.answered(resident)
    call_command("award_missed_points", verbosity=0)
    call_command("award_missed_points", verbosity=0)
    assert len(awards_of(resident)) == 2
