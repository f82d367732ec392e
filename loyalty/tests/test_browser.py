"""«Получить» and «Пожертвовать» in a real Chromium: a double click spends
once, the code is shown in «Мои баллы», the nav leads there."""

import os

import pytest

from loyalty import selectors
from loyalty.models import Entry, Fund, Reason
from loyalty.tests.helpers import credit, reward_with_codes
from tests.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("LOYALTY_SCREENSHOTS")  # a folder: save the pages for a look


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def page(browser_page, live_server, resident):
    browser_login(browser_page, live_server.url, resident.email)
    return browser_page


def test_a_double_click_on_get_spends_once_and_shows_the_code(page, live_server, resident):
    credit(resident, 70)
    reward = reward_with_codes(price=50, codes=3, how_to_use="Покажите код на кассе.")
    reward_with_codes(price=100, title="Экскурсия по Зарядью")
    page.goto(live_server.url + "/")
    page.click("text=Мои баллы")
    page.click("text=Каталог поощрений")
    shot(page, "rewards")
    page.locator(f"#reward-{reward.pk} button").dblclick()
    page.wait_for_url("**/points/#codes")
    shot(page, "my_points")
    code = resident.loyalty_codes.get()
    assert code.value in page.inner_text("#codes ~ table")
    assert Entry.objects.filter(user=resident, reason=Reason.REWARD).count() == 1
    assert selectors.balance(resident) == 20


def test_donating_from_the_funds_page(page, live_server, resident):
    credit(resident, 30)
    fund = Fund.objects.create(name="Добрый город", description="Помощь пожилым.")
    page.goto(live_server.url + "/points/funds/")
    page.fill(f"#id_fund-{fund.pk}-amount", "12")
    page.click(f"#fund-{fund.pk} button")
    page.wait_for_selector(".messages")
    shot(page, "funds")
    assert "Собрано: 12 баллов" in page.inner_text(f"#fund-{fund.pk}")
    assert selectors.balance(resident) == 18
