"""Helpers for the browser tests (the `browser_page` fixture is in conftest.py)."""

TEST_PASSWORD = "пароль-для-тестов-1"  # noqa: S105 - the factories' password


def browser_login(page, base_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
