"""«Мои баллы», the catalog and the funds as a resident uses them: the POSTs
spend once, refusals are messages and take nothing; the lists cost a fixed
number of queries."""

import uuid

import pytest
from django.urls import reverse

from accounts.models import Role
from loyalty import selectors, services
from loyalty.models import Code, Entry, Fund, ProgrammeSettings, Reason
from loyalty.templatetags.points import points
from loyalty.tests.helpers import credit, reward_with_codes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("loyalty:my-points")
REWARDS = reverse("loyalty:rewards")
FUNDS = reverse("loyalty:funds")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def web(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def fund():
    return Fund.objects.create(name="Фонд помощи бездомным животным", description="Приюты Москвы.")


def redeem(client, reward, key=None):
    return client.post(reverse("loyalty:redeem", args=[reward.pk]), {"key": str(key or uuid.uuid4())})


def donate(client, fund, amount, key=None):
    prefix = f"fund-{fund.pk}"
    return client.post(
        reverse("loyalty:donate", args=[fund.pk]),
        {f"{prefix}-amount": amount, f"{prefix}-key": str(key or uuid.uuid4())},
    )


# --- «Мои баллы» ---------------------------------------------------------------


def test_my_points_shows_balance_history_with_links_and_codes(web, resident, town, programme):
    event = town.answered(resident)
    services.award_for_answer(event.pk)
    credit(resident, 20)
    code = services.redeem(resident, reward_with_codes(price=15, how_to_use="Покажите код на кассе.").pk)
    page = web.get(MINE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "15 баллов" in html  # 10 + 20 - 15
    assert reverse("public:report", args=[event.report_id]) in html
    assert "Сообщение подтверждено исполнителем" in html and "Получено поощрение" in html
    assert code.value in html and "Покажите код на кассе." in html
    assert "−15" in html or "-15" in html


def test_a_capped_award_says_so_in_the_history(web, resident, town, programme):
    ProgrammeSettings.objects.filter(pk=1).update(daily_cap=5)
    services.award_for_answer(town.answered(resident).pk)
    html = web.get(MINE).content.decode()
    assert "Полагалось 10: достигнут дневной лимит начислений." in html
    assert "из 5 возможных за сутки" in html


def test_my_points_costs_the_same_queries_for_many_entries(web, resident, django_assert_max_num_queries):
    reward = reward_with_codes(price=1, codes=40)
    credit(resident, 100)
    for _ in range(3):
        services.redeem(resident, reward.pk)
    with django_assert_max_num_queries(12) as few:
        web.get(MINE)
    for _ in range(25):
        services.redeem(resident, reward.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get(MINE)


def test_my_points_needs_a_login_and_a_resident(client):
    assert client.get(MINE).status_code == 302
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert client.get(MINE).status_code == 403


def test_the_navigation_and_the_profile_link_to_my_points(web, client):
    assert f'href="{MINE}"' in web.get(reverse("home")).content.decode()
    assert f'href="{MINE}"' in web.get(reverse("accounts:profile")).content.decode()
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert f'href="{MINE}"' not in client.get(reverse("home")).content.decode()


# --- The catalog and «Получить» ----------------------------------------------------


def test_the_catalog_offers_what_is_in_stock_and_affordable(web, resident):
    credit(resident, 20)
    cheap = reward_with_codes(price=10, title="Кофе в парке")
    dear = reward_with_codes(price=50, title="Билет в Третьяковку")
    empty = reward_with_codes(price=5, codes=0, title="Самокат")
    html = web.get(REWARDS).content.decode()
    assert all(r.title in html for r in (cheap, dear, empty))
    assert "не хватает 30 баллов" in html
    assert "закончились" in html
    assert html.count("disabled>Получить") == 2


def test_a_visitor_sees_the_catalog_without_buttons(client):
    reward_with_codes(title="Кофе в парке")
    html = client.get(REWARDS).content.decode()
    assert "Кофе в парке" in html and "Получить" not in html and "Войдите" in html


def test_the_catalog_costs_the_same_queries_for_many_rewards(web, django_assert_max_num_queries):
    reward_with_codes(title="Один")
    with django_assert_max_num_queries(12) as few:
        web.get(REWARDS)
    for i in range(10):
        reward_with_codes(title=f"Ещё {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get(REWARDS)


def test_getting_a_reward_shows_the_code_and_keeps_it(web, resident):
    credit(resident, 20)
    reward = reward_with_codes(price=15, title="Кофе в парке")
    response = redeem(web, reward)
    assert response.status_code == 302 and response.url == MINE + "#codes"
    code = Code.objects.get(issued_to=resident)
    [message] = messages_of(response)
    assert "«Кофе в парке» ваше" in message and code.value in message
    assert selectors.balance(resident) == 5


def test_a_double_click_spends_once(web, resident):
    credit(resident, 100)
    reward = reward_with_codes(price=15)
    key = uuid.uuid4()
    first, second = redeem(web, reward, key), redeem(web, reward, key)
    assert messages_of(second)[-1] == messages_of(first)[0]
    assert Entry.objects.filter(user=resident, reason=Reason.REWARD).count() == 1
    assert selectors.balance(resident) == 85


def test_not_enough_points_is_a_message_and_takes_nothing(web, resident):
    credit(resident, 5)
    reward = reward_with_codes(price=15)
    response = redeem(web, reward)
    assert response.url == REWARDS
    assert messages_of(response) == ["Недостаточно баллов: нужно 15, на вашем счёте 5."]
    assert selectors.balance(resident) == 5 and not Code.objects.filter(issued_to=resident).exists()


def test_an_empty_stock_is_a_message(web, resident):
    credit(resident, 50)
    response = redeem(web, reward_with_codes(price=15, codes=0, title="Самокат"))
    assert "Коды для «Самокат» закончились" in messages_of(response)[0]
    assert selectors.balance(resident) == 50


def test_a_broken_key_is_refused(web, resident):
    credit(resident, 50)
    reward = reward_with_codes(price=15)
    response = web.post(reverse("loyalty:redeem", args=[reward.pk]), {"key": "не-ключ"})
    assert response.status_code == 302 and messages_of(response)
    assert selectors.balance(resident) == 50


def test_redeeming_needs_post_and_a_resident(web, client):
    reward = reward_with_codes()
    assert web.get(reverse("loyalty:redeem", args=[reward.pk])).status_code == 405
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert redeem(client, reward).status_code == 403


# --- Funds ---------------------------------------------------------------------


def test_donating_through_the_page(web, resident, fund):
    credit(resident, 30)
    response = donate(web, fund, 12)
    assert response.url == FUNDS + f"#fund-{fund.pk}"
    assert messages_of(response) == [f"Спасибо! В фонд «{fund.name}» передано: 12 баллов."]
    assert selectors.balance(resident) == 18
    html = web.get(FUNDS).content.decode()
    assert 'Собрано: <strong class="fund-total">12 баллов</strong>' in html


def test_a_double_submitted_donation_gives_once(web, resident, fund):
    credit(resident, 30)
    key = uuid.uuid4()
    donate(web, fund, 10, key)
    donate(web, fund, 10, key)
    assert selectors.balance(resident) == 20


@pytest.mark.parametrize(
    "amount, message",
    [
        ("", "Укажите, сколько баллов пожертвовать."),
        ("0", "Укажите число баллов больше нуля."),
        ("1.5", "Укажите целое число баллов."),
    ],
)
def test_a_bad_amount_is_a_message_and_takes_nothing(web, resident, fund, amount, message):
    credit(resident, 30)
    assert messages_of(donate(web, fund, amount)) == [message]
    assert selectors.balance(resident) == 30


def test_donating_more_than_the_balance_is_a_message(web, resident, fund):
    credit(resident, 3)
    assert messages_of(donate(web, fund, 5)) == ["Недостаточно баллов: нужно 5, на вашем счёте 3."]


def test_the_funds_page_costs_the_same_queries_for_many_funds(web, django_assert_max_num_queries):
    Fund.objects.create(name="Первый")
    with django_assert_max_num_queries(12) as few:
        web.get(FUNDS)
    for i in range(10):
        Fund.objects.create(name=f"Фонд {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get(FUNDS)


@pytest.mark.parametrize(
    "n, text",
    [(1, "1 балл"), (3, "3 балла"), (5, "5 баллов"), (11, "11 баллов"), (21, "21 балл"), (112, "112 баллов")],
)
def test_points_are_counted_in_russian(n, text):
    assert points(n) == text
