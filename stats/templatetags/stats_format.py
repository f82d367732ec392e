"""How the statistics pages print numbers: 12 345, 87,5 %, 2,2."""

from django import template

register = template.Library()

THIN = "\u2009"
DASH = "—"


@register.filter
def num(value) -> str:
    if value is None:
        return DASH
    return f"{int(value):,}".replace(",", THIN)


@register.filter
def share(value) -> str:
    """A fraction as a percentage with one decimal; no answers, no share."""
    if value is None:
        return DASH
    return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"


@register.filter
def days(value) -> str:
    if value is None:
        return DASH
    return f"{value:.1f}".replace(".", ",")


@register.filter
def percent_width(value) -> str:
    """A share as a CSS width (for the bars in the ranking)."""
    return f"{(value or 0) * 100:.1f}%"
