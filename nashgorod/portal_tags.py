"""Template tags of the whole portal ({% load portal %}).

{% once %} … {% endonce %} renders what it holds once per process (and per
language and URL prefix) and then serves that text: for the parts of a page
that are the same for every request, such as the links to the stylesheets
and scripts ({% static %} reads the manifest, {% leaflet_js %} builds its
configuration and translations) and the navigation's fixed links ({% url %}
reverses each). On a cached report page these were half of the request's
work. What it holds must not depend on the context: no user, no request, no
variable but constants such as PORTAL_NAME.
"""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix
from django.utils import translation

register = template.Library()


class OnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist
        self.rendered: dict[tuple[str | None, str], str] = {}

    def render(self, context) -> str:
        key = (translation.get_language(), get_script_prefix())
        text = self.rendered.get(key)
        if text is None:
            # Two threads may both render it the first time: the same text.
            text = self.rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def once(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% once %} takes no arguments.")
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)
