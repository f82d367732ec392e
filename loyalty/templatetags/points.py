"""«1 балл», «3 балла», «5 баллов»."""

from django import template

register = template.Library()


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


@register.filter
def points(value) -> str:
    """The number with its word: {{ 3|points }} → «3 балла»."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{n} {plural_ru(n, 'балл', 'балла', 'баллов')}"
