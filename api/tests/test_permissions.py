"""Who may call what: the web's matrix (accounts.roles capabilities,
issues.access.get_report_for_view, moderation.access, backoffice.access),
persona by endpoint. 401 for nobody logged in, 403 without the capability,
404 for an object the user may not see."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "resident",
    "neighbour",
    "volunteer",
    "moderator",
    "staff",
    "other_staff",
    "supervisor",
]


def status_of(api, cast, persona, method, url, data=None):
    user = None if persona == "anonymous" else getattr(cast, persona)
    response = getattr(api(user), method)(url, data or {})
    return response.status_code


def expect(row: str) -> dict:
    """'2 2 2 2 4 4 4 4' → persona: status class (2xx/4xx as 200/401/403/404)."""
    return dict(zip(PERSONAS, [int(v) for v in row.split()], strict=True))


def test_reading(api, cast, reports):
    moderated = reports.new()
    published = reports.in_work()
    matrix = {
        ("get", reverse("api:me")): "401 200 200 200 200 200 200 200",
        ("get", reverse("api:topics")): "200 200 200 200 200 200 200 200",
        ("get", reverse("api:reports")): "401 200 200 200 403 403 403 403",
        ("get", reverse("api:report", args=[published.pk])): "200 200 200 200 200 200 200 200",
        ("get", reverse("api:report", args=[moderated.pk])): "404 200 404 404 200 404 404 404",
        ("get", reverse("api:notifications")): "401 200 200 200 200 200 200 200",
        ("get", reverse("api:points")): "401 200 200 200 403 403 403 403",
        ("get", reverse("api:queues")): "401 403 403 403 200 403 403 403",
        ("get", reverse("api:requests")): "401 403 403 403 200 403 403 403",
        ("get", reverse("api:office-reports")): "401 403 403 403 403 200 200 403",
        ("get", reverse("api:office-report", args=[published.pk])): "401 403 403 403 403 200 404 200",
        ("get", reverse("api:escalations")): "401 403 403 403 403 403 403 200",
        ("get", reverse("api:map") + "?bbox=37.6,55.7,37.7,55.8"): "200 200 200 200 200 200 200 200",
        ("get", reverse("api:stats-city")): "200 200 200 200 200 200 200 200",
    }
    for (method, url), row in matrix.items():
        got = {p: status_of(api, cast, p, method, url) for p in PERSONAS}
        assert got == expect(row), url


def test_acting(api, cast, reports):
    """Each action by each persona on a report in the state it needs; a
    refusal must leave the report as it was (checked by the status)."""
    rows = {
        "publish": ("new", "401 403 403 403 200 403 403 403"),
        "confirm": ("answered", "401 200 403 403 403 403 403 403"),
        "answer": ("in_work", "401 403 403 403 403 201 404 403"),
        "reports": ("none", "401 400 400 400 403 403 403 403"),
    }
    for action, (state, row) in rows.items():
        for persona in PERSONAS:
            report = getattr(reports, state)() if state != "none" else None
            args = [report.pk] if report else []
            data = (
                {"outcome": "planned", "text": "Весной.", "planned_date": "2099-01-01"}
                if action == "answer"
                else {}
            )
            got = status_of(api, cast, persona, "post", reverse(f"api:{action}", args=args), data)
            assert got == expect(row)[persona], (action, persona)
