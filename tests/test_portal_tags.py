"""{% once %}: a part of a page rendered once per process, language and URL prefix."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import set_script_prefix
from django.utils import translation

ENGINE = Engine(libraries={"portal": "nashgorod.portal_tags"})


def test_what_it_holds_is_rendered_once_and_then_served():
    template = ENGINE.from_string("{% load portal %}[{% once %}{{ calls.pop }}{% endonce %}]")
    calls = ["second", "first"]
    assert template.render(Context({"calls": calls})) == "[first]"
    assert template.render(Context({"calls": calls})) == "[first]"
    assert calls == ["second"]  # the second render did not evaluate it


def test_it_is_rendered_again_for_another_language_or_url_prefix():
    template = ENGINE.from_string("{% load portal %}{% once %}{{ calls.pop }}{% endonce %}")
    calls = ["c", "b", "a"]
    try:
        with translation.override("ru"):
            assert template.render(Context({"calls": calls})) == "a"
            assert template.render(Context({"calls": calls})) == "a"
        with translation.override("en"):
            assert template.render(Context({"calls": calls})) == "b"
        set_script_prefix("/portal/")
        with translation.override("ru"):
            assert template.render(Context({"calls": calls})) == "c"
    finally:
        set_script_prefix("/")


def test_it_takes_no_arguments():
    with pytest.raises(TemplateSyntaxError):
        ENGINE.from_string("{% load portal %}{% once user %}x{% endonce %}")


@pytest.mark.django_db
def test_the_layout_s_fixed_links_are_the_same_for_every_visitor(client, django_user_model):
    anonymous = client.get("/").content.decode()
    assert '<a href="/accounts/login/">Войти</a>' in anonymous
    assert "css/portal.css" in anonymous
    user = django_user_model.objects.create_user(email="once@example.com", password="x" * 12)
    client.force_login(user)
    logged_in = client.get("/").content.decode()
    assert "css/portal.css" in logged_in and "Выйти" in logged_in and "Войти" not in logged_in
