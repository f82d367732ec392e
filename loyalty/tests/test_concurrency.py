"""Requests for one account at the same moment, in threads with their own
connections: no code is issued twice, no balance goes below zero, an award is
made once and the daily cap holds. Needs real row locks: PostGIS."""

import uuid

import pytest
from django.db import connection

from loyalty import selectors, services
from loyalty.errors import InsufficientPoints, OutOfStock
from loyalty.models import Code, Entry, ProgrammeSettings, Reason
from loyalty.tests.helpers import credit, reward_with_codes
from tests.concurrency import race
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgis_only, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostGIS")


@pytest.fixture
def quiet_hook():
    """Outside a test transaction the award would already run on commit of
    publish_answer; these tests make the awards themselves, all at once."""
    from issues.events import event_recorded
    from issues.models import ReportEvent
    from loyalty import receivers

    event_recorded.disconnect(sender=ReportEvent, dispatch_uid="loyalty.on_event_recorded")
    yield
    event_recorded.connect(
        receivers.on_event_recorded, sender=ReportEvent, dispatch_uid="loyalty.on_event_recorded"
    )


def assert_codes_issued_once(reward):
    issued = list(Code.objects.filter(reward=reward, issued_to__isnull=False))
    paid = Entry.objects.filter(reason=Reason.REWARD, code__reward=reward)
    assert paid.count() == len(issued)
    assert len({c.value for c in issued}) == len(issued)
    assert sorted(paid.values_list("code_id", flat=True)) == sorted(c.pk for c in issued)
    return issued


def test_one_user_clicking_many_times_cannot_overspend(resident):
    credit(resident, 25)
    reward = reward_with_codes(price=10, codes=THREADS)
    results = race(*[lambda: services.redeem(resident, reward.pk) for _ in range(THREADS)])
    assert sum(isinstance(r, Code) for r in results) == 2
    assert sum(isinstance(r, InsufficientPoints) for r in results) == THREADS - 2
    assert selectors.balance(resident) == 5
    assert len(assert_codes_issued_once(reward)) == 2


def test_many_users_racing_for_a_small_stock_get_distinct_codes():
    users = [UserFactory() for _ in range(THREADS)]
    for user in users:
        credit(user, 10)
    reward = reward_with_codes(price=10, codes=3)
    results = race(*[lambda u=u: services.redeem(u, reward.pk) for u in users])
    winners = [r for r in results if isinstance(r, Code)]
    assert len(winners) == 3
    assert sum(isinstance(r, OutOfStock) for r in results) == THREADS - 3
    assert len({c.pk for c in winners}) == 3
    issued = assert_codes_issued_once(reward)
    assert {c.issued_to_id for c in issued} == {c.issued_to_id for c in winners}
    assert all(selectors.balance(u) >= 0 for u in users)
    assert sum(selectors.balance(u) for u in users) == 10 * (THREADS - 3)


def test_a_double_submit_with_one_key_spends_once(resident):
    credit(resident, 100)
    reward = reward_with_codes(price=10, codes=5)
    key = uuid.uuid4()
    results = race(*[lambda: services.redeem(resident, reward.pk, key=key) for _ in range(4)])
    assert all(isinstance(r, Code) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert selectors.balance(resident) == 90


def test_redeeming_and_donating_at_once_never_go_below_zero(resident):
    from loyalty.models import Fund

    credit(resident, 10)
    reward = reward_with_codes(price=10, codes=2)
    fund = Fund.objects.create(name="Фонд")
    results = race(
        lambda: services.redeem(resident, reward.pk),
        lambda: services.donate(resident, fund.pk, 10),
        lambda: services.redeem(resident, reward.pk),
        lambda: services.donate(resident, fund.pk, 10),
    )
    assert sum(isinstance(r, InsufficientPoints) for r in results) == 3
    assert selectors.balance(resident) == 0


def test_replaying_one_event_from_many_threads_awards_once(town, resident, quiet_hook):
    event = town.answered(resident)
    results = race(*[lambda: services.award_for_answer(event.pk) for _ in range(THREADS)])
    assert sum(isinstance(r, Entry) for r in results) == 1
    assert sum(r is None for r in results) == THREADS - 1
    assert Entry.objects.filter(report_id=event.report_id).count() == 1
    assert selectors.balance(resident) == 10


def test_awards_at_once_do_not_exceed_the_daily_cap(town, resident, quiet_hook):
    ProgrammeSettings.load()
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=25)
    events = [town.answered(resident) for _ in range(5)]
    results = race(*[lambda e=e: services.award_for_answer(e.pk) for e in events])
    assert all(isinstance(r, Entry) for r in results), results
    assert sorted(r.amount for r in results) == [0, 0, 5, 10, 10]
    assert selectors.balance(resident) == 25


def test_first_requests_of_a_new_user_make_one_account(resident):
    from loyalty.models import Account

    credit(resident, 100)
    reward = reward_with_codes(price=1, codes=THREADS)
    results = race(*[lambda: services.redeem(resident, reward.pk) for _ in range(THREADS)])
    assert all(isinstance(r, Code) for r in results), results
    assert Account.objects.filter(user=resident).count() == 1
    assert selectors.balance(resident) == 100 - THREADS
