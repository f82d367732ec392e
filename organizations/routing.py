"""Which organization a published report goes to.

A residential-building topic goes to the building's managing company, or
the district's housing service when the register names none. Any other topic
goes to the organization of the topic's kind that serves the report's
district, else a city-wide one of that kind (or the one the topic names).
"""

from __future__ import annotations

from organizations.models import Kind, Organization


def route(*, responsible_kind: str, responsible_code: str, needs_building: bool, district, building=None):
    active = Organization.objects.filter(is_active=True)
    if responsible_code:
        org = active.filter(code=responsible_code).first()
        if org is not None:
            return org
    if needs_building or responsible_kind == Kind.MANAGING_COMPANY:
        if building is not None:
            org = active.filter(buildings=building).order_by("pk").first()
            if org is not None:
                return org
        return active.filter(kind=Kind.HOUSING_SERVICE, districts=district).order_by("pk").first()
    org = active.filter(kind=responsible_kind, districts=district, city_wide=False).order_by("pk").first()
    if org is not None:
        return org
    return active.filter(kind=responsible_kind, city_wide=True).order_by("pk").first()


def route_topic(topic, district, building=None):
    return route(
        responsible_kind=topic.responsible_kind,
        responsible_code=topic.responsible_code,
        needs_building=topic.needs_building,
        district=district,
        building=building,
    )
