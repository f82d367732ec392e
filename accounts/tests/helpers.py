"""Reading the links out of the letters that the tests receive."""

import re
from urllib.parse import urlsplit

PASSWORD = "пароль-для-тестов-1"  # the one tests.factories.UserFactory sets

_LINK = re.compile(r"https?://\S+")


def link_path(message) -> str:
    """The path of the one link in a plain-text letter."""
    links = _LINK.findall(message.body)
    assert len(links) == 1, links
    return urlsplit(links[0]).path
