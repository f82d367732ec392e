"""Redeeming a reward and donating to a fund: the points go and the code comes
in one step; a refusal takes nothing; a second click spends once."""

import uuid

import pytest

from accounts.models import Role
from loyalty import selectors, services
from loyalty.errors import (
    FundUnavailable,
    InsufficientPoints,
    InvalidAmount,
    InvalidCodes,
    KeyReused,
    NotAMember,
    OutOfStock,
    RewardUnavailable,
)
from loyalty.models import Code, Donation, Entry, Fund, Reason, Reward
from loyalty.tests.helpers import credit, reward_with_codes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def unused(reward):
    return Code.objects.filter(reward=reward, issued_to__isnull=True).count()


def spends_of(user):
    return Entry.objects.filter(user=user, amount__lt=0)


def test_redeeming_takes_the_price_and_hands_out_one_code(resident):
    credit(resident, 25)
    reward = reward_with_codes(price=10, codes=3)
    code = services.redeem(resident, reward.pk)
    code.refresh_from_db()
    assert code.issued_to == resident and code.issued_at is not None
    [entry] = spends_of(resident)
    assert (entry.amount, entry.reason, entry.reward, entry.code) == (-10, Reason.REWARD, reward, code)
    assert selectors.balance(resident) == 15
    assert unused(reward) == 2
    assert list(selectors.codes_received(resident)) == [code]


def test_two_redemptions_give_two_different_codes(resident):
    credit(resident, 30)
    reward = reward_with_codes(price=10)
    assert services.redeem(resident, reward.pk) != services.redeem(resident, reward.pk)
    assert selectors.balance(resident) == 10


def test_not_enough_points_takes_nothing(resident):
    credit(resident, 9)
    reward = reward_with_codes(price=10)
    with pytest.raises(InsufficientPoints) as exc:
        services.redeem(resident, reward.pk)
    assert exc.value.code == "insufficient_points"
    assert "нужно 10, на вашем счёте 9" in exc.value.messages[0]
    assert selectors.balance(resident) == 9 and unused(reward) == 3 and not spends_of(resident).exists()


def test_an_empty_stock_is_a_clear_message_and_takes_nothing(resident):
    credit(resident, 50)
    reward = reward_with_codes(price=10, codes=0, title="Промокод на самокат")
    with pytest.raises(OutOfStock) as exc:
        services.redeem(resident, reward.pk)
    assert exc.value.code == "out_of_stock"
    assert "«Промокод на самокат» закончились" in exc.value.messages[0]
    assert selectors.balance(resident) == 50


def test_the_last_code_goes_and_then_the_stock_is_empty(resident):
    credit(resident, 50)
    reward = reward_with_codes(price=10, codes=1)
    services.redeem(resident, reward.pk)
    with pytest.raises(OutOfStock):
        services.redeem(resident, reward.pk)
    assert selectors.balance(resident) == 40


def test_an_inactive_or_missing_reward_is_refused(resident):
    credit(resident, 50)
    reward = reward_with_codes(price=10, is_active=False)
    for reward_id in (reward.pk, 999_999):
        with pytest.raises(RewardUnavailable) as exc:
            services.redeem(resident, reward_id)
        assert exc.value.code == "reward_unavailable"
    assert selectors.balance(resident) == 50


def test_staff_and_moderators_take_no_part():
    moderator = UserFactory(role=Role.MODERATOR)
    with pytest.raises(NotAMember) as exc:
        services.redeem(moderator, reward_with_codes().pk)
    assert exc.value.code == "forbidden"


def test_a_volunteer_may_redeem():
    volunteer = UserFactory(role=Role.VOLUNTEER)
    credit(volunteer, 10)
    assert services.redeem(volunteer, reward_with_codes(price=10).pk).issued_to_id == volunteer.pk


def test_the_same_key_sent_twice_spends_once_and_returns_the_same_code(resident):
    credit(resident, 50)
    reward = reward_with_codes(price=10)
    key = uuid.uuid4()
    first = services.redeem(resident, reward.pk, key=key)
    second = services.redeem(resident, reward.pk, key=key)
    assert first == second
    assert spends_of(resident).count() == 1 and selectors.balance(resident) == 40


def test_a_fresh_key_is_a_second_request(resident):
    credit(resident, 50)
    reward = reward_with_codes(price=10)
    services.redeem(resident, reward.pk, key=uuid.uuid4())
    services.redeem(resident, reward.pk, key=uuid.uuid4())
    assert spends_of(resident).count() == 2


def test_a_key_used_for_another_reward_is_refused(resident):
    credit(resident, 50)
    key = uuid.uuid4()
    services.redeem(resident, reward_with_codes(price=10).pk, key=key)
    with pytest.raises(KeyReused):
        services.redeem(resident, reward_with_codes(price=10, title="Другое").pk, key=key)
    assert selectors.balance(resident) == 40


def test_keys_are_per_user(resident, other_resident):
    credit(resident, 10)
    credit(other_resident, 10)
    reward = reward_with_codes(price=10)
    key = uuid.uuid4()
    assert services.redeem(resident, reward.pk, key=key) != services.redeem(
        other_resident, reward.pk, key=key
    )


# --- Donations -----------------------------------------------------------------


@pytest.fixture
def fund():
    return Fund.objects.create(name="Фонд «Старость в радость»")


def test_donating_moves_points_to_the_fund(resident, other_resident, fund):
    credit(resident, 30)
    credit(other_resident, 30)
    donation = services.donate(resident, fund.pk, 12)
    services.donate(resident, fund.pk, 3)
    services.donate(other_resident, fund.pk, 5)
    [entry, _] = spends_of(resident).order_by("pk")
    assert (entry.amount, entry.reason, entry.donation) == (-12, Reason.DONATION, donation)
    assert selectors.balance(resident) == 15
    [row] = selectors.funds()
    assert (row.total, row.donors) == (20, 2)


def test_donating_more_than_the_balance_takes_nothing(resident, fund):
    credit(resident, 5)
    with pytest.raises(InsufficientPoints):
        services.donate(resident, fund.pk, 6)
    assert selectors.balance(resident) == 5 and not Donation.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, "abc", None, 2.5, 10_000_001])
def test_a_bad_amount_is_refused_on_its_field(resident, fund, amount):
    credit(resident, 50)
    with pytest.raises(InvalidAmount) as exc:
        services.donate(resident, fund.pk, amount)
    assert (exc.value.code, exc.value.field) == ("invalid_amount", "amount")
    assert selectors.balance(resident) == 50


def test_a_closed_fund_is_refused(resident, fund):
    credit(resident, 50)
    Fund.objects.filter(pk=fund.pk).update(is_active=False)
    with pytest.raises(FundUnavailable):
        services.donate(resident, fund.pk, 10)


def test_the_same_donation_form_sent_twice_gives_once(resident, fund):
    credit(resident, 50)
    key = uuid.uuid4()
    assert services.donate(resident, fund.pk, 10, key=key) == services.donate(resident, fund.pk, 10, key=key)
    assert selectors.balance(resident) == 40
    with pytest.raises(KeyReused):
        services.donate(resident, fund.pk, 20, key=key)
    with pytest.raises(KeyReused):
        services.redeem(resident, reward_with_codes().pk, key=key)


def test_the_ledger_refuses_a_positive_spend_or_a_negative_award(resident):
    from django.db import IntegrityError, transaction

    reward = reward_with_codes()
    code = reward.codes.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(user=resident, amount=10, reason=Reason.REWARD, reward=reward, code=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        credit(resident, -10)


def test_a_code_is_paid_for_once_by_the_database(resident, other_resident):
    from django.db import IntegrityError, transaction

    credit(resident, 10)
    code = services.redeem(resident, reward_with_codes(price=10).pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            user=other_resident, amount=-10, reason=Reason.REWARD, reward=code.reward, code=code
        )


# --- Loading codes -------------------------------------------------------------------


def test_loading_codes_drops_blanks_repeats_and_codes_already_loaded():
    reward = Reward.objects.create(title="Парк Горького", partner="Парк", price=50)
    assert services.load_codes(reward, "A1\n  A2 \n\nA1\nA3\n") == (3, 1)
    assert services.load_codes(reward, "A3\nA4") == (1, 1)
    assert sorted(reward.codes.values_list("value", flat=True)) == ["A1", "A2", "A3", "A4"]


def test_the_same_code_may_belong_to_two_rewards():
    one = Reward.objects.create(title="Один", partner="П", price=1)
    two = Reward.objects.create(title="Два", partner="П", price=1)
    assert services.load_codes(one, "X") == (1, 0) and services.load_codes(two, "X") == (1, 0)


def test_a_code_too_long_loads_nothing():
    reward = Reward.objects.create(title="Один", partner="П", price=1)
    with pytest.raises(InvalidCodes) as exc:
        services.load_codes(reward, "ok\n" + "x" * 201)
    assert exc.value.field == "codes" and not reward.codes.exists()
